/**
 * Ports as vendor documents spell them, into the model's notation: `https:443`, `HTTPS:443`, `443/tcp`, `tcp/443`,
 * `TCP 443`, `HTTPS`, `443 (HTTPS)`, `80, 443`, `8000-8080`, `TCP/UDP 53`, `HTTP/HTTPS`, `any`. A bare number is
 * `tcp:N` (the application protocol is not guessed from the number); a protocol column or hint supplies it.
 */
import { parsePort } from '../model/port.js';

export interface PortParse {
  /** Model port strings, in the order written, without repeats. */
  ports: string[];
  /** Parts that name no port the model can express (`ICMP`, `TCP` without a number), as written. */
  unparsed: string[];
}

type Proto = 'https' | 'http' | 'ssh' | 'tcp' | 'udp' | 'any';

const PROTOCOL_WORDS: Record<string, Proto[] | undefined> = {
  https: ['https'],
  http: ['http'],
  ssh: ['ssh'],
  sftp: ['ssh'],
  tcp: ['tcp'],
  udp: ['udp'],
  wss: ['https'],
  ws: ['http'],
  tls: ['tcp'],
  grpc: ['tcp'],
  any: ['any'],
  all: ['any'],
};
/** IP protocols without ports: the numbers written beside them are types, codes or nothing the model can express. */
const NOT_PORTS = /^(?:icmp|icmpv4|icmpv6|ipv6-icmp|esp|ah|gre|ipip|ipencap|vrrp|igmp|ospf|pim)$/;
const DEFAULTS: Partial<Record<Proto, number>> = { https: 443, http: 80, ssh: 22 };
/** Words that carry no port meaning in a port cell ("port", "ports", "only", "outbound"). */
const FILLER = new Set(['port', 'ports', 'only', 'outbound', 'inbound', 'egress', 'ingress', 'and', 'or', 'to', 'via', 'over', 'on', 'protocol', 'protocols', 'the', 'default', 'both', 'number', 'numbers', 'traffic']);

/**
 * Reads a port cell (and the protocol column's text, if the table has one). An empty result means neither held a
 * port; `unparsed` lists what was written but could not be read.
 */
export function parsePortCell(portText: string, protocolText = ''): PortParse {
  // A protocol column that holds numbers too ("UDP 3478") is a port cell of its own.
  if (portText.trim() === '' && /\d/.test(protocolText)) return parsePortCell(protocolText);
  const hint = protocolWords(protocolText);
  // ICMP 8/0 is a type and a code, ESP and GRE have no ports: their numbers are no ports, and no port is better than a wrong one.
  if (hint.unknown.some((w) => NOT_PORTS.test(w))) return { ports: [], unparsed: [[protocolText.trim(), portText.trim()].filter(Boolean).join(' ')] };
  const out: string[] = [];
  const unparsed: string[] = [];
  const add = (p: string) => {
    const r = parsePort(p);
    if (!r.port) {
      unparsed.push(p);
      return;
    }
    if (!out.includes(p)) out.push(p);
  };
  const text = portText.trim() === '*' ? 'any' : normalize(portText);
  if (text === '') {
    // Only a protocol: its default port (HTTPS → https:443), or nothing for TCP/UDP.
    for (const p of hint.protos) {
      const d = DEFAULTS[p];
      if (p === 'any') add('any');
      else if (d !== undefined) add(`${p}:${d}`);
      else unparsed.push(protocolText.trim());
    }
    for (const w of hint.unknown) unparsed.push(w);
    return { ports: out, unparsed: [...new Set(unparsed)] };
  }
  let carry: Proto[] | undefined;
  for (const segment of text.split(/\s*(?:,|;|\n|\band\b|\bor\b|&)\s*/)) {
    if (segment === '') continue;
    const parsed = parseSegment(segment);
    if (parsed.unknown.some((w) => NOT_PORTS.test(w))) {
      unparsed.push(segment);
      continue;
    }
    if (parsed.unknown.length) unparsed.push(...parsed.unknown);
    let protos = parsed.protos;
    if (protos.length) carry = protos;
    else protos = carry ?? (hint.protos.length ? hint.protos : ['tcp']);
    if (parsed.numbers.length === 0) {
      if (parsed.protos.length === 0) continue;
      for (const p of protos) {
        const d = DEFAULTS[p];
        if (p === 'any') add('any');
        else if (d !== undefined) add(`${p}:${d}`);
        else unparsed.push(segment);
      }
      continue;
    }
    // "HTTP/HTTPS 80/443": pair them in order; otherwise every protocol with every number.
    const paired = protos.length > 1 && protos.length === parsed.numbers.length && protos.every((p) => DEFAULTS[p] !== undefined);
    parsed.numbers.forEach((n, i) => {
      for (const p of paired ? [protos[i]!] : protos) add(p === 'any' ? `tcp:${n}` : `${p}:${n}`);
    });
  }
  for (const w of hint.unknown) unparsed.push(w);
  return { ports: out, unparsed: [...new Set(unparsed)] };
}

function normalize(s: string): string {
  return s
    .toLowerCase()
    .replace(/<br\s*\/?>/g, ',')
    .replace(/[`*_]/g, ' ')
    .replace(/[–—]/g, '-')
    .replace(/(\d)\s*(?:-|\bto\b|\.\.)\s*(\d)/g, '$1-$2')
    .trim();
}

function protocolWords(text: string): { protos: Proto[]; unknown: string[] } {
  const protos: Proto[] = [];
  const unknown: string[] = [];
  for (const w of normalize(text).split(/[\s,;/|+()]+/).filter(Boolean)) {
    const p = PROTOCOL_WORDS[w];
    if (p) protos.push(...p.filter((x) => !protos.includes(x)));
    else if (!FILLER.has(w)) unknown.push(w);
  }
  return { protos, unknown };
}

/** One comma-free part of a port cell: its protocol words, numbers and ranges, and any word it cannot place. */
function parseSegment(segment: string): { protos: Proto[]; numbers: string[]; unknown: string[] } {
  const protos: Proto[] = [];
  const numbers: string[] = [];
  const unknown: string[] = [];
  for (const part of segment.split(/[\s/:()[\]=]+/).filter(Boolean)) {
    if (/^\d+(-\d+)?$/.test(part)) {
      if (!numbers.includes(part)) numbers.push(part);
    } else if (part === '*') {
      protos.push('any');
    } else if (PROTOCOL_WORDS[part]) {
      for (const p of PROTOCOL_WORDS[part]!) if (!protos.includes(p)) protos.push(p);
    } else if (!FILLER.has(part) && !/^\W+$/.test(part)) {
      unknown.push(part);
    }
  }
  // "all ports" and "any" with numbers mean the numbers (e.g. "TCP any 443" is rare); "any" alone means any.
  if (numbers.length && protos.includes('any') && protos.length > 1) protos.splice(protos.indexOf('any'), 1);
  return { protos, numbers, unknown };
}

/**
 * Ports stated in a sentence of prose: "over port 443", "ports 80 and 443", "TCP 8443", "443/tcp", "https:443",
 * "all ports" (any). A number goes with the protocol the same text names for it (HTTPS with 443, HTTP with 80, SSH
 * with 22), else TCP; "over HTTPS" alone is https:443.
 */
export function portsInProse(text: string): string[] {
  const t = normalize(text);
  const out: string[] = [];
  const add = (p: string) => {
    if (parsePort(p).port && !out.includes(p)) out.push(p);
  };
  if (/\b(?:all|any)\b(?:\s+[a-z-]+){0,2}\s+ports\b|\bany\s+port\b|\bevery\s+port\b/.test(t)) add('any');
  const said = {
    https: /\bhttps\b/.test(t),
    http: /\bhttp\b/.test(t),
    ssh: /\bssh\b/.test(t),
  };
  const udpOnly = /\budp\b/.test(t) && !/\btcp\b/.test(t);
  const withProto = (n: string): string => {
    // "provide UDP on port 123": the transport the text names for the number.
    if (udpOnly) return `udp:${n}`;
    if (said.https && n === '443') return `https:${n}`;
    if (said.http && n === '80') return `http:${n}`;
    if (said.ssh && n === '22') return `ssh:${n}`;
    return `tcp:${n}`;
  };
  for (const m of t.matchAll(/\b(https?|tcp|udp|ssh)\s*(?::|\/|\s)\s*(\d{1,5}(?:-\d{1,5})?)\b(?!\.\d)/g)) add(`${m[1]}:${m[2]}`);
  for (const m of t.matchAll(/\b(\d{1,5}(?:-\d{1,5})?)\s*\/\s*(tcp|udp)\b/g)) add(`${m[2]}:${m[1]}`);
  for (const m of t.matchAll(/\bports?\s*:?\s*((?:\d{1,5}(?:-\d{1,5})?)(?:\s*(?:,|and|or|&)\s*\d{1,5}(?:-\d{1,5})?)*)(?!\d|\.\d)/g)) {
    for (const n of m[1]!.split(/\s*(?:,|and|or|&)\s*/)) add(withProto(n));
  }
  if (out.length === 0) {
    for (const m of t.matchAll(/\b(?:over|via|using|uses|use)\s+(https|http|ssh)\b|\((https|http|ssh)\)/g)) {
      const p = (m[1] ?? m[2]) as Proto;
      add(`${p}:${DEFAULTS[p]}`);
    }
  }
  return out;
}
