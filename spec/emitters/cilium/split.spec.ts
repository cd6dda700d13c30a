/**
 * A Cilium policy larger than max-object-bytes is written as several objects that together allow exactly the same:
 * every object under the budget (the JSON kubectl keeps in its 256 KiB last-applied-configuration annotation),
 * valid against the Cilium CRD schema, prefixes and names shared out with their DNS lookups alongside.
 */
import { expect } from 'chai';
import { loadRequirementSet } from '../../../lib/load/load-text.js';
import { expand } from '../../../lib/expand/index.js';
import type { ResolvedRequirementSet } from '../../../lib/model/resolved.js';
import { emitTarget } from '../../../lib/emit/run-emitter.js';
import { getEmitter } from '../../../lib/emit/registry.js';
// @ts-expect-error: a plain .mjs module without types
import { bigPolicyPrefixes, bigPolicyYaml } from '../../../bench/big-policy.mjs';
// @ts-expect-error: a plain .mjs module without types
import { syntheticYaml } from '../../../bench/synthetic.mjs';
import { emitDirect, requirement, resolvedSet } from '../k8s-networkpolicy/direct.js';
import { parsePolicies, validatePolicy, type Policy } from './check.js';
import { checkSemantics, type SemanticOptions } from './semantics.js';

const APPLY_LIMIT = 262144 - 'kubectl.kubernetes.io/last-applied-configuration'.length - ',"annotations":{}'.length - 1;
const jsonBytes = (o: unknown) => Buffer.byteLength(JSON.stringify(o));

function setOf(text: string): ResolvedRequirementSet {
  const loaded = loadRequirementSet(text, 'big.yaml');
  if (!loaded.set) throw new Error(loaded.diagnostics.map((d) => d.message).join('\n'));
  const expanded = expand([loaded.set], {});
  if (!expanded.set) throw new Error(expanded.diagnostics.map((d) => d.message).join('\n'));
  return expanded.set;
}

const bigSet = (n: number, extra: string[] = []) => setOf(bigPolicyYaml([...(bigPolicyPrefixes(n) as string[]), ...extra]));

async function emitParts(set: ResolvedRequirementSet, options: Record<string, unknown> = {}, o: SemanticOptions = {}) {
  // Through the core, whose fidelity table raises the narrowing diagnostics the semantic check looks for.
  const r = emitTarget(set, await getEmitter('cilium'), options);
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).to.deep.equal([]);
  const policies = parsePolicies(r.files[0]!.contents);
  for (const p of policies) expect(validatePolicy(p), p.metadata.name).to.deep.equal([]);
  expect(checkSemantics(set, policies, r.diagnostics, o).problems).to.deep.equal([]);
  return { policies, diagnostics: r.diagnostics, text: r.files[0]!.contents };
}

const names = (ps: Policy[]) => ps.map((p) => p.metadata.name);

describe('cilium: splitting at max-object-bytes', function () {
  this.timeout(300_000);

  it('40,000 prefixes (past the default 200,000 bytes): every object under budget and the annotation limit, schema-valid, allowing exactly the same', async function () {
    const { policies, diagnostics, text } = await emitParts(bigSet(40_000));
    expect(policies.length).to.be.greaterThan(3);
    const sizes = policies.map(jsonBytes);
    for (const b of sizes) expect(b).to.be.at.most(200_000).and.at.most(APPLY_LIMIT);
    expect(names(policies)).to.deep.equal(['fwgen-big-policy', ...policies.slice(1).map((_, i) => `fwgen-big-policy-${i + 2}`)]);
    const cidrs = policies.flatMap((p) => p.specs.flatMap((s) => (s.egress ?? []).flatMap((r) => (r.toCIDRSet ?? []).map((c) => c.cidr))));
    expect(new Set(cidrs).size).to.equal(cidrs.length);
    expect(diagnostics.filter((d) => d.code === 'EMIT_LIMIT')).to.deep.equal([]);
    expect(text).to.match(/so it is split into [0-9]+ objects/);
    console.log(`      40,000 prefixes: ${cidrs.length} toCIDRSet entries in ${policies.length} objects of ${Math.min(...sizes)}-${Math.max(...sizes)} bytes`);
  });

  it('3,000 names at max-object-bytes=40000: toFQDNs shared out, each object with the DNS lookups of its own names', async function () {
    const set = setOf((syntheticYaml('names', 3000, 'rows') as { text: string }).text);
    const { policies } = await emitParts(set, { 'max-object-bytes': 40000 });
    expect(policies.length).to.be.greaterThan(5);
    for (const p of policies) {
      expect(jsonBytes(p)).to.be.at.most(40000);
      const dns = p.specs.filter((s) => s.description.startsWith('DNS lookups'));
      const looked = new Set(dns.flatMap((s) => s.egress![0]!.toPorts![0]!.rules!.dns.map((f) => JSON.stringify(f))));
      const used = new Set(p.specs.flatMap((s) => (s.egress ?? []).flatMap((r) => (r.toFQDNs ?? []).map((f) => JSON.stringify(f)))));
      expect(looked, p.metadata.name).to.deep.equal(used);
    }
    // dns-lookups=all: one lookup pattern per object with names, still exact.
    const all = await emitParts(set, { 'max-object-bytes': 40000, 'dns-lookups': 'all' }, { dnsLookups: 'all' });
    for (const p of all.policies) expect(jsonBytes(p)).to.be.at.most(40000);
  });

  it('one prefix added changes one object', async function () {
    const a = (await emitParts(bigSet(12_000), { 'max-object-bytes': 60000 })).policies;
    const b = (await emitParts(bigSet(12_000, ['223.255.255.0/24']), { 'max-object-bytes': 60000 })).policies;
    expect(names(b)).to.deep.equal(names(a));
    const changed = a.filter((p, i) => JSON.stringify(p) !== JSON.stringify(b[i]));
    expect(changed).to.have.length(1);
  });

  it('is an error naming max-object-bytes when one rule with a single prefix cannot fit, and writes nothing', async function () {
    const ports = Array.from({ length: 40 }, (_, i) => ({ transport: 'tcp' as const, from: 10000 + i * 2, to: 10000 + i * 2, protocol: 'any' as const }));
    const set = resolvedSet([requirement('ports', [{ kind: 'cidr', cidr: '192.0.2.0/24', family: 4 }], {}, ports)]);
    const r = await emitDirect('cilium', set, { 'max-object-bytes': 1024 });
    expect(r.files).to.deep.equal([]);
    const e = r.diagnostics.filter((d) => d.severity === 'error');
    expect(e.map((d) => [d.code, d.params.option])).to.deep.equal([['EMIT_LIMIT', 'max-object-bytes']]);
    expect(e[0]!.message).to.match(/one prefix or name with its rule and spec .* more than max-object-bytes \(1024\)/);
    expect((await emitDirect('cilium', set, { 'max-object-bytes': 4096 })).files).to.have.length(1);
  });

  it('a budget above what client-side apply can store warns for each object past it, naming --server-side', async function () {
    const { policies, diagnostics } = await emitParts(bigSet(20_000), { 'max-object-bytes': 1_000_000 });
    expect(policies).to.have.length(1);
    expect(jsonBytes(policies[0])).to.be.above(APPLY_LIMIT);
    const w = diagnostics.filter((d) => d.code === 'EMIT_LIMIT');
    expect(w.map((d) => d.severity)).to.deep.equal(['warning']);
    expect(w[0]!.hint).to.match(/--server-side/);
  });
});
