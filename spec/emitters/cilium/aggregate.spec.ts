/**
 * toCIDRSet and fromCIDRSet are the minimal prefixes covering a rule's addresses, checked against the independent
 * reference (bench/prefixes.mjs through spec/helpers/reference-prefixes.ts) on random sets of both families, given
 * as CIDRs, bound groups and service tags alike; and the semantic check notices a policy whose addresses differ.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { referenceKeys, referenceMinimal } from '../../helpers/reference-prefixes.js';
import { anyPrefix, emitDirect, endpointsOf, requirement, resolvedSet } from '../k8s-networkpolicy/direct.js';
import { parsePolicies, validatePolicy, type Policy } from './check.js';
import { checkSemantics } from './semantics.js';

const cidrsOf = (p: Policy, dir: 'egress' | 'ingress') =>
  p.specs.flatMap((s) => s[dir] ?? []).flatMap((r) => [...(r.toCIDRSet ?? []), ...(r.fromCIDRSet ?? [])].map((c) => c.cidr));

describe('cilium: aggregation', function () {
  this.timeout(120_000);

  it('writes exactly the minimal prefix set of each rule (reference), both families, CIDRs, groups and service tags alike', async function () {
    await fc.assert(
      fc.asyncProperty(
        fc.array(anyPrefix, { minLength: 1, maxLength: 50 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 5 }),
        async (prefixes, kinds, sourceKinds) => {
          const out = requirement('out', endpointsOf(prefixes, kinds));
          const inbound = requirement('in', [{ kind: 'cidr', cidr: '192.0.2.0/24', family: 4 }], { direction: 'inbound', sources: endpointsOf([...prefixes].reverse(), sourceKinds) });
          const set = resolvedSet([out, inbound]);
          const r = await emitDirect('cilium', set);
          const [policy, ...more] = parsePolicies(r.files[0]!.contents);
          expect(more).to.deep.equal([]);
          expect(validatePolicy(policy!)).to.deep.equal([]);
          const want = referenceMinimal(prefixes);
          for (const dir of ['egress', 'ingress'] as const) {
            const cidrs = cidrsOf(policy!, dir);
            expect(referenceKeys(cidrs), dir).to.deep.equal(want);
            // IPv4 first, each family in address order: the reference lists its keys sorted the same way per family.
            expect(cidrs.findIndex((c) => c.includes(':'))).to.be.oneOf([-1, cidrs.filter((c) => !c.includes(':')).length]);
          }
          expect(checkSemantics(set, policy, r.diagnostics).problems).to.deep.equal([]);
        },
      ),
      { numRuns: 150, seed: 1313 },
    );
  });

  it('the semantic check notices an address too many or too few', async function () {
    const set = resolvedSet([
      requirement('out', [
        { kind: 'cidr', cidr: '198.51.100.0/25', family: 4 },
        { kind: 'group', group: 'direct/g', title: 'G', cidrs: ['198.51.100.128/25', '2001:db8::/33'] },
        { kind: 'service-tag', tag: 'T', resolvedName: 'T', prefixes: ['203.0.113.0/24', '2001:db8:8000::/33'] },
      ]),
    ]);
    const r = await emitDirect('cilium', set);
    const policy = parsePolicies(r.files[0]!.contents)[0]!;
    expect(cidrsOf(policy, 'egress')).to.deep.equal(['198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32']);
    expect(checkSemantics(set, policy, r.diagnostics).problems).to.deep.equal([]);
    const tampered = (change: (cidrs: { cidr: string }[]) => void) => {
      const q = structuredClone(policy);
      change(q.specs[0]!.egress![0]!.toCIDRSet!);
      return checkSemantics(set, q, r.diagnostics).problems;
    };
    expect(tampered((c) => c.splice(1, 1))).to.have.length(1);
    expect(tampered((c) => (c[0]!.cidr = '198.51.100.0/23'))).to.have.length(1);
    expect(tampered((c) => c.push({ cidr: '192.0.2.1/32' }))).to.have.length(1);
    // Written another way, the same addresses pass.
    expect(tampered((c) => c.splice(0, 1, { cidr: '198.51.100.0/25' }, { cidr: '198.51.100.128/25' }))).to.deep.equal([]);
  });
});
