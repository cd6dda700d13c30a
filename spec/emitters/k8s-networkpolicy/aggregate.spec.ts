/**
 * ipBlocks are the minimal prefixes covering a rule's addresses, checked against the independent reference
 * (bench/prefixes.mjs through spec/helpers/reference-prefixes.ts) on random sets of both families, given as CIDRs,
 * bound groups and service tags alike, with IPv4-mapped IPv6 prefixes (which Kubernetes refuses) among them.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { referenceKeys, referenceMinimal } from '../../helpers/reference-prefixes.js';
import { checkStream } from './check.js';
import { anyPrefix, emitDirect, endpointsOf, mappedPrefix, requirement, resolvedSet } from './direct.js';

const cidrsOf = (rule: { to?: { ipBlock?: { cidr: string } }[]; from?: { ipBlock?: { cidr: string } }[] }) =>
  [...(rule.to ?? []), ...(rule.from ?? [])].filter((p) => p.ipBlock).map((p) => p.ipBlock!.cidr);

describe('k8s-networkpolicy: aggregation', function () {
  this.timeout(120_000);

  it('writes exactly the minimal prefix set of each rule (reference), both families, CIDRs, groups and service tags alike', async function () {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof({ weight: 12, arbitrary: anyPrefix }, { weight: 1, arbitrary: mappedPrefix }), { minLength: 1, maxLength: 50 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 5 }),
        async (prefixes, kinds, sourceKinds) => {
          const refused = (c: string) => c.startsWith('::ffff:') && Number(c.split('/')[1]) >= 96;
          const kept = prefixes.filter((c) => !refused(c));
          const out = requirement('out', endpointsOf(prefixes, kinds));
          const inbound = requirement('in', [{ kind: 'cidr', cidr: '192.0.2.0/24', family: 4 }], { direction: 'inbound', sources: endpointsOf([...prefixes].reverse(), sourceKinds) });
          const r = await emitDirect('k8s-networkpolicy', resolvedSet([out, inbound]), { 'allow-dns': false });
          if (kept.length === 0) {
            expect(r.diagnostics.filter((d) => d.code === 'FIDELITY_DROPPED').length).to.be.greaterThan(0);
            return;
          }
          const docs = checkStream(r.files[0]!.contents);
          const rules = docs.flatMap((d) => [...(d.spec.egress ?? []), ...(d.spec.ingress ?? [])]);
          expect(rules).to.have.length(2);
          const want = referenceMinimal(kept);
          for (const rule of rules) {
            const cidrs = cidrsOf(rule);
            expect(referenceKeys(cidrs)).to.deep.equal(want);
            // Each family in address order, IPv4 first: the same set always reads the same.
            expect(cidrs).to.deep.equal([...cidrs].sort(byAddress));
          }
          const dropped = r.diagnostics.filter((d) => d.code === 'FIDELITY_DROPPED').flatMap((d) => (d.params as { cidrs?: string[] }).cidrs ?? []);
          expect(new Set(dropped)).to.deep.equal(new Set(prefixes.filter(refused)));
        },
      ),
      { numRuns: 150, seed: 1313 },
    );
  });

  it('merges what the earlier emitter wrote one by one: siblings, nested and duplicate prefixes across endpoints', async function () {
    const set = resolvedSet([
      requirement('merge', [
        { kind: 'cidr', cidr: '198.51.100.0/25', family: 4 },
        { kind: 'group', group: 'direct/g', title: 'G', cidrs: ['198.51.100.128/25', '198.51.100.7/32'] },
        { kind: 'service-tag', tag: 'T', resolvedName: 'T', prefixes: ['198.51.100.0/24', '2001:db8::/33', '2001:db8:8000::/33'] },
      ]),
    ]);
    const docs = checkStream((await emitDirect('k8s-networkpolicy', set, { 'allow-dns': false })).files[0]!.contents);
    expect(cidrsOf(docs[0]!.spec.egress[0])).to.deep.equal(['198.51.100.0/24', '2001:db8::/32']);
  });
});

function byAddress(a: string, b: string): number {
  const key = (c: string) => referenceKeys([c])[0]!.split('|');
  const [fa, la, na] = key(a);
  const [fb, lb, nb] = key(b);
  return Number(fa) - Number(fb) || (BigInt(na!) < BigInt(nb!) ? -1 : BigInt(na!) > BigInt(nb!) ? 1 : Number(la) - Number(lb));
}
