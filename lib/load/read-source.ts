import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Diagnostic } from '../model/diagnostic.js';

export interface SourceText {
  file: string;
  text: string;
}

/** Strips a byte-order mark and turns CRLF and CR line ends into LF, so positions and output do not depend on them. */
export function normalizeText(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/**
 * Reads a file, or standard input for `-`. Returns a diagnostic instead of throwing.
 * A relative path is read from `cwd` but reported as written, so positions read `my.yaml:3:5`.
 */
export async function readSource(file: string, stdin: NodeJS.ReadableStream = process.stdin, cwd?: string): Promise<SourceText | Diagnostic> {
  try {
    const raw = file === '-' ? await readStream(stdin) : await readFile(cwd === undefined ? file : resolve(cwd, file), 'utf8');
    return { file: file === '-' ? '<stdin>' : file, text: normalizeText(raw) };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const reason = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.code === 'EACCES' ? 'permission denied' : err.message;
    return {
      code: 'LOAD_READ',
      severity: 'error',
      message: `cannot read ${file}: ${reason}`,
      hint: 'check the path, or use --catalog ID for a built-in catalog (see `fwgen list`)',
      span: { file, line: 1, col: 1 },
      params: { file, errno: err.code },
    };
  }
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
