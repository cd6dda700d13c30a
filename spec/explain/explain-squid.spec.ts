/**
 * `fwgen explain` must say what the real Squid does: for a set of hosts (required ones, apexes of wildcards,
 * deeper subdomains, look-alikes), its verdict for the squid target is compared with a live Squid running the
 * generated fragment, in both subdomain modes. If the explanation drifts from the engine, this fails.
 */
import { expect } from 'chai';
import { catalogFile } from '../../lib/catalogs/index.js';
import { expand } from '../../lib/expand/index.js';
import { loadRequirementFile } from '../../lib/load/index.js';
import { explain } from '../../lib/explain/explain.js';
import { getEmitter } from '../../lib/emit/registry.js';
import { emitTarget } from '../../lib/emit/run-emitter.js';
import type { ResolvedRequirementSet } from '../../lib/model/resolved.js';
import { proxyRequest, requireEngines, startOnLoopback, startSquid, type SquidInstance, type TestServer } from '../helpers/engines.js';

const HOSTS = [
  'mcr.microsoft.com',
  'a.data.mcr.microsoft.com',
  'x.y.data.mcr.microsoft.com',
  'data.mcr.microsoft.com',
  'evil-mcr.microsoft.com',
  'mcr.microsoft.com.evil.test',
  'www.mcr.microsoft.com',
  'a.datamcr.microsoft.com',
  'gcr.io',
  'quay.io',
  'q.quay.io',
  'pypi.org',
];

describe('fwgen explain agrees with a real Squid', function () {
  this.timeout(120_000);
  let set: ResolvedRequirementSet;
  let tls: TestServer | undefined;
  let serverIp = '';

  before(async function () {
    requireEngines(this, 'squid', 'curl', 'openssl');
    const sets = [];
    for (const id of ['mcr', 'azure-arc-ml']) sets.push((await loadRequirementFile(catalogFile(id)!)).set!);
    set = expand(sets, { params: { region: 'eastus', 'region-code': 'eus' } }).set!;
    // 443 because the catalogs require it; on 127.0.0.77 unless that port is taken there (then a random loopback address).
    const started = await startOnLoopback(1, [{ port: 443, tls: true }], { preferred: ['127.0.0.77'] });
    tls = started.servers[0];
    serverIp = started.ips[0]!;
  });
  after(async () => tls?.close());

  for (const mode of ['exact', 'widen'] as const) {
    describe(`subdomains=${mode}`, function () {
      let squid: SquidInstance | undefined;
      after(async () => squid?.stop());

      it('gives the same answer as Squid for every host on 443', async function () {
        const emitter = await getEmitter('squid');
        const out = emitTarget(set, emitter, { subdomains: mode });
        squid = await startSquid({ fragment: out.files[0]!.contents, hosts: Object.fromEntries(HOSTS.map((h) => [h, serverIp])) });
        const table: string[] = [];
        let allowed = 0;
        for (const host of HOSTS) {
          const e = explain(set, host, 443, [{ emitter, options: { subdomains: mode, 'final-deny': true } }]);
          const says = e.targets[0]!.verdict === 'allowed';
          const r = await proxyRequest({ proxyPort: squid.port, url: `https://${host}/`, connect: true, maxTimeSec: 5 });
          const does = r.proxyStatus === 200;
          table.push(`${host}: explain ${says ? 'allowed' : 'denied'}, squid ${r.proxyStatus}`);
          expect(says, `${host}: explain says ${e.targets[0]!.detail}; squid answered ${r.proxyStatus}`).to.equal(does);
          if (does) allowed++;
        }
        console.log(`      ${mode}: ${allowed} of ${HOSTS.length} hosts allowed; explain matched Squid on all ${HOSTS.length}`);
        expect(allowed).to.be.greaterThan(3);
      });
    });
  }
});
