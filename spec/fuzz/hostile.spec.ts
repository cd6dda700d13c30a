/**
 * Hostile input, all eight targets: generated requirement files and --param/--bind/--set values (spec/fuzz/cases.ts)
 * through the library in-process. Each case is either rejected cleanly or accepted with an output that passes the
 * offline checks and the structure checks (spec/fuzz/run-case.ts); the accepted outputs then go to the real engines
 * in batches (spec/fuzz/engines.ts). A failure is shrunk by fast-check: an engine failure is replayed (same seed,
 * its run's path) with the engine in the property, so the counterexample printed is the smallest the engine refuses.
 * A sample of cases also goes through the CLI (`fwgen emit --out`): exit 2 with nothing written, or the same files.
 *
 * FWGEN_FUZZ_RUNS (default 150 a target; `npm run fuzz` sets 10000) and FWGEN_FUZZ_SEED (default 16) choose the run.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { makeTempDir, removeTempDir, requireEngines } from '../helpers/engines.js';
import { caseArb, type FuzzCase } from './cases.js';
import { engineProblems, ENGINES } from './engines.js';
import { acceptanceProblems, compileCase, fileName, rejectionProblems } from './run-case.js';

const RUNS = Number(process.env.FWGEN_FUZZ_RUNS ?? 150);
const SEED = Number(process.env.FWGEN_FUZZ_SEED ?? 16);
const BATCH = 250;
/** Accepted outputs the engines check, per target: all of them in a fuzz run, the first 40 in `npm test`. */
const ENGINE_MAX = Number(process.env.FWGEN_FUZZ_ENGINE_MAX || (process.env.FWGEN_FUZZ_RUNS ? Infinity : 40));
const CLI_SAMPLE = Number(process.env.FWGEN_FUZZ_CLI ?? 4);
const TARGET_LIST = ['squid', 'iptables', 'nftables', 'k8s-networkpolicy', 'cilium', 'azure-firewall', 'azure-nsg', 'panos'];

const summary: string[] = [];

/** In-process problems of one case; a throw from fwgen itself is one too. */
async function problemsOf(target: string, c: FuzzCase): Promise<{ kind: 'rejected' | 'accepted' | 'crashed'; problems: string[]; files?: { path: string; contents: string }[] }> {
  let o;
  try {
    o = await compileCase(target, c);
  } catch (e) {
    return { kind: 'crashed', problems: [`fwgen threw: ${(e as Error).stack ?? String(e)}`] };
  }
  if (o.kind === 'rejected') return { kind: 'rejected', problems: rejectionProblems(o) };
  return { kind: 'accepted', problems: await acceptanceProblems(target, c, o), files: o.files };
}

const argv = (target: string, c: FuzzCase, out: string): string[] => [
  'emit',
  '--file',
  fileName(c),
  '--target',
  target,
  '--out',
  out,
  ...Object.entries(c.params).flatMap(([k, v]) => ['--param', `${k}=${v}`]),
  ...Object.entries(c.bind).flatMap(([k, v]) => ['--bind', `${k}=${v}`]),
  ...Object.entries(c.set).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
];

/** The CLI on a case: a rejection exits 2 and writes nothing; an acceptance writes exactly the library's files. */
async function cliProblems(target: string, c: FuzzCase, kind: 'rejected' | 'accepted', files?: { path: string; contents: string }[]): Promise<string[]> {
  const dir = makeTempDir('fwgen-fuzz-cli-');
  try {
    const { caseText } = await import('./cases.js');
    writeFileSync(join(dir, fileName(c)), caseText(c));
    mkdirSync(join(dir, 'out'));
    // A value that starts with `-` or holds NUL is no argv value the CLI can be given (the shell cannot pass a NUL).
    const args = argv(target, c, 'out');
    if (args.some((a) => a.includes('\u0000'))) return [];
    const r = await runCli(args, { cwd: dir });
    const written = (readdirSync(join(dir, 'out'), { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
      .filter((d) => d.isFile())
      .map((d) => relative(join(dir, 'out'), join(d.parentPath ?? d.path, d.name)))
      .sort();
    const problems: string[] = [];
    if (/^\s+at .*:\d+:\d+\)?$/m.test(r.stderr)) problems.push(`CLI printed a stack trace:\n${r.stderr.slice(0, 2000)}`);
    if (kind === 'rejected') {
      // The CLI may refuse more than the library (an argv value yargs reads differently), never less.
      if (r.code !== 2) problems.push(`CLI exit ${r.code} for a case the library rejects:\n${r.stderr.slice(0, 1500)}`);
      if (written.length) problems.push(`CLI wrote ${written.join(', ')} for a rejected case`);
    } else if (r.code === 0) {
      const expected = files!.map((f) => f.path).sort();
      if (JSON.stringify(written) !== JSON.stringify(expected)) problems.push(`CLI wrote ${written.join(', ')}, the library ${expected.join(', ')}`);
      else for (const f of files!) if (readFileSync(join(dir, 'out', f.path), 'utf8') !== f.contents) problems.push(`CLI's ${f.path} differs from the library's`);
    } else if (r.code !== 2 || written.length) problems.push(`CLI exit ${r.code} (wrote ${written.join(', ') || 'nothing'}) for a case the library accepts:\n${r.stderr.slice(0, 1500)}`);
    return problems;
  } finally {
    removeTempDir(dir);
  }
}

describe('hostile input: every target rejects cleanly or writes exactly what was asked, as its engine reads it', function () {
  this.timeout(0);

  after(function () {
    if (summary.length) process.stdout.write(`\n  hostile-input runs (seed ${SEED}, ${RUNS} a target): tried / rejected / accepted\n${summary.map((l) => `    ${l}\n`).join('')}`);
  });

  for (const target of TARGET_LIST) {
    it(`${target}: ${RUNS} generated cases`, async function () {
      const counts = { tried: 0, rejected: 0, accepted: 0 };
      const accepted: { index: number; files: { path: string; contents: string }[] }[] = [];
      const cli: { c: FuzzCase; kind: 'rejected' | 'accepted'; files?: { path: string; contents: string }[] }[] = [];
      let index = 0;
      let primary = true;
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(caseArb(target), async (c) => {
          const r = await problemsOf(target, c);
          if (r.problems.length) primary = false;
          if (primary) {
            counts.tried++;
            if (r.kind === 'rejected') counts.rejected++;
            else {
              counts.accepted++;
              accepted.push({ index, files: r.files! });
            }
            const sameKind = cli.filter((x) => x.kind === r.kind).length;
            if (r.kind !== 'crashed' && sameKind < CLI_SAMPLE) cli.push({ c, kind: r.kind, files: r.files });
            index++;
          }
          expect(r.problems, r.problems.join('\n\n')).to.deep.equal([]);
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: false },
      );
      for (const x of cli) {
        const p = await cliProblems(target, x.c, x.kind, x.files);
        expect(p, p.join('\n')).to.deep.equal([]);
      }
      const inProcessMs = Date.now() - started;
      summary.push(`${target.padEnd(18)} ${String(counts.tried).padStart(6)} / ${String(counts.rejected).padStart(6)} / ${String(counts.accepted).padStart(6)}  (in-process ${inProcessMs} ms)`);
      // Outputs that nothing accepted would be a suite that tests nothing.
      expect(counts.accepted, 'accepted cases').to.be.greaterThan(RUNS / 10);
      expect(counts.rejected, 'rejected cases').to.be.greaterThan(RUNS / 20);
      if (ENGINES[target]!.length === 0) return;
      requireEngines(this, ...ENGINES[target]!);
      const t0 = Date.now();
      const checked = accepted.slice(0, ENGINE_MAX);
      for (let i = 0; i < checked.length; i += BATCH) {
        const batch = checked.slice(i, i + BATCH);
        const bad = engineProblems(target, batch);
        if (bad.size === 0) continue;
        const [first, why] = [...bad.entries()][0]!;
        // Replay that run with the engine inside the property, so fast-check shrinks it.
        await fc.assert(
          fc.asyncProperty(caseArb(target), async (c) => {
            const r = await problemsOf(target, c);
            if (r.kind !== 'accepted' || r.problems.length) return;
            const e = engineProblems(target, [{ index: 0, files: r.files! }]);
            expect(e.get(0), e.get(0)).to.equal(undefined);
          }),
          { numRuns: 1, seed: SEED, path: String(first) },
        );
        throw new Error(`${bad.size} engine failure(s) (first at run ${first}), not reproduced alone:\n${why}`);
      }
      summary[summary.length - 1] += `, engines on ${checked.length} in ${Date.now() - t0} ms`;
    });
  }
});
