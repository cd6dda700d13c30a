/**
 * Finds endpoint tokens in plain text (after {@link normalizeInline}): host names and wildcards (with `{param}`
 * placeholders), URLs and `host:port`, IPv4/IPv6 addresses, prefixes and ranges, and Azure service tags. What looks
 * like a name but is not a valid one comes back as an `invalid` token with the reason, so the caller can say so.
 */
import ipaddr from 'ipaddr.js';
import { createRequire } from 'node:module';
import { checkFqdn } from '../model/fqdn.js';
import { checkCidr } from '../model/cidr.js';
import { canonicalTagName, serviceTagNames } from './service-tag-names.js';
import { slug } from './inline.js';
import { parseHostForm } from '../model/host-form.js';

interface Span {
  /** The text as it stands in the normalised input. */
  raw: string;
  start: number;
  end: number;
}

export interface HostToken extends Span {
  kind: 'host';
  /** Lowercase ASCII, placeholders as `{name}`, without the `*.` or leading dot. */
  name: string;
  /** `label-wildcard`: `name` begins with the wildcard label (`azgn*.servicebus.windows.net`). */
  match: 'exact' | 'subdomains' | 'apex-and-subdomains' | 'label-wildcard';
  /** Placeholder slugs in the name, in order. */
  params: string[];
  /** URL scheme, lowercase, when written as a URL. */
  scheme?: string;
  /** `host:PORT` or `scheme://host:PORT`. */
  port?: string;
  /** A path after the host other than `/`. */
  path?: string;
  /** The top-level domain is not a public one (ICANN section of the public suffix list). */
  privateSuffix: boolean;
}

export interface CidrToken extends Span {
  kind: 'cidr';
  cidrs: string[];
  /** 0.0.0.0, 0.0.0.0/0, ::/0: every address. */
  any: boolean;
  /** Written as a range `a - b` (so `cidrs` may be several). */
  range?: boolean;
  port?: string;
}

export interface ServiceTagToken extends Span {
  kind: 'service-tag';
  tag: string;
  /** Region as a placeholder slug (`AzureContainerRegistry.[region name]` → `region-name`). */
  regionParam?: string;
  /** Named in the shipped Service Tags snapshot. */
  known: boolean;
}

export interface InvalidToken extends Span {
  kind: 'invalid';
  reason: string;
}

export type Token = HostToken | CidrToken | ServiceTagToken | InvalidToken;

export interface ScanOptions {
  /** Prose: only names under a public top-level domain count, and file names are set apart. Cells take any valid name. */
  prose?: boolean;
  /** A service-tag column: a single capitalised word may be a tag (`Storage`). */
  tagsExpected?: boolean;
}

type Tldts = { parse(host: string): { isIcann: boolean | null; publicSuffix: string | null } };
let tldts: Tldts | undefined;
function isIcann(host: string): boolean {
  tldts ??= createRequire(import.meta.url)('tldts') as Tldts;
  return tldts.parse(host).isIcann === true;
}

/** Last labels that name files far more often than hosts, in prose (`install.sh`, `README.md`). */
const FILE_EXTENSIONS = new Set(['md', 'markdown', 'rst', 'adoc', 'txt', 'json', 'yaml', 'yml', 'xml', 'html', 'htm', 'py', 'sh', 'ps1', 'js', 'mjs', 'ts', 'go', 'rs', 'java', 'exe', 'dll', 'so', 'zip', 'tar', 'gz', 'tgz', 'png', 'jpg', 'jpeg', 'gif', 'svg', 'pdf', 'csv', 'log', 'conf', 'cfg', 'ini', 'toml', 'lock', 'msi', 'deb', 'rpm', 'jar', 'war', 'iso', 'pem', 'crt', 'key']);

const SCHEME_URL = /\b([a-z][a-z0-9+.-]{1,9}):\/\/(?:[^\s/@<>]+@)?(\[[0-9a-f:.]+\]|[^\s/?#<>,;|()[\]`'"]+?)(?::(\d{1,5}))?(\/[^\s<>,;|()[\]`'"]*)?(?=$|[\s<>,;|()[\]`'"]|[.:](?:\s|$))/gi;
const IPV4 = String.raw`\d{1,3}(?:\.\d{1,3}){3}`;
const IPV4_RANGE = new RegExp(String.raw`(?<![\w.:])(${IPV4})\s*(?:-|–|to)\s*(${IPV4})(?![\w]|\.\d)`, 'g');
const IPV4_TOKEN = new RegExp(String.raw`(?<![\w.:/-])(${IPV4})(?:\/(\d{1,2}))?(?::(\d{1,5}))?(?![\w]|\.\d|\/\d)`, 'g');
const IPV6_TOKEN = /(?<![\w:.])((?:[0-9a-f]{1,4})?(?::[0-9a-f]{0,4}){2,7}(?:\d{1,3}(?:\.\d{1,3}){3})?)(?:\/(\d{1,3}))?(?![\w:])/gi;
const TAG_TOKEN = /(?<![\w.{}*-])([A-Z][A-Za-z0-9]*(?:\.[A-Z][A-Za-z0-9]*)?)(?:\.\[([^\]\n]{1,40})\]|\.\{([a-z0-9-]+)\})?(?![\w{}-]|\.[A-Za-z0-9{])/g;
const HOST_TOKEN = /(?<![\w.{}*@/%$\]-])(\*\.|\.(?=[A-Za-z0-9{]))?((?:[A-Za-z0-9_{}*-]+\.)+[A-Za-z0-9_{}*-]+)(?::(\d{1,5}(?:-\d{1,5})?)(?!\d))?(\/[^\s,;|()[\]<>'"`]*)?/g;
const SCHEME_PORTS: Record<string, string> = { https: 'https:443', wss: 'https:443', http: 'http:80', ws: 'http:80', ssh: 'ssh:22', sftp: 'ssh:22', ftp: 'tcp:21', git: 'tcp:9418' };

/** The model's port for a URL scheme and explicit port, or undefined for a scheme fwgen has no default for. */
export function schemePort(scheme: string | undefined, port: string | undefined): string | undefined {
  if (scheme === undefined) return port === undefined ? undefined : `tcp:${port}`;
  const base = SCHEME_PORTS[scheme];
  const proto = base?.split(':')[0];
  if (port !== undefined) return `${proto === 'https' || proto === 'http' || proto === 'ssh' ? proto : 'tcp'}:${port}`;
  return base;
}

const isCamel = (word: string) => /[a-z0-9][A-Z]|[A-Z]{2}[a-z]/.test(word);

export function scanTokens(text: string, options: ScanOptions = {}): Token[] {
  const tokens: Token[] = [];
  const taken: [number, number][] = [];
  const free = (s: number, e: number) => !taken.some(([a, b]) => s < b && e > a);
  const take = (t: Token) => {
    // The machine itself (127.0.0.0/8, ::1): a service listening there needs no firewall rule.
    const own = t.kind === 'cidr' && t.cidrs.length > 0 && t.cidrs.every(isLoopback) ? { kind: 'invalid' as const, raw: t.raw, start: t.start, end: t.end, reason: 'is a loopback address (the machine itself), which needs no firewall rule' } : t;
    tokens.push(own);
    taken.push([t.start, t.end]);
  };

  for (const m of text.matchAll(SCHEME_URL)) {
    const [raw, schemeRaw, hostRaw, port, pathRaw] = m as unknown as [string, string, string, string | undefined, string | undefined];
    const scheme = schemeRaw.toLowerCase();
    const path = pathRaw && pathRaw !== '/' ? pathRaw.replace(/\/$/, '') : undefined;
    const span = { raw, start: m.index, end: m.index + raw.length };
    const bare = hostRaw.replace(/^\[|\]$/g, '');
    if (scheme === 'unix' || scheme === 'file') {
      take({ kind: 'invalid', ...span, reason: `names a ${scheme === 'unix' ? 'unix socket' : 'file'} (${scheme}://), not a host` });
      continue;
    }
    if (ipaddr.isValid(bare)) {
      const c = checkCidr(bare);
      take(c.cidr ? { kind: 'cidr', ...span, cidrs: [c.cidr], any: false, ...(port ? { port } : {}) } : { kind: 'invalid', ...span, reason: 'not a valid address' });
      continue;
    }
    const host = hostToken(hostRaw, '', span, options);
    if (host.kind === 'host') take({ ...host, scheme, ...(port ? { port } : {}), ...(path ? { path } : {}) });
    else take(host);
  }

  for (const m of text.matchAll(IPV4_RANGE)) {
    const span = { raw: m[0], start: m.index, end: m.index + m[0].length };
    if (!free(span.start, span.end)) continue;
    const cidrs = rangeToCidrs(m[1]!, m[2]!);
    take(cidrs ? { kind: 'cidr', ...span, cidrs, any: false, range: true } : { kind: 'invalid', ...span, reason: 'not a valid IPv4 range' });
  }
  for (const m of text.matchAll(IPV4_TOKEN)) {
    const span = { raw: m[0], start: m.index, end: m.index + m[0].length };
    if (!free(span.start, span.end)) continue;
    const [, addr, bits, port] = m;
    if (!ipaddr.IPv4.isValidFourPartDecimal(addr!)) {
      take({ kind: 'invalid', ...span, reason: 'not a valid IPv4 address' });
      continue;
    }
    const any = addr === '0.0.0.0' && (bits === undefined || bits === '0');
    const c = checkCidr(any ? '0.0.0.0/0' : bits === undefined ? addr! : `${addr}/${bits}`);
    if (c.cidr) take({ kind: 'cidr', ...span, cidrs: [c.cidr], any, ...(port ? { port } : {}) });
    else take({ kind: 'invalid', ...span, reason: c.problems[0]?.message ?? 'not a valid prefix' });
  }
  for (const m of text.matchAll(IPV6_TOKEN)) {
    const span = { raw: m[0], start: m.index, end: m.index + m[0].length };
    const bits = m[2];
    // "8080::" ends an RST paragraph; an address written without a prefix does not end in "::".
    if (!free(span.start, span.end) || !ipaddr.IPv6.isValid(m[1]!) || (bits === undefined && /::$/.test(m[1]!))) continue;
    const any = ipaddr.IPv6.parse(m[1]!).toNormalizedString() === '0:0:0:0:0:0:0:0' && (bits === undefined || bits === '0');
    const c = checkCidr(any ? '::/0' : bits === undefined ? m[1]! : `${m[1]}/${bits}`);
    if (c.cidr) take({ kind: 'cidr', ...span, cidrs: [c.cidr], any });
    else take({ kind: 'invalid', ...span, reason: c.problems[0]?.message ?? 'not a valid prefix' });
  }

  const known = serviceTagNames();
  for (const m of text.matchAll(TAG_TOKEN)) {
    const span = { raw: m[0], start: m.index, end: m.index + m[0].length };
    if (!free(span.start, span.end)) continue;
    const name = m[1]!;
    const base = name.split('.')[0]!;
    const regionParam = m[2] !== undefined ? slug(m[2]) || undefined : m[3];
    const after = text.slice(span.end, span.end + 20);
    const quoted = text[span.start - 1] === '"' && text[span.end] === '"';
    const saysTag = /^\s+service\s+tags?\b/i.test(after);
    const isKnown = known.has(name) || (regionParam !== undefined && known.has(base));
    const camel = isCamel(base) || name.includes('.');
    const accept = isKnown ? camel || saysTag || quoted || options.tagsExpected || regionParam !== undefined : saysTag && isCamel(base);
    if (!accept) {
      // A service-tag column writes a tag in its own case ("SQL" for Sql): the snapshot's spelling, if it has one.
      const spelled = options.tagsExpected ? canonicalTagName(name) : undefined;
      if (spelled) take({ kind: 'service-tag', ...span, tag: spelled, known: true });
      else if (options.tagsExpected && /^[A-Z][A-Za-z0-9]*$/.test(name)) take({ kind: 'service-tag', ...span, tag: name, known: false });
      continue;
    }
    take({ kind: 'service-tag', ...span, tag: name, ...(regionParam !== undefined ? { regionParam } : {}), known: isKnown });
  }

  for (const m of text.matchAll(HOST_TOKEN)) {
    const span = { raw: m[0], start: m.index, end: m.index + m[0].length };
    if (!free(span.start, span.end)) continue;
    const [, prefix, body, port, pathRaw] = m as unknown as [string, string | undefined, string, string | undefined, string | undefined];
    const last = body.slice(body.lastIndexOf('.') + 1);
    // Version numbers and decimals (1.2.3, v2.1) are not names.
    if (/^[0-9]+$/.test(last) || /^v?[0-9]+(\.[0-9]+)+$/i.test(body)) continue;
    const t = hostToken(body, prefix ?? '', span, options);
    if (t.kind === 'host') {
      const path = pathRaw && pathRaw !== '/' ? pathRaw.replace(/\/$/, '') : undefined;
      take({ ...t, ...(port ? { port } : {}), ...(path ? { path } : {}) });
    } else if (t.reason !== '') take(t);
  }
  return tokens.sort((a, b) => a.start - b.start);
}

/** One host name, checked with the model's grammar; `reason: ''` means "not a name at all, say nothing". */
function hostToken(body: string, prefix: string, span: Span, options: ScanOptions): HostToken | InvalidToken {
  const params = [...body.matchAll(/\{([a-z0-9-]+)\}/g)].map((x) => x[1]!);
  if (/[{}]/.test(body.replace(/\{[a-z0-9-]+\}/g, ''))) return { kind: 'invalid', ...span, reason: 'unbalanced placeholder braces' };
  const labels = body.split('.');
  if (labels.some((l) => isCamel(l)) && !isIcann(body) && params.length === 0) {
    return options.prose ? { kind: 'invalid', ...span, reason: '' } : { kind: 'invalid', ...span, reason: 'a CamelCase word, not a host name (a service tag fwgen does not know?)' };
  }
  const probe = body.replace(/\{[a-z0-9-]+\}/g, 'x');
  if (prefix === '' && /^[^.]*\*/.test(probe) && !probe.startsWith('*.')) return labelWildcardToken(body, probe, params, span, options);
  const r = checkFqdn((prefix === '*.' ? '*.' : '') + probe, params.length === 0);
  if (r.problems.length) {
    // In prose, dotted words that are not names at all (e.g. "e.g") pass silently; a bad name in a cell is reported.
    if (options.prose && !/^\*|\*/.test(prefix + body) && !isIcann(probe)) return { kind: 'invalid', ...span, reason: '' };
    return { kind: 'invalid', ...span, reason: r.problems[0]!.message.replace(probe, body) };
  }
  const name = params.length ? body.toLowerCase() : r.name!;
  // For a template, the part after its last placeholder label decides (`{region}.api.azureml.ms` → `azureml.ms`).
  const tail = params.length === 0 ? name : name.slice(name.lastIndexOf('}') + 1).replace(/^[^.]*\.?/, '');
  const privateSuffix = tail === '' ? false : !isIcann(tail.includes('.') ? tail : `x.${tail}`);
  if (options.prose) {
    if (privateSuffix && params.length === 0) {
      // "e.g", "i.e": not names. Anything longer is a name under a private or unknown suffix ("registry.internal"):
      // said, not imported, since in prose a dotted word is a name only when its suffix is a public one.
      return { kind: 'invalid', ...span, reason: labels.some((l) => l.length === 1) ? '' : 'is not under a public top-level domain (an internal name, or not a name at all)' };
    }
    const tld = name.slice(name.lastIndexOf('.') + 1);
    if (FILE_EXTENSIONS.has(tld) && params.length === 0) return { kind: 'invalid', ...span, reason: `looks like a file name (.${tld}), not a host` };
    if (/^[a-z]$/.test(labels[0] ?? '') && labels.length === 2 && prefix === '') return { kind: 'invalid', ...span, reason: '' };
  }
  return {
    kind: 'host',
    ...span,
    name,
    match: prefix === '*.' || r.wildcard ? 'subdomains' : prefix === '.' ? 'apex-and-subdomains' : 'exact',
    params,
    privateSuffix,
  };
}

/** `azgn*.servicebus.windows.net`: a * inside the first label, checked by the model's own reader. */
function labelWildcardToken(body: string, probe: string, params: string[], span: Span, options: ScanOptions): HostToken | InvalidToken {
  const form = parseHostForm(probe);
  if (form.problems.length || form.label === undefined) return { kind: 'invalid', ...span, reason: form.problems[0]?.message ?? 'not a host name' };
  const restBody = body.slice(body.indexOf('.') + 1);
  const r = checkFqdn(form.host, params.length === 0);
  if (r.problems.length) return { kind: 'invalid', ...span, reason: r.problems[0]!.message.replace(form.host, restBody) };
  const rest = params.length ? restBody.toLowerCase() : r.name!;
  const privateSuffix = params.length === 0 && !isIcann(rest);
  if (options.prose && privateSuffix) return { kind: 'invalid', ...span, reason: 'is not under a public top-level domain (an internal name, or not a name at all)' };
  return { kind: 'host', ...span, name: `${form.label}.${rest}`, match: 'label-wildcard', params, privateSuffix };
}

function isLoopback(cidr: string): boolean {
  const [addr, bits] = cidr.split('/');
  try {
    const a = ipaddr.parse(addr!);
    return a.range() === 'loopback' && Number(bits ?? 128) >= (a.kind() === 'ipv4' ? 8 : 128);
  } catch {
    return false;
  }
}

/** The fewest IPv4 prefixes that cover exactly `from`..`to`, or undefined when either is not an address. */
export function rangeToCidrs(from: string, to: string): string[] | undefined {
  if (!ipaddr.IPv4.isValidFourPartDecimal(from) || !ipaddr.IPv4.isValidFourPartDecimal(to)) return undefined;
  const num = (a: string) => ipaddr.IPv4.parse(a).toByteArray().reduce((n, b) => n * 256 + b, 0);
  let lo = num(from);
  const hi = num(to);
  if (hi < lo) return undefined;
  const out: string[] = [];
  while (lo <= hi) {
    let bits = 32;
    while (bits > 0) {
      const size = 2 ** (32 - bits + 1);
      if (lo % size !== 0 || lo + size - 1 > hi) break;
      bits--;
    }
    const a = [24, 16, 8, 0].map((s) => Math.floor(lo / 2 ** s) % 256).join('.');
    out.push(`${a}/${bits}`);
    lo += 2 ** (32 - bits);
  }
  return out;
}

/** The plain-text words left in `text` once the tokens and separators are removed ("RFC1918 private IP ranges"). */
export function leftoverWords(text: string, tokens: readonly Token[]): string {
  let rest = '';
  let at = 0;
  for (const t of tokens) {
    rest += text.slice(at, t.start) + ' ';
    at = t.end;
  }
  rest += text.slice(at);
  return rest
    .replace(/[,;|()[\]{}<>`"'“”‘’•·*]+/g, ' ')
    .replace(/(^|\s)(?:and|or|&|\/|-|–|—|:|\.)(?=\s|$)/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
