/**
 * Policies larger than max-object-bytes are split into several objects that together allow exactly the same, each
 * under the budget (the JSON kubectl stores in its last-applied-configuration annotation, limited to 256 KiB of
 * annotations), valid against the strict NetworkPolicy schema; names stay stable as the list changes.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResolvedRequirementSet } from 'fwgen';
import { expand, loadRequirementSet } from 'fwgen';
import { jumpHash, fnv1a } from '../../../lib/emitters/k8s-networkpolicy/split.js';
// @ts-expect-error: a plain .mjs module without types
import { bigPolicyPrefixes, bigPolicyYaml } from '../../../bench/big-policy.mjs';
import { checkStream } from './check.js';
import { allowedBy, askedFor, difference } from './semantics.js';
import { emitDirect, requirement, resolvedSet } from './direct.js';
import { run } from './run.js';

const INPUTS = join(dirname(fileURLToPath(import.meta.url)), 'inputs');
/** What client-side kubectl apply can keep: 256 KiB of annotations, less the key, `"annotations":{}` and a newline. */
const APPLY_LIMIT = 262144 - 'kubectl.kubernetes.io/last-applied-configuration'.length - ',"annotations":{}'.length - 1;
const jsonBytes = (o: unknown) => Buffer.byteLength(JSON.stringify(o));

type AnyObject = Record<string, any>;

function bigSet(n: number, extra: string[] = []): ResolvedRequirementSet {
  const prefixes: string[] = [...(bigPolicyPrefixes(n) as string[]), ...extra];
  const loaded = loadRequirementSet(bigPolicyYaml(prefixes), 'big.yaml');
  const expanded = expand([loaded.set!], {});
  if (!expanded.set) throw new Error(expanded.diagnostics.map((d) => d.message).join('\n'));
  return expanded.set;
}

async function emitBig(set: ResolvedRequirementSet, options: Record<string, unknown> = {}) {
  const r = await emitDirect('k8s-networkpolicy', set, options as never);
  return { ...r, text: r.files[0]?.contents ?? '' };
}

/** Every document's JSON, by name. */
const byName = (docs: AnyObject[]) => new Map(docs.map((d) => [d.metadata.name as string, JSON.stringify(d)]));

describe('k8s-networkpolicy: splitting at max-object-bytes', function () {
  this.timeout(300_000);

  it('40,000 prefixes (past the default 200,000 bytes): every object under budget and the annotation limit, schema-valid, allowing exactly the same', async function () {
    const set = bigSet(40_000);
    const out = await emitBig(set);
    const docs = checkStream(out.text);
    const sizes = docs.map(jsonBytes);
    expect(docs.length).to.be.greaterThan(3);
    for (const b of sizes) expect(b).to.be.at.most(200_000).and.at.most(APPLY_LIMIT);
    expect(docs.map((d) => d.metadata.name)).to.deep.equal(['fwgen-big-policy-egress', ...docs.slice(1).map((_, i) => `fwgen-big-policy-egress-${i + 2}`)]);
    for (const d of docs) {
      expect(d.spec.podSelector).to.deep.equal({});
      expect(d.spec.policyTypes).to.deep.equal(['Egress']);
    }
    const allowed = allowedBy(docs);
    const asked = askedFor(set, out.diagnostics);
    expect(difference(allowed.facts, asked), 'allowed but not asked for').to.deep.equal([]);
    expect(difference(asked, allowed.facts), 'asked for but not allowed').to.deep.equal([]);
    // The DNS rule once, in the first object; no prefix twice.
    expect(allowed.dnsRules).to.have.length(1);
    const cidrs = docs.flatMap((d) => d.spec.egress.flatMap((r: AnyObject) => (r.to ?? []).filter((p: AnyObject) => p.ipBlock).map((p: AnyObject) => p.ipBlock.cidr)));
    expect(new Set(cidrs).size).to.equal(cidrs.length);
    expect(out.diagnostics.filter((d) => d.code === 'EMIT_LIMIT')).to.deep.equal([]);
    console.log(`      40,000 prefixes: ${cidrs.length} ipBlocks in ${docs.length} objects of ${Math.min(...sizes)}-${Math.max(...sizes)} bytes`);
  });

  it('a service tag list in three rules at max-object-bytes=40000: parts share out every rule, same ports, same allowed set', async function () {
    const whole = await run({ files: [join(INPUTS, 'large.yaml')], set: { 'max-object-bytes': 1_000_000 } });
    const split = await run({ files: [join(INPUTS, 'large.yaml')], set: { 'max-object-bytes': 40000 } });
    const one = checkStream(whole.text);
    const docs = checkStream(split.text);
    expect(one).to.have.length(1);
    expect(docs.length).to.be.greaterThan(9);
    for (const d of docs) expect(jsonBytes(d)).to.be.at.most(40000);
    expect(allowedBy(docs).facts).to.deep.equal(allowedBy(one).facts);
    const asked = askedFor(split.resolved, split.diagnostics);
    expect(difference(allowedBy(docs).facts, asked)).to.deep.equal([]);
    expect(difference(asked, allowedBy(docs).facts)).to.deep.equal([]);
    expect(split.text).to.match(/^# - fwgen-large-egress-2: egress of large \(Large\), part 2 of [0-9]+: [0-9] rules?, [0-9]+ ipBlocks/m);
    expect(split.text).to.match(/is split into objects NAME, NAME-2/);
  });

  it('one prefix added changes one object; a list that outgrows its objects moves prefixes only into the new last one', async function () {
    const base = bigSet(12_000);
    const a = checkStream((await emitBig(base)).text);
    // 223.255.255.0/24 is far from every generated prefix (they are packed upwards from 1.0.0.0), so nothing merges.
    const b = checkStream((await emitBig(bigSet(12_000, ['223.255.255.0/24']))).text);
    expect(b.length).to.equal(a.length);
    const [ma, mb] = [byName(a), byName(b)];
    const changed = [...ma.keys()].filter((n) => ma.get(n) !== mb.get(n));
    expect(changed).to.have.length(1);
    // Shrink the budget until one more object is needed: every prefix stays or moves to the new object.
    const parts = (docs: AnyObject[]) => new Map(docs.flatMap((d) => d.spec.egress.flatMap((r: AnyObject) => (r.to ?? []).filter((p: AnyObject) => p.ipBlock).map((p: AnyObject) => [p.ipBlock.cidr, d.metadata.name] as const))));
    const before = parts(a);
    let budget = 200_000;
    let c: AnyObject[] = a;
    while (c.length === a.length) {
      budget -= 5_000;
      c = checkStream((await emitBig(base, { 'max-object-bytes': budget })).text);
    }
    const after = parts(c);
    const newest = c[c.length - 1]!.metadata.name;
    let moved = 0;
    for (const [cidr, name] of after) {
      if (name !== before.get(cidr)) {
        expect(name, cidr).to.equal(newest);
        moved++;
      }
    }
    expect(c.length).to.equal(a.length + 1);
    expect(moved).to.be.greaterThan(0).and.below(after.size / 2);
  });

  it('jump hashing: going from K to K + 1 objects keeps an entry where it was or moves it to the new one', function () {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 500 }), (key, k) => {
        const h = fnv1a(key);
        const here = jumpHash(h, k);
        expect(here).to.be.within(0, k - 1);
        expect([here, k]).to.include(jumpHash(h, k + 1));
      }),
      { numRuns: 2000, seed: 7 },
    );
  });

  it('is an error naming max-object-bytes when one rule with a single ipBlock cannot fit, and writes nothing', async function () {
    const ports = Array.from({ length: 40 }, (_, i) => ({ transport: 'tcp' as const, from: 10000 + i * 2, to: 10000 + i * 2, protocol: 'any' as const }));
    const set = resolvedSet([requirement('ports', [{ kind: 'cidr', cidr: '192.0.2.0/24', family: 4 }], {}, ports)]);
    const r = await emitDirect('k8s-networkpolicy', set, { 'max-object-bytes': 1024 });
    expect(r.files).to.deep.equal([]);
    const e = r.diagnostics.filter((d) => d.severity === 'error');
    expect(e.map((d) => [d.code, d.params.option])).to.deep.equal([['EMIT_LIMIT', 'max-object-bytes']]);
    expect(e[0]!.message).to.match(/one ipBlock with its rule .* more than max-object-bytes \(1024\)/);
    expect(e[0]!.hint).to.match(/--set max-object-bytes=N/);
    // With room for it, the same set is one object.
    expect((await emitDirect('k8s-networkpolicy', set, { 'max-object-bytes': 4096 })).files).to.have.length(1);
  });

  it('is an error when the rules that are not split (DNS, selectors) alone pass the budget', async function () {
    const labels = Array.from({ length: 12 }, (_, i) => `example.com/label-${i}=${'v'.repeat(60)}`).join(',');
    const set = resolvedSet([requirement('one', [{ kind: 'cidr', cidr: '192.0.2.0/24', family: 4 }])]);
    const r = await emitDirect('k8s-networkpolicy', set, { 'max-object-bytes': 1024, 'pod-selector': labels, 'dns-selector': labels });
    expect(r.files).to.deep.equal([]);
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).join('\n')).to.match(/rules that are not split/);
  });

  it('a budget above what client-side apply can store warns for each object past it, naming --server-side', async function () {
    const out = await emitBig(bigSet(12_000), { 'max-object-bytes': 1_000_000 });
    const docs = checkStream(out.text);
    expect(docs).to.have.length(1);
    expect(jsonBytes(docs[0])).to.be.above(APPLY_LIMIT);
    const w = out.diagnostics.filter((d) => d.code === 'EMIT_LIMIT');
    expect(w.map((d) => d.severity)).to.deep.equal(['warning']);
    expect(w[0]!.hint).to.match(/--server-side/);
  });
});
