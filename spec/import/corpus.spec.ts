// `fwgen import` on the evaluation corpus (spec/import/corpus/README.md): real vendor documents the importer was
// not built on, each with a hand count written before the importer was run on it. Prints recall, precision and
// port accuracy per document and in total, and fails when any falls below its floor in floors.json (the values
// last reached, so a regression shows at once). UPDATE_CORPUS_FLOORS=1 writes the measured values as the floors.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { importDocument } from '../../lib/import/index.js';
import { compile } from '../../lib/compile.js';
import { FwgenError } from '../../lib/model/diagnostic.js';
import { scoreDraft, type DocumentScore, type Expected } from './corpus-score.js';

const CORPUS = join(dirname(fileURLToPath(import.meta.url)), 'corpus');
const FLOORS = join(CORPUS, 'floors.json');

interface Floor {
  recall: number;
  precision: number;
  ports: number;
}

const ratio = (n: number, d: number) => (d === 0 ? 1 : n / d);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
/** Rounded down to a tenth of a percent, so a floor written from a measurement never fails it by rounding. */
const floorOf = (x: number) => Math.floor(x * 1000) / 1000;

const drafts = new Map<string, string | undefined>();

function run(name: string): DocumentScore {
  const dir = join(CORPUS, name);
  const source = readdirSync(dir).find((f) => f.startsWith('source.'));
  if (!source) throw new Error(`${dir}: no source.* file`);
  const expected = parse(readFileSync(join(dir, 'expected.yaml'), 'utf8')) as Expected;
  const result = importDocument(readFileSync(join(dir, source), 'utf8'), { file: join(name, source) });
  drafts.set(name, result.yaml);
  return scoreDraft(result.yaml, expected);
}

/**
 * Compiles a draft for a target with every parameter and group bound (documentation addresses): the error
 * messages, or [] when it compiles. A target that can express none of the draft's destinations (iptables and a
 * list of host names) is no failure of the draft: `undefined`.
 */
async function compileErrors(file: string, yamlText: string, target: 'squid' | 'iptables'): Promise<string[] | undefined> {
  const data = parse(yamlText) as { parameters?: Record<string, { kind: string; format?: string; values?: Record<string, string> }>; groups?: Record<string, unknown> };
  // A region parameter may stand in a service tag (Storage.{region}): it takes a region Azure has.
  const value = (k: string, p: { kind: string; format?: string; values?: Record<string, string> }) =>
    p.kind === 'enum' ? Object.keys(p.values ?? {})[0]! : p.format === 'fqdn' ? 'host.example.com' : /region|location/.test(k) ? 'westeurope' : 'example';
  const params = Object.fromEntries(Object.entries(data.parameters ?? {}).map(([k, p]) => [k, value(k, p)]));
  const bind = Object.fromEntries(Object.keys(data.groups ?? {}).map((g, i) => [g, `198.51.100.${i + 1}/32`]));
  try {
    const out = await compile({ files: [file], target, params, bind });
    return out.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
  } catch (e) {
    if (!(e instanceof FwgenError)) throw e;
    const errors = e.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length === 1 && /^no requirement is left for \S+ to allow/.test(errors[0]!.message)) return undefined;
    return errors.map((d) => d.message);
  }
}

describe('import corpus: recall, precision and ports on documents the importer was not built on', () => {
  const names = readdirSync(CORPUS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const scores = new Map<string, DocumentScore>();
  const floors = JSON.parse(readFileSync(FLOORS, 'utf8')) as Record<string, Floor>;
  // Documents added (and counted) after the importer was improved on the others: a measure of what it was not tuned on.
  const heldOut = new Set(names.filter((n) => (parse(readFileSync(join(CORPUS, n, 'expected.yaml'), 'utf8')) as { 'held-out'?: boolean })['held-out'] === true));

  before(() => {
    for (const n of names) scores.set(n, run(n));
  });

  it('has at least 20 documents, each with a floor', () => {
    expect(names.length).to.be.at.least(20);
    if (!process.env.UPDATE_CORPUS_FLOORS) expect(names.filter((n) => !floors[n])).to.deep.equal([]);
  });

  it('every draft compiles for squid and iptables with its groups and parameters bound', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fwgen-corpus-'));
    const problems: string[] = [];
    let compiled = 0;
    try {
      for (const n of names) {
        const text = drafts.get(n);
        if (text === undefined) continue;
        const file = join(dir, `${n}.yaml`);
        writeFileSync(file, text);
        for (const target of ['squid', 'iptables'] as const) {
          const errors = await compileErrors(file, text, target);
          if (errors === undefined) continue;
          compiled++;
          if (errors.length) problems.push(`${n} ${target}: ${errors.slice(0, 3).join('; ')}`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(problems).to.deep.equal([]);
    expect(compiled).to.be.at.least(names.length);
  });

  it('prints the table and holds every floor', () => {
    const rows: string[] = [];
    const measured: Record<string, Floor> = {};
    const total = { expected: 0, found: 0, imported: 0, importedExpected: 0, decoys: 0, portsChecked: 0, portsExact: 0, portDocs: 0 };
    const held = { docs: 0, expected: 0, found: 0, imported: 0, importedExpected: 0, decoys: 0, portsChecked: 0, portsExact: 0 };
    const failures: string[] = [];
    for (const n of names) {
      const s = scores.get(n)!;
      const m = { recall: ratio(s.found, s.expected), precision: ratio(s.importedExpected, s.imported), ports: ratio(s.portsExact, s.portsChecked) };
      measured[n] = m;
      total.expected += s.expected;
      total.found += s.found;
      total.imported += s.imported;
      total.importedExpected += s.importedExpected;
      total.decoys += s.decoys.length;
      total.portsChecked += s.portsChecked;
      total.portsExact += s.portsExact;
      if (s.portsExact === s.portsChecked) total.portDocs++;
      if (heldOut.has(n)) {
        held.docs++;
        held.expected += s.expected;
        held.found += s.found;
        held.imported += s.imported;
        held.importedExpected += s.importedExpected;
        held.decoys += s.decoys.length;
        held.portsChecked += s.portsChecked;
        held.portsExact += s.portsExact;
      }
      rows.push(
        `${n.padEnd(24)} ${`${s.found}/${s.expected}`.padStart(7)} ${pct(m.recall).padStart(6)}  ${`${s.importedExpected}/${s.imported}`.padStart(7)} ${pct(m.precision).padStart(6)}  ${String(s.decoys.length).padStart(2)}  ${`${s.portsExact}/${s.portsChecked}`.padStart(7)} ${pct(m.ports).padStart(6)}`,
      );
      if (process.env.CORPUS_VERBOSE) {
        for (const x of s.missing) rows.push(`    missing    ${x}`);
        for (const x of s.unexpected) rows.push(`    unexpected ${x}`);
        for (const x of s.decoys) rows.push(`    decoy      ${x}`);
        for (const x of s.portErrors) rows.push(`    ports      ${x}`);
      }
      const f = floors[n];
      if (f) {
        for (const k of ['recall', 'precision', 'ports'] as const) {
          if (m[k] < f[k]) failures.push(`${n}: ${k} ${pct(m[k])} is below its floor ${pct(f[k])}`);
        }
      }
    }
    const t = { recall: ratio(total.found, total.expected), precision: ratio(total.importedExpected, total.imported), ports: ratio(total.portsExact, total.portsChecked) };
    measured.total = t;
    rows.push(
      `${'TOTAL'.padEnd(24)} ${`${total.found}/${total.expected}`.padStart(7)} ${pct(t.recall).padStart(6)}  ${`${total.importedExpected}/${total.imported}`.padStart(7)} ${pct(t.precision).padStart(6)}  ${String(total.decoys).padStart(2)}  ${`${total.portsExact}/${total.portsChecked}`.padStart(7)} ${pct(t.ports).padStart(6)}`,
      `ports exact in ${total.portDocs} of ${names.length} documents`,
      `held out (${held.docs} documents counted after the importer was improved): recall ${held.found}/${held.expected} ${pct(ratio(held.found, held.expected))}, precision ${held.importedExpected}/${held.imported} ${pct(ratio(held.importedExpected, held.imported))} (${held.decoys} decoys), ports ${held.portsExact}/${held.portsChecked}`,
    );
    console.log(`      ${'document'.padEnd(24)} ${'recall'.padStart(14)}  ${'precision'.padStart(14)}  dc  ${'ports'.padStart(14)}\n      ${rows.join('\n      ')}`);
    if (floors.total) for (const k of ['recall', 'precision', 'ports'] as const) if (t[k] < floors.total[k]) failures.push(`total: ${k} ${pct(t[k])} is below its floor ${pct(floors.total[k])}`);
    if (process.env.UPDATE_CORPUS_FLOORS) {
      const out = Object.fromEntries(Object.entries(measured).map(([k, v]) => [k, { recall: floorOf(v.recall), precision: floorOf(v.precision), ports: floorOf(v.ports) }]));
      writeFileSync(FLOORS, `${JSON.stringify(out, null, 2)}\n`);
      return;
    }
    expect(failures).to.deep.equal([]);
  });
});
