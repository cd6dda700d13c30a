/// <reference types="mocha" />
/**
 * Test harness for checks against the real engines (squid, iptables, nftables, ipset, xmllint).
 * See /work/shared/ENGINES.md for the recipes and traps this module encodes.
 *
 * Rules every helper here follows:
 * - every wait and every loop is bounded in count and in time;
 * - everything started (squid, servers, namespaces, temp folders) is registered and torn down at
 *   process exit even if a test forgets to, or fails half-way;
 * - a missing engine fails the test when FWGEN_REQUIRE_ENGINES=1 (CI), and is skipped loudly otherwise.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, chownSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as netConnect, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

// ---------------------------------------------------------------------------------------------
// Process-wide state (kept on globalThis so that two copies of this module share it)
// ---------------------------------------------------------------------------------------------

interface HarnessState {
  skipped: { engine: string; title: string }[];
  summaryRegistered: boolean;
  exitHookRegistered: boolean;
  children: Set<ChildProcess>;
  namespaces: Set<string>;
  tempDirs: Set<string>;
  shmNames: Set<string>;
  seq: number;
}

const STATE_KEY = Symbol.for('fwgen.spec.engines.state');
const g = globalThis as unknown as Record<symbol, HarnessState | undefined>;
const state: HarnessState = (g[STATE_KEY] ??= {
  skipped: [],
  summaryRegistered: false,
  exitHookRegistered: false,
  children: new Set(),
  namespaces: new Set(),
  tempDirs: new Set(),
  shmNames: new Set(),
  seq: 0,
});

const KEEP_TMP = process.env.FWGEN_KEEP_TMP === '1';

/** A short name unique to this process, usable for netns, squid -n and file names (letters and digits only). */
export function uniqueName(prefix: string): string {
  state.seq += 1;
  return `${prefix}${process.pid.toString(36)}${state.seq.toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;
}

function registerExitHook(): void {
  if (state.exitHookRegistered) return;
  state.exitHookRegistered = true;
  process.once('exit', () => {
    for (const c of state.children) {
      try {
        c.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
    for (const ns of state.namespaces) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: 5000 });
    for (const name of state.shmNames) removeSquidShm(name);
    if (!KEEP_TMP) for (const d of state.tempDirs) rmSync(d, { recursive: true, force: true });
  });
}
registerExitHook();

/** A fresh temp folder, removed at process exit (or earlier by {@link removeTempDir}). */
export function makeTempDir(prefix = 'fwgen-eng-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  state.tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  state.tempDirs.delete(dir);
  if (!KEEP_TMP) rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Engine availability and loud skipping
// ---------------------------------------------------------------------------------------------

const availability = new Map<string, boolean>();
const EXTRA_PATH = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** True when `cmd` is an executable on PATH (sbin folders included, since engines live there). */
export function engineAvailable(cmd: string): boolean {
  const cached = availability.get(cmd);
  if (cached !== undefined) return cached;
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...EXTRA_PATH].filter(Boolean);
  let found = false;
  for (const d of dirs) {
    try {
      accessSync(join(d, cmd), constants.X_OK);
      found = true;
      break;
    } catch {
      /* next */
    }
  }
  availability.set(cmd, found);
  return found;
}

/** Whether this process may create network namespaces (root, with `ip` and `unshare`). */
export function netnsAvailable(): boolean {
  return process.getuid?.() === 0 && engineAvailable('ip') && engineAvailable('unshare');
}

function contextTitle(ctx: Mocha.Context): string {
  const hook = ctx.test as (Mocha.Runnable & { type?: string }) | undefined;
  // From a `before all` hook the skip covers the whole suite: name the suite, not its first test.
  if (hook?.type === 'hook' && /before all/.test(hook.title) && hook.parent) return `${hook.parent.fullTitle()} (whole suite)`;
  const r = (ctx.currentTest ?? ctx.test) as Mocha.Runnable | undefined;
  return r?.fullTitle() ?? '(unknown test)';
}

function skipOrFail(ctx: Mocha.Context, engine: string, why: string): void {
  const title = contextTitle(ctx);
  if (process.env.FWGEN_REQUIRE_ENGINES === '1') {
    throw new Error(`engine ${engine} ${why}, and FWGEN_REQUIRE_ENGINES=1 forbids skipping: ${title}`);
  }
  state.skipped.push({ engine, title });
  process.stderr.write(`\n!!!!! SKIPPED (engine ${engine} ${why}): ${title}\n`);
  ctx.skip();
}

/**
 * Skips the test (or, from a `before` hook, the whole suite) when `cmd` is not installed, loudly;
 * with FWGEN_REQUIRE_ENGINES=1 it throws instead, so CI cannot silently skip engine checks.
 */
export function requireEngine(ctx: Mocha.Context, cmd: string): void {
  if (!engineAvailable(cmd)) skipOrFail(ctx, cmd, 'not installed');
}

export function requireEngines(ctx: Mocha.Context, ...cmds: string[]): void {
  for (const c of cmds) requireEngine(ctx, c);
}

/** Like {@link requireEngine} for network namespaces (needs root, `ip` and `unshare`). */
export function requireNetns(ctx: Mocha.Context): void {
  requireEngines(ctx, 'ip', 'unshare');
  if (process.getuid?.() !== 0) skipOrFail(ctx, 'netns', 'unusable (not root)');
}

/** Checks skipped so far in this process. */
export function skippedChecks(): readonly { engine: string; title: string }[] {
  return state.skipped;
}

function printSkipSummary(): void {
  if (state.skipped.length === 0) return;
  const lines = [
    '',
    `!!!!! ${state.skipped.length} ENGINE CHECK(S) SKIPPED — these outputs were NOT verified by a real engine:`,
    ...state.skipped.map((s) => `!!!!!   [${s.engine}] ${s.title}`),
    '!!!!! Install the engines (see ENGINES.md) or set FWGEN_REQUIRE_ENGINES=1 to make this an error.',
    '',
  ];
  process.stderr.write(lines.join('\n') + '\n');
}

// Root `after` hook: at module evaluation time mocha's current suite is the root suite.
if (!state.summaryRegistered) {
  state.summaryRegistered = true;
  if (typeof (globalThis as { after?: unknown }).after === 'function') {
    after('engine check skip summary', printSkipSummary);
  } else {
    process.once('exit', printSkipSummary);
  }
}

// ---------------------------------------------------------------------------------------------
// Running commands
// ---------------------------------------------------------------------------------------------

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Environment without proxy variables, so curl and friends do exactly what their arguments say. */
function cleanEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!/^(https?|all|no|ftp)_proxy$/i.test(k)) out[k] = v;
  out.PATH = [...(env.PATH ?? '').split(delimiter), ...EXTRA_PATH].filter(Boolean).join(delimiter);
  return out;
}

/** Runs a command asynchronously (never blocks the event loop, so in-process servers keep answering). */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error('run: empty argv');
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: cleanEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
    state.children.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin!.on('error', () => {});
    child.stdin!.end(opts.input ?? '');
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      state.children.delete(child);
      resolve({ code, signal, stdout, stderr, timedOut });
    };
    child.on('error', (e) => {
      stderr += String(e);
      finish(127, null);
    });
    child.on('close', finish);
  });
}

/** Synchronous variant for quick commands that talk to no in-process server. */
export function runSync(argv: readonly string[], opts: RunOptions = {}): RunResult {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error('runSync: empty argv');
  const r = spawnSync(cmd, args, { env: cleanEnv(opts.env), input: opts.input ?? '', encoding: 'utf8', timeout: opts.timeoutMs ?? 30_000 });
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  return {
    code: r.error && !timedOut ? 127 : r.status,
    signal: r.signal,
    stdout: r.stdout ?? '',
    stderr: (r.stderr ?? '') + (r.error && !timedOut ? String(r.error) : ''),
    timedOut,
  };
}

function checkedSync(argv: readonly string[], opts: RunOptions = {}): RunResult {
  const r = runSync(argv, opts);
  if (r.code !== 0) throw new Error(`command failed (${r.timedOut ? 'timeout' : `exit ${r.code}`}): ${argv.join(' ')}\n${r.stderr}${r.stdout}`);
  return r;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Prefix that runs a command in a throw-away network namespace (root: `unshare -n`, otherwise `unshare -rn`). */
function throwAwayNs(): string[] {
  return process.getuid?.() === 0 ? ['unshare', '--net', '--'] : ['unshare', '--user', '--map-root-user', '--net', '--'];
}

function writeTemp(name: string, text: string): { dir: string; file: string } {
  const dir = makeTempDir();
  const file = join(dir, name);
  writeFileSync(file, text);
  return { dir, file };
}

// ---------------------------------------------------------------------------------------------
// Static checks: squid -k parse, iptables-restore, nft -c, ipset restore, xmllint
// ---------------------------------------------------------------------------------------------

export interface CheckResult {
  ok: boolean;
  code: number | null;
  output: string;
}

export interface SquidParseResult extends CheckResult {
  /** `WARNING` lines (exit 0 anyway, e.g. `.a.example.com` beside `.example.com`). */
  warnings: string[];
  /** `ERROR` and `FATAL` lines. */
  errors: string[];
}

/**
 * Runs `squid -k parse -f FILE` on a complete squid.conf text. `ok` is squid's verdict (exit 0);
 * pass `{ strict: true }` to also fail on WARNING lines.
 */
export function squidParse(conf: string, opts: { strict?: boolean } = {}): SquidParseResult {
  const { dir, file } = writeTemp('squid.conf', conf);
  try {
    const r = runSync(['squid', '-k', 'parse', '-f', file], { timeoutMs: 30_000 });
    const output = r.stderr + r.stdout;
    const lines = output.split('\n');
    const warnings = lines.filter((l) => /\bWARNING\b/.test(l));
    const errors = lines.filter((l) => /\b(ERROR|FATAL)\b/.test(l));
    const ok = r.code === 0 && !(opts.strict && warnings.length > 0);
    return { ok, code: r.code, output, warnings, errors };
  } finally {
    removeTempDir(dir);
  }
}

export interface RestoreTestResult extends CheckResult {
  /** Which step failed: `test` (iptables-restore --test) or `load` (a real load in a throw-away namespace). */
  failedAt?: 'test' | 'load';
}

/**
 * Checks an iptables-restore file: `--test` first, then a real load inside a throw-away network
 * namespace (the nf_tables backend's --test misses jumps to undefined chains). Never touches the host.
 */
export function iptablesRestoreTest(text: string, v6 = false): RestoreTestResult {
  const bin = v6 ? 'ip6tables-restore' : 'iptables-restore';
  const { dir, file } = writeTemp('rules', text);
  try {
    const t = runSync([...throwAwayNs(), bin, '--test', file]);
    if (t.code !== 0) return { ok: false, code: t.code, output: t.stderr + t.stdout, failedAt: 'test' };
    const l = runSync([...throwAwayNs(), bin, file]);
    if (l.code !== 0) return { ok: false, code: l.code, output: l.stderr + l.stdout, failedAt: 'load' };
    return { ok: true, code: 0, output: t.stderr + t.stdout + l.stderr + l.stdout };
  } finally {
    removeTempDir(dir);
  }
}

/** `nft -c -f FILE` in a throw-away namespace; `{ load: true }` also loads it for real there. */
export function nftCheck(text: string, opts: { load?: boolean } = {}): CheckResult {
  const { dir, file } = writeTemp('rules.nft', text);
  try {
    const c = runSync([...throwAwayNs(), 'nft', '-c', '-f', file]);
    if (c.code !== 0 || !opts.load) return { ok: c.code === 0, code: c.code, output: c.stderr + c.stdout };
    const l = runSync([...throwAwayNs(), 'nft', '-f', file]);
    return { ok: l.code === 0, code: l.code, output: l.stderr + l.stdout };
  } finally {
    removeTempDir(dir);
  }
}

/** `ipset restore` of a save-format text in a throw-away namespace. `{ exist: true }` adds `-exist` (tolerates duplicates). */
export function ipsetRestore(text: string, opts: { exist?: boolean } = {}): CheckResult {
  const { dir, file } = writeTemp('sets.ipset', text);
  try {
    const r = runSync([...throwAwayNs(), 'ipset', ...(opts.exist ? ['-exist'] : []), 'restore', '-file', file]);
    return { ok: r.code === 0, code: r.code, output: r.stderr + r.stdout };
  } finally {
    removeTempDir(dir);
  }
}

/** `xmllint --noout --nonet FILE` (exit 1: malformed), with `{ schema }` also `--schema X.xsd` (exit 3: invalid). */
export function xmllintCheck(text: string, opts: { schema?: string } = {}): CheckResult {
  const { dir, file } = writeTemp('doc.xml', text);
  try {
    const r = runSync(['xmllint', '--noout', '--nonet', ...(opts.schema ? ['--schema', opts.schema] : []), file]);
    return { ok: r.code === 0, code: r.code, output: r.stderr + r.stdout };
  } finally {
    removeTempDir(dir);
  }
}

// ---------------------------------------------------------------------------------------------
// Ports and waiting
// ---------------------------------------------------------------------------------------------

/** A TCP port that was free on `host` a moment ago. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = netConnect({ host, port });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** Polls until something listens on host:port; false after `timeoutMs` (or as soon as `abort()` says so). */
export async function waitForPort(host: string, port: number, timeoutMs = 10_000, abort: () => boolean = () => false): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
    if (abort()) return false;
    if (await canConnect(host, port)) return true;
    await sleep(50);
  }
  return false;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
async function terminate(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    if (!(await waitForExit(child, graceMs))) {
      child.kill('SIGKILL');
      await waitForExit(child, 3000);
    }
  }
  state.children.delete(child);
}

// ---------------------------------------------------------------------------------------------
// Live squid
// ---------------------------------------------------------------------------------------------

export interface SquidInstance {
  port: number;
  /** The instance's folder (squid.conf, fragment.conf, hosts, cache.log, access.log). */
  dir: string;
  /** Contents of access.log so far. */
  accessLog(): string;
  /** Contents of cache.log so far. */
  cacheLog(): string;
  stop(): Promise<void>;
}

export interface StartSquidOptions {
  /** Generated acl / http_access lines (should end with `http_access deny all`). */
  fragment: string;
  /** name -> IP for squid's hosts_file; a name missing here costs a DNS timeout and a 502. */
  hosts?: Record<string, string>;
  /** Extra directives placed before the fragment. */
  extra?: string;
  /** Bound on the wait until the port listens. */
  startTimeoutMs?: number;
}

let proxyIds: { uid: number; gid: number } | null | undefined;
function proxyUser(): { uid: number; gid: number } | null {
  if (proxyIds !== undefined) return proxyIds;
  proxyIds = null;
  if (process.getuid?.() === 0) {
    const u = runSync(['id', '-u', 'proxy'], { timeoutMs: 5000 });
    const gr = runSync(['id', '-g', 'proxy'], { timeoutMs: 5000 });
    if (u.code === 0 && gr.code === 0) proxyIds = { uid: Number(u.stdout.trim()), gid: Number(gr.stdout.trim()) };
  }
  return proxyIds;
}

function removeSquidShm(name: string): void {
  try {
    for (const f of readdirSync('/dev/shm')) if (f.startsWith(`squid-${name}`)) rmSync(join('/dev/shm', f), { force: true });
  } catch {
    /* no /dev/shm */
  }
  state.shmNames.delete(name);
}

/** The throw-away squid.conf used by {@link startSquid} (exported so a spec can parse exactly what it runs). */
export function squidBaseConfig(o: { port: number; dir: string; extra?: string; include: string }): string {
  return [
    `http_port 127.0.0.1:${o.port}`,
    'visible_hostname fwgen-test',
    `pid_filename ${o.dir}/squid.pid`,
    `cache_log ${o.dir}/cache.log`,
    `access_log stdio:${o.dir}/access.log`,
    'cache_store_log none',
    'netdb_filename none',
    'pinger_enable off',
    'cache deny all',
    'cache_mem 8 MB',
    'memory_pools off',
    'shutdown_lifetime 0 seconds',
    `hosts_file ${o.dir}/hosts`,
    'dns_nameservers 127.0.0.1',
    'dns_timeout 2 seconds',
    'connect_timeout 5 seconds',
    'icp_port 0',
    'htcp_port 0',
    'logfile_rotate 0',
    `coredump_dir ${o.dir}`,
    o.extra ?? '',
    `include ${o.include}`,
    '',
  ].join('\n');
}

/**
 * Starts a throw-away squid in the foreground (`squid -N -f CONF -n UNIQUE`) whose only access rules
 * are `fragment`, resolving names only through `hosts`. Resolves once the port listens (bounded).
 */
export async function startSquid(opts: StartSquidOptions): Promise<SquidInstance> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startSquidOnce(opts);
    } catch (e) {
      lastError = e as Error;
      if (!/port|bind|listen/i.test(lastError.message)) break; // retry only the free-port race
    }
  }
  throw lastError;
}

async function startSquidOnce(opts: StartSquidOptions): Promise<SquidInstance> {
  const dir = makeTempDir('fwgen-squid-');
  const name = uniqueName('fws');
  const port = await freePort();
  const hosts = Object.entries(opts.hosts ?? {})
    .map(([n, ip]) => `${ip} ${n}`)
    .join('\n');
  const conf = join(dir, 'squid.conf');
  const fragmentFile = join(dir, 'fragment.conf');
  writeFileSync(join(dir, 'hosts'), `${hosts}\n`);
  writeFileSync(fragmentFile, opts.fragment.endsWith('\n') ? opts.fragment : `${opts.fragment}\n`);
  writeFileSync(conf, squidBaseConfig({ port, dir, extra: opts.extra, include: fragmentFile }));
  // Started as root, squid drops to user `proxy`: its folder must be writable by that user.
  chmodSync(dir, 0o755);
  const ids = proxyUser();
  if (ids) for (const f of ['', 'squid.conf', 'fragment.conf', 'hosts']) chownSync(join(dir, f), ids.uid, ids.gid);

  state.shmNames.add(name);
  const child = spawn('squid', ['-N', '-f', conf, '-n', name], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() });
  state.children.add(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d.slice(0, 100_000)));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d.slice(0, 100_000)));
  let spawnError: Error | undefined;
  child.on('error', (e) => (spawnError = e));
  const exited = (): boolean => spawnError !== undefined || child.exitCode !== null || child.signalCode !== null;

  const readLog = (f: string): string => {
    try {
      return readFileSync(join(dir, f), 'utf8');
    } catch {
      return '';
    }
  };
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await terminate(child, 10_000);
    removeSquidShm(name);
    removeTempDir(dir);
  };

  const up = await waitForPort('127.0.0.1', port, opts.startTimeoutMs ?? 10_000, exited);
  if (!up) {
    const why = spawnError ? String(spawnError) : exited() ? `exited with ${child.exitCode ?? child.signalCode}` : 'did not listen in time';
    const log = `${output}\n${readLog('cache.log')}`.trim().split('\n').slice(-30).join('\n');
    await stop();
    throw new Error(`squid ${why} (port ${port}):\n${log}`);
  }
  return { port, dir, accessLog: () => readLog('access.log'), cacheLog: () => readLog('cache.log'), stop };
}

// ---------------------------------------------------------------------------------------------
// In-process test servers on loopback addresses
// ---------------------------------------------------------------------------------------------

export interface TestServer {
  ip: string;
  port: number;
  /** Requests answered so far. */
  hits(): number;
  close(): Promise<void>;
}

function listen(server: HttpServer, ip: string, port: number): Promise<TestServer> {
  let hits = 0;
  server.on('request', (_req, res) => {
    hits += 1;
    res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
    res.end(`ok ${ip}:${(server.address() as { port: number } | null)?.port ?? port}\n`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ip, () => {
      server.off('error', reject);
      // Port 0 asks the system for a free port: report the one it gave.
      const bound = (server.address() as { port: number }).port;
      resolve({
        ip,
        port: bound,
        hits: () => hits,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections?.();
            server.close(() => r());
            setTimeout(r, 2000).unref();
          }),
      });
    });
  });
}

/** Plain HTTP server on ip:port (127.0.0.x), answering 200 `ok <ip>:<port>`. */
export function startHttpServer(ip: string, port: number): Promise<TestServer> {
  return listen(createHttpServer(), ip, port);
}

let tlsMaterial: { key: Buffer; cert: Buffer; keyFile: string; certFile: string } | undefined;

/** A self-signed key and certificate (CN=test), generated once per process with openssl. */
export function selfSignedCert(): { key: Buffer; cert: Buffer; keyFile: string; certFile: string } {
  if (tlsMaterial) return tlsMaterial;
  const dir = makeTempDir('fwgen-tls-');
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  checkedSync(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=test', '-days', '2', '-keyout', keyFile, '-out', certFile], { timeoutMs: 30_000 });
  tlsMaterial = { key: readFileSync(keyFile), cert: readFileSync(certFile), keyFile, certFile };
  return tlsMaterial;
}

/** HTTPS server on ip:port (e.g. 127.0.0.2:443) with a self-signed certificate, answering 200 `ok <ip>:<port>`. */
export function startTlsServer(ip: string, port: number): Promise<TestServer> {
  const { key, cert } = selfSignedCert();
  return listen(createHttpsServer({ key, cert }) as unknown as HttpServer, ip, port);
}

/** What {@link startOnLoopback} starts on each address: a port (fixed, because a catalog requires it) and its kind. */
export interface LoopbackServerSpec {
  port: number;
  tls?: boolean;
}

/** A random loopback address outside 127.0.0.0/16, where clients and bound test sources live. */
function randomLoopback(): string {
  const r = (n: number) => Math.floor(Math.random() * n);
  return `127.${1 + r(254)}.${r(256)}.${1 + r(254)}`;
}

/**
 * Test servers on fixed ports (the 443 and 80 a catalog requires) of `count` loopback addresses. Any address of
 * 127.0.0.0/8 reaches this host, so when a port is taken on one address (another process, or the same spec run twice
 * at once on a busy machine) the servers move to fresh random addresses: `preferred` first, then up to `attempts`
 * random groups. Anything but EADDRINUSE fails at once.
 */
export async function startOnLoopback(count: number, specs: readonly LoopbackServerSpec[], opts: { preferred?: string[]; attempts?: number } = {}): Promise<{ ips: string[]; servers: TestServer[] }> {
  const attempts = opts.attempts ?? 8;
  const tried: string[] = [];
  for (let attempt = 0; attempt < attempts; attempt++) {
    const ips = attempt === 0 && opts.preferred?.length === count ? [...opts.preferred] : [];
    while (ips.length < count) {
      const ip = randomLoopback();
      if (!ips.includes(ip)) ips.push(ip);
    }
    tried.push(ips.join('/'));
    const started: TestServer[] = [];
    try {
      for (const ip of ips) for (const spec of specs) started.push(await (spec.tls ? startTlsServer(ip, spec.port) : startHttpServer(ip, spec.port)));
      return { ips, servers: started };
    } catch (e) {
      await Promise.all(started.map((x) => x.close()));
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    }
  }
  throw new Error(`ports ${specs.map((x) => x.port).join(', ')} were in use on every loopback address tried: ${tried.join(', ')}`);
}

// ---------------------------------------------------------------------------------------------
// Client through the proxy
// ---------------------------------------------------------------------------------------------

export interface ProxyResult {
  /** curl's exit code: 0 ok, 56 for a refused CONNECT, 28 timeout, 7 cannot connect to the proxy. */
  curlExit: number;
  /** Final HTTP status (0 when none). */
  httpCode: number;
  /** The proxy's answer to CONNECT (0 when no CONNECT was made). */
  proxyStatus: number;
  stderr: string;
}

/**
 * One request through the proxy with curl. `connect: true` forces a CONNECT tunnel (`--proxytunnel`);
 * an https URL tunnels anyway (and gets `-k` for the self-signed certificate).
 */
export async function proxyRequest(o: { proxyPort: number; url: string; connect?: boolean; maxTimeSec?: number }): Promise<ProxyResult> {
  const maxTime = o.maxTimeSec ?? 5;
  const args = ['curl', '-sS', '--max-time', String(maxTime), '-x', `http://127.0.0.1:${o.proxyPort}`, '-o', '/dev/null', '-w', '%{http_code} %{http_connect}'];
  if (o.connect) args.push('--proxytunnel');
  if (o.url.startsWith('https:')) args.push('-k');
  args.push(o.url);
  const r = await run(args, { timeoutMs: (maxTime + 5) * 1000 });
  const [code, connectCode] = r.stdout.trim().split(/\s+/);
  return { curlExit: r.code ?? -1, httpCode: Number(code ?? 0) || 0, proxyStatus: Number(connectCode ?? 0) || 0, stderr: r.stderr };
}

// ---------------------------------------------------------------------------------------------
// Network namespaces: client C and server S joined by a veth pair
// ---------------------------------------------------------------------------------------------

/** Runs argv inside namespace `ns` (`ip netns exec NS ...`), asynchronously and bounded. */
export function netnsExec(ns: string, argv: readonly string[] | string, opts: RunOptions = {}): Promise<RunResult> {
  const cmd = typeof argv === 'string' ? ['sh', '-c', argv] : argv;
  return run(['ip', 'netns', 'exec', ns, ...cmd], { timeoutMs: 30_000, ...opts });
}

/** curl from namespace `ns` to http://ip:port/ ; returns curl's exit code (0 ok, 7 refused/REJECT, 28 timeout/DROP). */
export async function netnsConnect(ns: string, ip: string, port: number, timeoutSec = 2): Promise<number> {
  const host = ip.includes(':') ? `[${ip}]` : ip;
  const r = await netnsExec(ns, ['curl', '-sS', '-o', '/dev/null', '--connect-timeout', String(timeoutSec), '--max-time', String(timeoutSec + 2), `http://${host}:${port}/`], {
    timeoutMs: (timeoutSec + 6) * 1000,
  });
  return r.code ?? -1;
}

const SERVER_SCRIPT = `
const http = require('http');
const [ip, port] = process.argv.slice(1);
const srv = http.createServer((q, r) => { r.writeHead(200, { connection: 'close' }); r.end('ok ' + ip + ':' + port + '\\n'); });
srv.on('error', (e) => { console.error(String(e)); process.exit(1); });
srv.listen(Number(port), ip, () => console.log('listening'));
process.on('SIGTERM', () => process.exit(0));
`;

export interface NetnsServer {
  ip: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts an HTTP server (node) inside `ns` on ip:port; resolves once it listens (bounded). */
export async function netnsStartServer(ns: string, ip: string, port: number, timeoutMs = 10_000): Promise<NetnsServer> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', SERVER_SCRIPT, ip, String(port)], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() });
  state.children.add(child);
  let out = '';
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (out.includes('listening')) {
        clearTimeout(timer);
        resolve(true);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('error', (e) => {
      out += String(e);
      clearTimeout(timer);
      resolve(false);
    });
  });
  const stop = (): Promise<void> => terminate(child, 3000);
  if (!ready) {
    await stop();
    throw new Error(`server in ${ns} on ${ip}:${port} did not start: ${out}`);
  }
  return { ip, port, stop };
}

export interface NetnsPair {
  /** Client namespace name (10.200.0.1/24, fd00:200::1/64 on veth0). */
  c: string;
  /** Server namespace name (10.200.0.2/24, fd00:200::2/64 on veth0). */
  s: string;
  cIp: string;
  sIp: string;
  cIp6: string;
  sIp6: string;
  /** The veth device's name in both namespaces. */
  dev: string;
  exec(ns: string, argv: readonly string[] | string, opts?: RunOptions): Promise<RunResult>;
  /** Adds an address (with prefix, e.g. `10.200.0.3/24` or `fd00:200::3/64`) on veth0 in `ns` (default S). */
  addAddress(cidr: string, ns?: string): void;
  /** HTTP server in S (or `ns`); stopped by cleanup() at the latest. */
  startServer(ip: string, port: number, ns?: string): Promise<NetnsServer>;
  /** curl exit code from C (or `ns`) to http://ip:port/. */
  connect(ip: string, port: number, timeoutSec?: number, ns?: string): Promise<number>;
  /** Loads an iptables-restore file for real in C (or `ns`). */
  iptablesRestore(text: string, opts?: { v6?: boolean; ns?: string }): Promise<RunResult>;
  /** Loads an nft file for real in C (or `ns`). */
  nftLoad(text: string, ns?: string): Promise<RunResult>;
  /** Loads an `ipset restore` file for real in C (or `ns`). */
  ipsetRestore(text: string, ns?: string): Promise<RunResult>;
  /** Stops servers and deletes both namespaces; idempotent, never throws. */
  cleanup(): Promise<void>;
}

function createNetnsPair(): NetnsPair {
  const id = uniqueName('');
  const c = `fwgenC${id}`;
  const s = `fwgenS${id}`;
  const dev = 'veth0';
  const servers: NetnsServer[] = [];
  let cleaned = false;
  const cleanup = async (): Promise<void> => {
    if (cleaned) return;
    cleaned = true;
    await Promise.all(servers.map((sv) => sv.stop().catch(() => {})));
    for (const ns of [c, s]) {
      if (state.namespaces.has(ns)) runSync(['ip', 'netns', 'del', ns], { timeoutMs: 10_000 });
      state.namespaces.delete(ns);
    }
  };
  try {
    for (const ns of [c, s]) {
      checkedSync(['ip', 'netns', 'add', ns], { timeoutMs: 10_000 });
      state.namespaces.add(ns);
    }
    checkedSync(['ip', '-n', c, 'link', 'add', dev, 'type', 'veth', 'peer', 'name', dev, 'netns', s]);
    checkedSync(['ip', '-n', c, 'addr', 'add', '10.200.0.1/24', 'dev', dev]);
    checkedSync(['ip', '-n', s, 'addr', 'add', '10.200.0.2/24', 'dev', dev]);
    for (const ns of [c, s]) {
      checkedSync(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
      checkedSync(['ip', '-n', ns, 'link', 'set', dev, 'up']);
    }
    // IPv6 is best effort (a kernel may have it disabled); nodad makes the addresses usable at once.
    runSync(['ip', '-n', c, '-6', 'addr', 'add', 'fd00:200::1/64', 'dev', dev, 'nodad']);
    runSync(['ip', '-n', s, '-6', 'addr', 'add', 'fd00:200::2/64', 'dev', dev, 'nodad']);
  } catch (e) {
    for (const ns of [c, s]) {
      if (state.namespaces.has(ns)) runSync(['ip', 'netns', 'del', ns]);
      state.namespaces.delete(ns);
    }
    throw e;
  }
  const loadFile = async (ns: string, argv: string[], name: string, text: string): Promise<RunResult> => {
    const { dir, file } = writeTemp(name, text);
    try {
      return await netnsExec(ns, [...argv, file]);
    } finally {
      removeTempDir(dir);
    }
  };
  return {
    c,
    s,
    cIp: '10.200.0.1',
    sIp: '10.200.0.2',
    cIp6: 'fd00:200::1',
    sIp6: 'fd00:200::2',
    dev,
    exec: netnsExec,
    addAddress(cidr, ns = s) {
      checkedSync(['ip', '-n', ns, 'addr', 'add', cidr, 'dev', dev, ...(cidr.includes(':') ? ['nodad'] : [])]);
    },
    async startServer(ip, port, ns = s) {
      const sv = await netnsStartServer(ns, ip, port);
      servers.push(sv);
      return sv;
    },
    connect: (ip, port, timeoutSec = 2, ns = c) => netnsConnect(ns, ip, port, timeoutSec),
    iptablesRestore: (text, o = {}) => loadFile(o.ns ?? c, [o.v6 ? 'ip6tables-restore' : 'iptables-restore'], 'rules', text),
    nftLoad: (text, ns = c) => loadFile(ns, ['nft', '-f'], 'rules.nft', text),
    ipsetRestore: (text, ns = c) => loadFile(ns, ['ipset', 'restore', '-file'], 'ipset.restore', text),
    cleanup,
  };
}

/**
 * Creates namespaces C and S joined by a veth pair (10.200.0.1/24 in C, 10.200.0.2/24 in S).
 * With a callback: runs it and always cleans up afterwards (also when it throws), returning its result.
 * Without: returns the pair; call `cleanup()` in an `after` hook (process exit deletes leftovers too).
 */
export function withNetns(): Promise<NetnsPair>;
export function withNetns<T>(fn: (pair: NetnsPair) => Promise<T> | T): Promise<T>;
export async function withNetns<T>(fn?: (pair: NetnsPair) => Promise<T> | T): Promise<NetnsPair | T> {
  const pair = createNetnsPair();
  if (!fn) return pair;
  try {
    return await fn(pair);
  } finally {
    await pair.cleanup();
  }
}
