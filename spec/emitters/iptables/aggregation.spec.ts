/**
 * iptables addresses against the independent reference (spec/helpers/reference-prefixes.ts, bench/prefixes.mjs), read
 * back from the emitted text: for every requirement and family, the prefixes its rules match (inline `-s`/`-d`, or the
 * `add` lines of the ipset set a `--match-set` names) cover exactly the addresses asked for and are exactly as many as
 * the reference's minimal set, each in the file of its family. A sample of the outputs then goes through the real
 * engines in one throw-away network namespace: `ipset restore`, `iptables-restore --test` and a real load per family,
 * with the kernel's sets and rules read back.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmitResult, OutputFile } from '../../../lib/emit/emitter.js';
import type { ResolvedEndpoint } from '../../../lib/model/resolved.js';
import { makeTempDir, removeTempDir, requireEngines, runSync } from '../../helpers/engines.js';
import { familyOf, prefixList, type Family } from '../../helpers/random-prefixes.js';
import { hasNoHostBits, referenceCoverage, referenceKeys, referenceMinimal } from '../../helpers/reference-prefixes.js';
import { emitDirect, endpointsOf, requirement, resolvedSet } from '../k8s-networkpolicy/direct.js';

interface Input {
  destinations: string[];
  /** Kinds (CIDR, group, service tag) the destinations are spread over, and those of the twin requirement. */
  kinds: number[];
  twinKinds: number[];
  /** Sources of the first requirement; none means any source. */
  sources: string[] | null;
  sourceKinds: number[];
  threshold: number;
}

const input: fc.Arbitrary<Input> = fc.record({
  destinations: prefixList({ maxShapes: 24 }),
  kinds: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 4 }),
  twinKinds: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 4 }),
  sources: fc.option(prefixList({ maxShapes: 6 }), { nil: null }),
  sourceKinds: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 3 }),
  // 0: every list a set; 1000: every list inline; between: both, depending on the list's size.
  threshold: fc.constantFrom(0, 2, 8, 1000),
});

const FILES: Record<Family, string> = { 4: 'iptables.rules', 6: 'ip6tables.rules' };
const ANY: Record<Family, string> = { 4: '0.0.0.0/0', 6: '::/0' };

function emit(x: Input, prefix = 'fwgen'): Promise<EmitResult> {
  const out = requirement('out', endpointsOf(x.destinations, x.kinds), x.sources ? { sources: endpointsOf(x.sources, x.sourceKinds) } : {});
  // The same addresses from other kinds of endpoint: a second requirement, which may share the first one's set.
  const twin = requirement('twin', endpointsOf([...x.destinations].reverse(), x.twinKinds));
  return emitDirect('iptables', resolvedSet([out, twin]), { 'ipset-threshold': x.threshold, 'name-prefix': prefix });
}

interface IpsetSet {
  family: Family;
  maxelem: number;
  members: string[];
}

/** The sets of an `ipset restore` file: create, flush, add lines only (anything else is a failure). */
function parseIpset(text: string): Map<string, IpsetSet> {
  const sets = new Map<string, IpsetSet>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    let m = /^create (\S+) hash:net family (inet6?) maxelem (\d+) -exist$/.exec(line);
    if (m) {
      expect(sets.has(m[1]!), `set ${m[1]} created twice`).to.equal(false);
      sets.set(m[1]!, { family: m[2] === 'inet' ? 4 : 6, maxelem: Number(m[3]), members: [] });
      continue;
    }
    if (/^flush \S+$/.test(line)) continue;
    m = /^add (\S+) (\S+) -exist$/.exec(line);
    expect(m, `unexpected ipset line: ${line}`).to.not.equal(null);
    const set = sets.get(m![1]!);
    expect(set, `add to a set not created: ${line}`).to.not.equal(undefined);
    set!.members.push(m![2]!);
  }
  return sets;
}

/** One side of a rule: any address, one prefix, or an ipset set. */
type Side = { any: true } | { cidr: string } | { set: string };

interface Rule {
  src: Side;
  dst: Side;
}

/** The requirement rules of one rules file, by requirement id (the `--comment`). */
function parseRules(text: string): Map<string, Rule[]> {
  const out = new Map<string, Rule[]>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('-A ')) continue;
    const t = line.split(' ');
    const comment = t[t.indexOf('--comment') + 1]!.replace(/^"|"$/g, '');
    if (comment.startsWith('fwgen:')) continue;
    const side = (flag: string, dir: string): Side => {
      const i = t.indexOf(flag);
      const sets = t.flatMap((w, k) => (w === '--match-set' && t[k + 2] === dir ? [t[k + 1]!] : []));
      expect(sets.length + (i >= 0 ? 1 : 0), `one ${dir} match at most: ${line}`).to.be.at.most(1);
      return i >= 0 ? { cidr: t[i + 1]! } : sets.length ? { set: sets[0]! } : { any: true };
    };
    if (!out.has(comment)) out.set(comment, []);
    out.get(comment)!.push({ src: side('-s', 'src'), dst: side('-d', 'dst') });
  }
  return out;
}

const key = (s: Side) => ('any' in s ? 'any' : 'cidr' in s ? `cidr ${s.cidr}` : `set ${s.set}`);

/**
 * Checks one side of a requirement's rules in one family: the distinct matches together cover exactly `want`, in as
 * many prefixes as the reference's minimum, inline up to the threshold and as one set above it.
 */
function checkSide(sides: Side[], want: string[], family: Family, sets: Map<string, IpsetSet>, threshold: number, what: string): void {
  const distinct = [...new Map(sides.map((s) => [key(s), s])).values()];
  const minimal = referenceMinimal(want);
  let written: string[];
  if (distinct.some((s) => 'any' in s)) {
    expect(distinct, `${what}: any address alone`).to.have.length(1);
    written = [ANY[family]];
  } else if (distinct.some((s) => 'set' in s)) {
    expect(distinct, `${what}: one set alone`).to.have.length(1);
    const set = sets.get((distinct[0] as { set: string }).set);
    expect(set, `${what}: the set exists`).to.not.equal(undefined);
    expect(set!.family, `${what}: the set's family`).to.equal(family);
    expect(set!.maxelem, `${what}: maxelem fits`).to.be.at.least(set!.members.length);
    written = set!.members;
    expect(written.length, `${what}: a set only above the threshold`).to.be.greaterThan(threshold);
  } else {
    written = distinct.map((s) => (s as { cidr: string }).cidr);
    expect(written.length, `${what}: inline only up to the threshold`).to.be.at.most(threshold);
  }
  for (const c of written) {
    expect(familyOf(c), `${what}: ${c} in the IPv${family} file`).to.equal(family);
    expect(hasNoHostBits(c), `${what}: ${c} has no host bits`).to.equal(true);
  }
  expect(new Set(referenceKeys(written)).size, `${what}: no prefix twice`).to.equal(written.length);
  expect(referenceCoverage(written), `${what}: covers exactly the addresses asked for`).to.deep.equal(referenceCoverage(want));
  expect(written.length, `${what}: as many prefixes as the minimal set (${minimal.length})`).to.equal(minimal.length);
}

/** Everything the property says about one output. */
function checkOutput(x: Input, r: EmitResult): void {
  const byFamily = (list: string[], f: Family) => list.filter((c) => familyOf(c) === f);
  const families = ([4, 6] as const).filter((f) => byFamily(x.destinations, f).length > 0);
  const outFamilies = families.filter((f) => !x.sources || byFamily(x.sources, f).length > 0);
  const file = (p: string) => r.files.find((f) => f.path === p)?.contents;
  const sets = parseIpset(file('ipset.restore') ?? '');
  for (const f of [4, 6] as const) {
    const rules = parseRules(file(FILES[f])!);
    for (const [id, dstFamilies, sources] of [['direct/out', outFamilies, x.sources], ['direct/twin', families, null]] as const) {
      const mine = rules.get(id) ?? [];
      if (!dstFamilies.includes(f)) {
        expect(mine, `${id} has no IPv${f} rule`).to.deep.equal([]);
        continue;
      }
      checkSide(mine.map((m) => m.dst), byFamily(x.destinations, f), f, sets, x.threshold, `${id} IPv${f} destinations`);
      checkSide(mine.map((m) => m.src), sources ? byFamily(sources, f) : [ANY[f]], f, sets, sources ? x.threshold : Infinity, `${id} IPv${f} sources`);
      // Every source with every destination, once (one port, so one rule per pair).
      const srcs = new Set(mine.map((m) => key(m.src)));
      const dsts = new Set(mine.map((m) => key(m.dst)));
      expect(new Set(mine.map((m) => `${key(m.src)} ${key(m.dst)}`)).size, `${id} IPv${f}: each pair once`).to.equal(mine.length);
      expect(mine.length, `${id} IPv${f}: every source with every destination`).to.equal(srcs.size * dsts.size);
    }
  }
  // Only sets some rule uses are written.
  const used = new Set(r.files.flatMap((f) => [...f.contents.matchAll(/--match-set (\S+)/g)].map((m) => m[1]!)));
  expect([...sets.keys()].sort()).to.deep.equal([...used].sort());
}

/**
 * Loads each output (emitted with its own name prefix, so the sets of all stay side by side) in one throw-away
 * namespace: `ipset restore`, then per family `--test` and a real load, each followed by a save of the table; at the
 * end `ipset save`. Returns the saves, split per output and family, and the saved sets.
 */
function loadAll(outputs: OutputFile[][]): { rules: { v4: string; v6: string }[]; saved: Map<string, string[]> } {
  const dir = makeTempDir('fwgen-ipt-agg-');
  try {
    const lines = ['set -e'];
    outputs.forEach((files, i) => {
      mkdirSync(join(dir, String(i)));
      for (const f of files) writeFileSync(join(dir, String(i), f.path), f.contents);
      const at = join(dir, String(i));
      if (files.some((f) => f.path === 'ipset.restore')) lines.push(`ipset restore -file ${at}/ipset.restore`);
      for (const [bin, file] of [['iptables', 'iptables.rules'], ['ip6tables', 'ip6tables.rules']] as const) {
        lines.push(`${bin}-restore --test ${at}/${file}`, `${bin}-restore ${at}/${file}`, `echo '@@ ${i} ${bin}'`, `${bin}-save -t filter`);
      }
    });
    lines.push("echo '@@ sets'", 'ipset save');
    const ns = process.getuid?.() === 0 ? ['unshare', '--net', '--'] : ['unshare', '--user', '--map-root-user', '--net', '--'];
    const r = runSync([...ns, 'sh', '-c', lines.join('\n')], { timeoutMs: 60_000 });
    expect(r.code, `engines refused an output:\n${r.stderr}\n${r.stdout.slice(-2000)}`).to.equal(0);
    const parts = r.stdout.split(/^@@ /m).slice(1);
    const rules = outputs.map(() => ({ v4: '', v6: '' }));
    const saved = new Map<string, string[]>();
    for (const part of parts) {
      const [head, ...body] = part.split('\n');
      if (head === 'sets') {
        for (const l of body) {
          const m = /^add (\S+) (\S+)/.exec(l);
          if (m) (saved.get(m[1]!) ?? saved.set(m[1]!, []).get(m[1]!)!).push(m[2]!);
        }
        continue;
      }
      const [i, bin] = head!.split(' ');
      rules[Number(i)]![bin === 'iptables' ? 'v4' : 'v6'] = body.join('\n');
    }
    return { rules, saved };
  } finally {
    removeTempDir(dir);
  }
}

describe('iptables aggregation against the reference', function () {
  this.timeout(120_000);

  it('each requirement\'s rules (inline prefixes and ipset sets) cover exactly its addresses in the minimal number of prefixes, both families', async function () {
    await fc.assert(
      fc.asyncProperty(input, async (x) => {
        const r = await emit(x);
        if (r.files.length === 0) {
          // Nothing to allow at all (e.g. no destination of a family the sources have): an error, no files.
          expect(r.diagnostics.some((d) => d.severity === 'error')).to.equal(true);
          return;
        }
        checkOutput(x, r);
      }),
      { numRuns: 300, seed: 1313 },
    );
  });

  it('writes no set that no rule uses (shrunk counterexamples: a source set of a family the destinations lack)', async function () {
    const base = { kinds: [0], twinKinds: [0], sourceKinds: [0], threshold: 0 };
    // Sources and destinations share no family: direct/out is dropped, and so is its source set.
    const dropped = await emit({ ...base, destinations: ['10.0.0.0/32'], sources: ['2001:db8::/128'] });
    expect(dropped.diagnostics.filter((d) => d.code === 'FIDELITY_DROPPED').map((d) => d.requirement)).to.deep.equal(['direct/out']);
    expect([...parseIpset(dropped.files.find((f) => f.path === 'ipset.restore')!.contents).keys()]).to.deep.equal(['fwgen-direct_twin-d4']);
    // Sources of both families, destinations IPv6 only: no IPv4 source set (direct/twin shares the destination set).
    const v6 = await emit({ ...base, destinations: ['2001:db8::/128'], sources: ['10.0.0.0/32', '2001:db8::1/128'] });
    expect([...parseIpset(v6.files.find((f) => f.path === 'ipset.restore')!.contents).keys()].sort()).to.deep.equal(['fwgen-direct_out-d6', 'fwgen-direct_out-s6']);
    checkOutput({ ...base, destinations: ['2001:db8::/128'], sources: ['10.0.0.0/32', '2001:db8::1/128'] }, v6);
  });

  it('a sample of those outputs loads into ipset and iptables, and the kernel holds exactly the sets and rules written', async function () {
    requireEngines(this, 'ipset', 'iptables-restore', 'ip6tables-restore', 'unshare');
    // Inputs of the same arbitrary, each emitted with a name prefix of its own so that all load together.
    const inputs = fc.sample(input, { numRuns: 300, seed: 1313 }).filter((_, i) => i % 10 === 0);
    const outputs: OutputFile[][] = [];
    for (const [i, x] of inputs.entries()) {
      const r = await emit(x, `s${i}`);
      if (r.files.length === 0) continue;
      checkOutput(x, r);
      outputs.push(r.files);
    }
    expect(outputs.length).to.be.at.least(20);
    const { rules, saved } = loadAll(outputs);
    let setCount = 0;
    outputs.forEach((files, i) => {
      const sets = parseIpset(files.find((f) => f.path === 'ipset.restore')?.contents ?? '');
      for (const [name, set] of sets) {
        setCount++;
        // ipset save writes a host route as a bare address: compare parsed, not as text.
        expect(referenceKeys(saved.get(name) ?? []), `kernel set ${name}`).to.deep.equal(referenceKeys(set.members));
      }
      for (const [fam, file] of [['v4', 'iptables.rules'], ['v6', 'ip6tables.rules']] as const) {
        const count = (text: string) => text.split('\n').filter((l) => l.startsWith('-A ')).length;
        const written = files.find((f) => f.path === file)!.contents;
        expect(count(rules[i]![fam]), `output ${i} ${file}: rules in the kernel`).to.equal(count(written));
      }
    });
    expect(setCount).to.be.greaterThan(10);
    const ruleCount = rules.reduce((n, x) => n + (x.v4 + x.v6).split('\n').filter((l) => l.startsWith('-A ')).length, 0);
    console.log(`      ${outputs.length} outputs loaded in one namespace: ${setCount} sets and ${ruleCount} rules, as written`);
  });
});
