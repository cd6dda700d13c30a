/**
 * nftables interval sets against the independent reference (spec/helpers/reference-prefixes.ts, bench/prefixes.mjs),
 * read back from the emitted script: for every requirement and family, the set its rule matches (destinations, and
 * sources when it has any) covers exactly the addresses asked for, with no two elements sharing an address (nft
 * refuses that in a set without auto-merge) and no more elements than the reference's minimal prefix set. A sample of
 * the scripts then goes through `nft -c -f` and a real load in one throw-away network namespace, and the kernel's
 * sets (`nft -j list ruleset`) must cover the same addresses.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmitResult } from '../../../lib/emit/emitter.js';
import { makeTempDir, removeTempDir, requireEngines, runSync } from '../../helpers/engines.js';
import { familyOf, prefixList, type Family } from '../../helpers/random-prefixes.js';
import { hasNoHostBits, referenceCoverage, referenceDisjoint, referenceMinimal } from '../../helpers/reference-prefixes.js';
import { emitDirect, endpointsOf, requirement, resolvedSet } from '../k8s-networkpolicy/direct.js';

interface Input {
  destinations: string[];
  kinds: number[];
  twinKinds: number[];
  /** Sources of the first requirement; none means any source. */
  sources: string[] | null;
  sourceKinds: number[];
}

const input: fc.Arbitrary<Input> = fc.record({
  destinations: prefixList({ maxShapes: 24 }),
  kinds: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 4 }),
  twinKinds: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 4 }),
  sources: fc.option(prefixList({ maxShapes: 6 }), { nil: null }),
  sourceKinds: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 3 }),
});

function emit(x: Input, table = 'fwgen'): Promise<EmitResult> {
  const out = requirement('out', endpointsOf(x.destinations, x.kinds), x.sources ? { sources: endpointsOf(x.sources, x.sourceKinds) } : {});
  // The same addresses given as other kinds of endpoint, in another order.
  const twin = requirement('twin', endpointsOf([...x.destinations].reverse(), x.twinKinds));
  return emitDirect('nftables', resolvedSet([out, twin]), { table });
}

interface Script {
  sets: Map<string, { family: Family; elements: string[] }>;
  /** Requirement rules by comment (the requirement id). */
  rules: Map<string, { family: Family; src?: string; dst: string }[]>;
}

/** Sets and requirement rules of a script, from its text (comment lines left out first). */
function parseScript(text: string): Script {
  const code = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n');
  const sets: Script['sets'] = new Map();
  const SET = /\bset ([a-z][a-z0-9_-]*) \{\s*type (ipv4_addr|ipv6_addr)\s*;?\s*flags interval\s*;?\s*(?:elements = \{([^{}]*)\}\s*;?\s*)?\}/g;
  for (const m of code.matchAll(SET)) {
    expect(sets.has(m[1]!), `set ${m[1]} defined twice`).to.equal(false);
    const elements = (m[3] ?? '')
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    sets.set(m[1]!, { family: m[2] === 'ipv4_addr' ? 4 : 6, elements });
  }
  expect(code.match(/\bset /g)?.length ?? 0, 'every set parsed').to.equal(sets.size);
  const rules: Script['rules'] = new Map();
  for (const line of code.split('\n').map((l) => l.trim())) {
    if (!/ comment "/.test(line)) continue;
    const m = /^(ip6?) (?:saddr @(\S+) \1 )?daddr @(\S+) .*accept comment "([^"]*)"$/.exec(line);
    expect(m, `unexpected rule: ${line}`).to.not.equal(null);
    const [, proto, src, dst, id] = m!;
    if (!rules.has(id!)) rules.set(id!, []);
    rules.get(id!)!.push({ family: proto === 'ip' ? 4 : 6, ...(src ? { src } : {}), dst: dst! });
  }
  return { sets, rules };
}

/** One set against the addresses it must hold: exactly those, disjoint elements, at most the minimal count. */
function checkSet(script: Script, name: string, family: Family, want: string[], what: string): number {
  const set = script.sets.get(name);
  expect(set, `${what}: set ${name} exists`).to.not.equal(undefined);
  expect(set!.family, `${what}: the set's type`).to.equal(family);
  for (const e of set!.elements) {
    expect(familyOf(e), `${what}: ${e} is IPv${family}`).to.equal(family);
    if (!e.includes('-')) expect(hasNoHostBits(e), `${what}: ${e} has no host bits`).to.equal(true);
  }
  expect(referenceDisjoint(set!.elements), `${what}: no two elements share an address`).to.equal(true);
  expect(referenceCoverage(set!.elements), `${what}: covers exactly the addresses asked for`).to.deep.equal(referenceCoverage(want));
  const minimal = referenceMinimal(want).length;
  expect(set!.elements.length, `${what}: no more elements than the minimal prefix set (${minimal})`).to.be.at.most(minimal);
  return set!.elements.length;
}

/** Everything the property says about one script. */
function checkScript(x: Input, text: string): void {
  const script = parseScript(text);
  const byFamily = (list: string[], f: Family) => list.filter((c) => familyOf(c) === f);
  const used = new Set<string>();
  for (const f of [4, 6] as const) {
    const dst = byFamily(x.destinations, f);
    for (const [id, sources] of [['direct/out', x.sources], ['direct/twin', null]] as const) {
      const mine = (script.rules.get(id) ?? []).filter((r) => r.family === f);
      if (dst.length === 0 || (sources && byFamily(sources, f).length === 0)) {
        expect(mine, `${id} has no IPv${f} rule`).to.deep.equal([]);
        continue;
      }
      // One port, so one rule per family.
      expect(mine, `${id}: one IPv${f} rule`).to.have.length(1);
      const rule = mine[0]!;
      checkSet(script, rule.dst, f, dst, `${id} IPv${f} destinations`);
      used.add(rule.dst);
      if (sources) {
        expect(rule.src, `${id} IPv${f}: a source set`).to.be.a('string');
        checkSet(script, rule.src!, f, byFamily(sources, f), `${id} IPv${f} sources`);
        used.add(rule.src!);
      } else expect(rule.src, `${id} IPv${f}: any source`).to.equal(undefined);
    }
  }
  expect([...script.sets.keys()].sort(), 'only sets a rule uses').to.deep.equal([...used].sort());
}

/** An element of `nft -j list` output as text: an address, `addr/len`, or `first-last`. */
function jsonElement(e: unknown): string {
  if (typeof e === 'string') return e;
  const o = e as { prefix?: { addr: string; len: number }; range?: [string, string]; elem?: { val: unknown } };
  if (o.prefix) return `${o.prefix.addr}/${o.prefix.len}`;
  if (o.range) return `${o.range[0]}-${o.range[1]}`;
  if (o.elem) return jsonElement(o.elem.val);
  throw new Error(`unknown set element in nft -j output: ${JSON.stringify(e)}`);
}

describe('nftables aggregation against the reference', function () {
  this.timeout(120_000);

  it('each rule\'s interval sets cover exactly its addresses, disjoint, never more elements than the minimal prefixes, both families', async function () {
    await fc.assert(
      fc.asyncProperty(input, async (x) => {
        const r = await emit(x);
        expect(r.files, JSON.stringify(r.diagnostics)).to.have.length(1);
        checkScript(x, r.files[0]!.contents);
      }),
      { numRuns: 300, seed: 1314 },
    );
  });

  it('a sample of those scripts passes nft -c and loads, and the kernel\'s sets hold exactly the addresses written', async function () {
    requireEngines(this, 'nft', 'unshare');
    // Inputs of the same arbitrary, each emitted into a table of its own so that all load together.
    const inputs = fc.sample(input, { numRuns: 300, seed: 1314 }).filter((_, i) => i % 10 === 0);
    const dir = makeTempDir('fwgen-nft-agg-');
    try {
      const scripts: Script[] = [];
      const lines = ['set -e'];
      for (const [i, x] of inputs.entries()) {
        const text = (await emit(x, `fwgen${i}`)).files[0]!.contents;
        checkScript(x, text);
        scripts.push(parseScript(text));
        writeFileSync(join(dir, `${i}.nft`), text);
        lines.push(`nft -c -f ${dir}/${i}.nft`, `nft -f ${dir}/${i}.nft`);
      }
      lines.push('nft -j list ruleset');
      const ns = process.getuid?.() === 0 ? ['unshare', '--net', '--'] : ['unshare', '--user', '--map-root-user', '--net', '--'];
      const run = runSync([...ns, 'sh', '-c', lines.join('\n')], { timeoutMs: 60_000 });
      expect(run.code, `nft refused a script:\n${run.stderr}`).to.equal(0);
      const listed = (JSON.parse(run.stdout) as { nftables: Record<string, { table: string; name?: string; elem?: unknown[]; comment?: string }>[] }).nftables;
      let setCount = 0;
      let elementCount = 0;
      scripts.forEach((script, i) => {
        const table = `fwgen${i}`;
        for (const [name, set] of script.sets) {
          const kernel = listed.find((o) => o.set && o.set.table === table && o.set.name === name)?.set;
          expect(kernel, `${table} ${name} loaded`).to.not.equal(undefined);
          expect(referenceCoverage((kernel!.elem ?? []).map(jsonElement)), `${table} ${name}: the kernel's addresses`).to.deep.equal(referenceCoverage(set.elements));
          setCount++;
          elementCount += set.elements.length;
        }
        const rules = [...script.rules.values()].flat().length;
        expect(listed.filter((o) => o.rule && o.rule.table === table && o.rule.comment?.startsWith('direct/')).length, `${table}: every rule loaded`).to.equal(rules);
      });
      expect(setCount).to.be.greaterThan(20);
      console.log(`      ${scripts.length} scripts loaded in one namespace: ${setCount} sets, ${elementCount} elements, as written`);
    } finally {
      removeTempDir(dir);
    }
  });
});
