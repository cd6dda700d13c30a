#!/usr/bin/env node
// Benchmarks for fwgen. Run with `npm run bench` (builds first) or `node bench/run.mjs [--runs N] [--only SUBSTR]`.
// See bench/README.md. Prints results; never fails on a goal (only on a case that errors).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { syntheticYaml } from './synthetic.mjs';
import { compareWithMinimal } from './prefixes.mjs';
import { bigPolicyPrefixes, bigPolicyYaml } from './big-policy.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const NODE = process.execPath;
const SELF = fileURLToPath(import.meta.url);

// ------------------------------------------------------------------------------------------------
// Cases. Add a cold start by adding {name, argv}; the case marked `baseline` is the denominator.
// ------------------------------------------------------------------------------------------------

/** @type {{name: string, argv: string[], cwd?: string, env?: Record<string, string>, baseline?: boolean, goalRatio?: number}[]} */
const COLD_STARTS = [
  { name: 'node -e 0', argv: [NODE, '-e', '0'], baseline: true },
  { name: 'fwgen show mcr', argv: [NODE, 'bin/fwgen.js', 'show', 'mcr'], goalRatio: 1.5 },
  { name: 'fwgen emit --catalog mcr --target squid', argv: [NODE, 'bin/fwgen.js', 'emit', '--catalog', 'mcr', '--target', 'squid'], goalRatio: 1.4 },
  // Reads the Service Tags snapshot (through its prebuilt index) for AzureContainerRegistry.EastUS, Storage and the rest.
  {
    name: 'fwgen emit --catalog acr ... --target azure-nsg',
    argv: [NODE, 'bin/fwgen.js', 'emit', '--catalog', 'acr', '--param', 'registry=myregistry', '--param', 'region=eastus', '--target', 'azure-nsg'],
    goalRatio: 2,
  },
  { name: 'fwgen --version', argv: [NODE, 'bin/fwgen.js', '--version'], goalRatio: 1.5 },
  // The pre-commit step: every output of examples/all-targets compared with the files on disk. After the first run
  // (a warm-up round) the check state in FWGEN_CACHE_DIR lets it hash inputs and outputs instead of rendering.
  { name: 'fwgen check (in examples/all-targets)', argv: [NODE, join(ROOT, 'bin/fwgen.js'), 'check'], cwd: join(ROOT, 'examples/all-targets'), env: { FWGEN_CACHE_DIR: join(ROOT, '.bench-tmp', 'cache') }, goalRatio: 2.5 },
  // The same without the state: every output rendered and compared, as on a first run or with --full.
  { name: 'fwgen check --full (in examples/all-targets)', argv: [NODE, join(ROOT, 'bin/fwgen.js'), 'check', '--full'], cwd: join(ROOT, 'examples/all-targets'), env: { FWGEN_CACHE_DIR: join(ROOT, '.bench-tmp', 'cache') } },
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
  {
    // fwgen import on a generated Markdown document: 50 sections of 100 rows (5,000 rows), with multi-name cells,
    // wildcards, placeholders, code spans and several port spellings; the document is generated untimed.
    name: 'import 5,000-row Markdown document',
    iterations: 5,
    async setup() {
      const { importDocument } = await import(pathToFileURL(join(ROOT, 'dist/import/index.js')).href);
      const ports = ['https:443', 'HTTPS', '443/tcp', 'TCP 8443', '80, 443', 'udp/53'];
      const lines = ['# Generated vendor: network requirements', ''];
      for (let s = 0; s < 50; s++) {
        lines.push(`## Service ${s}`, '', '| Destination | Port | Purpose |', '|---|---|---|');
        for (let r = 0; r < 100; r++) {
          const n = s * 100 + r;
          const dest = n % 7 === 0 ? `\`<region>.svc${n}.example.com\`` : n % 5 === 0 ? `svc${n}.example.com, *.cdn${n}.example.net` : `svc${n}.example.com`;
          lines.push(`| ${dest} | ${ports[n % ports.length]} | Purpose of row ${n} |`);
        }
        lines.push('');
      }
      const text = lines.join('\n');
      return () => {
        const r = importDocument(text, { file: 'generated.md' });
        if (!r.yaml) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
        return { rows: 5000, requirements: r.requirements, 'bytes of YAML': r.yaml.length };
      };
    },
  },
];

// What reached the output for each target, counted across every file a target writes (parts, ipset.restore): the
// synthetic destinations are distinct and spaced so that aggregation merges none, so each must appear once. Names are
// counted as a set with a leading `*.` taken off, so apex-and-subdomains (written as the name and `*.name`) counts once.
const lines = (files, path) => (files.find((f) => f.path === path)?.contents ?? '').split('\n');
const all = (files, re) => files.flatMap((f) => [...f.contents.matchAll(re)].map((m) => m[1]));
const distinctNames = (names) => new Set(names.map((x) => x.replace(/^"|"$/g, '').replace(/^\*\./, '').replace(/\/$/, ''))).size;
const SQUID_DESTS = (files) => files[0].contents.split('\n').filter((l) => /^acl \S+ (dstdomain -n|dstdom_regex -n -i) /.test(l)).length;
const NFT_ELEMENTS = (files) => files[0].contents.split('\n').filter((l) => /^\t\t\t[0-9a-f:.]+\/\d+,$/.test(l)).length;
// iptables writes a list of up to `ipset-threshold` (8) prefixes as one rule per prefix, a longer one as an ipset: count
// both (every port list of the synthetic sets is TCP only, so one rule per prefix).
const IPTABLES_DESTS = (files) => {
  const inline = [...lines(files, 'iptables.rules'), ...lines(files, 'ip6tables.rules')].filter((l) => /^-A \S+ -d \S+ .*--comment "synthetic-/.test(l)).length;
  return inline + lines(files, 'ipset.restore').filter((l) => l.startsWith('add ')).length;
};
// PAN-OS: address objects (ip-netmask; the spacing leaves no run for an ip-range), or FQDN objects and URL category
// members (`*.name/`) for names, in panos.xml.
const PANOS_CIDRS = (files) => new Set(all(files, /<(?:ip-netmask|ip-range)>([^<]+)</g)).size;
const PANOS_NAMES = (files) => distinctNames([...all(files, /<fqdn>([^<]+)</g), ...all(files, /<member>(\*\.[^<]+\/)</g)]);
// NetworkPolicy ipBlocks and Cilium toCIDRSet entries, over every object of the stream.
const YAML_CIDRS = (files) => new Set(all(files, /^ +(?:- )?cidr: "?([0-9a-f:.]+\/\d+)"?$/gm)).size;
// Cilium names: the toFQDNs entries only (the DNS rule lists every name again).
const CILIUM_NAMES = (files) => distinctNames(all(files, /^ +- toFQDNs:\n((?: +- match(?:Name|Pattern): .*\n)+)/gm).flatMap((block) => [...block.matchAll(/match(?:Name|Pattern): (.*)/g)].map((m) => m[1])));
/** Every resource of an ARM template part (Azure targets write azure-*.json or azure-*.part-I-of-N.json). */
const armResources = (files) => files.filter((f) => f.path.endsWith('.json')).flatMap((f) => JSON.parse(f.contents).resources ?? []);
// Azure Firewall: IP Group entries and inline network rule addresses, or application rule targetFqdns (and network
// rule destinationFqdns), over every template part.
const AZFW_RULES = (files) => armResources(files).flatMap((r) => (r.properties?.ruleCollections ?? []).flatMap((c) => c.rules ?? []));
const AZFW_CIDRS = (files) =>
  new Set([...armResources(files).flatMap((r) => r.properties?.ipAddresses ?? []), ...AZFW_RULES(files).flatMap((r) => r.destinationAddresses ?? [])]).size;
const AZFW_NAMES = (files) => distinctNames(AZFW_RULES(files).flatMap((r) => [...(r.targetFqdns ?? []), ...(r.destinationFqdns ?? [])]));
// Azure NSG: destination prefixes of the allow rules (the final deny's `Internet` is not a destination of the set).
const NSG_CIDRS = (files) =>
  new Set(
    armResources(files)
      .flatMap((r) => (r.type.endsWith('/securityRules') ? [r] : (r.properties?.securityRules ?? [])))
      .filter((r) => r.properties.access === 'Allow')
      .flatMap((r) => [...(r.properties.destinationAddressPrefixes ?? []), ...(r.properties.destinationAddressPrefix ? [r.properties.destinationAddressPrefix] : [])]),
  ).size;

/** Destinations per size: 1,000, 10,000 and 100,000 (the growth exponent is read over the tenfold steps). */
const SIZES = [1_000, 10_000, 100_000];
/**
 * The largest NSG the bench can write: Azure takes 4,000 destination addresses per NSG, counting the final deny's
 * `Internet` (lib/emitters/azure-nsg/README.md, Limits; no option raises it), so 3,999 destinations, and 400 below it.
 */
const NSG_SIZES = [400, 1_000, 3_999];
/** PAN-OS's largest VM-Series tier: 160,000 address objects and 80,000 groups hold 100,000 prefixes in 13,334 rows. */
const PANOS_CIDR_SET = { platform: 'vm-tier4' };
/**
 * Names: 75% of the synthetic names are FQDN objects (exact, and the name of apex-and-subdomains), 75,000 at 100,000,
 * and vm-tier4 holds 6,144 (8,192 destinations). No platform fwgen names holds more, so the case passes the number the
 * way a hardware model's is passed (README: `show system state filter cfg.general.max*`, then `--set max-fqdn-objects`).
 */
const PANOS_NAME_SET = { platform: 'vm-tier4', 'max-fqdn-objects': 100_000 };
/**
 * Azure Firewall: one combination per destination prefix (no sources, one protocol, fewer than 14 ports per rule),
 * 100,000 at 100,000, past Azure's 20,000; Azure gives that number for the firewall's latency, and the option raises it.
 */
const AZFW_CIDR_SET = { 'max-network-combinations': 100_000 };
/** NSG priorities go up to 4,095: the 935 rules of 3,999 destinations in rows need step 1 (priorities 100 to 1,033). */
const NSG_SET = { 'priority-step': 1 };

/**
 * Scaling: synthetic requirement sets (bench/synthetic.mjs) of each size, each size in its own child node process.
 * The child generates the YAML text (untimed), warms up twice on SCALE_WARMUP destinations of the same kind and shape,
 * then times loadRequirementSet (YAML text to model), expand and emit separately, `scaleIterations(size)` times.
 * `outputs(files)` counts what reached the output, one per destination, to check that nothing was lost. `set` holds the
 * target options (as `--set`) that let the largest size be a valid output at the platform's limits; `ports: 'web'`
 * gives the rows HTTP and HTTPS ports only (bench/synthetic.mjs).
 * @type {{name: string, kind: 'names' | 'cidrs', shape?: 'rows' | 'one', ports?: 'mixed' | 'web', target: string, sizes: number[], set?: Record<string, unknown>, outputs: (files: {path: string, contents: string}[]) => number}[]}
 */
const SCALING_TARGETS = [
  { name: 'squid, names', kind: 'names', target: 'squid', outputs: SQUID_DESTS },
  { name: 'nftables, cidrs', kind: 'cidrs', target: 'nftables', outputs: NFT_ELEMENTS },
  { name: 'iptables, cidrs', kind: 'cidrs', target: 'iptables', outputs: IPTABLES_DESTS },
  { name: 'panos, cidrs', kind: 'cidrs', target: 'panos', set: PANOS_CIDR_SET, outputs: PANOS_CIDRS },
  { name: 'panos, names', kind: 'names', target: 'panos', set: PANOS_NAME_SET, outputs: PANOS_NAMES },
  { name: 'k8s-networkpolicy, cidrs', kind: 'cidrs', target: 'k8s-networkpolicy', outputs: YAML_CIDRS },
  { name: 'cilium, cidrs', kind: 'cidrs', target: 'cilium', outputs: YAML_CIDRS },
  { name: 'cilium, names', kind: 'names', target: 'cilium', outputs: CILIUM_NAMES },
  { name: 'azure-firewall, cidrs', kind: 'cidrs', target: 'azure-firewall', set: AZFW_CIDR_SET, outputs: AZFW_CIDRS },
  // Application rules carry HTTP and HTTPS only: a name on a TCP range would be dropped.
  { name: 'azure-firewall, names', kind: 'names', ports: 'web', target: 'azure-firewall', outputs: AZFW_NAMES },
  { name: 'azure-nsg, cidrs', kind: 'cidrs', target: 'azure-nsg', sizes: NSG_SIZES, set: NSG_SET, outputs: NSG_CIDRS },
];
// Every case in both shapes: rows as vendors write them, and all destinations in a single requirement, which shows
// costs that grow with the size of one requirement.
const SCALING = [
  ...SCALING_TARGETS.map((c) => ({ ...c, sizes: c.sizes ?? SIZES })),
  ...SCALING_TARGETS.map((c) => ({ ...c, name: `${c.name}, one requirement`, shape: 'one', sizes: c.sizes ?? SIZES })),
];
/** Each child first runs twice on this many destinations (or the case's size if smaller): lazy imports, JIT. */
const SCALE_WARMUP = 1000;
// Small sizes take milliseconds: more runs keep their medians (and the NSG case, which stops at 3,999) steady.
const scaleIterations = (size) => (size <= 4000 ? 9 : size <= 10000 ? 3 : size <= 20000 ? 2 : 1);

/**
 * The peer comparison (bench/README.md, "Four targets at 100,000 prefixes"): bench/big-policy.mjs's policy, with the
 * prefixes inline in YAML or in a list file, run as `fwgen generate` on a fwgen.yaml with four outputs and as
 * `fwgen emit` for each target alone, each a child process timed beside `node -e 0` in the same rounds.
 */
const BIG_POLICY = { sizes: [10_000, 100_000], targets: ['iptables', 'nftables', 'panos', 'k8s-networkpolicy'], runs: 3, goalRatio: 25, goalRssMiB: 300, set: { panos: { platform: 'vm-tier4' } } };

/**
 * Service Tags: every tag of a real Service Tags file resolved (checked) and aggregated as fwgen does it for a target,
 * in its own child process (time and peak memory), then checked in another against the minimum computed by
 * bench/prefixes.mjs, which shares no code with fwgen's aggregation.
 * @type {{name: string, file: string, iterations: number}[]}
 */
const SERVICE_TAGS = [
  { name: 'service tags, all tags', file: 'data/service-tags/ServiceTags_Public_20251028.json', iterations: 5 },
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
  const o = { runs: Number(process.env.BENCH_RUNS ?? 20), warmup: 2, only: undefined, inProcess: undefined, scale: undefined, tags: undefined, verifyTags: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--only') o.only = argv[++i];
    else if (a === '--in-process') o.inProcess = argv[++i];
    else if (a === '--scale') o.scale = { name: argv[++i], size: Number(argv[++i]) };
    else if (a === '--service-tags') o.tags = argv[++i];
    else if (a === '--verify-tags') o.verifyTags = argv[++i];
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
  const r = spawnSync(c.argv[0], c.argv.slice(1), { cwd: c.cwd ?? ROOT, env: { ...process.env, ...c.env }, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
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
// Scaling: parent spawns `run.mjs --scale NAME SIZE` per size; the child times load, expand and emit
// ------------------------------------------------------------------------------------------------

async function childScale(name, size) {
  const c = SCALING.find((x) => x.name === name);
  if (!c) throw new Error(`no scaling case named ${name}`);
  const { loadRequirementSet, expand, emit } = await import(pathToFileURL(join(ROOT, 'dist/index.js')).href);
  const once = async (text) => {
    const t0 = performance.now();
    const loaded = loadRequirementSet(text, 'synthetic.yaml');
    const t1 = performance.now();
    if (!loaded.set) throw new Error(`load: ${loaded.diagnostics.map((d) => d.message).slice(0, 3).join('; ')}`);
    const heapLoad = process.memoryUsage().heapUsed;
    const expanded = expand([loaded.set]);
    const t2 = performance.now();
    if (!expanded.set) throw new Error(`expand: ${expanded.diagnostics.map((d) => d.message).slice(0, 3).join('; ')}`);
    const heapExpand = process.memoryUsage().heapUsed;
    const emitted = await emit(expanded.set, c.target, c.set ?? {});
    const t3 = performance.now();
    const errors = emitted.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length || emitted.files.length === 0) throw new Error(`emit: ${errors.map((d) => d.message).slice(0, 3).join('; ')}`);
    const heap = Math.max(heapLoad, heapExpand, process.memoryUsage().heapUsed);
    const warnings = [...loaded.diagnostics, ...expanded.diagnostics, ...emitted.diagnostics].length;
    return { load: t1 - t0, expand: t2 - t1, emit: t3 - t2, heap, warnings, outputs: c.outputs(emitted.files), bytes: emitted.files.reduce((n, f) => n + f.contents.length, 0) };
  };
  const warm = syntheticYaml(c.kind, Math.min(size, SCALE_WARMUP), c.shape, c.ports).text;
  for (let i = 0; i < 2; i++) await once(warm);
  const gen = syntheticYaml(c.kind, size, c.shape, c.ports);
  const runs = [];
  for (let i = 0; i < scaleIterations(size); i++) runs.push(await once(gen.text));
  const last = runs[runs.length - 1];
  process.stdout.write(
    `${JSON.stringify({
      size,
      requirements: gen.requirements,
      yamlBytes: gen.text.length,
      load: runs.map((r) => r.load),
      expand: runs.map((r) => r.expand),
      emit: runs.map((r) => r.emit),
      heapPeak: Math.max(...runs.map((r) => r.heap)),
      maxRss: process.resourceUsage().maxRSS * 1024,
      outputs: last.outputs,
      outputBytes: last.bytes,
      warnings: last.warnings,
    })}\n`,
  );
}

function benchScaling(cases) {
  return cases.map((c) => ({
    case: c,
    sizes: c.sizes.map((size) => {
      const r = spawnSync(NODE, [SELF, '--scale', c.name, String(size)], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
      if (r.status !== 0) throw new Error(`scaling case "${c.name}" at ${size} failed (exit ${r.status} ${r.signal ?? ''}):\n${r.stderr}`);
      const lines = r.stdout.trim().split('\n');
      const res = JSON.parse(lines[lines.length - 1]);
      if (res.outputs !== size) throw new Error(`scaling case "${c.name}" at ${size}: ${res.outputs} destinations reached the output, not ${size}`);
      const load = median(res.load);
      const expand = median(res.expand);
      const emit = median(res.emit);
      return { ...res, iterations: res.emit.length, load, expand, emit, total: load + expand + emit };
    }),
  }));
}

/**
 * One line per scaling case: each stage's ms at every size, its exponent over the last (tenfold) step, the peak RSS
 * at the largest size. `*` marks an exponent above the goal on a stage of at least FLAG_FLOOR_MS.
 */
function printScalingSummary(done, n, mb) {
  console.log(`\nScaling summary: ms per stage at each size; exponents over the last step (goal ${SUPERLINEAR}; * above it, on a stage of ${FLAG_FLOOR_MS} ms or more)\n`);
  const rows = done.map((r) => {
    const a = r.sizes[r.sizes.length - 2];
    const b = r.sizes[r.sizes.length - 1];
    const ms = (k) => r.sizes.map((x) => x[k].toFixed(0)).join(' / ');
    const exp = (k) => {
      const e = exponent(a[k], b[k], a.size, b.size);
      return `${e.toFixed(2)}${e > SUPERLINEAR && b[k] >= FLAG_FLOOR_MS ? '*' : ''}`;
    };
    return [r.case.target, r.case.kind, r.case.shape ?? 'rows', r.sizes.map((x) => n(x.size)).join(' / '), ms('load'), ms('expand'), ms('emit'), `${n(a.size)} → ${n(b.size)}`, ['load', 'expand', 'emit', 'total'].map(exp).join(' / '), mb(b.maxRss)];
  });
  console.log(table(['target', 'kind', 'shape', 'destinations', 'load ms', 'expand ms', 'emit ms', 'step', 'exponent load/expand/emit/total', 'peak RSS MB'], rows, [false, false, false, true, true, true, true, false, true, true]));
}

/** Growth exponent between two sizes: 1 is linear, 2 quadratic. */
const exponent = (t1, t2, n1, n2) => Math.log(t2 / t1) / Math.log(n2 / n1);
/** The goal of issue 13: every stage at or below this exponent from 10,000 to 100,000 destinations. */
const SUPERLINEAR = 1.15;
/** A stage under this many ms at the larger size is not flagged: at that scale the exponent is mostly noise. */
const FLAG_FLOOR_MS = 50;

// ------------------------------------------------------------------------------------------------
// Service Tags: `run.mjs --service-tags NAME` times and counts; `run.mjs --verify-tags NAME` checks minimality
// ------------------------------------------------------------------------------------------------

/** One requirement per tag of the file, each naming the tag by its full name, as the core would hand it over. */
function allTagsSet(data) {
  const span = { file: 'bench', line: 1, col: 1 };
  const provenance = { document: 'bench' };
  const https = { transport: 'tcp', from: 443, to: 443, protocol: 'https' };
  const requirements = [...data.tags.keys()].map((tag, i) => ({
    id: `bench/tag-${i}`,
    set: 'bench',
    direction: 'outbound',
    destinations: [{ endpoint: { kind: 'service-tag', tag }, ports: [https], provenance: [provenance], span }],
    alternatives: [],
    provenance,
    span,
  }));
  return { sets: [{ id: 'bench', title: 'every service tag', source: provenance, file: 'bench', parameters: {}, options: {} }], requirements };
}

/** Resolved prefixes by tag name, from resolveServiceTags' output. */
function prefixesByTag(resolved) {
  return new Map(resolved.requirements.map((r) => [r.destinations[0].endpoint.resolvedName, r.destinations[0].endpoint.prefixes]));
}

async function childServiceTags(name) {
  const c = SERVICE_TAGS.find((x) => x.name === name);
  if (!c) throw new Error(`no service tags case named ${name}`);
  const { loadServiceTagsFile, resolveServiceTags, aggregatePrefixes } = await import(pathToFileURL(join(ROOT, 'dist/index.js')).href);
  const file = join(ROOT, c.file);
  const stages = { load: [], resolve: [], union: [] };
  let counts;
  let heapPeak = 0;
  for (let i = 0; i < c.iterations; i++) {
    const t0 = performance.now();
    const { data, diagnostics } = await loadServiceTagsFile(file);
    const t1 = performance.now();
    if (!data) throw new Error(`load: ${diagnostics.map((d) => d.message).join('; ')}`);
    const r = resolveServiceTags(allTagsSet(data), data);
    const t2 = performance.now();
    if (!r.set) throw new Error(`resolve: ${r.diagnostics.map((d) => d.message).slice(0, 3).join('; ')}`);
    const byTag = prefixesByTag(r.set);
    const union = aggregatePrefixes([...byTag.values()].flat());
    const t3 = performance.now();
    stages.load.push(t1 - t0);
    stages.resolve.push(t2 - t1);
    stages.union.push(t3 - t2);
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    const tags = [...data.tags.values()];
    counts = {
      tags: tags.length,
      before: tags.reduce((n, t) => n + t.addressPrefixes.length, 0),
      after: [...byTag.values()].reduce((n, p) => n + p.length, 0),
      union: union.length,
    };
  }
  process.stdout.write(`${JSON.stringify({ ...stages, heapPeak, maxRss: process.resourceUsage().maxRSS * 1024, counts })}\n`);
}

async function childVerifyTags(name) {
  const c = SERVICE_TAGS.find((x) => x.name === name);
  if (!c) throw new Error(`no service tags case named ${name}`);
  const { parseServiceTags, resolveServiceTags, aggregatePrefixes } = await import(pathToFileURL(join(ROOT, 'dist/index.js')).href);
  const file = join(ROOT, c.file);
  const text = readFileSync(file, 'utf8');
  const t0 = performance.now();
  // fwgen's answer: each tag resolved and aggregated, and the union of all of them.
  const { data } = parseServiceTags(text, file);
  const r = resolveServiceTags(allTagsSet(data), data);
  if (!r.set) throw new Error(`resolve: ${r.diagnostics.map((d) => d.message).slice(0, 3).join('; ')}`);
  const byTag = prefixesByTag(r.set);
  const union = aggregatePrefixes([...byTag.values()].flat());
  // The independent answer, from the file's own JSON (not fwgen's parser) and bench/prefixes.mjs.
  const raw = JSON.parse(text.replace(/^\uFEFF/, '')).values;
  let before = 0;
  let minimal = 0;
  const mismatches = [];
  for (const v of raw) {
    const inputs = v.properties.addressPrefixes;
    before += inputs.length;
    const cmp = compareWithMinimal(inputs, byTag.get(v.name) ?? []);
    minimal += cmp.minimal;
    if (!cmp.same) mismatches.push(`${v.name} (fwgen ${cmp.actual}, minimum ${cmp.minimal})`);
  }
  const unionCmp = compareWithMinimal(raw.flatMap((v) => v.properties.addressPrefixes), union);
  process.stdout.write(
    `${JSON.stringify({ tags: raw.length, before, minimal, unionMinimal: unionCmp.minimal, unionSame: unionCmp.same, mismatches, ms: performance.now() - t0 })}\n`,
  );
}

function benchServiceTags(cases) {
  const child = (flag, c) => {
    const r = spawnSync(NODE, [SELF, flag, c.name], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`service tags case "${c.name}" (${flag}) failed (exit ${r.status}):\n${r.stderr}`);
    const lines = r.stdout.trim().split('\n');
    return JSON.parse(lines[lines.length - 1]);
  };
  return cases.map((c) => {
    const res = child('--service-tags', c);
    const check = child('--verify-tags', c);
    const isMinimal = check.mismatches.length === 0 && check.minimal === res.counts.after && check.before === res.counts.before && check.unionSame && check.unionMinimal === res.counts.union;
    return { case: c, ...res, load: median(res.load), resolve: median(res.resolve), union: median(res.union), check, isMinimal };
  });
}

// ------------------------------------------------------------------------------------------------
// Big policy: bench/big-policy.mjs written to .bench-tmp/big-N-FORM/, then fwgen run on it as child processes
// ------------------------------------------------------------------------------------------------

function writeBigPolicy(size, form) {
  const dir = join(ROOT, '.bench-tmp', `big-${size}-${form}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const prefixes = bigPolicyPrefixes(size);
  if (form === 'list') {
    writeFileSync(join(dir, 'prefixes.txt'), prefixes.join('\n') + '\n');
    writeFileSync(join(dir, 'policy.yaml'), bigPolicyYaml(prefixes, 'prefixes.txt'));
  } else writeFileSync(join(dir, 'policy.yaml'), bigPolicyYaml(prefixes));
  // 100,000 prefixes aggregate to about 71,000 PAN-OS address objects: only the largest VM-Series tier holds them.
  const set = (t) => (BIG_POLICY.set[t] ? `, set: { ${Object.entries(BIG_POLICY.set[t]).map(([k, v]) => `${k}: ${v}`).join(', ')} }` : '');
  const outputs = BIG_POLICY.targets.map((t) => `  - { path: out/${t}${t === 'iptables' ? '' : t === 'panos' ? '.xml' : t === 'nftables' ? '.nft' : '.yaml'}, target: ${t}, files: [policy.yaml]${set(t)} }`);
  writeFileSync(join(dir, 'fwgen.yaml'), ['outputs:', ...outputs, ''].join('\n'));
  return dir;
}

/** One timed run of a command with bench/rss.cjs preloaded: wall ms and peak RSS bytes. */
function timeWithRss(argv, cwd) {
  const rssFile = join(ROOT, '.bench-tmp', 'rss.txt');
  rmSync(rssFile, { force: true });
  const t0 = performance.now();
  const r = spawnSync(argv[0], ['-r', join(ROOT, 'bench/rss.cjs'), ...argv.slice(1)], { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: { ...process.env, BENCH_RSS_FILE: rssFile }, timeout: 600_000 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.slice(1).join(' ')} in ${cwd} failed (exit ${r.status} ${r.signal ?? ''}):\n${r.stderr.slice(0, 2000)}`);
  return { ms, rss: Number(readFileSync(rssFile, 'utf8')), stderr: r.stderr };
}

/** Objects per output, for the note: what a user would deploy. */
function bigPolicyCounts(dir) {
  const read = (p) => (existsSync(join(dir, 'out', p)) ? readFileSync(join(dir, 'out', p), 'utf8') : '');
  const count = (text, re) => (text.match(re) ?? []).length;
  const panos = read('panos.xml');
  const k8s = read('k8s-networkpolicy.yaml');
  const nft = read('nftables.nft');
  return {
    iptables: `${count(read('iptables/ipset.restore'), /^add /gm)} ipset entries, ${count(read('iptables/iptables.rules'), /^-A /gm)} rules`,
    nftables: `${count(nft, /^\t\t\t[0-9a-f:.]+\/\d+(-[0-9a-f:.]+)?,?$/gm) + count(nft, /^\t\t\t[0-9.]+-[0-9.]+,?$/gm)} set elements`,
    panos: `${count(panos, /<entry name="[^"]*">\s*<(ip-netmask|ip-range)>/g)} address objects, ${count(panos, /<ip-range>/g)} of them ranges, ${count(panos, /<address-group>/g) ? count(panos.split('<address-group>')[1] ?? '', /<entry name=/g) : 0} address groups, ${count(panos, /<external-list>/g)} EDLs`,
    'k8s-networkpolicy': `${count(k8s, /^kind: NetworkPolicy$/gm)} NetworkPolicy objects, ${count(k8s, /cidr: /g)} ipBlocks`,
  };
}

function benchBigPolicy() {
  const base = [NODE, '-e', '0'];
  const rows = [];
  for (const size of BIG_POLICY.sizes) {
    for (const form of ['yaml', 'list']) {
      const dir = writeBigPolicy(size, form);
      const cases = [
        { name: 'node -e 0', argv: base },
        { name: `generate ${BIG_POLICY.targets.length} outputs`, argv: [NODE, join(ROOT, 'bin/fwgen.js'), 'generate'] },
        ...BIG_POLICY.targets.map((t) => ({ name: `emit ${t}`, argv: [NODE, join(ROOT, 'bin/fwgen.js'), 'emit', '--file', 'policy.yaml', '--target', t, ...Object.entries(BIG_POLICY.set[t] ?? {}).flatMap(([k, v]) => ['--set', `${k}=${v}`]), '--out', join(dir, `alone-${t}`)] })),
        { name: 'validate', argv: [NODE, join(ROOT, 'bin/fwgen.js'), 'validate', 'policy.yaml'] },
      ];
      const results = new Map(cases.map((c) => [c.name, []]));
      for (let round = 0; round < BIG_POLICY.runs; round++) {
        for (const c of cases) {
          rmSync(join(dir, 'out'), { recursive: true, force: true });
          for (const t of BIG_POLICY.targets) rmSync(join(dir, `alone-${t}`), { recursive: true, force: true });
          results.get(c.name).push(timeWithRss(c.argv, dir));
        }
      }
      timeWithRss(cases[1].argv, dir);
      const counts = bigPolicyCounts(dir);
      const baseMs = median(results.get('node -e 0').map((r) => r.ms));
      for (const c of cases) {
        const r = results.get(c.name);
        rows.push({ size, form, name: c.name, ms: median(r.map((x) => x.ms)), ratio: median(r.map((x) => x.ms)) / baseMs, rss: Math.max(...r.map((x) => x.rss)), counts });
      }
    }
  }
  return rows;
}

// ------------------------------------------------------------------------------------------------

async function mainBench() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.inProcess) return childInProcess(opts.inProcess);
  if (opts.scale) return childScale(opts.scale.name, opts.scale.size);
  if (opts.tags) return childServiceTags(opts.tags);
  if (opts.verifyTags) return childVerifyTags(opts.verifyTags);

  // `--only SECTION` (cold, in-process, scaling, tags) keeps a whole section; any other text keeps the cases whose name holds it.
  const pick = (list, section) => (!opts.only || opts.only === section ? list : list.filter((c) => c.baseline || c.name.includes(opts.only)));
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  console.log(`fwgen bench — node ${process.version}, ${cpus().length} × ${cpu.trim()}`);
  const mb = (b) => (b / 1024 / 1024).toFixed(1);
  const n = (x) => x.toLocaleString('en-US');
  /** Headline numbers, printed again at the end so a note can quote them. */
  const summary = [];

  const cold = pick(COLD_STARTS, 'cold');
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
    summary.push(`cold start: ${base.case.name} median ${base.median.toFixed(1)} ms (${opts.runs} runs each, interleaved)`);
    for (const r of res) {
      if (r.case.goalRatio === undefined) continue;
      const verdict = r.ratio < r.case.goalRatio ? 'meets' : 'MISSES';
      const extra = r.median - base.median;
      console.log(`\ngoal: ${r.case.name} under ${r.case.goalRatio}x ${base.case.name} — ${verdict} it (${r.ratio.toFixed(2)}x, ${extra >= 0 ? '+' : ''}${extra.toFixed(1)} ms)`);
      summary.push(`cold start: ${r.case.name}: ${r.ratio.toFixed(2)}x ${base.case.name} (median ${r.median.toFixed(1)} ms, ${extra >= 0 ? '+' : ''}${extra.toFixed(1)} ms) — goal ${r.case.goalRatio}x ${verdict.toLowerCase()}`);
    }
  }

  const inproc = pick(IN_PROCESS, 'in-process');
  if (inproc.length > 0) {
    console.log('\nIn-process (each case in its own node process; times after one untimed first call)\n');
    const res = benchInProcess(inproc);
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
    for (const r of res) summary.push(`in-process: ${r.case.name}: median ${r.median.toFixed(2)} ms, peak RSS ${mb(r.maxRss)} MB`);
  }

  const scaling = pick(SCALING, 'scaling');
  if (scaling.length > 0) {
    console.log('\nScaling: synthetic requirement sets (bench/synthetic.mjs), each size in its own node process');
    console.log(`ms are medians of the timed iterations after 2 warm-up runs on ${n(SCALE_WARMUP)} destinations; µs/dest = total / destinations;`);
    console.log(`growth exponent = log(time ratio) / log(size ratio): 1 linear, 2 quadratic (above ${SUPERLINEAR}, the goal, is flagged, for stages over ${FLAG_FLOOR_MS} ms)`);
    const done = [];
    for (const c of scaling) {
      // Printed as each case ends (all of them take minutes); a failed case is reported and the others still run.
      let r;
      try {
        r = benchScaling([c])[0];
      } catch (e) {
        console.log(`\n${c.name}: FAILED: ${e.message}`);
        summary.push(`scaling: ${c.name}: FAILED`);
        process.exitCode = 1;
        continue;
      }
      done.push(r);
      console.log(`\n${c.name}: ${c.kind === 'names' ? 'exact, *. and apex-and-subdomains names' : 'IPv4 and IPv6 prefixes'}, ${c.shape === 'one' ? 'all in one requirement' : 'in rows of 1 to 20'}, emitted for ${c.target}\n`);
      console.log(
        table(
          ['destinations', 'rows', 'YAML MB', 'iter', 'load ms', 'expand ms', 'emit ms', 'total ms', 'µs/dest', 'emit µs/dest', 'output MB', 'warnings', 'peak RSS MB', 'peak heap MB'],
          r.sizes.map((x) => [
            n(x.size),
            n(x.requirements),
            mb(x.yamlBytes),
            x.iterations,
            x.load.toFixed(0),
            x.expand.toFixed(0),
            x.emit.toFixed(0),
            x.total.toFixed(0),
            ((x.total * 1000) / x.size).toFixed(1),
            ((x.emit * 1000) / x.size).toFixed(1),
            mb(x.outputBytes),
            x.warnings,
            mb(x.maxRss),
            mb(x.heapPeak),
          ]),
          [true, true, true, true, true, true, true, true, true, true, true, true, true, true],
        ),
      );
      const growth = [];
      for (let i = 1; i < r.sizes.length; i++) {
        const a = r.sizes[i - 1];
        const b = r.sizes[i];
        const stage = (k) => ({ ratio: b[k] / a[k], exp: exponent(a[k], b[k], a.size, b.size) });
        growth.push({ a, b, load: stage('load'), expand: stage('expand'), emit: stage('emit'), total: stage('total'), perDest: b.total / b.size / (a.total / a.size) });
      }
      console.log('');
      console.log(
        table(
          ['sizes', 'size ×', 'load ×', 'expand ×', 'emit ×', 'total ×', 'µs/dest ×', 'exponent load/expand/emit/total'],
          growth.map((g) => [
            `${n(g.a.size)} → ${n(g.b.size)}`,
            `${(g.b.size / g.a.size).toFixed(0)}x`,
            `${g.load.ratio.toFixed(1)}x`,
            `${g.expand.ratio.toFixed(1)}x`,
            `${g.emit.ratio.toFixed(1)}x`,
            `${g.total.ratio.toFixed(1)}x`,
            `${g.perDest.toFixed(2)}x`,
            [g.load, g.expand, g.emit, g.total].map((s) => s.exp.toFixed(2)).join(' / '),
          ]),
          [false, true, true, true, true, true, true, true],
        ),
      );
      const flagged = growth.flatMap((g) => ['load', 'expand', 'emit'].filter((k) => g[k].exp > SUPERLINEAR && g.b[k] >= FLAG_FLOOR_MS).map((k) => `${k} ${n(g.a.size)} → ${n(g.b.size)} (exponent ${g[k].exp.toFixed(2)})`));
      console.log(flagged.length ? `\nsuper-linear: ${flagged.join('; ')}` : '\nclose to linear: no stage grows with an exponent above ' + SUPERLINEAR);
      const big = r.sizes[r.sizes.length - 1];
      const whole = growth.length ? exponent(r.sizes[0].total, big.total, r.sizes[0].size, big.size) : NaN;
      summary.push(
        `scaling: ${c.name} (${c.target}): ${n(big.size)} destinations in ${(big.total / 1000).toFixed(2)} s ` +
          `(load ${(big.load / 1000).toFixed(2)} s, expand ${(big.expand / 1000).toFixed(2)} s, emit ${(big.emit / 1000).toFixed(2)} s), ` +
          `${((big.total * 1000) / big.size).toFixed(1)} µs/dest, peak RSS ${mb(big.maxRss)} MB; ` +
          `µs/dest ${r.sizes.map((x) => ((x.total * 1000) / x.size).toFixed(1)).join(' → ')} at ${r.sizes.map((x) => n(x.size)).join(' / ')}; ` +
          `exponent ${n(r.sizes[0].size)} → ${n(big.size)} ${whole.toFixed(2)}${flagged.length ? `; SUPER-LINEAR: ${flagged.join('; ')}` : ''}`,
      );
    }
    if (done.length > 1) printScalingSummary(done, n, mb);
  }

  if (!opts.only || 'big policy'.includes(opts.only) || opts.only.startsWith('big')) {
    console.log(`\nBig policy (bench/big-policy.mjs): tcp/443 to N IPv4 prefixes, as YAML or a list file; fwgen as a child process,`);
    console.log(`${BIG_POLICY.runs} rounds with node -e 0 in each; medians; peak RSS from bench/rss.cjs. Goal at 100,000: generate of the four outputs`);
    console.log(`at most ${BIG_POLICY.goalRatio}x node -e 0 and under ${BIG_POLICY.goalRssMiB} MiB\n`);
    const rows = benchBigPolicy();
    console.log(
      table(
        ['prefixes', 'form', 'command', 'median ms', 'ratio', 'peak RSS MiB'],
        rows.map((r) => [n(r.size), r.form, r.name, r.ms.toFixed(0), `${r.ratio.toFixed(1)}x`, mb(r.rss)]),
        [true, false, false, true, true, true],
      ),
    );
    for (const size of BIG_POLICY.sizes) {
      const c = rows.find((r) => r.size === size).counts;
      console.log(`\nat ${n(size)} prefixes: ${Object.entries(c).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
    }
    for (const form of ['yaml', 'list']) {
      const at = (size, name) => rows.find((r) => r.size === size && r.form === form && r.name === name);
      const [small, big] = BIG_POLICY.sizes;
      const gen = `generate ${BIG_POLICY.targets.length} outputs`;
      const g = at(big, gen);
      const verdict = g.ratio <= BIG_POLICY.goalRatio && g.rss < BIG_POLICY.goalRssMiB * 2 ** 20 ? 'meets' : 'MISSES';
      const exps = [gen, ...BIG_POLICY.targets.map((t) => `emit ${t}`), 'validate'].map((name) => {
        const a = at(small, name);
        const b = at(big, name);
        // Without node's own start-up, which does not grow with the input.
        const baseA = at(small, 'node -e 0').ms;
        const baseB = at(big, 'node -e 0').ms;
        return `${name} ${exponent(Math.max(1, a.ms - baseA), Math.max(1, b.ms - baseB), small, big).toFixed(2)}`;
      });
      console.log(`\ngoal (${form}): generate at ${n(big)} prefixes ${g.ratio.toFixed(1)}x node -e 0 (${g.ms.toFixed(0)} ms), peak RSS ${mb(g.rss)} MiB — ${verdict} it`);
      console.log(`growth exponents ${n(small)} → ${n(big)} (time above node -e 0): ${exps.join(', ')}`);
      summary.push(`big policy (${form}): generate 4 outputs at ${n(big)} prefixes ${g.ratio.toFixed(1)}x node -e 0 (${g.ms.toFixed(0)} ms), ${mb(g.rss)} MiB — goal ${BIG_POLICY.goalRatio}x/${BIG_POLICY.goalRssMiB} MiB ${verdict.toLowerCase()}; exponents: ${exps.join(', ')}`);
    }
  }

  const tags = pick(SERVICE_TAGS, 'tags');
  if (tags.length > 0) {
    console.log('\nService Tags: every tag of the file resolved and aggregated (own node process; medians of the iterations),');
    console.log('then checked in another process against the minimum from bench/prefixes.mjs (sibling merging, no fwgen code)\n');
    const res = benchServiceTags(tags);
    console.log(
      table(
        ['case', 'iter', 'load ms', 'resolve+aggregate ms', 'union ms', 'peak RSS MB', 'peak heap MB'],
        res.map((r) => [r.case.name, r.case.iterations, r.load.toFixed(0), r.resolve.toFixed(0), r.union.toFixed(0), mb(r.maxRss), mb(r.heapPeak)]),
        [false, true, true, true, true, true, true],
      ),
    );
    for (const r of res) {
      const k = r.counts;
      console.log(`\n${r.case.name} (${r.case.file}):`);
      console.log(`  tags: ${n(k.tags)}`);
      console.log(`  prefixes before aggregation (all tags): ${n(k.before)}`);
      console.log(`  prefixes after aggregation, each tag on its own (total): ${n(k.after)} (${((1 - k.after / k.before) * 100).toFixed(1)}% fewer)`);
      console.log(`  independent minimum, each tag on its own (total): ${n(r.check.minimal)}; tags whose prefixes differ from it: ${r.check.mismatches.length}`);
      for (const m of r.check.mismatches.slice(0, 10)) console.log(`    ${m}`);
      console.log(`  union of all tags: ${n(k.union)} prefixes after aggregation; independent minimum ${n(r.check.unionMinimal)}, same prefixes: ${r.check.unionSame ? 'yes' : 'no'}`);
      console.log(`  minimal: ${r.isMinimal ? 'yes' : 'no'} (check took ${(r.check.ms / 1000).toFixed(1)} s)`);
      summary.push(
        `service tags: ${n(k.tags)} tags, ${n(k.before)} prefixes → ${n(k.after)} after per-tag aggregation (union of all tags: ${n(k.union)}); ` +
          `load ${r.load.toFixed(0)} ms, resolve+aggregate ${r.resolve.toFixed(0)} ms, peak RSS ${mb(r.maxRss)} MB; minimal: ${r.isMinimal ? 'yes' : 'no'}`,
      );
    }
  }

  if (summary.length > 0) {
    console.log('\nSummary\n');
    for (const line of summary) console.log(`- ${line}`);
  }
}

mainBench().catch((e) => {
  console.error(`bench: ${e.message ?? e}`);
  process.exitCode = 1;
});
