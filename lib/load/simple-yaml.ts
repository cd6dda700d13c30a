import type { NodeRange } from '../model/source-map.js';
import { escapePointerToken } from '../model/source-map.js';

/**
 * A reader for the plain YAML that requirement files are written in: block mappings and sequences, one-line scalars
 * (plain, single- or double-quoted) and one-line flow collections, comments. It gives the same data and node ranges
 * as the `yaml` package (spec/load/simple-yaml.spec.ts compares the two on every YAML file in the repository and on
 * generated documents) at a fraction of its cost per node: 100,000 destinations take about 0.1 s instead of 0.7 s.
 * Anything else (anchors, tags, block scalars, multi-line scalars or flows, duplicate keys, numbers other than plain
 * integers, indented comment lines, errors of any kind) returns `undefined`, and the caller parses with the `yaml` package, which also
 * reports every problem.
 */
export function readSimpleYaml(text: string): { data: unknown; ranges: Map<string, NodeRange> } | undefined {
  try {
    const reader = new Reader(text);
    return reader.document();
  } catch (e) {
    if (e === BAIL) return undefined;
    throw e;
  }
}

const BAIL = Symbol('not simple YAML');

function bail(): never {
  throw BAIL;
}

interface Line {
  /** Offset of the first character after the indentation. */
  content: number;
  indent: number;
  /** Offset of the line's `\n`, or the text's length. */
  end: number;
}

interface Parsed {
  value: unknown;
  /** Where the parent collection's range ends when this is its last item. */
  after: number;
}

const SPACE = 32;
const HASH = 35;

class Reader {
  private readonly lines: Line[] = [];
  private i = 0;
  readonly ranges = new Map<string, NodeRange>();

  constructor(private readonly text: string) {
    let start = 0;
    while (start <= text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      let p = start;
      while (p < end && text.charCodeAt(p) === SPACE) p++;
      const c = text.charCodeAt(p);
      if (c === 9) {
        // A tab before the content: indentation with a tab is an error, after spaces it is hard to place. Let yaml decide.
        if (text.slice(p, end).trim() !== '') bail();
      } else if (c === HASH && p > start) {
        // yaml stretches the node before an indented comment over it, by rules not worth copying here.
        bail();
      } else if (p < end && c !== HASH) {
        this.lines.push({ content: p, indent: p - start, end });
      }
      if (end === text.length) break;
      start = end + 1;
    }
    const first = this.lines[0];
    if (first && (text.startsWith('---', first.content) || text.startsWith('...', first.content) || text.charCodeAt(first.content) === 37)) bail();
  }

  document(): { data: unknown; ranges: Map<string, NodeRange> } | undefined {
    const first = this.lines[0];
    if (!first || first.indent !== 0) bail();
    const node = this.block('', 0, undefined);
    if (this.i !== this.lines.length) bail();
    return { data: node.value, ranges: this.ranges };
  }

  /** The block collection starting at the current line, whose indent is at least `min`. */
  private block(pointer: string, min: number, keyStart: number | undefined): Parsed {
    const line = this.lines[this.i];
    if (!line || line.indent < min) bail();
    if (this.isSequenceEntry(line.content, line.end)) return this.sequence(pointer, line.indent, keyStart);
    return this.mapping(pointer, line.indent, line.content, keyStart);
  }

  private isSequenceEntry(at: number, end: number): boolean {
    if (this.text.charCodeAt(at) !== 45) return false;
    return at + 1 === end || this.text.charCodeAt(at + 1) === SPACE;
  }

  private sequence(pointer: string, indent: number, keyStart: number | undefined): Parsed {
    const items: unknown[] = [];
    const start = this.lines[this.i]!.content;
    let after = start;
    const prefix = pointer + '/';
    for (;;) {
      const line = this.lines[this.i];
      if (!line || line.indent < indent) break;
      if (line.indent > indent) bail();
      // A key at the sequence's own indent belongs to the mapping that holds it (`key:` then `- item` lines).
      if (!this.isSequenceEntry(line.content, line.end)) break;
      const child = prefix + items.length;
      let at = line.content + 1;
      while (at < line.end && this.text.charCodeAt(at) === SPACE) at++;
      let item: Parsed;
      if (at >= line.end || this.text.charCodeAt(at) === HASH) {
        this.i++;
        const next = this.lines[this.i];
        if (!next || next.indent <= indent) bail();
        item = this.block(child, indent + 1, undefined);
      } else if (this.keyEnd(at, line.end) !== undefined) {
        item = this.mapping(child, at - (line.content - line.indent), at, undefined);
      } else {
        item = this.inline(child, at, line.end, undefined);
        this.i++;
      }
      items.push(item.value);
      after = item.after;
    }
    this.ranges.set(pointer, { ...(keyStart !== undefined ? { keyStart } : {}), start, end: after });
    return { value: items, after };
  }

  /**
   * A block mapping whose keys sit at column `indent`; the first key starts at `first` (inside a `- ` line for a
   * mapping in a sequence).
   */
  private mapping(pointer: string, indent: number, first: number, keyStart: number | undefined): Parsed {
    const data: Record<string, unknown> = {};
    const seen = new Set<string>();
    let after = first;
    let at = first;
    for (;;) {
      const line = this.lines[this.i]!;
      const colon = this.keyEnd(at, line.end);
      if (colon === undefined) bail();
      const key = this.text.slice(at, colon);
      if (seen.has(key) || key === '__proto__') bail();
      seen.add(key);
      const child = pointer + '/' + escapePointerToken(key);
      let v = colon + 1;
      while (v < line.end && this.text.charCodeAt(v) === SPACE) v++;
      let value: Parsed;
      if (v >= line.end || this.text.charCodeAt(v) === HASH) {
        this.i++;
        const next = this.lines[this.i];
        if (next && (next.indent > indent || (next.indent === indent && this.isSequenceEntry(next.content, next.end)))) {
          value = this.block(child, next.indent === indent ? indent : indent + 1, at);
        } else {
          // An empty value followed by a comment reaches, in yaml, to the next token: left to yaml.
          if (v < line.end) bail();
          this.ranges.set(child, { keyStart: at, start: v, end: v });
          value = { value: null, after: v };
        }
      } else {
        value = this.inline(child, v, line.end, at);
        this.i++;
      }
      data[key] = value.value;
      after = value.after;
      const next = this.lines[this.i];
      if (!next || next.indent < indent) break;
      if (next.indent > indent) bail();
      if (this.isSequenceEntry(next.content, next.end)) {
        // A sequence at the mapping's own indent ends a mapping that sits in a sequence; anywhere else it is an error.
        if (pointer === '' || indent === 0) bail();
        break;
      }
      at = next.content;
    }
    this.ranges.set(pointer, { ...(keyStart !== undefined ? { keyStart } : {}), start: first, end: after });
    return { value: data, after };
  }

  /** The offset of the `:` ending a plain key at `at`, when the line holds `key:` followed by a space or its end. */
  private keyEnd(at: number, end: number): number | undefined {
    const t = this.text;
    let p = at;
    const c0 = t.charCodeAt(p);
    if (!(isLetter(c0) || c0 === 95)) return undefined;
    p++;
    while (p < end) {
      const c = t.charCodeAt(p);
      if (isLetter(c) || isDigit(c) || c === 95 || c === 45 || c === 46) p++;
      else break;
    }
    if (t.charCodeAt(p) !== 58) return undefined;
    if (p + 1 < end && t.charCodeAt(p + 1) !== SPACE) return undefined;
    const key = t.slice(at, p);
    if (SPECIAL_PLAIN.test(key)) bail();
    return p;
  }

  /** A one-line value at `at` that must end the line (but for a comment). */
  private inline(pointer: string, at: number, end: number, keyStart: number | undefined): Parsed {
    const t = this.text;
    const c = t.charCodeAt(at);
    let stop: number;
    if (c === 91 || c === 123) {
      const r = this.flow(pointer, at, end, keyStart);
      stop = r.stop;
      this.rest(stop, end);
      return { value: r.value, after: lineAfter(t, end) };
    }
    let value: unknown;
    if (c === 34 || c === 39) {
      const q = c === 34 ? doubleQuoted(t, at, end) : singleQuoted(t, at, end);
      value = q.value;
      stop = q.stop;
      this.rest(stop, end);
    } else {
      const r = plainInBlock(t, at, end);
      value = r.value;
      stop = r.stop;
    }
    this.ranges.set(pointer, { ...(keyStart !== undefined ? { keyStart } : {}), start: at, end: stop });
    return { value, after: lineAfter(t, end) };
  }

  /** Nothing but spaces and a comment may follow a value on its line. */
  private rest(from: number, end: number): void {
    let p = from;
    while (p < end && this.text.charCodeAt(p) === SPACE) p++;
    if (p < end && (this.text.charCodeAt(p) !== HASH || p === from)) bail();
  }

  /** A flow sequence or mapping closed on the same line. */
  private flow(pointer: string, open: number, end: number, keyStart: number | undefined): { value: unknown; stop: number } {
    const t = this.text;
    const isSeq = t.charCodeAt(open) === 91;
    const close = isSeq ? 93 : 125;
    const seq: unknown[] = [];
    const map: Record<string, unknown> = {};
    const seen = new Set<string>();
    let p = skipSpaces(t, open + 1, end);
    let first = true;
    for (;;) {
      if (p >= end) bail();
      if (t.charCodeAt(p) === close) {
        p++;
        break;
      }
      if (!first) {
        if (t.charCodeAt(p) !== 44) bail();
        p = skipSpaces(t, p + 1, end);
        // A trailing comma, an empty entry: valid YAML, but let yaml say what it means.
        if (t.charCodeAt(p) === close || t.charCodeAt(p) === 44) bail();
      }
      first = false;
      if (isSeq) {
        const child = pointer + '/' + seq.length;
        const item = this.flowValue(child, p, end, undefined);
        seq.push(item.value);
        p = skipSpaces(t, item.stop, end);
      } else {
        const key = flowKey(t, p, end);
        if (seen.has(key.key) || key.key === '__proto__') bail();
        seen.add(key.key);
        const child = pointer + '/' + escapePointerToken(key.key);
        const v = skipSpaces(t, key.colon + 1, end);
        const item = this.flowValue(child, v, end, p);
        map[key.key] = item.value;
        p = skipSpaces(t, item.stop, end);
      }
    }
    this.ranges.set(pointer, { ...(keyStart !== undefined ? { keyStart } : {}), start: open, end: p });
    return { value: isSeq ? seq : map, stop: p };
  }

  private flowValue(pointer: string, at: number, end: number, keyStart: number | undefined): { value: unknown; stop: number } {
    const t = this.text;
    const c = t.charCodeAt(at);
    let r: { value: unknown; stop: number };
    if (c === 91 || c === 123) return this.flow(pointer, at, end, keyStart);
    if (c === 34) r = doubleQuoted(t, at, end);
    else if (c === 39) r = singleQuoted(t, at, end);
    else r = plainInFlow(t, at, end);
    this.ranges.set(pointer, { ...(keyStart !== undefined ? { keyStart } : {}), start: at, end: r.stop });
    return r;
  }
}

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number) => c >= 48 && c <= 57;

/** Plain scalars the core schema reads as something other than a string, and integers with a sign or leading zero. */
const SPECIAL_PLAIN = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

function resolvePlain(s: string): unknown {
  if (!SPECIAL_PLAIN.test(s)) return s;
  if (s === 'true' || s === 'True' || s === 'TRUE') return true;
  if (s === 'false' || s === 'False' || s === 'FALSE') return false;
  if (s === 'null' || s === 'Null' || s === 'NULL' || s === '~') return null;
  if (/^(?:0|[1-9][0-9]{0,14})$/.test(s)) return Number(s);
  return bail();
}

/** Characters that start something other than a plain scalar, or a plain scalar yaml reads in a way best left to it. */
const NOT_PLAIN_START = new Set([...'-?:,[]{}#&*!|>\'"%@`'].map((c) => c.charCodeAt(0)));

function plainInBlock(t: string, at: number, end: number): { value: unknown; stop: number } {
  if (NOT_PLAIN_START.has(t.charCodeAt(at))) bail();
  let stop = at;
  for (let p = at; p < end; p++) {
    const c = t.charCodeAt(p);
    if (c === HASH && t.charCodeAt(p - 1) === SPACE) break;
    if (c === 58 && (p + 1 === end || t.charCodeAt(p + 1) === SPACE)) bail();
    if (c === 9 || c < 32 || c === 0x7f) bail();
    if (c !== SPACE) stop = p + 1;
  }
  return { value: resolvePlain(t.slice(at, stop)), stop };
}

function plainInFlow(t: string, at: number, end: number): { value: unknown; stop: number } {
  if (NOT_PLAIN_START.has(t.charCodeAt(at))) bail();
  let stop = at;
  let p = at;
  for (; p < end; p++) {
    const c = t.charCodeAt(p);
    if (c === 44 || c === 93 || c === 125) break;
    if (c === 91 || c === 123 || c === HASH) bail();
    if (c === 58 && (p + 1 === end || t.charCodeAt(p + 1) === SPACE || t.charCodeAt(p + 1) === 44 || t.charCodeAt(p + 1) === 93 || t.charCodeAt(p + 1) === 125)) bail();
    if (c === 9 || c < 32 || c === 0x7f) bail();
    if (c !== SPACE) stop = p + 1;
  }
  if (stop === at) bail();
  return { value: resolvePlain(t.slice(at, stop)), stop };
}

function flowKey(t: string, at: number, end: number): { key: string; colon: number } {
  if (NOT_PLAIN_START.has(t.charCodeAt(at))) bail();
  let p = at;
  while (p < end) {
    const c = t.charCodeAt(p);
    if (isLetter(c) || isDigit(c) || c === 95 || c === 45 || c === 46) p++;
    else break;
  }
  if (p === at || t.charCodeAt(p) !== 58 || t.charCodeAt(p + 1) !== SPACE) bail();
  const key = t.slice(at, p);
  if (SPECIAL_PLAIN.test(key)) bail();
  return { key, colon: p };
}

const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', '0': '\0', ' ': ' ' };

function doubleQuoted(t: string, at: number, end: number): { value: string; stop: number } {
  let out = '';
  let p = at + 1;
  let from = p;
  for (;;) {
    if (p >= end) bail();
    const c = t.charCodeAt(p);
    if (c === 34) break;
    if (c === 92) {
      out += t.slice(from, p);
      const e = t[p + 1] ?? '';
      if (e in ESCAPES) {
        out += ESCAPES[e];
        p += 2;
      } else if (e === 'x' || e === 'u') {
        const n = e === 'x' ? 2 : 4;
        const hex = t.slice(p + 2, p + 2 + n);
        if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) bail();
        const code = parseInt(hex, 16);
        // A lone surrogate half is a matter for yaml.
        if (code >= 0xd800 && code <= 0xdfff) bail();
        out += String.fromCharCode(code);
        p += 2 + n;
      } else bail();
      from = p;
      continue;
    }
    if (c === 9 || c < 32 || c === 0x7f) bail();
    p++;
  }
  return { value: out + t.slice(from, p), stop: p + 1 };
}

function singleQuoted(t: string, at: number, end: number): { value: string; stop: number } {
  let out = '';
  let p = at + 1;
  let from = p;
  for (;;) {
    if (p >= end) bail();
    const c = t.charCodeAt(p);
    if (c === 39) {
      if (t.charCodeAt(p + 1) !== 39) break;
      out += t.slice(from, p + 1);
      p += 2;
      from = p;
      continue;
    }
    if (c === 9 || c < 32 || c === 0x7f) bail();
    p++;
  }
  return { value: out + t.slice(from, p), stop: p + 1 };
}

function skipSpaces(t: string, p: number, end: number): number {
  while (p < end && t.charCodeAt(p) === SPACE) p++;
  return p;
}

/** Past the line's `\n`, where yaml ends a block collection whose last value is on this line. */
function lineAfter(t: string, end: number): number {
  return end < t.length ? end + 1 : end;
}
