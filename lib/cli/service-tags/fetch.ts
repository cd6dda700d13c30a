import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Diagnostic } from '../../model/diagnostic.js';
import { FwgenError } from '../../model/diagnostic.js';
import { CLOUDS, type CloudName } from '../../service-tags/locate.js';

/** A Service Tags download as read: its bytes, the name that carries its date, and where it came from (for messages). */
export interface FetchedFile {
  bytes: Buffer;
  name: string;
  origin: string;
}

/** More than ten times today's Public file (4 MB): a bigger answer is not a Service Tags file. */
export const MAX_BYTES = 64 * 1024 * 1024;

const fail = (origin: string, message: string, hint: string): FwgenError =>
  new FwgenError([{ code: 'TAGS_FETCH', severity: 'error', message, hint, span: { file: origin, line: 1, col: 1 }, params: { from: origin } } satisfies Diagnostic]);

/**
 * Reads `from`: a local file, or an http(s) URL. A URL that answers with a web page rather than JSON is taken as
 * Microsoft's download page: the link to the newest ServiceTags_<cloud>_YYYYMMDD.json in it is followed once. Every
 * request is bounded by `timeoutMs` (connection and body together) and by MAX_BYTES.
 */
export async function fetchServiceTags(from: string, cloud: CloudName, cwd: string, timeoutMs: number): Promise<FetchedFile> {
  if (!/^https?:\/\//i.test(from)) {
    const path = resolve(cwd, from);
    try {
      return { bytes: await readFile(path), name: basename(path), origin: from };
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw fail(from, `cannot read ${from}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, 'give a downloaded ServiceTags_*.json file or an http(s) URL to --from');
    }
  }
  const first = await download(from, timeoutMs);
  if (looksLikeJson(first.bytes)) return first;
  const link = newestLink(first.bytes.toString('utf8'), first.origin, cloud);
  if (!link) {
    throw fail(from, `${from} is neither a Service Tags JSON file nor a page that links to a ${CLOUDS[cloud].prefix}_YYYYMMDD.json file`, 'download the file yourself and pass it with --from FILE');
  }
  const file = await download(link, timeoutMs);
  if (!looksLikeJson(file.bytes)) throw fail(link, `${link} did not answer with JSON`, 'download the file yourself and pass it with --from FILE');
  return file;
}

async function download(url: string, timeoutMs: number): Promise<FetchedFile> {
  let response: Response;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    response = await fetch(url, { signal, redirect: 'follow', headers: { accept: 'application/json, text/html;q=0.9, */*;q=0.1' } });
  } catch (e) {
    throw fail(url, `cannot download ${url}: ${reason(e, timeoutMs)}`, 'check the URL and the network, or download the file yourself and pass it with --from FILE');
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw fail(url, `cannot download ${url}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`, 'check the URL, or download the file yourself and pass it with --from FILE');
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > MAX_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    throw fail(url, `${url} is ${declared} bytes, more than a Service Tags file (${MAX_BYTES} at most)`, 'check the URL');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body ?? []) {
      size += (chunk as Uint8Array).length;
      if (size > MAX_BYTES) {
        await response.body?.cancel().catch(() => undefined);
        throw fail(url, `${url} sent more than ${MAX_BYTES} bytes, more than a Service Tags file`, 'check the URL');
      }
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
  } catch (e) {
    if (e instanceof FwgenError) throw e;
    throw fail(url, `cannot download ${url}: ${reason(e, timeoutMs)}`, 'check the URL and the network, or download the file yourself and pass it with --from FILE');
  }
  const finalUrl = response.url || url;
  return { bytes: Buffer.concat(chunks), name: nameOf(finalUrl, response.headers.get('content-disposition')), origin: finalUrl };
}

function reason(e: unknown, timeoutMs: number): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `no complete answer within ${timeoutMs / 1000} s`;
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
}

/** The file name a download carries: Content-Disposition's filename, else the last part of the URL's path. */
function nameOf(url: string, disposition: string | null): string {
  const m = disposition ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition) : null;
  if (m) return basename(decodeURIComponent(m[1]!.trim()));
  try {
    return basename(decodeURIComponent(new URL(url).pathname));
  } catch {
    return basename(url);
  }
}

function looksLikeJson(bytes: Buffer): boolean {
  for (let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    return c === 0x7b;
  }
  return false;
}

/** The link to the newest dated file of the cloud on a download page, made absolute against the page's URL. */
function newestLink(html: string, page: string, cloud: CloudName): string | undefined {
  const pattern = new RegExp(`(?:https?:)?[^"'\\s<>()]*/${CLOUDS[cloud].prefix}_(\\d{8})\\.json`, 'g');
  let best: { url: string; date: string } | undefined;
  for (const m of html.replace(/\\\//g, '/').matchAll(pattern)) {
    let url: string;
    try {
      url = new URL(m[0], page).href;
    } catch {
      continue;
    }
    if (!/^https?:/.test(url)) continue;
    if (!best || m[1]! > best.date) best = { url, date: m[1]! };
  }
  return best?.url;
}
