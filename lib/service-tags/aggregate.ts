import ipaddr from 'ipaddr.js';

/** An address range [start, end], inclusive, as integers of the family's width. */
interface Range {
  start: bigint;
  end: bigint;
}

function toBigInt(bytes: number[]): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function fromBigInt(n: bigint, width: 32 | 128): string {
  const bytes: number[] = [];
  for (let i = 0; i < width / 8; i++) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

/** Parses canonical CIDRs (as the model and the Service Tags loader produce) into ranges. */
function toRange(cidr: string): { family: 4 | 6; range: Range } {
  // Ask the right family directly: the generic parser tries the other one first and throws for it.
  const [addr, bits] = cidr.includes(':') ? ipaddr.IPv6.parseCIDR(cidr) : ipaddr.IPv4.parseCIDR(cidr);
  const width = addr.kind() === 'ipv4' ? 32 : 128;
  const start = toBigInt(addr.toByteArray());
  const size = 1n << BigInt(width - bits);
  const base = start - (start % size);
  return { family: width === 32 ? 4 : 6, range: { start: base, end: base + size - 1n } };
}

/** Merges overlapping and adjacent ranges; input need not be sorted. */
function mergeRanges(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end + 1n) {
      if (r.end > last.end) last.end = r.end;
    } else out.push({ ...r });
  }
  return out;
}

/** The fewest CIDR blocks covering exactly [start, end]: at each step the largest aligned block that fits. */
function rangeToCidrs(r: Range, width: 32 | 128): string[] {
  const out: string[] = [];
  let start = r.start;
  while (start <= r.end) {
    let bits = width;
    while (bits > 0) {
      const size = 1n << BigInt(width - bits + 1);
      if (start % size !== 0n || start + size - 1n > r.end) break;
      bits--;
    }
    out.push(`${fromBigInt(start, width)}/${bits}`);
    start += 1n << BigInt(width - bits);
  }
  return out;
}

/**
 * The minimal set of CIDRs that covers exactly the same addresses as the input, IPv4 first, then IPv6, each in
 * address order. Minimal because merged ranges are disjoint and non-adjacent, so no block can span two of them,
 * and a greedy split of one range into aligned blocks is optimal.
 */
export function aggregatePrefixes(cidrs: readonly string[]): string[] {
  const v4: Range[] = [];
  const v6: Range[] = [];
  for (const c of cidrs) {
    const { family, range } = toRange(c);
    (family === 4 ? v4 : v6).push(range);
  }
  return [...mergeRanges(v4).flatMap((r) => rangeToCidrs(r, 32)), ...mergeRanges(v6).flatMap((r) => rangeToCidrs(r, 128))];
}
