import ipaddr from 'ipaddr.js';
import { InternalError } from './diagnostic.js';

/**
 * Prefix aggregation shared by every target that writes addresses, and by Service Tags resolution. IPv4 works on
 * plain numbers (an address and a block end both fit a double exactly), so 100,000 prefixes take milliseconds; IPv6
 * uses BigInt.
 */

/** An inclusive address range of one family, as the first and last address in text form. */
export interface AddressRange {
  family: 4 | 6;
  first: string;
  last: string;
  /** The fewest CIDR blocks covering exactly this range, in address order. */
  cidrs: string[];
}

const TWO32 = 2 ** 32;

/**
 * `a.b.c.d/len` (canonical, as the model writes it) as its network number times 64 plus its length, one double that
 * sorts by address; throws on anything else.
 */
function parseV4(cidr: string): number {
  const slash = cidr.indexOf('/');
  let n = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  const end = slash < 0 ? cidr.length : slash;
  for (let i = 0; i < end; i++) {
    const c = cidr.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || octet > 255) throw bad(cidr);
      n = n * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57 && digits < 3 && !(digits > 0 && octet === 0)) {
      octet = octet * 10 + (c - 48);
      digits++;
    } else throw bad(cidr);
  }
  if (dots !== 3 || digits === 0 || octet > 255) throw bad(cidr);
  n = n * 256 + octet;
  const len = slash < 0 ? 32 : prefixLength(cidr, slash + 1);
  if (len < 0) throw bad(cidr);
  const size = 2 ** (32 - len);
  if (n % size !== 0) throw bad(cidr);
  return n * 64 + len;
}

/** The length after the slash, 0 to 32 without leading zeros, or -1. */
function prefixLength(cidr: string, at: number): number {
  const digits = cidr.length - at;
  if (digits < 1 || digits > 2) return -1;
  const d0 = cidr.charCodeAt(at) - 48;
  if (d0 < 0 || d0 > 9) return -1;
  if (digits === 1) return d0;
  const d1 = cidr.charCodeAt(at + 1) - 48;
  if (d0 === 0 || d1 < 0 || d1 > 9) return -1;
  const len = d0 * 10 + d1;
  return len <= 32 ? len : -1;
}

function bad(cidr: string): InternalError {
  return new InternalError(`not a canonical prefix: ${JSON.stringify(cidr)}`);
}

// Octets as text once: converting four numbers per address allocates four strings each time.
const OCTET_TEXT = Array.from({ length: 256 }, (_, i) => String(i));

function v4Text(n: number): string {
  return OCTET_TEXT[Math.floor(n / 16777216)]! + '.' + OCTET_TEXT[Math.floor(n / 65536) & 255]! + '.' + OCTET_TEXT[Math.floor(n / 256) & 255]! + '.' + OCTET_TEXT[n & 255]!;
}

/** Merged v4 ranges as [first, last] pairs of numbers, sorted, disjoint and non-adjacent. */
function mergeV4(cidrs: readonly string[]): number[] {
  // Pack (start, length) into one double: start * 64 + length sorts by start, and a typed array sorts numerically.
  const keys = new Float64Array(cidrs.length);
  for (let i = 0; i < cidrs.length; i++) {
    keys[i] = parseV4(cidrs[i]!);
  }
  keys.sort();
  const out: number[] = [];
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const len = k % 64;
    const start = (k - len) / 64;
    const last = start + 2 ** (32 - len) - 1;
    const top = out.length - 1;
    if (top > 0 && start <= out[top]! + 1) {
      if (last > out[top]!) out[top] = last;
    } else out.push(start, last);
  }
  return out;
}

/** The fewest aligned blocks covering [start, last]: at each step the largest aligned block that fits. */
function v4Blocks(start: number, last: number, out: string[]): void {
  while (start <= last && start < TWO32) {
    const len = v4BlockLength(start, last);
    out.push(`${v4Text(start)}/${len}`);
    start += 2 ** (32 - len);
  }
}

/** The prefix length of the largest aligned block that starts at `start` and ends at or before `last`. */
function v4BlockLength(start: number, last: number): number {
  let len = 32;
  while (len > 0) {
    const size = 2 ** (33 - len);
    if (start % size !== 0 || start + size - 1 > last) break;
    len--;
  }
  return len;
}

export interface Range6 {
  start: bigint;
  end: bigint;
}

function toBigInt(bytes: number[]): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function v6Text(n: bigint): string {
  const bytes: number[] = new Array(16);
  for (let i = 15; i >= 0; i--) {
    bytes[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

function mergeV6(cidrs: readonly string[]): Range6[] {
  const ranges = cidrs.map((cidr): Range6 => {
    const [addr, bits] = ipaddr.IPv6.parseCIDR(cidr);
    const start = toBigInt(addr.toByteArray());
    const size = 1n << BigInt(128 - bits);
    if (start % size !== 0n) throw bad(cidr);
    return { start, end: start + size - 1n };
  });
  ranges.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Range6[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end + 1n) {
      if (r.end > last.end) last.end = r.end;
    } else out.push({ ...r });
  }
  return out;
}

function v6Blocks(r: Range6, out: string[]): void {
  let start = r.start;
  while (start <= r.end) {
    let bits = 128;
    while (bits > 0) {
      const size = 1n << BigInt(129 - bits);
      if (start % size !== 0n || start + size - 1n > r.end) break;
      bits--;
    }
    out.push(`${v6Text(start)}/${bits}`);
    start += 1n << BigInt(128 - bits);
  }
}

function byFamily(cidrs: readonly string[]): { v4: string[]; v6: string[] } {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const c of cidrs) (c.includes(':') ? v6 : v4).push(c);
  return { v4, v6 };
}

/** Addresses merged into disjoint, non-adjacent ranges per family: what both views below are computed from. */
export interface MergedAddresses {
  /** [first, last] pairs of IPv4 numbers, in address order. */
  readonly v4: readonly number[];
  readonly v6: readonly Range6[];
}

/** Merges canonical prefixes (host bits zero) of both families; throws on anything else. */
export function mergeAddresses(cidrs: readonly string[]): MergedAddresses {
  const { v4, v6 } = byFamily(cidrs);
  return { v4: mergeV4(v4), v6: mergeV6(v6) };
}

/**
 * The minimal set of CIDRs that covers exactly the merged addresses, IPv4 first, then IPv6, each in address order.
 * Minimal because merged ranges are disjoint and non-adjacent, so no block can span two of them, and a greedy split
 * of one range into aligned blocks is optimal.
 */
export function prefixesOf(m: MergedAddresses): string[] {
  const out: string[] = [];
  for (let i = 0; i < m.v4.length; i += 2) v4Blocks(m.v4[i]!, m.v4[i + 1]!, out);
  for (const r of m.v6) v6Blocks(r, out);
  return out;
}

/** How many blocks `v4Blocks` writes for [start, last], without writing them. */
function v4BlockCount(start: number, last: number): number {
  let n = 0;
  for (; start <= last && start < TWO32; n++) start += 2 ** (32 - v4BlockLength(start, last));
  return n;
}

/**
 * A range whose first and last addresses are written only when asked for: most ranges are used for their blocks
 * alone, and 100,000 prefixes make 70,000 ranges. Internal: `aggregateRanges` returns plain objects.
 */
class MergedRange implements AddressRange {
  private firstText?: string;
  private lastText?: string;
  constructor(
    readonly family: 4 | 6,
    private readonly start: number | bigint,
    private readonly end: number | bigint,
    readonly cidrs: string[],
  ) {}
  get first(): string {
    return (this.firstText ??= this.family === 4 ? v4Text(this.start as number) : v6Text(this.start as bigint));
  }
  get last(): string {
    return (this.lastText ??= this.family === 4 ? v4Text(this.end as number) : v6Text(this.end as bigint));
  }
}

/**
 * The merged addresses as maximal ranges, each with its minimal CIDR blocks. IPv4 first, then IPv6, in address order.
 * `prefixes`, when given, must be `prefixesOf(m)` split by family: the blocks are then taken from it, not written again.
 */
export function rangesOf(m: MergedAddresses, prefixes?: { readonly v4: readonly string[]; readonly v6: readonly string[] }): AddressRange[] {
  const out: AddressRange[] = [];
  let at = 0;
  for (let i = 0; i < m.v4.length; i += 2) {
    let blocks: string[];
    if (prefixes) {
      const n = v4BlockCount(m.v4[i]!, m.v4[i + 1]!);
      blocks = prefixes.v4.slice(at, at + n);
      at += n;
    } else v4Blocks(m.v4[i]!, m.v4[i + 1]!, (blocks = []));
    out.push(new MergedRange(4, m.v4[i]!, m.v4[i + 1]!, blocks));
  }
  if (prefixes && at !== prefixes.v4.length) throw new InternalError('rangesOf: the prefixes given are not those of the merged addresses');
  for (const r of m.v6) {
    const blocks: string[] = [];
    v6Blocks(r, blocks);
    out.push(new MergedRange(6, r.start, r.end, blocks));
  }
  return out;
}

/**
 * The minimal set of CIDRs that covers exactly the same addresses as the input (what Python's `collapse_addresses`
 * gives), IPv4 first, then IPv6, each in address order. Input must be canonical prefixes (host bits zero).
 */
export function aggregatePrefixes(cidrs: readonly string[]): string[] {
  return prefixesOf(mergeAddresses(cidrs));
}

/**
 * The same addresses as maximal ranges, each with its minimal CIDR blocks, for targets that can write a range as one
 * object (nftables intervals, PAN-OS `ip-range`). IPv4 first, then IPv6, in address order.
 */
export function aggregateRanges(cidrs: readonly string[]): AddressRange[] {
  return rangesOf(mergeAddresses(cidrs)).map((r) => ({ family: r.family, first: r.first, last: r.last, cidrs: r.cidrs }));
}
