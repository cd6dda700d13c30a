import ipaddr from 'ipaddr.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { tagPrefixes, type ServiceTag, type ServiceTagsData } from './service-tags.js';
import { pushAll } from '../model/array.js';

/** What one tag allows in the new file and not the old (`gained`), and the reverse (`lost`). */
export interface TagChange {
  name: string;
  status: 'added' | 'removed' | 'changed';
  /** Minimal prefixes (the form fwgen writes), IPv4 first, then IPv6, each in address order. */
  gained: string[];
  lost: string[];
}

export interface ServiceTagsDiff {
  changes: TagChange[];
  /** Tags in both files that allow exactly the same addresses (however the file spells them). */
  unchanged: number;
  diagnostics: Diagnostic[];
}

/**
 * Compares two Service Tags files tag by tag, as address sets: a tag whose prefixes were only split or merged is
 * unchanged, and what changed is given as the minimal prefixes of the addresses gained and lost, so the lines match
 * what appears and disappears in the rules fwgen writes. Tags in name order (code units), so output is stable.
 * `only` limits it to those tags.
 */
export function diffServiceTags(before: ServiceTagsData, after: ServiceTagsData, only?: readonly string[]): ServiceTagsDiff {
  const diagnostics: Diagnostic[] = [];
  const names = only ? [...new Set(only)] : [...new Set([...before.tags.keys(), ...after.tags.keys()])];
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const changes: TagChange[] = [];
  let unchanged = 0;
  const ranges = (tag: ServiceTag | undefined, file: string): Ranges => {
    if (!tag) return { v4: [], v6: [] };
    const r = tagPrefixes(tag, file);
    pushAll(diagnostics, r.diagnostics);
    return toRanges(r.prefixes);
  };
  for (const name of names) {
    const a = before.tags.get(name);
    const b = after.tags.get(name);
    if (a && b && sameList(a.addressPrefixes, b.addressPrefixes)) {
      unchanged++;
      continue;
    }
    const ra = ranges(a, before.info.file);
    const rb = ranges(b, after.info.file);
    const gained = [...blocks(subtract(rb.v4, ra.v4), 4), ...blocks(subtract(rb.v6, ra.v6), 6)];
    const lost = [...blocks(subtract(ra.v4, rb.v4), 4), ...blocks(subtract(ra.v6, rb.v6), 6)];
    if (a && b && gained.length === 0 && lost.length === 0) {
      unchanged++;
      continue;
    }
    changes.push({ name, status: !a ? 'added' : !b ? 'removed' : 'changed', gained, lost });
  }
  return { changes, unchanged, diagnostics };
}

function sameList(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Inclusive [start, end] pairs, sorted, disjoint and not adjacent. */
type Range = [bigint, bigint];
interface Ranges {
  v4: Range[];
  v6: Range[];
}

function toRanges(prefixes: readonly string[]): Ranges {
  const v4: Range[] = [];
  const v6: Range[] = [];
  for (const p of prefixes) {
    const [addr, len] = ipaddr.parseCIDR(p);
    const bits = addr.kind() === 'ipv4' ? 32 : 128;
    let start = 0n;
    for (const byte of addr.toByteArray()) start = (start << 8n) | BigInt(byte);
    const size = 1n << BigInt(bits - len);
    start -= start % size;
    (bits === 32 ? v4 : v6).push([start, start + size - 1n]);
  }
  return { v4: merge(v4), v6: merge(v6) };
}

function merge(ranges: Range[]): Range[] {
  ranges.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const out: Range[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1n) {
      if (r[1] > last[1]) last[1] = r[1];
    } else out.push([r[0], r[1]]);
  }
  return out;
}

/** The addresses of `a` that are not in `b`; both sorted and disjoint, so one pass over each. */
export function subtract(a: readonly Range[], b: readonly Range[]): Range[] {
  const out: Range[] = [];
  let j = 0;
  for (const [s, e] of a) {
    let start = s;
    while (j < b.length && b[j]![1] < start) j++;
    let k = j;
    while (start <= e) {
      const cut = b[k];
      if (!cut || cut[0] > e) {
        out.push([start, e]);
        break;
      }
      if (cut[0] > start) out.push([start, cut[0] - 1n]);
      start = cut[1] + 1n;
      if (cut[1] > e) break;
      k++;
    }
  }
  return out;
}

/** Each range as the fewest aligned prefixes, in address order. */
function blocks(ranges: readonly Range[], family: 4 | 6): string[] {
  const bits = family === 4 ? 32 : 128;
  const out: string[] = [];
  for (const [s, e] of ranges) {
    let start = s;
    while (start <= e) {
      let len = bits;
      while (len > 0) {
        const size = 1n << BigInt(bits - len + 1);
        if (start % size !== 0n || start + size - 1n > e) break;
        len--;
      }
      out.push(`${text(start, family)}/${len}`);
      start += 1n << BigInt(bits - len);
    }
  }
  return out;
}

function text(n: bigint, family: 4 | 6): string {
  const count = family === 4 ? 4 : 16;
  const bytes = new Array<number>(count);
  for (let i = count - 1; i >= 0; i--) {
    bytes[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

/**
 * What `after` allows and `before` does not (`gained`), and the reverse (`lost`), as the fewest prefixes: two lists
 * that only split or merge the same addresses differ in nothing. Used by `fwgen feed diff` for each service.
 */
export function diffPrefixLists(before: readonly string[], after: readonly string[]): { gained: string[]; lost: string[] } {
  const ra = toRanges(before);
  const rb = toRanges(after);
  return {
    gained: [...blocks(subtract(rb.v4, ra.v4), 4), ...blocks(subtract(rb.v6, ra.v6), 6)],
    lost: [...blocks(subtract(ra.v4, rb.v4), 4), ...blocks(subtract(ra.v6, rb.v6), 6)],
  };
}
