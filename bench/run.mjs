#!/usr/bin/env node
// Benchmarks for fwgen. Run with `npm run bench` (builds first) or `node bench/run.mjs [--runs N] [--only SUBSTR]`.
// See bench/README.md. Prints results; never fails on a goal (only on a case that errors).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const NODE = process.execPath;
const SELF = fileURLToPath(import.meta.url);

// ------------------------------------------------------------------------------------------------
// Cases. Add a cold start by adding {name, argv}; the case marked `baseline` is the denominator.
// ------------------------------------------------------------------------------------------------

/** @type {{name: string, argv: string[], baseline?: boolean, goalRatio?: number}[]} */
const COLD_STARTS = [
  { name: 'node -e 0', argv: [NODE, '-e', '0'], baseline: true },
  { name: 'fwgen show mcr', argv: [NODE, 'bin/fwgen.js', 'show', 'mcr'], goalRatio: 1.5 },
];

/**
 * In-process cases: each runs in its own child node process, so its peak memory is its own.
 * `setup()` returns the function to time; it should throw (or return a non-zero exit code) on failure.
 * @type {{name: string, iterations: number, setup: () => Promise<() => Promise<unknown> | unknown>}[]}
 */
const IN_PROCESS = [
  {
    name: 'main(show mcr)',
    iterations: 50,
    async setup() {
      const { main } = await import(pathToFileURL(join(ROOT, 'dist/cli/main.js')).href);
      return async () => {
        const err = [];
        const code = await main(['show', 'mcr'], cliIo(err));
        if (code !== 0) throw new Error(`exit ${code}: ${err.join('')}`);
      };
    },
  },
  {
    // The largest service tag: about 13,000 prefixes before aggregation, through aggregation, sets and the template.
    name: 'emit nftables AzureCloud',
    iterations: 10,
    async setup() {
      const { compile } = await import(pathToFileURL(join(ROOT, 'dist/index.js')).href);
      const dir = join(ROOT, '.bench-tmp');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'azurecloud.yaml');
      writeFileSync(
        file,
        'id: bench\ntitle: AzureCloud service tag\nsource: { document: bench }\nrequirements:\n' +
          '  - id: azurecloud\n    destinations: [{ serviceTag: AzureCloud }]\n    ports: [https:443]\n    provenance: { line: 1 }\n',
      );
      return async () => {
        const { files } = await compile({ files: [file], target: 'nftables' });
        const text = files[0].contents;
        // Reported beside the timings: requirement rules, and set elements (one per line in the script).
        return { rules: text.split('\n').filter((l) => / accept comment "/.test(l)).length, 'set elements': text.split('\n').filter((l) => /^\t\t\t[0-9a-f:.]+\/\d+,$/.test(l)).length };
      };
    },
  },
  {
    // The same requirement for iptables: both families' rules files and ipset.restore with one hash:net set each.
    name: 'emit iptables AzureCloud',
    iterations: 10,
    async setup() {
      const { compile } = await import(pathToFileURL(join(ROOT, 'dist/index.js')).href);
      const dir = join(ROOT, '.bench-tmp');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'azurecloud-iptables.yaml');
      writeFileSync(
        file,
        'id: bench\ntitle: AzureCloud service tag\nsource: { document: bench }\nrequirements:\n' +
          '  - id: azurecloud\n    destinations: [{ serviceTag: AzureCloud }]\n    ports: [https:443]\n    provenance: { line: 1 }\n',
      );
      return async () => {
        const { files } = await compile({ files: [file], target: 'iptables' });
        const lines = (path) => (files.find((f) => f.path === path)?.contents ?? '').split('\n');
        // Requirement rules in both families' files (not the chains' fixed rules), and set elements (`add` lines).
        const rules = [...lines('iptables.rules'), ...lines('ip6tables.rules')].filter((l) => l.startsWith('-A ') && l.includes('--comment "bench/')).length;
        return { rules, 'set elements': lines('ipset.restore').filter((l) => l.startsWith('add ')).length };
      };
    },
  },
];

function cliIo(errSink) {
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  const stderr = new Writable({
    write: (c, _e, cb) => {
      errSink.push(String(c));
      cb();
    },
  });
  return { stdout: sink(), stderr, stdin: Readable.from([]), cwd: ROOT, env: process.env };
}

// ------------------------------------------------------------------------------------------------
// Statistics and printing
// ------------------------------------------------------------------------------------------------

function quantile(values, q) {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
const median = (v) => quantile(v, 0.5);
const p90 = (v) => quantile(v, 0.9);

function table(headers, rows, alignRight) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const fmt = (r) => r.map((c, i) => (alignRight[i] ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ').trimEnd();
  return [fmt(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

function parseArgs(argv) {
  const o = { runs: Number(process.env.BENCH_RUNS ?? 20), warmup: 2, only: undefined, inProcess: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--only') o.only = argv[++i];
    else if (a === '--in-process') o.inProcess = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(o.runs) || o.runs < 10) {
    console.error(`bench: --runs must be an integer >= 10 (got ${o.runs}); using 10`);
    o.runs = 10;
  }
  return o;
}

// ------------------------------------------------------------------------------------------------
// Cold starts: interleaved rounds (order rotated each round) after warm-up rounds
// ------------------------------------------------------------------------------------------------

function timeOnce(c) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(c.argv[0], c.argv.slice(1), { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) {
    throw new Error(`cold start "${c.name}" failed (${r.error ?? `exit ${r.status} ${r.signal ?? ''}`}):\n${r.stderr ?? ''}`);
  }
  return ms;
}

function benchColdStarts(cases, runs, warmup) {
  const times = new Map(cases.map((c) => [c.name, []]));
  for (let round = 0; round < warmup + runs; round++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(round + k) % cases.length];
      const ms = timeOnce(c);
      if (round >= warmup) times.get(c.name).push(ms);
    }
  }
  const base = cases.find((c) => c.baseline) ?? cases[0];
  const baseMedian = median(times.get(base.name));
  return cases.map((c) => {
    const t = times.get(c.name);
    return { case: c, min: Math.min(...t), median: median(t), p90: p90(t), ratio: median(t) / baseMedian };
  });
}

// ------------------------------------------------------------------------------------------------
// In-process: parent spawns `run.mjs --in-process NAME`; the child times and reports JSON
// ------------------------------------------------------------------------------------------------

async function childInProcess(name) {
  const c = IN_PROCESS.find((x) => x.name === name);
  if (!c) throw new Error(`no in-process case named ${name}`);
  const rssStart = process.memoryUsage().rss;
  const t0 = performance.now();
  const fn = await c.setup();
  const setupMs = performance.now() - t0;
  const t1 = performance.now();
  const first = await fn();
  const firstMs = performance.now() - t1;
  const counts = first && typeof first === 'object' ? first : undefined;
  const times = [];
  let heapPeak = process.memoryUsage().heapUsed;
  for (let i = 0; i < c.iterations; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  }
  const maxRssKb = process.resourceUsage().maxRSS;
  process.stdout.write(`${JSON.stringify({ setupMs, firstMs, times, heapPeak, maxRss: maxRssKb * 1024, rssStart, counts })}\n`);
}

function benchInProcess(cases) {
  return cases.map((c) => {
    const r = spawnSync(NODE, [SELF, '--in-process', c.name], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`in-process case "${c.name}" failed (exit ${r.status}):\n${r.stderr}`);
    const lines = r.stdout.trim().split('\n');
    const res = JSON.parse(lines[lines.length - 1]);
    return { case: c, ...res, median: median(res.times), p90: p90(res.times) };
  });
}

// ------------------------------------------------------------------------------------------------

async function mainBench() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.inProcess) return childInProcess(opts.inProcess);

  const pick = (list) => (opts.only ? list.filter((c) => c.baseline || c.name.includes(opts.only)) : list);
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  console.log(`fwgen bench — node ${process.version}, ${cpus().length} × ${cpu.trim()}`);

  const cold = pick(COLD_STARTS);
  if (cold.length > 0) {
    console.log(`\nCold start (${opts.runs} runs each after ${opts.warmup} warm-up rounds, interleaved; stdout to /dev/null)\n`);
    const res = benchColdStarts(cold, opts.runs, opts.warmup);
    console.log(
      table(
        ['case', 'median ms', 'p90 ms', 'min ms', 'ratio (medians)'],
        res.map((r) => [r.case.name, r.median.toFixed(1), r.p90.toFixed(1), r.min.toFixed(1), `${r.ratio.toFixed(2)}x`]),
        [false, true, true, true, true],
      ),
    );
    const base = res.find((r) => r.case.baseline) ?? res[0];
    for (const r of res) {
      if (r.case.goalRatio === undefined) continue;
      const verdict = r.ratio < r.case.goalRatio ? 'meets' : 'MISSES';
      const extra = r.median - base.median;
      console.log(`\ngoal: ${r.case.name} under ${r.case.goalRatio}x ${base.case.name} — ${verdict} it (${r.ratio.toFixed(2)}x, ${extra >= 0 ? '+' : ''}${extra.toFixed(1)} ms)`);
    }
  }

  const inproc = pick(IN_PROCESS);
  if (inproc.length > 0) {
    console.log('\nIn-process (each case in its own node process; times after one untimed first call)\n');
    const res = benchInProcess(inproc);
    const mb = (b) => (b / 1024 / 1024).toFixed(1);
    console.log(
      table(
        ['case', 'iterations', 'setup ms', 'first ms', 'median ms', 'p90 ms', 'peak RSS MB', 'peak heap MB'],
        res.map((r) => [r.case.name, r.times.length, r.setupMs.toFixed(1), r.firstMs.toFixed(1), r.median.toFixed(2), r.p90.toFixed(2), mb(r.maxRss), mb(r.heapPeak)]),
        [false, true, true, true, true, true, true, true],
      ),
    );
    for (const r of res.filter((x) => x.counts)) {
      console.log(`\n${r.case.name}: ${Object.entries(r.counts).map(([k, v]) => `${v} ${k}`).join(', ')}`);
    }
  }
}

mainBench().catch((e) => {
  console.error(`bench: ${e.message ?? e}`);
  process.exitCode = 1;
});
