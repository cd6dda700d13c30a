/**
 * The rules on a gateway (--set egress-chain=FORWARD ingress-chain=FORWARD): three network namespaces, client C and
 * server S on two links routed through R, which forwards and holds the generated rules. Outbound requirements from
 * the client group and an inbound requirement to it are both decided in FORWARD: the ingress chain returns what it
 * does not allow and the egress chain's final policy refuses the rest; replies pass both ways by conntrack.
 *
 * Every connection is bounded (2 s connect timeout); the namespaces are deleted in the after hook (and at process
 * exit if the hook never runs).
 */
import { expect } from 'chai';
import { expand } from '../../../lib/expand/index.js';
import { loadRequirementSet } from '../../../lib/load/load-text.js';
import { emitTarget } from '../../../lib/emit/run-emitter.js';
import type { EmitResult } from '../../../lib/emit/emitter.js';
import iptables from '../../../lib/emitters/iptables/index.js';
import { makeTempDir, netnsExec, netnsStartServer, removeTempDir, requireEngines, requireNetns, runSync, uniqueName, type NetnsServer } from '../../helpers/engines.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const REQUIREMENTS = `
id: gw
title: iptables gateway behaviour
source: { document: gateway.md }
groups:
  clients: { title: Clients behind the gateway }
requirements:
  - id: to-server
    sources: [{ group: clients }]
    destinations: [10.201.2.10/32, "fd00:201:2::10/128"]
    ports: [tcp:8080]
    provenance: { line: 1 }
  - id: to-clients
    direction: inbound
    destinations: [{ group: clients }]
    ports: [tcp:9090]
    provenance: { line: 2 }
`;

interface Case {
  what: string;
  from: 'c' | 's';
  ip: string;
  port: number;
  allowed: boolean;
}

const CASES: Case[] = [
  { what: 'outbound to the required server address and port', from: 'c', ip: '10.201.2.10', port: 8080, allowed: true },
  { what: 'outbound to the required server on another port', from: 'c', ip: '10.201.2.10', port: 8081, allowed: false },
  { what: "outbound to the server's neighbouring address", from: 'c', ip: '10.201.2.11', port: 8080, allowed: false },
  { what: 'outbound over IPv6 to the required address', from: 'c', ip: 'fd00:201:2::10', port: 8080, allowed: true },
  { what: 'outbound over IPv6 to its neighbour', from: 'c', ip: 'fd00:201:2::11', port: 8080, allowed: false },
  { what: 'inbound to the client group on the required port', from: 's', ip: '10.201.1.2', port: 9090, allowed: true },
  { what: 'inbound to the client group on another port', from: 's', ip: '10.201.1.2', port: 9091, allowed: false },
];

describe('iptables on a gateway (FORWARD) in network namespaces', function () {
  this.timeout(60_000);
  const id = uniqueName('');
  const ns = { c: `fwgenGC${id}`, r: `fwgenGR${id}`, s: `fwgenGS${id}` };
  const created: string[] = [];
  const servers: NetnsServer[] = [];
  let out: EmitResult;
  const cleanup = () => {
    for (const n of created.splice(0)) runSync(['ip', 'netns', 'del', n], { timeoutMs: 10_000 });
  };

  const sh = (argv: string[]) => {
    const r = runSync(argv, { timeoutMs: 10_000 });
    if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  };

  before(async function () {
    requireNetns(this);
    requireEngines(this, 'iptables-restore', 'ip6tables-restore', 'curl', 'sysctl');
    process.once('exit', cleanup);
    const loaded = loadRequirementSet(REQUIREMENTS, 'gateway.yaml');
    const set = expand([loaded.set!], { bind: { clients: ['10.201.1.0/24', 'fd00:201:1::/64'] } }).set!;
    out = emitTarget(set, iptables, { 'egress-chain': 'FORWARD', 'ingress-chain': 'FORWARD' });
    expect(out.diagnostics).to.deep.equal([]);

    for (const n of [ns.c, ns.r, ns.s]) {
      sh(['ip', 'netns', 'add', n]);
      created.push(n);
      sh(['ip', '-n', n, 'link', 'set', 'lo', 'up']);
    }
    sh(['ip', '-n', ns.c, 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'vc', 'netns', ns.r]);
    sh(['ip', '-n', ns.s, 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'vs', 'netns', ns.r]);
    const addr = (n: string, dev: string, cidr: string) => sh(['ip', '-n', n, 'addr', 'add', cidr, 'dev', dev, ...(cidr.includes(':') ? ['nodad'] : [])]);
    addr(ns.c, 'veth0', '10.201.1.2/24');
    addr(ns.c, 'veth0', 'fd00:201:1::2/64');
    addr(ns.r, 'vc', '10.201.1.1/24');
    addr(ns.r, 'vc', 'fd00:201:1::1/64');
    addr(ns.r, 'vs', '10.201.2.1/24');
    addr(ns.r, 'vs', 'fd00:201:2::1/64');
    for (const a of ['10.201.2.10/24', '10.201.2.11/24', 'fd00:201:2::10/64', 'fd00:201:2::11/64']) addr(ns.s, 'veth0', a);
    for (const [n, dev] of [[ns.c, 'veth0'], [ns.r, 'vc'], [ns.r, 'vs'], [ns.s, 'veth0']] as const) sh(['ip', '-n', n, 'link', 'set', dev, 'up']);
    sh(['ip', '-n', ns.c, 'route', 'add', 'default', 'via', '10.201.1.1']);
    sh(['ip', '-n', ns.c, '-6', 'route', 'add', 'default', 'via', 'fd00:201:1::1']);
    sh(['ip', '-n', ns.s, 'route', 'add', 'default', 'via', '10.201.2.1']);
    sh(['ip', '-n', ns.s, '-6', 'route', 'add', 'default', 'via', 'fd00:201:2::1']);
    sh(['ip', 'netns', 'exec', ns.r, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
    for (const port of [8080, 8081]) servers.push(await netnsStartServer(ns.s, '::', port));
    for (const port of [9090, 9091]) servers.push(await netnsStartServer(ns.c, '::', port));
  });

  after(async function () {
    await Promise.all(servers.map((s) => s.stop().catch(() => {})));
    cleanup();
  });

  const connect = async (c: Case) => {
    const host = c.ip.includes(':') ? `[${c.ip}]` : c.ip;
    const r = await netnsExec(c.from === 'c' ? ns.c : ns.s, ['curl', '-sS', '-o', '/dev/null', '--connect-timeout', '2', '--max-time', '4', `http://${host}:${c.port}/`], { timeoutMs: 10_000 });
    return r.code ?? -1;
  };

  it('without the rules, every connection of the test is forwarded', async function () {
    const failed: string[] = [];
    for (const c of CASES) {
      // The first packets over a fresh IPv6 link can wait for neighbour discovery on a busy machine: up to 3 tries.
      let code = -1;
      for (let attempt = 0; attempt < 3 && code !== 0; attempt++) code = await connect(c);
      if (code !== 0) failed.push(`${c.what}: curl exit ${code}`);
    }
    expect(failed).to.deep.equal([]);
  });

  it('loads both files in the gateway', async function () {
    for (const [path, bin] of [['iptables.rules', 'iptables-restore'], ['ip6tables.rules', 'ip6tables-restore']] as const) {
      const dir = makeTempDir('fwgen-ipt-gw-');
      try {
        const file = join(dir, path);
        writeFileSync(file, out.files.find((f) => f.path === path)!.contents);
        const r = await netnsExec(ns.r, [bin, file]);
        expect(r.code, `${path}: ${r.stderr}`).to.equal(0);
      } finally {
        removeTempDir(dir);
      }
    }
  });

  for (const c of CASES) {
    it(`${c.allowed ? 'forwards' : 'refuses'} ${c.what} (${c.ip}:${c.port})`, async function () {
      expect(await connect(c)).to.equal(c.allowed ? 0 : 7);
    });
  }
});
