import { expect } from 'chai';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import { aggregatePrefixes, aggregateRanges } from '../../lib/model/aggregate.js';
import { referenceKeys, referenceMinimal } from '../helpers/reference-prefixes.js';
import { parseServiceTags, tagPrefixes } from '../../lib/service-tags/service-tags.js';

/** Brute force over a small space: the set of /32s (as offsets inside 10.0.0.0/24) that the prefixes cover. */
function covered(cidrs: string[]): Set<number> {
  const out = new Set<number>();
  for (const c of cidrs) {
    const [addr, bits] = ipaddr.parseCIDR(c);
    const b = addr.toByteArray();
    const start = b[3]!;
    for (let i = 0; i < 2 ** (32 - bits); i++) out.add(b[2]! * 256 + start + i);
  }
  return out;
}

/** An independent minimality oracle: keep merging sibling prefixes and dropping covered ones until nothing changes. */
function siblingMerge(cidrs: string[]): string[] {
  const width = (c: string) => (c.includes(':') ? 128 : 32);
  let set = new Map<string, [bigint, number, number]>();
  for (const c of cidrs) {
    const [a, bits] = ipaddr.parseCIDR(c);
    let n = 0n;
    for (const x of a.toByteArray()) n = (n << 8n) | BigInt(x);
    set.set(c, [n, bits, width(c)]);
  }
  for (let changed = true; changed; ) {
    changed = false;
    const list = [...set.values()];
    const keyOf = (n: bigint, bits: number, w: number) => `${w}/${n}/${bits}`;
    const index = new Map(list.map((v) => [keyOf(...v), v]));
    for (const [n, bits, w] of list) {
      // covered by a shorter prefix?
      for (let b = bits - 1; b >= 0; b--) {
        const mask = ((1n << BigInt(w)) - 1n) ^ ((1n << BigInt(w - b)) - 1n);
        if (index.has(keyOf(n & mask, b, w))) {
          index.delete(keyOf(n, bits, w));
          changed = true;
          break;
        }
      }
    }
    for (const [n, bits, w] of [...index.values()]) {
      if (bits === 0 || !index.has(keyOf(n, bits, w))) continue;
      const size = 1n << BigInt(w - bits);
      const sibling = n ^ size;
      if (index.has(keyOf(sibling, bits, w))) {
        index.delete(keyOf(n, bits, w));
        index.delete(keyOf(sibling, bits, w));
        const parent = n & ~size;
        index.set(keyOf(parent, bits - 1, w), [parent, bits - 1, w]);
        changed = true;
      }
    }
    set = new Map([...index.entries()]);
  }
  return [...set.keys()];
}

const smallPrefix = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 24, max: 32 })).map(([third, fourth, bits]) => {
  const size = 2 ** (32 - bits);
  const base = Math.floor(fourth / size) * size;
  return `10.0.${third}.${base}/${bits}`;
});

/** Any prefix of either family, host bits cleared, often near others so that they nest, touch and pair. */
const anyPrefix = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 7 })).map(([n, len, near]) => {
    const base = near ? 0x0a000000 + (n % 4096) * 16 : n;
    const size = 2 ** (32 - len);
    const net = Math.floor(base / size) * size;
    return `${Math.floor(net / 2 ** 24)}.${Math.floor(net / 65536) & 255}.${Math.floor(net / 256) & 255}.${net & 255}/${len}`;
  }),
  fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }), fc.integer({ min: 0, max: 128 }), fc.boolean()).map(([n, len, near]) => {
    const base = near ? (0x20010db8n << 96n) + (n % 65536n) * 2n ** 56n : n;
    const size = 1n << BigInt(128 - len);
    const net = (base / size) * size;
    const hex = net.toString(16).padStart(32, '0').match(/.{4}/g)!.join(':');
    return ipaddr.parse(hex).toString() + `/${len}`;
  }),
);

describe('aggregatePrefixes', () => {
  it('gives exactly the minimal set of the independent reference (bench/prefixes.mjs), both families, /0 to /128', () => {
    fc.assert(
      fc.property(fc.array(anyPrefix, { maxLength: 60 }), (cidrs) => {
        expect(referenceKeys(aggregatePrefixes(cidrs))).to.deep.equal(referenceMinimal(cidrs));
      }),
      { numRuns: 500, seed: 13 },
    );
  });

  it('refuses a prefix that is not canonical rather than guessing', () => {
    for (const bad of ['10.0.0.1/24', '10.0.0.0/33', '10.0.0/24', '10.0.0.0/', '010.0.0.0/8', ' 10.0.0.0/8', '10.0.0.0/08', '10.0.0.0/8 ', '10.0.0.0/100', '10.0.0.0/-8', '10.0.0.0/a']) {
      expect(() => aggregatePrefixes([bad]), bad).to.throw(/not a canonical prefix/);
    }
  });

  it('covers exactly the same addresses (brute force over 10.0.0.0/22)', () => {
    fc.assert(
      fc.property(fc.array(smallPrefix, { maxLength: 40 }), (cidrs) => {
        const out = aggregatePrefixes(cidrs);
        expect([...covered(out)].sort()).to.deep.equal([...covered(cidrs)].sort());
      }),
      { numRuns: 300 },
    );
  });

  it('returns no more prefixes than an independent sibling-merging computation', () => {
    fc.assert(
      fc.property(fc.array(smallPrefix, { maxLength: 40 }), (cidrs) => {
        expect(aggregatePrefixes(cidrs).length).to.equal(siblingMerge(cidrs).length);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps IPv4 and IPv6 apart and never merges across families', () => {
    expect(aggregatePrefixes(['2001:db8::/33', '10.0.0.0/25', '2001:db8:8000::/33', '10.0.0.128/25'])).to.deep.equal(['10.0.0.0/24', '2001:db8::/32']);
  });

  it('leaves adjacent but unaligned blocks as the fewest aligned ones', () => {
    expect(aggregatePrefixes(['10.0.0.128/25', '10.0.1.0/25'])).to.deep.equal(['10.0.0.128/25', '10.0.1.0/25']);
    expect(aggregatePrefixes(['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/30'])).to.deep.equal(['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/30']);
    expect(aggregatePrefixes(['0.0.0.0/1', '128.0.0.0/1'])).to.deep.equal(['0.0.0.0/0']);
  });

  it('matches the independent computation on the real Service Tags file, tag by tag', function () {
    this.timeout(120_000);
    const file = new URL('../../data/service-tags/ServiceTags_Public_20251028.json', import.meta.url);
    const { data } = parseServiceTags(readFileSync(file, 'utf8'), 'ServiceTags_Public_20251028.json');
    let before = 0;
    let after = 0;
    for (const name of ['AzureContainerRegistry', 'AzureContainerRegistry.EastUS', 'Storage', 'Storage.EastUS', 'MicrosoftContainerRegistry', 'AzureFrontDoor.FirstParty', 'AzureCloud.eastus']) {
      const { prefixes } = tagPrefixes(data!.tags.get(name)!, 'x');
      const mine = aggregatePrefixes(prefixes);
      expect(mine.length, name).to.equal(siblingMerge(prefixes).length);
      before += prefixes.length;
      after += mine.length;
    }
    expect(after).to.be.lessThan(before);
  });
});

describe('aggregateRanges', () => {
  it('gives maximal ranges whose blocks are the aggregated prefixes, disjoint and never adjacent', () => {
    fc.assert(
      fc.property(fc.array(anyPrefix, { maxLength: 60 }), (cidrs) => {
        const ranges = aggregateRanges(cidrs);
        expect(ranges.flatMap((r) => r.cidrs)).to.deep.equal(aggregatePrefixes(cidrs));
        for (const r of ranges) {
          const blocks = r.cidrs.map((c) => ipaddr.parseCIDR(c));
          expect(blocks[0]![0].toString()).to.equal(r.first);
          const [lastNet, lastBits] = blocks[blocks.length - 1]!;
          const width = r.family === 4 ? 32 : 128;
          let end = 0n;
          for (const b of lastNet.toByteArray()) end = (end << 8n) | BigInt(b);
          end += (1n << BigInt(width - lastBits)) - 1n;
          let last = 0n;
          for (const b of ipaddr.parse(r.last).toByteArray()) last = (last << 8n) | BigInt(b);
          expect(last).to.equal(end);
        }
        for (let i = 1; i < ranges.length; i++) {
          const [a, b] = [ranges[i - 1]!, ranges[i]!];
          if (a.family !== b.family) continue;
          const next = (t: string) => ipaddr.parse(t).toByteArray().reduce((n, x) => (n << 8n) | BigInt(x), 0n);
          expect(next(b.first) > next(a.last) + 1n, `${a.last} and ${b.first} touch`).to.equal(true);
        }
      }),
      { numRuns: 300, seed: 14 },
    );
  });

  it('writes an unaligned run as one range of several blocks', () => {
    expect(aggregateRanges(['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/30'])).to.deep.equal([{ family: 4, first: '10.0.0.1', last: '10.0.0.7', cidrs: ['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/30'] }]);
  });
});
