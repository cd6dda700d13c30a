/**
 * Golden files: every folder spec/fixtures/<case>/ (folders starting with `_`, and `import`, are skipped) holds `input.yaml`, an
 * optional `args.json` and `expected/<target>.<ext>` (the rules) with `expected/<target>.diagnostics.txt` (stderr
 * exactly as the CLI prints it). Each target is run through the CLI in-process with cwd = the case folder.
 *
 * args.json: { "params": {name: value|[values]}, "options": {name: value}, "bind": {group: cidr|[cidrs]},
 *              "set": {target: {option: value}}, "targets": [extra targets to run], "exit": expected exit code }
 *
 * A target that writes several files (iptables: rules for both families and an ipset file) has a folder
 * `expected/<target>/` (create it empty for a new case; UPDATE_GOLDEN=1 fills it): it is run with `--out DIR` and
 * compared file by file.
 *
 * On a mismatch the test prints a diff and writes `<file>.actual` beside the expected file (git-ignored);
 * UPDATE_GOLDEN=1 rewrites the expected files instead. Every expected squid file is also fed to `squid -k parse`.
 */
import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './helpers/cli.js';
import { lineDiff } from './helpers/diff.js';
import { emitArgv, type CaseArgs } from './helpers/golden.js';
import { requireEngine, squidParse } from './helpers/engines.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
// Today, as far as the CLI knows, is the shipped Service Tags snapshot's own date: its age warning (TAGS_STALE,
// spec/service-tags/freshness.spec.ts) would otherwise make these files depend on the day the specs run.
const ENV = { ...process.env, FWGEN_TODAY: '2025-10-28' };

interface Expected {
  target: string;
  /** Path of the expected rules file, if any (absent when the case expects no output). */
  output?: string;
  /** For a target that writes several files: the folder of expected files. */
  outputDir?: string;
  diagnostics: string;
}

function cases(): { name: string; dir: string; args: CaseArgs; expected: Expected[] }[] {
  if (!existsSync(FIXTURES)) return [];
  return readdirSync(FIXTURES)
    // spec/fixtures/import/ holds vendor documents for `fwgen import` (spec/import/), not requirement files.
    .filter((n) => !n.startsWith('_') && n !== 'import' && statSync(join(FIXTURES, n)).isDirectory())
    .sort()
    .map((name) => {
      const dir = join(FIXTURES, name);
      const argsFile = join(dir, 'args.json');
      const args: CaseArgs = existsSync(argsFile) ? (JSON.parse(readFileSync(argsFile, 'utf8')) as CaseArgs) : {};
      const expDir = join(dir, 'expected');
      const files = existsSync(expDir) ? readdirSync(expDir).filter((f) => !f.endsWith('.actual')) : [];
      const targets = new Set([...(args.targets ?? []), ...files.map((f) => f.split('.')[0]!)]);
      const expected = [...targets].sort().map((target) => {
        const output = files.find((f) => f.startsWith(`${target}.`) && f !== `${target}.diagnostics.txt`);
        const outputDir = files.includes(target) && statSync(join(expDir, target)).isDirectory() ? join(expDir, target) : undefined;
        return { target, ...(output ? { output: join(expDir, output) } : {}), ...(outputDir ? { outputDir } : {}), diagnostics: join(expDir, `${target}.diagnostics.txt`) };
      });
      return { name, dir, args, expected };
    });
}

/** Compares `actual` with the file's bytes; writes `.actual` (or, with UPDATE_GOLDEN=1, the file) on a mismatch. */
function compareGolden(file: string, actual: string, problems: string[]): void {
  const expected = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (expected === actual) {
    rmSync(`${file}.actual`, { force: true });
    return;
  }
  if (UPDATE) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    rmSync(`${file}.actual`, { force: true });
    return;
  }
  writeFileSync(`${file}.actual`, actual);
  const rel = file.slice(FIXTURES.length + 1);
  problems.push(expected === undefined ? `${rel} is missing (actual output written to ${rel}.actual; UPDATE_GOLDEN=1 creates it)` : `${rel} differs (actual written to ${rel}.actual; UPDATE_GOLDEN=1 accepts it):\n${lineDiff(expected, actual)}`);
}

describe('golden files (spec/fixtures)', function () {
  const all = cases();

  it('has fixtures', function () {
    expect(all.length).to.be.greaterThan(0);
    for (const c of all) expect(existsSync(join(c.dir, 'input.yaml')), `${c.name}/input.yaml`).to.equal(true);
    for (const c of all) expect(c.expected.length, `${c.name}: no expected/ files and no "targets" in args.json`).to.be.greaterThan(0);
  });

  for (const c of all) {
    for (const e of c.expected) {
      it(`${c.name} > ${e.target}`, async function () {
        if (e.outputDir) return compareSeveral(c, e, e.outputDir);
        const r = await runCli(emitArgv(e.target, c.args), { cwd: c.dir, env: ENV });
        const problems: string[] = [];
        const file = e.output ?? (r.stdout !== '' ? join(c.dir, 'expected', `${e.target}.${await extension(e.target)}`) : undefined);
        if (file) compareGolden(file, r.stdout, problems);
        compareGolden(e.diagnostics, r.stderr, problems);
        const exit = c.args.exit ?? (file ? 0 : 2);
        if (r.code !== exit) problems.push(`exit code ${r.code}, expected ${exit}\n${r.stderr}`);
        expect(problems, problems.join('\n\n')).to.deep.equal([]);
      });
    }
  }

  describe('every expected squid file passes squid -k parse', function () {
    before(function () {
      requireEngine(this, 'squid');
    });
    for (const c of all) {
      for (const e of c.expected.filter((x) => x.target === 'squid' && x.output)) {
        it(`${c.name} > squid parses`, function () {
          const r = squidParse(readFileSync(e.output!, 'utf8'));
          expect(r.ok, r.output).to.equal(true);
          expect(r.warnings, r.output).to.deep.equal([]);
          expect(r.errors, r.output).to.deep.equal([]);
        });
      }
    }
  });
});

/** Runs a several-file target with `--out DIR` and compares each file it wrote with `expected/<target>/<file>`. */
async function compareSeveral(c: { name: string; dir: string; args: CaseArgs }, e: Expected, dir: string): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'fwgen-golden-'));
  try {
    const r = await runCli([...emitArgv(e.target, c.args), '--out', out], { cwd: c.dir, env: ENV });
    const problems: string[] = [];
    const written = readdirSync(out).sort();
    for (const f of written) compareGolden(join(dir, f), readFileSync(join(out, f), 'utf8'), problems);
    const stale = existsSync(dir) ? readdirSync(dir).filter((f) => !f.endsWith('.actual') && !written.includes(f)) : [];
    for (const f of stale) {
      if (UPDATE) rmSync(join(dir, f));
      else problems.push(`${e.target}/${f} is expected but was not written`);
    }
    compareGolden(e.diagnostics, r.stderr, problems);
    const exit = c.args.exit ?? (written.length ? 0 : 2);
    if (r.code !== exit) problems.push(`exit code ${r.code}, expected ${exit}\n${r.stderr}`);
    expect(problems, problems.join('\n\n')).to.deep.equal([]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The extension of a target's default output file (`squid.conf` -> `conf`). */
async function extension(target: string): Promise<string> {
  const { getEmitter } = await import('../lib/emit/registry.js');
  const file = (await getEmitter(target)).defaultFile;
  return file.includes('.') ? file.slice(file.lastIndexOf('.') + 1) : 'out';
}
