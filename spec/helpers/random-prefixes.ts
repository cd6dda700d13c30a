/**
 * Random prefix lists for the aggregation properties of the address targets: most prefixes come in shapes that
 * aggregation must get right (aligned sibling pairs and quads that merge, adjacent but unaligned pairs that must stay
 * apart, a prefix with a more-specific inside it, duplicates, host routes, an unaligned run of addresses), placed in a
 * small window of each family (10.0.0.0/20, 2001:db8::/116) so that shapes also overlap and touch each other; a few
 * are anywhere in the family, rarely /0. Canonical text, host bits cleared, as the model gives prefixes to emitters.
 */
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';

export type Family = 4 | 6;

const WIDTH: Record<Family, number> = { 4: 32, 6: 128 };
/** Bits of the window the shapes are placed in: 4,096 addresses of each family. */
const WINDOW_BITS = 12;
const BASE: Record<Family, bigint> = { 4: 0x0a000000n, 6: 0x20010db8n << 96n };

/** `net/len` of either family as canonical text (IPv6 compressed, as ipaddr.js and the model write it). */
export function prefixText(family: Family, net: bigint, len: number): string {
  if (family === 4) return `${(net >> 24n) & 255n}.${(net >> 16n) & 255n}.${(net >> 8n) & 255n}.${net & 255n}/${len}`;
  const hex = net.toString(16).padStart(32, '0').match(/.{4}/g)!.join(':');
  return `${ipaddr.parse(hex).toString()}/${len}`;
}

const size = (family: Family, len: number) => 1n << BigInt(WIDTH[family] - len);
const align = (family: Family, n: bigint, len: number) => (n / size(family, len)) * size(family, len);

type Block = [bigint, number];

/** The greedy split of [first, last] into aligned blocks (the run shape; written here, not taken from fwgen). */
function runBlocks(family: Family, first: bigint, last: bigint): Block[] {
  const out: Block[] = [];
  let at = first;
  while (at <= last) {
    let len = WIDTH[family];
    while (len > 0 && at % size(family, len - 1) === 0n && at + size(family, len - 1) - 1n <= last) len--;
    out.push([at, len]);
    at += size(family, len);
  }
  return out;
}

const SHAPES = ['single', 'host', 'siblings', 'quad', 'adjacent-unaligned', 'nested', 'duplicate', 'run'] as const;
type Shape = (typeof SHAPES)[number];

function shapeBlocks(family: Family, shape: Shape, offset: bigint, depth: number, extra: number): Block[] {
  const w = WIDTH[family];
  // A length inside the window: /20-/32 or /116-/128.
  const len = w - Math.min(depth, WINDOW_BITS);
  const at = BASE[family] + offset;
  const p = align(family, at, len);
  switch (shape) {
    case 'single':
      return [[p, len]];
    case 'host':
      return [[at, w]];
    case 'siblings': {
      const l = Math.min(len + 1, w);
      const q = align(family, at, l);
      return [[q, l], [q ^ size(family, l), l]];
    }
    case 'quad': {
      const l = Math.min(len + 2, w);
      const q = align(family, at, l - 2);
      return [0n, 1n, 2n, 3n].map((i): Block => [q + i * size(family, l), l]);
    }
    case 'adjacent-unaligned': {
      // The upper half of a parent and the lower half of the next parent: they touch, yet no prefix holds both.
      const l = Math.max(len, 1);
      const upper = align(family, at, l) | size(family, l);
      return [[upper, l], [upper + size(family, l), l]];
    }
    case 'nested': {
      const inner = Math.min(len + 1 + (extra % Math.max(w - len, 1)), w);
      return [[p, len], [align(family, at, inner), inner]];
    }
    case 'duplicate':
      return [[p, len], [p, len]];
    case 'run':
      return runBlocks(family, at, at + BigInt(extra));
  }
}

/** One shape's prefixes, in the window of its family. */
const windowShape: fc.Arbitrary<string[]> = fc
  .record({
    family: fc.constantFrom<Family>(4, 6),
    shape: fc.constantFrom(...SHAPES),
    offset: fc.bigInt({ min: 0n, max: (1n << BigInt(WINDOW_BITS)) - 1n }),
    depth: fc.integer({ min: 0, max: WINDOW_BITS }),
    extra: fc.integer({ min: 0, max: 300 }),
    reversed: fc.boolean(),
  })
  .map(({ family, shape, offset, depth, extra, reversed }) => {
    const blocks = shapeBlocks(family, shape, offset, depth, extra).map(([n, l]) => prefixText(family, n, l));
    return reversed ? blocks.reverse() : blocks;
  });

/** A prefix anywhere in its family, /1 and longer. */
const anywhere: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), fc.integer({ min: 1, max: 32 })).map(([n, len]) => [prefixText(4, align(4, n, len), len)]),
  fc.tuple(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 1, max: 128 })).map(([n, len]) => [prefixText(6, align(6, n, len), len)]),
);

const everything: fc.Arbitrary<string[]> = fc.constantFrom(['0.0.0.0/0'], ['::/0']);

/** A list of prefixes of both families: shapes in the window, a few anywhere, rarely a /0. */
export function prefixList(opts: { minShapes?: number; maxShapes?: number } = {}): fc.Arbitrary<string[]> {
  return fc
    .array(fc.oneof({ weight: 20, arbitrary: windowShape }, { weight: 3, arbitrary: anywhere }, { weight: 1, arbitrary: everything }), {
      minLength: opts.minShapes ?? 1,
      maxLength: opts.maxShapes ?? 20,
    })
    .map((shapes) => shapes.flat());
}

/** The family of a prefix text. */
export const familyOf = (cidr: string): Family => (cidr.includes(':') ? 6 : 4);
