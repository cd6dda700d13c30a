/**
 * A real Squid, given only the generated fragment, enforces what the requirements say and nothing more.
 *
 * For each scenario (built-in catalogs with parameters and options) and each subdomain mode, the fragment is loaded
 * into a throw-away Squid on 127.0.0.1 whose hosts_file maps every required name (and concrete names for its
 * wildcards, at depth 1 and 2) to address OK, and every near-miss name to address MISS; test servers listen on both
 * (HTTP on 80 and 8080, TLS on 443 and 8443), so a request the proxy wrongly lets through gets a 200, not an error.
 *
 * - every required host and port answers through the proxy (CONNECT: 200 and then TLS works; plain HTTP: 200);
 * - every near miss gets 403 without reaching a server: the apex of a wildcard, look-alikes (evil-NAME,
 *   NAME.evil.test, a subdomain of an exact name, a dot that a regex would take for any character), a required
 *   host on a port that was not required, plain HTTP where only HTTPS was required and CONNECT where only plain
 *   HTTP was, the bare IP address the allowed names resolve to (plain and CONNECT), and a required host asked for
 *   from a client outside the requirement's sources;
 * - with --set subdomains=widen the apex of a wildcard is allowed, as the widened diagnostic says.
 *
 * Expectations come from a small reference reading of the resolved requirements (see `verdict`), independent of
 * the emitter: a candidate near miss that some requirement does allow is not used as a near miss.
 */
import { expect } from 'chai';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogFile } from '../../../lib/catalogs/index.js';
import { expand } from '../../../lib/expand/index.js';
import { loadRequirementFile } from '../../../lib/load/index.js';
import type { ResolvedRequirement, ResolvedRequirementSet } from '../../../lib/model/resolved.js';
import { runCli } from '../../helpers/cli.js';
import { labelMatches } from '../../../lib/model/host-form.js';
import { proxyRequest, requireEngines, startOnLoopback, startSquid, type SquidInstance, type TestServer } from '../../helpers/engines.js';

type Mode = 'exact' | 'widen';
type Method = 'CONNECT' | 'GET';

interface Scenario {
  name: string;
  catalogs: string[];
  /** Requirement files (relative to spec/fixtures/), besides the catalogs. */
  files?: string[];
  params?: Record<string, string>;
  options?: Record<string, string>;
  bind?: Record<string, string>;
}

const SCENARIOS: Scenario[] = [
  { name: 'mcr', catalogs: ['mcr'] },
  { name: 'mcr cloud=china', catalogs: ['mcr'], options: { cloud: 'china' } },
  // Training job rows use http:80.
  { name: 'azure-arc-ml', catalogs: ['azure-arc-ml'], params: { region: 'eastus', 'region-code': 'eus' } },
  {
    name: 'acr',
    catalogs: ['acr'],
    params: { registry: 'myreg', region: 'eastus', 'replica-regions': 'westeurope' },
    options: { 'dedicated-data-endpoints': 'true', 'regional-endpoints': 'true' },
  },
  // The test client (127.0.0.1) is the installer machine, not a cluster node: sources must be enforced.
  {
    name: 'runai (sources bound)',
    catalogs: ['runai'],
    params: { 'control-plane-fqdn': 'cp.example.com' },
    bind: { 'installer-machine': '127.0.0.1/32', 'all-kubernetes-nodes': '10.9.9.0/24', 'runai-system-nodes': '10.9.10.0/24', 'bcm-headnodes': '10.9.11.0/24' },
  },
  // Overlapping source prefixes (squid ignores one of two overlapping src entries), 0.0.0.0/0, IPv6-only sources.
  { name: 'source-overlap fixture', catalogs: [], files: ['source-overlap/input.yaml'], bind: { clients: '127.0.0.64/26,127.0.0.0/24' } },
  // The Microsoft 365 endpoints as `fwgen feed m365` writes them (spec/feeds/m365.spec.ts checks it is current).
  { name: 'm365 endpoints (fwgen feed m365)', catalogs: [], files: ['../feeds/fixtures/m365-set.yaml'] },
];

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

/** The address the test client connects from. */
const CLIENT = '127.0.0.1';
/** HTTP servers listen on these ports, TLS servers on the others. */
const HTTP_PORTS = [80, 8080];
// 25: the Microsoft 365 SMTP relay names (tcp:25) are reached by CONNECT like any other TCP port.
const TLS_PORTS = [25, 443, 8443];
const CONCURRENCY = 12;

interface Probe {
  kind: 'required' | 'near-miss';
  /** What kind of near miss (or `required`). */
  cls: string;
  host: string;
  port: number;
  method: Method;
  /** `required` and `widened` expect 200, `denied` 403. */
  expect: 'required' | 'widened' | 'denied';
}

// ---------------------------------------------------------------------------------------------
// Reference reading of the requirements
// ---------------------------------------------------------------------------------------------

function ipv4(ip: string): number | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  return m ? m.slice(1).reduce((a, x) => a * 256 + Number(x), 0) : undefined;
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, len] = cidr.split('/');
  const a = ipv4(ip);
  const b = ipv4(net!);
  if (a === undefined || b === undefined) return false;
  const bits = Number(len);
  const size = 2 ** (32 - bits);
  return Math.floor(a / size) === Math.floor(b / size);
}

/** Whether the requirement applies to CLIENT: `true`, `false`, or `widened` (an unbound group stands for anyone). */
function sourceVerdict(req: ResolvedRequirement): boolean | 'widened' {
  if (!req.sources?.length) return true;
  let widened = false;
  for (const s of req.sources) {
    if (s.kind === 'cidr' && inCidr(CLIENT, s.cidr)) return true;
    if (s.kind === 'group' && s.cidrs?.some((c) => inCidr(CLIENT, c))) return true;
    if (s.kind === 'group' && !s.cidrs) widened = true;
  }
  return widened ? 'widened' : false;
}

/** What the requirements say about one request: required, allowed only by a widening the target declares, or not. */
function verdict(set: ResolvedRequirementSet, mode: Mode, host: string, port: number, method: Method): Probe['expect'] {
  let best: Probe['expect'] = 'denied';
  for (const req of set.requirements) {
    if (req.direction !== 'outbound') continue;
    const src = sourceVerdict(req);
    if (src === false) continue;
    for (const d of req.destinations) {
      const e = d.endpoint;
      if (e.kind !== 'host') continue;
      const below = host.endsWith(`.${e.name}`);
      // A partial-label wildcard (`*cdn.onenote.net`) matches one label directly below its domain, by the model's rule.
      const name = e.label !== undefined ? labelMatches(e.label, e.name, host) : e.match === 'exact' ? host === e.name : e.match === 'subdomains' ? below || (mode === 'widen' && host === e.name ? 'widened' : false) : below || host === e.name;
      if (!name) continue;
      for (const p of d.ports) {
        if (p.transport !== 'tcp' || p.protocol === 'ssh' || port < p.from || port > p.to) continue;
        if (p.protocol === 'http' ? method !== 'GET' : method !== 'CONNECT') continue;
        if (name === true && src === true) return 'required';
        best = 'widened';
      }
    }
  }
  return best;
}

/** Concrete names for one host endpoint: the name, or names below it at depth 1 and 2, or two its wildcard label takes. */
function concreteNames(name: string, match: string, label?: string): string[] {
  if (label !== undefined) return [`${label.replace('*', '')}.${name}`, `${label.replace('*', 'x1')}.${name}`];
  const below = [`a.${name}`, `x.y.${name}`];
  return match === 'exact' ? [name] : match === 'subdomains' ? below : [name, ...below];
}

function probesFor(set: ResolvedRequirementSet, mode: Mode, okIp: string): { probes: Probe[]; skipped: number } {
  const required = new Map<string, Probe>();
  const candidates: Omit<Probe, 'expect' | 'kind'>[] = [];
  const servable = (port: number) => HTTP_PORTS.includes(port) || TLS_PORTS.includes(port);
  for (const req of set.requirements) {
    if (req.direction !== 'outbound') continue;
    const src = sourceVerdict(req);
    for (const d of req.destinations) {
      const e = d.endpoint;
      if (e.kind !== 'host') continue;
      const ports = d.ports.filter((p) => p.transport === 'tcp' && p.protocol !== 'ssh');
      for (const p of ports) {
        const method: Method = p.protocol === 'http' ? 'GET' : 'CONNECT';
        const port = servable(p.from) ? p.from : servable(p.to) ? p.to : undefined;
        if (port === undefined) throw new Error(`no test server for ${e.name} on ${p.from}-${p.to}: add one`);
        for (const host of concreteNames(e.name, e.match, e.label)) {
          if (src === true) required.set(`${method} ${host}:${port}`, { kind: 'required', cls: 'required', host, port, method, expect: 'required' });
          else if (src === false) candidates.push({ cls: 'client outside the sources', host, port, method });
        }
        // Near misses of the name, on the port it was required on.
        if (e.label !== undefined) {
          candidates.push({ cls: 'domain of a wildcard label', host: e.name, port, method });
          candidates.push({ cls: 'a label below a wildcard label', host: `a.${concreteNames(e.name, e.match, e.label)[0]!}`, port, method });
        } else if (e.match === 'subdomains') {
          candidates.push({ cls: 'apex of a wildcard', host: e.name, port, method });
          const dot = e.name.indexOf('.');
          candidates.push({ cls: 'dot taken as any character', host: `a.${e.name.slice(0, dot)}x${e.name.slice(dot + 1)}`, port, method });
        } else if (e.match === 'exact') {
          candidates.push({ cls: 'subdomain of an exact name', host: `a.${e.name}`, port, method });
        }
        candidates.push({ cls: 'look-alike prefix', host: `evil-${e.name}`, port, method });
        candidates.push({ cls: 'look-alike suffix', host: `${e.match === 'subdomains' ? 'a.' : ''}${e.name}.evil.test`, port, method });
      }
      // Near misses of the port and protocol, on a concrete name that is required.
      const host = concreteNames(e.name, e.match, e.label)[0]!;
      for (const p of ports) {
        if (p.protocol === 'http') candidates.push({ cls: 'CONNECT where plain HTTP was required', host, port: p.from, method: 'CONNECT' });
        else candidates.push({ cls: 'plain HTTP where HTTPS was required', host, port: 80, method: 'GET' });
      }
      for (const port of TLS_PORTS) candidates.push({ cls: 'port not required', host, port, method: 'CONNECT' });
      for (const port of HTTP_PORTS) candidates.push({ cls: 'port not required', host, port, method: 'GET' });
      candidates.push({ cls: 'port not required', host, port: 80, method: 'CONNECT' });
    }
  }
  // The bare address every allowed name resolves to.
  for (const port of TLS_PORTS) candidates.push({ cls: 'bare IP address', host: okIp, port, method: 'CONNECT' });
  for (const port of HTTP_PORTS) candidates.push({ cls: 'bare IP address', host: okIp, port, method: 'GET' });
  candidates.push({ cls: 'bare IP address', host: okIp, port: 80, method: 'CONNECT' });

  const probes = [...required.values()];
  const seen = new Set<string>();
  for (const p of probes) seen.add(`${p.method} ${p.host}:${p.port}`);
  let skipped = 0;
  for (const c of candidates) {
    const key = `${c.method} ${c.host}:${c.port}`;
    if (seen.has(key)) {
      if (required.has(key)) skipped++;
      continue;
    }
    seen.add(key);
    const v = verdict(set, mode, c.host, c.port, c.method);
    if (v === 'required') {
      skipped++; // this requirement or another asks for exactly this: not a near miss
      continue;
    }
    probes.push({ ...c, kind: 'near-miss', expect: v });
  }
  for (const p of probes.filter((x) => x.kind === 'required')) {
    if (verdict(set, mode, p.host, p.port, p.method) !== 'required') throw new Error(`reference reading disagrees with itself on ${p.host}:${p.port}`);
  }
  return { probes, skipped };
}

// ---------------------------------------------------------------------------------------------
// Running requests
// ---------------------------------------------------------------------------------------------

interface Outcome {
  probe: Probe;
  status: number;
  detail: string;
}

async function send(proxyPort: number, p: Probe): Promise<Outcome> {
  const scheme = TLS_PORTS.includes(p.port) ? 'https' : 'http';
  const url = `${scheme}://${p.host}:${p.port}/`;
  const r = await proxyRequest({ proxyPort, url, connect: p.method === 'CONNECT', maxTimeSec: 5 });
  // CONNECT: the proxy's answer, and 200 from the server inside the tunnel when it was let through.
  const status = p.method === 'CONNECT' ? (r.proxyStatus === 200 && r.httpCode === 200 && r.curlExit === 0 ? 200 : r.proxyStatus || r.httpCode) : r.httpCode;
  return { probe: p, status, detail: `curl exit ${r.curlExit}, http ${r.httpCode}, connect ${r.proxyStatus} ${r.stderr.trim()}` };
}

/** Runs `fn` over `items`, at most `n` at a time, failing once `deadline` (ms since epoch) has passed. */
async function pool<T, R>(items: readonly T[], n: number, deadline: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      if (Date.now() > deadline) throw new Error(`gave up after the time bound, ${next} of ${items.length} requests sent`);
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/**
 * The OK and MISS servers on the fixed ports the catalogs require (127.0.0.2 and .3 unless a port is taken there, then
 * random loopback addresses: another process, or this spec running twice at once, must not fail the bind).
 */
async function startServers(): Promise<{ okIp: string; missIp: string; servers: TestServer[] }> {
  const specs = [...HTTP_PORTS.map((port) => ({ port })), ...TLS_PORTS.map((port) => ({ port, tls: true }))];
  const { ips, servers } = await startOnLoopback(2, specs, { preferred: ['127.0.0.2', '127.0.0.3'] });
  return { okIp: ips[0]!, missIp: ips[1]!, servers };
}

async function resolveScenario(s: Scenario): Promise<ResolvedRequirementSet> {
  const sets = [];
  for (const file of [...s.catalogs.map((id) => catalogFile(id)!), ...(s.files ?? []).map((f) => join(FIXTURES, f))]) {
    const r = await loadRequirementFile(file);
    if (!r.set) throw new Error(`${file}: ${JSON.stringify(r.diagnostics)}`);
    sets.push(r.set);
  }
  const x = expand(sets, { params: s.params ?? {}, options: s.options ?? {}, bind: s.bind ?? {} });
  if (!x.set) throw new Error(`${s.name}: ${JSON.stringify(x.diagnostics)}`);
  return x.set;
}

function emitArgv(s: Scenario, mode: Mode): string[] {
  const argv = ['emit', '--target', 'squid', '--set', `subdomains=${mode}`];
  for (const c of s.catalogs) argv.push('--catalog', c);
  for (const f of s.files ?? []) argv.push('--file', join(FIXTURES, f));
  for (const [k, v] of Object.entries(s.params ?? {})) argv.push('--param', `${k}=${v}`);
  for (const [k, v] of Object.entries(s.options ?? {})) argv.push('--option', `${k}=${v}`);
  for (const [k, v] of Object.entries(s.bind ?? {})) argv.push('--bind', `${k}=${v}`);
  return argv;
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

describe('squid behaviour: a real Squid enforces the generated fragment', function () {
  this.timeout(60_000);
  let addresses: { okIp: string; missIp: string; servers: TestServer[] } | undefined;
  const totals: Record<Mode, { allowed: number; denied: number; widened: number; skipped: number }> = {
    exact: { allowed: 0, denied: 0, widened: 0, skipped: 0 },
    widen: { allowed: 0, denied: 0, widened: 0, skipped: 0 },
  };

  before(async function () {
    requireEngines(this, 'squid', 'curl', 'openssl');
    if (process.getuid?.() !== 0) {
      const msg = 'not root: test servers cannot listen on ports 80 and 443';
      if (process.env.FWGEN_REQUIRE_ENGINES === '1') throw new Error(msg);
      process.stderr.write(`\n!!!!! SKIPPED (${msg}): squid behaviour (whole suite)\n`);
      this.skip();
    }
    addresses = await startServers();
  });

  after(async function () {
    await Promise.all((addresses?.servers ?? []).map((s) => s.close()));
    for (const mode of ['exact', 'widen'] as const) {
      const t = totals[mode];
      if (t.allowed + t.denied) console.log(`      squid behaviour, subdomains=${mode}: ${t.allowed} hosts allowed, ${t.denied} near misses denied, ${t.widened} widened apexes allowed (${t.skipped} candidates skipped: required)`);
    }
  });

  for (const mode of ['exact', 'widen'] as const) {
    describe(`subdomains=${mode}`, function () {
      const squids = new Map<string, { squid: SquidInstance; set: ResolvedRequirementSet; stderr: string }>();

      before(async function () {
        if (!addresses) this.skip();
        const { okIp, missIp } = addresses;
        await Promise.all(
          SCENARIOS.map(async (s) => {
            const [set, out] = await Promise.all([resolveScenario(s), runCli(emitArgv(s, mode))]);
            if (out.code !== 0) throw new Error(`${s.name}: fwgen emit exited ${out.code}\n${out.stderr}`);
            const { probes } = probesFor(set, mode, okIp);
            const hosts: Record<string, string> = {};
            for (const p of probes) if (p.host !== okIp) hosts[p.host] ??= p.kind === 'required' ? okIp : missIp;
            for (const p of probes) if (p.kind === 'required') hosts[p.host] = okIp;
            const squid = await startSquid({ fragment: out.stdout, hosts });
            squids.set(s.name, { squid, set, stderr: out.stderr });
          }),
        );
      });

      after(async function () {
        await Promise.all([...squids.values()].map((x) => x.squid.stop()));
      });

      for (const s of SCENARIOS) {
        it(`${s.name}: every required host and port is reachable, every near miss gets 403`, async function () {
          const { squid, set, stderr } = squids.get(s.name)!;
          const { okIp, missIp, servers } = addresses!;
          const { probes, skipped } = probesFor(set, mode, okIp);
          const missServers = servers.filter((x) => x.ip === missIp);
          const okServers = servers.filter((x) => x.ip === okIp);
          const hits = (list: TestServer[]) => list.reduce((n, x) => n + x.hits(), 0);
          const missBefore = hits(missServers);
          const okBefore = hits(okServers);

          // Bounded by the number of requests (100 ms each, at least 40 s), so a large set on a loaded machine is not cut off.
          const bound = Math.max(40_000, probes.length * 100);
          this.timeout(bound + 20_000);
          const outcomes = await pool(probes, CONCURRENCY, Date.now() + bound, (p) => send(squid.port, p));

          const wrong = outcomes.filter((o) => o.status !== (o.probe.expect === 'denied' ? 403 : 200));
          const show = (o: Outcome) => `  ${o.probe.kind} [${o.probe.cls}] ${o.probe.method} ${o.probe.host}:${o.probe.port}: got ${o.status}, expected ${o.probe.expect === 'denied' ? 403 : 200} (${o.detail})`;
          expect(wrong.map(show), `${wrong.length} of ${outcomes.length} requests answered wrongly:\n${wrong.map(show).join('\n')}\n--- access.log (tail)\n${squid.accessLog().split('\n').slice(-20).join('\n')}`).to.deep.equal([]);

          const allowed = outcomes.filter((o) => o.probe.kind === 'required');
          const denied = outcomes.filter((o) => o.probe.kind === 'near-miss' && o.probe.expect === 'denied');
          const widened = outcomes.filter((o) => o.probe.expect === 'widened');
          expect(allowed.length, 'required requests').to.be.greaterThan(0);
          expect(denied.length, 'near misses').to.be.greaterThan(0);
          // Every near-miss class that applies was tried.
          const classes = new Set(denied.map((o) => o.probe.cls));
          for (const cls of ['bare IP address', 'look-alike prefix', 'look-alike suffix', 'port not required', 'plain HTTP where HTTPS was required']) expect([...classes], cls).to.include(cls);
          if (set.requirements.some((r) => r.destinations.some((d) => d.ports.some((p) => p.protocol === 'http')))) expect([...classes]).to.include('CONNECT where plain HTTP was required');
          if (mode === 'exact' && set.requirements.some((r) => r.destinations.some((d) => d.endpoint.kind === 'host' && d.endpoint.match === 'subdomains'))) {
            expect([...classes]).to.include('apex of a wildcard');
          }
          // Nothing denied reached a server; everything allowed did.
          expect(hits(missServers) - missBefore, 'requests that reached a near-miss server').to.equal(widened.filter((o) => o.probe.host !== okIp).length);
          expect(hits(okServers) - okBefore, 'requests that reached a required server').to.equal(allowed.length);

          if (mode === 'widen') {
            // The widened diagnostic names exactly the wildcards whose apex the proxy now lets through.
            for (const o of widened) {
              expect(o.probe.cls).to.equal('apex of a wildcard');
              expect(stderr).to.match(new RegExp(`warning\\[FIDELITY_WIDENED\\] squid: [^\\n]*\\*\\.${o.probe.host.replace(/\./g, '\\.')} widened`));
            }
            if (set.requirements.some((r) => r.destinations.some((d) => d.endpoint.kind === 'host' && d.endpoint.match === 'subdomains'))) expect(widened.length).to.be.greaterThan(0);
          } else {
            expect(widened, 'exact mode widens nothing').to.deep.equal([]);
            expect(stderr).not.to.include('FIDELITY_WIDENED');
          }

          const t = totals[mode];
          t.allowed += allowed.length;
          t.denied += denied.length;
          t.widened += widened.length;
          t.skipped += skipped;
          const byClass = [...classes].sort().map((c) => `${c} ${denied.filter((o) => o.probe.cls === c).length}`);
          console.log(`        ${allowed.length} hosts allowed, ${denied.length} near misses denied${widened.length ? `, ${widened.length} widened apexes allowed` : ''}: ${byClass.join(', ')}`);
        });
      }
    });
  }
});
