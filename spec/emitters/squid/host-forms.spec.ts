/**
 * A real Squid on loopback, given the fragment for a partial-label wildcard and a host with a path, allows exactly
 * what the model means: `azgn*.servicebus.windows.net` lets `azgnabc.` and `azgn.` through and nothing else under
 * servicebus.windows.net; `www.microsoft.com/pkiops/certs` lets plain HTTP to that path and below it through, not a
 * sibling path, while HTTPS (CONNECT, where Squid sees no path) is allowed to the whole host, as the diagnostic says.
 * Every name is mapped to a loopback address in Squid's hosts_file: required names to the OK servers, near misses to
 * the MISS servers, which no request may reach.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { makeTempDir, proxyRequest, removeTempDir, requireEngines, startOnLoopback, startSquid, type SquidInstance, type TestServer } from '../../helpers/engines.js';

const HTTP_PORT = 8080;
const TLS_PORT = 8443;

const INPUT = `id: hf
title: Host forms
source: { document: hf.md }
requirements:
  - id: hubs
    destinations: ["azgn*.servicebus.windows.net"]
    ports: [https:${TLS_PORT}]
    provenance: { line: 1 }
  - id: pki
    destinations: [www.microsoft.com/pkiops/certs]
    ports: [http:${HTTP_PORT}, https:${TLS_PORT}]
    provenance: { line: 2 }
`;

interface Probe {
  what: string;
  method: 'CONNECT' | 'GET';
  host: string;
  path?: string;
  allowed: boolean;
}

const PROBES: Probe[] = [
  { what: 'a name the wildcard label matches', method: 'CONNECT', host: 'azgnabc.servicebus.windows.net', allowed: true },
  { what: '"*" matching nothing', method: 'CONNECT', host: 'azgn.servicebus.windows.net', allowed: true },
  { what: '"*" matching digits and a hyphen', method: 'CONNECT', host: 'azgn-01.servicebus.windows.net', allowed: true },
  { what: 'another name under the same domain', method: 'CONNECT', host: 'other.servicebus.windows.net', allowed: false },
  { what: 'a label that ends like the pattern', method: 'CONNECT', host: 'xazgn.servicebus.windows.net', allowed: false },
  { what: 'a label below a matching one (the "*" does not cross a dot)', method: 'CONNECT', host: 'x.azgnabc.servicebus.windows.net', allowed: false },
  { what: 'a matching label two levels up', method: 'CONNECT', host: 'azgnabc.x.servicebus.windows.net', allowed: false },
  { what: 'a dot taken as any character', method: 'CONNECT', host: 'azgnabc-servicebus.windows.net', allowed: false },
  { what: 'the domain itself', method: 'CONNECT', host: 'servicebus.windows.net', allowed: false },
  { what: 'a look-alike suffix', method: 'CONNECT', host: 'azgnabc.servicebus.windows.net.evil.test', allowed: false },
  { what: 'plain HTTP where HTTPS was required', method: 'GET', host: 'azgnabc.servicebus.windows.net', path: '/', allowed: false },
  { what: 'the path', method: 'GET', host: 'www.microsoft.com', path: '/pkiops/certs', allowed: true },
  { what: 'a file below the path', method: 'GET', host: 'www.microsoft.com', path: '/pkiops/certs/root.crt', allowed: true },
  { what: 'the path with a query', method: 'GET', host: 'www.microsoft.com', path: '/pkiops/certs?id=1', allowed: true },
  { what: 'a sibling path that starts like it', method: 'GET', host: 'www.microsoft.com', path: '/pkiops/certsX', allowed: false },
  { what: 'another path on the host', method: 'GET', host: 'www.microsoft.com', path: '/pkiops/other', allowed: false },
  { what: 'the root of the host', method: 'GET', host: 'www.microsoft.com', path: '/', allowed: false },
  { what: 'the path on another host', method: 'GET', host: 'evil.microsoft.com', path: '/pkiops/certs', allowed: false },
  { what: 'the path in upper case (paths are case-sensitive)', method: 'GET', host: 'www.microsoft.com', path: '/PKIOPS/certs', allowed: false },
  { what: 'HTTPS to the host, widened to the whole host', method: 'CONNECT', host: 'www.microsoft.com', allowed: true },
];

describe('squid host forms: a real Squid enforces partial-label wildcards and paths', function () {
  this.timeout(60_000);
  let dir: string | undefined;
  let squid: SquidInstance | undefined;
  let servers: TestServer[] = [];
  let ok = '';
  let miss = '';
  let stderr = '';

  before(async function () {
    requireEngines(this, 'squid', 'curl', 'openssl');
    dir = makeTempDir('fwgen-hostforms-');
    writeFileSync(join(dir, 'input.yaml'), INPUT);
    const out = await runCli(['emit', '--target', 'squid', '--file', join(dir, 'input.yaml')]);
    expect(out.code, out.stderr).to.equal(0);
    stderr = out.stderr;
    const started = await startOnLoopback(2, [{ port: HTTP_PORT }, { port: TLS_PORT, tls: true }], { preferred: ['127.0.0.2', '127.0.0.3'] });
    [ok, miss] = started.ips as [string, string];
    servers = started.servers;
    const hosts: Record<string, string> = {};
    for (const p of PROBES) hosts[p.host] ??= PROBES.some((q) => q.host === p.host && q.allowed) ? ok : miss;
    squid = await startSquid({ fragment: out.stdout, hosts });
  });

  after(async function () {
    await squid?.stop();
    await Promise.all(servers.map((s) => s.close()));
    if (dir) removeTempDir(dir);
  });

  it('allows each required request and denies each near miss with 403, without reaching a server', async function () {
    const missHits = () => servers.filter((s) => s.ip === miss).reduce((n, s) => n + s.hits(), 0);
    const before = missHits();
    const wrong: string[] = [];
    for (const p of PROBES) {
      const connect = p.method === 'CONNECT';
      const url = connect ? `https://${p.host}:${TLS_PORT}/` : `http://${p.host}:${HTTP_PORT}${p.path}`;
      const r = await proxyRequest({ proxyPort: squid!.port, url, connect, maxTimeSec: 5 });
      const status = connect ? (r.proxyStatus === 200 && r.httpCode === 200 ? 200 : r.proxyStatus || r.httpCode) : r.httpCode;
      if (status !== (p.allowed ? 200 : 403)) wrong.push(`${p.what}: ${p.method} ${url} got ${status}, expected ${p.allowed ? 200 : 403} (curl ${r.curlExit} ${r.stderr.trim()})`);
    }
    expect(wrong, `${wrong.join('\n')}\n--- access.log\n${squid!.accessLog()}`).to.deep.equal([]);
    expect(missHits() - before, 'requests that reached a near-miss server').to.equal(0);
  });

  it('says that HTTPS to the host with a path is widened, and nothing else', () => {
    const widened = stderr.split('\n').filter((l) => l.includes('FIDELITY_WIDENED'));
    expect(widened).to.have.length(1);
    expect(widened[0]).to.include('www.microsoft.com/pkiops/certs on https:8443 (to www.microsoft.com) widened');
  });
});
