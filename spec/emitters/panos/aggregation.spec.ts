/**
 * PAN-OS address objects against the independent reference (spec/helpers/reference-prefixes.ts, bench/prefixes.mjs):
 * a requirement's CIDRs, its bound group and its service tag's prefixes together become the minimal set of
 * prefixes, or with ip-ranges one object per run of adjacent prefixes (never more objects than the minimal set).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import type { ResolvedEndpoint } from '../../../lib/model/resolved.js';
import { isMinimal, referenceMinimal } from '../../helpers/reference-prefixes.js';
import { emitDirect, objectsOf, oneRequirement } from './build.js';
import { parseVsys, type Entry } from './check.js';
import { mergeSpans, span } from './semantics.js';

/** Any prefix of either family, host bits cleared, often near others so that they nest, touch and pair. */
const anyPrefix = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 8, max: 32 }), fc.integer({ min: 0, max: 7 })).map(([n, len, near]) => {
    const base = near ? 0x0a000000 + (n % 4096) * 16 : n;
    const size = 2 ** (32 - len);
    const net = Math.floor(base / size) * size;
    return `${Math.floor(net / 2 ** 24)}.${Math.floor(net / 65536) & 255}.${Math.floor(net / 256) & 255}.${net & 255}/${len}`;
  }),
  fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }), fc.integer({ min: 16, max: 128 }), fc.boolean()).map(([n, len, near]) => {
    const base = near ? (0x20010db8n << 96n) + (n % 65536n) * 2n ** 56n : n;
    const size = 1n << BigInt(128 - len);
    const net = (base / size) * size;
    const hex = net.toString(16).padStart(32, '0').match(/.{4}/g)!.join(':');
    return ipaddr.parse(hex).toString() + `/${len}`;
  }),
);

function split(cidrs: string[]): ResolvedEndpoint[] {
  // A third each as CIDRs, a bound group and a resolved service tag: aggregation must not care where they came from.
  const third = Math.ceil(cidrs.length / 3);
  const out: ResolvedEndpoint[] = cidrs.slice(0, third).map((cidr) => ({ kind: 'cidr', cidr, family: cidr.includes(':') ? 6 : 4 }));
  if (cidrs.length > third) out.push({ kind: 'group', group: 'r/peers', title: 'Peers', cidrs: cidrs.slice(third, 2 * third) });
  if (cidrs.length > 2 * third) out.push({ kind: 'service-tag', tag: 'Storage', resolvedName: 'Storage', prefixes: cidrs.slice(2 * third) });
  return out;
}

function destinationObjects(xml: string): Entry[] {
  const rule = (parseVsys(xml).entry.rulebase!.security!.rules as { entry: Entry[] }).entry[0]!;
  return objectsOf(xml, (rule.destination as { member: string[] }).member);
}

const text = (e: Entry) => String(e['ip-netmask'] ?? e['ip-range']);

describe('panos aggregation against the reference', function () {
  it('writes exactly the minimal prefixes (ip-ranges=false), CIDRs, groups and tags alike, both families', function () {
    fc.assert(
      fc.property(fc.array(anyPrefix, { minLength: 1, maxLength: 60 }), (cidrs) => {
        const r = emitDirect(oneRequirement(split(cidrs)), { 'ip-ranges': false });
        const objects = destinationObjects(r.files[0]!.contents);
        expect(objects.every((o) => o['ip-netmask'] !== undefined)).to.equal(true);
        expect(isMinimal(cidrs, objects.map(text)), `${objects.length} objects, ${referenceMinimal(cidrs).length} minimal`).to.equal(true);
      }),
      { numRuns: 300, seed: 13 },
    );
  });

  it('with ip-ranges (the default) covers the same addresses with one object per run, never more than the minimal set', function () {
    fc.assert(
      fc.property(fc.array(anyPrefix, { minLength: 1, maxLength: 60 }), (cidrs) => {
        const r = emitDirect(oneRequirement(split(cidrs)));
        const objects = destinationObjects(r.files[0]!.contents);
        const want = mergeSpans(cidrs.map(span));
        expect(mergeSpans(objects.map((o) => span(text(o))))).to.deep.equal(want);
        expect(objects.length).to.equal(want.length);
        expect(objects.length).to.be.at.most(referenceMinimal(cidrs).length);
        // A range object only where the run is not one prefix: a single prefix stays ip-netmask.
        for (const o of objects.filter((x) => x['ip-range'] !== undefined)) {
          const [first, last] = span(text(o));
          const size = last - first + 1n;
          expect((size & (size - 1n)) !== 0n || first % size !== 0n, `${text(o)} is one prefix`).to.equal(true);
        }
      }),
      { numRuns: 300, seed: 14 },
    );
  });

  it('aggregates sources the same way', function () {
    fc.assert(
      fc.property(fc.array(anyPrefix, { minLength: 2, maxLength: 40 }), (cidrs) => {
        const r = emitDirect(oneRequirement([{ kind: 'host', name: 'a.example.com', match: 'exact' }], split(cidrs)), { 'ip-ranges': false });
        const xml = r.files[0]!.contents;
        const rule = (parseVsys(xml).entry.rulebase!.security!.rules as { entry: Entry[] }).entry[0]!;
        const objects = objectsOf(xml, (rule.source as { member: string[] }).member);
        expect(isMinimal(cidrs, objects.map(text))).to.equal(true);
      }),
      { numRuns: 150, seed: 15 },
    );
  });

  it('merges the bench policy\'s siblings: 10,000 prefixes give the reference\'s minimal count, and fewer objects with ranges', async function () {
    // @ts-expect-error: a plain .mjs module without types
    const { bigPolicyPrefixes } = (await import('../../../bench/big-policy.mjs')) as { bigPolicyPrefixes(n: number): string[] };
    const cidrs = bigPolicyPrefixes(10_000);
    const set = oneRequirement(cidrs.map((cidr) => ({ kind: 'cidr', cidr, family: 4 })));
    const plain = destinationObjects(emitDirect(set, { 'ip-ranges': false }).files[0]!.contents);
    expect(plain.length).to.equal(referenceMinimal(cidrs).length);
    expect(plain.length).to.be.lessThan(cidrs.length);
    const ranged = destinationObjects(emitDirect(set).files[0]!.contents);
    expect(ranged.length).to.equal(mergeSpans(cidrs.map(span)).length);
    expect(ranged.length).to.be.lessThan(plain.length);
  });
});
