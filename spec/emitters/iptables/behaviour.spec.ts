/**
 * The generated rules, loaded for real, allow what the requirements say and nothing near it.
 *
 * Two network namespaces joined by a veth pair: C (the protected host, 10.200.0.1 and fd00:200::1) gets
 * ipset.restore, iptables.rules and ip6tables.rules; S (10.200.0.2, fd00:200::2 and more addresses on the link)
 * runs HTTP servers on every address, ports 8080 and 8081, and C runs servers on 9090 and 9091 for inbound traffic.
 * Before the rules are loaded every connection below succeeds, so each failure afterwards is the rules' doing.
 *
 * - required address and port pairs connect: a prefix aggregated from two, an ipset set, a service tag's prefix,
 *   an address for a bound source group, IPv6, and inbound from an allowed source;
 * - near misses are refused (REJECT, curl exit 7): the neighbouring addresses just outside the aggregated prefix,
 *   an address between the set's members, a required address on another port, a source address not in the bound
 *   group (from C's second address, and a requirement bound to another host), an IPv6 neighbour, inbound from
 *   another source address and on another port.
 *
 * Every connection is bounded (2 s connect timeout); the namespaces are deleted in the after hook.
 */
import { expect } from 'chai';
import { expand } from '../../../lib/expand/index.js';
import { loadRequirementSet } from '../../../lib/load/load-text.js';
import { emitTarget } from '../../../lib/emit/run-emitter.js';
import type { EmitResult } from '../../../lib/emit/emitter.js';
import { parseServiceTags } from '../../../lib/service-tags/index.js';
import iptables from '../../../lib/emitters/iptables/index.js';
import { requireEngines, requireNetns, withNetns, type NetnsPair } from '../../helpers/engines.js';

const REQUIREMENTS = `
id: beh
title: iptables behaviour
source: { document: behaviour.md }
groups:
  clients: { title: The client host }
  others: { title: Some other host }
requirements:
  - id: aggregated
    destinations: [10.200.0.16/29, 10.200.0.24/29]
    ports: [tcp:8080]
    provenance: { line: 1 }
  - id: in-a-set
    destinations: [10.200.0.40/32, 10.200.0.42/32, 10.200.0.44/32, 10.200.0.46/32, 10.200.0.48/32, 10.200.0.50/32, 10.200.0.52/32, 10.200.0.54/32, 10.200.0.56/32]
    ports: [tcp:8080]
    provenance: { line: 2 }
  - id: from-clients
    sources: [{ group: clients }]
    destinations: [10.200.0.60/32]
    ports: [tcp:8080]
    provenance: { line: 3 }
  - id: from-others
    sources: [{ group: others }]
    destinations: [10.200.0.61/32]
    ports: [tcp:8080]
    provenance: { line: 4 }
  - id: tagged
    destinations: [{ serviceTag: FwgenTest }]
    ports: [tcp:8080]
    provenance: { line: 5 }
  - id: by-name
    destinations: [www.example.com]
    ports: [tcp:8080]
    provenance: { line: 6 }
  - id: ipv6
    destinations: ["fd00:200::2/128"]
    ports: [tcp:8080]
    provenance: { line: 7 }
  - id: inbound
    direction: inbound
    sources: [10.200.0.2/32]
    destinations: [{ group: clients }]
    ports: [tcp:9090]
    provenance: { line: 8 }
`;

const SERVICE_TAGS = JSON.stringify({
  changeNumber: 1,
  cloud: 'Test',
  values: [{ name: 'FwgenTest', id: 'FwgenTest', properties: { region: '', systemService: 'Test', addressPrefixes: ['10.200.0.64/27'] } }],
});

/** Addresses S holds besides 10.200.0.2: required ones and their near misses. */
const S_ADDRESSES = ['15', '16', '17', '31', '32', '40', '41', '56', '60', '61', '70', '96'].map((n) => `10.200.0.${n}/24`);

interface Case {
  what: string;
  /** Namespace the connection starts in. */
  from: 'c' | 's';
  /** Source address to connect from (curl --interface); default: the kernel's choice. */
  src?: string;
  ip: string;
  port: number;
  allowed: boolean;
}

const CASES: Case[] = [
  { what: 'first address of the aggregated prefix', from: 'c', ip: '10.200.0.16', port: 8080, allowed: true },
  { what: 'an address inside the aggregated prefix', from: 'c', ip: '10.200.0.17', port: 8080, allowed: true },
  { what: 'last address of the aggregated prefix', from: 'c', ip: '10.200.0.31', port: 8080, allowed: true },
  { what: 'the neighbour just below the aggregated prefix', from: 'c', ip: '10.200.0.15', port: 8080, allowed: false },
  { what: 'the neighbour just above the aggregated prefix', from: 'c', ip: '10.200.0.32', port: 8080, allowed: false },
  { what: 'a required address on another port', from: 'c', ip: '10.200.0.17', port: 8081, allowed: false },
  { what: 'a member of the ipset set', from: 'c', ip: '10.200.0.40', port: 8080, allowed: true },
  { what: 'the last member of the ipset set', from: 'c', ip: '10.200.0.56', port: 8080, allowed: true },
  { what: 'an address between members of the set', from: 'c', ip: '10.200.0.41', port: 8080, allowed: false },
  { what: 'a set member on another port', from: 'c', ip: '10.200.0.40', port: 8081, allowed: false },
  { what: 'a destination of the bound source group, from its address', from: 'c', ip: '10.200.0.60', port: 8080, allowed: true },
  { what: 'the same destination from a source address not in the bound group', from: 'c', src: '10.200.0.5', ip: '10.200.0.60', port: 8080, allowed: false },
  { what: 'a destination required only for another host (source not in that group)', from: 'c', ip: '10.200.0.61', port: 8080, allowed: false },
  { what: "an address in the service tag's prefix", from: 'c', ip: '10.200.0.70', port: 8080, allowed: true },
  { what: "the neighbour just above the service tag's prefix", from: 'c', ip: '10.200.0.96', port: 8080, allowed: false },
  { what: 'an address no requirement names', from: 'c', ip: '10.200.0.2', port: 8080, allowed: false },
  { what: 'the required IPv6 address', from: 'c', ip: 'fd00:200::2', port: 8080, allowed: true },
  { what: 'the IPv6 neighbour of the required address', from: 'c', ip: 'fd00:200::3', port: 8080, allowed: false },
  { what: 'the required IPv6 address on another port', from: 'c', ip: 'fd00:200::2', port: 8081, allowed: false },
  { what: 'inbound from the required source', from: 's', ip: '10.200.0.1', port: 9090, allowed: true },
  { what: 'inbound from another source address', from: 's', src: '10.200.0.15', ip: '10.200.0.1', port: 9090, allowed: false },
  { what: 'inbound from the required source on another port', from: 's', ip: '10.200.0.1', port: 9091, allowed: false },
];

/** curl's exit code for one connection: 0 connected, 7 refused (REJECT), 28 timed out. */
async function connect(pair: NetnsPair, c: Case): Promise<number> {
  const host = c.ip.includes(':') ? `[${c.ip}]` : c.ip;
  const ns = c.from === 'c' ? pair.c : pair.s;
  const r = await pair.exec(ns, ['curl', '-sS', '-o', '/dev/null', '--connect-timeout', '2', '--max-time', '4', ...(c.src ? ['--interface', c.src] : []), `http://${host}:${c.port}/`], { timeoutMs: 10_000 });
  return r.code ?? -1;
}

describe('iptables behaviour in network namespaces', function () {
  this.timeout(60_000);
  let pair: NetnsPair | undefined;
  let out: EmitResult;

  before(async function () {
    requireNetns(this);
    requireEngines(this, 'iptables-restore', 'ip6tables-restore', 'ipset', 'curl');
    const loaded = loadRequirementSet(REQUIREMENTS, 'behaviour.yaml');
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
    const expanded = expand([loaded.set!], { bind: { clients: '10.200.0.1/32', others: '10.200.0.99/32' } });
    const tags = parseServiceTags(SERVICE_TAGS, 'ServiceTags_Test_20250101.json');
    out = emitTarget(expanded.set!, iptables, { 'ingress-final': 'reject' }, { serviceTags: tags.data! });
    expect(out.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
    expect(out.files.map((f) => f.path)).to.deep.equal(['iptables.rules', 'ip6tables.rules', 'ipset.restore']);

    pair = await withNetns();
    for (const a of S_ADDRESSES) pair.addAddress(a);
    pair.addAddress('fd00:200::3/64');
    pair.addAddress('10.200.0.5/24', pair.c);
    for (const port of [8080, 8081]) await pair.startServer('::', port);
    for (const port of [9090, 9091]) await pair.startServer('::', port, pair.c);
  });

  after(async function () {
    await pair?.cleanup();
  });

  it('the generated files use a set, and drop the name with a diagnostic', function () {
    expect(out.files.find((f) => f.path === 'iptables.rules')!.contents).to.match(/--match-set fwgen-beh_in-a-set-d4 dst/);
    expect(out.diagnostics.filter((d) => d.code === 'FIDELITY_DROPPED').map((d) => d.requirement)).to.deep.equal(['beh/by-name']);
  });

  it('without the rules, every connection of the test succeeds (so each failure below is the rules\' doing)', async function () {
    const failed: string[] = [];
    for (const c of CASES) {
      const code = await connect(pair!, c);
      if (code !== 0) failed.push(`${c.what} (${c.ip}:${c.port}): curl exit ${code}`);
    }
    expect(failed).to.deep.equal([]);
  });

  it('loads ipset.restore, iptables.rules and ip6tables.rules in the client namespace', async function () {
    const p = pair!;
    const s = await p.ipsetRestore(out.files.find((f) => f.path === 'ipset.restore')!.contents);
    expect(s.code, s.stderr).to.equal(0);
    for (const [path, v6] of [['iptables.rules', false], ['ip6tables.rules', true]] as const) {
      const r = await p.iptablesRestore(out.files.find((f) => f.path === path)!.contents, { v6 });
      expect(r.code, `${path}: ${r.stderr}`).to.equal(0);
    }
    // Forget the neighbours learnt above, so IPv6 connections below need neighbour discovery through the chains.
    const flush = await p.exec(p.c, ['ip', 'neigh', 'flush', 'all']);
    expect(flush.code, flush.stderr).to.equal(0);
  });

  for (const c of CASES) {
    it(`${c.allowed ? 'allows' : 'refuses'} ${c.what} (${c.src ? `${c.src} -> ` : ''}${c.ip}:${c.port})`, async function () {
      const code = await connect(pair!, c);
      expect(code).to.equal(c.allowed ? 0 : 7);
    });
  }
});
