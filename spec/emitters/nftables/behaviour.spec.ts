/**
 * The generated nftables rules, loaded in a real kernel, allow what the requirements say and nothing near it.
 *
 * Two network namespaces joined by a veth pair (harness withNetns: C 10.200.0.1 and fd00:200::1, S 10.200.0.2 and
 * fd00:200::2, addresses that exist only inside them). Servers in S answer on every address it holds; the script is
 * loaded in C (host mode: outbound in C's output chain, inbound in C's input chain). Before the rules every probe
 * connects, so a probe that fails afterwards fails because of the rules. Then:
 * - every required address and port pair connects: both ends of an aggregated prefix, a port range, IPv6 (which
 *   also shows neighbour discovery passes the drop policy), a service tag from a Service Tags file of the test's
 *   own, a name allowed through its alternatives, a bound source, an inbound port;
 * - every near miss fails: the neighbour just outside an aggregated prefix (on both sides), a required address on
 *   another port, a port just outside a range, a source outside the bound group, an inbound port next to the
 *   required one, an inbound connection from another source or from the other address family.
 * Every probe has a connect timeout of 2 s and the probes of one test run together; the namespaces are deleted in
 * the after hook (and at process exit by the harness, should the hook not run).
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../../lib/compile.js';
import { makeTempDir, requireEngines, requireNetns, withNetns, type NetnsPair } from '../../helpers/engines.js';

const REQUIREMENTS = `
id: beh
title: Behaviour
source: { document: behaviour.md }
groups:
  client: { title: The client }
  other-client: { title: Another client }
  me: { title: This host }
requirements:
  - id: aggregated
    destinations: [10.200.0.16/29, 10.200.0.24/29, "fd00:200::10/124"]
    ports: [tcp:8080]
    provenance: { line: 1 }
  - id: ports
    destinations: [10.200.0.40/32, "fd00:200::40/128"]
    ports: [tcp:8000-8001, https:443]
    provenance: { line: 2 }
  - id: from-client
    sources: [{ group: client }]
    destinations: [10.200.0.50/32]
    ports: [tcp:8080]
    provenance: { line: 3 }
  - id: from-other
    sources: [{ group: other-client }]
    destinations: [10.200.0.51/32]
    ports: [tcp:8080]
    provenance: { line: 4 }
  - id: tagged
    destinations: [{ serviceTag: FwgenTestTag }]
    ports: [tcp:8080]
    provenance: { line: 5 }
  - id: named
    destinations: [app.example.test]
    ports: [tcp:8000]
    alternatives: [{ serviceTag: FwgenTestTag }]
    provenance: { line: 6 }
  - id: inbound
    direction: inbound
    sources: [10.200.0.2/32]
    destinations: [{ group: me }]
    ports: [tcp:9090]
    provenance: { line: 7 }
`;

const SERVICE_TAGS = {
  changeNumber: 1,
  cloud: 'Test',
  values: [{ name: 'FwgenTestTag', id: 'FwgenTestTag', properties: { region: '', systemService: '', addressPrefixes: ['10.200.0.64/28', 'fd00:200::60/124'] } }],
};

const BIND = { client: '10.200.0.1/32', 'other-client': '10.200.0.3/32', me: ['10.200.0.1/32', 'fd00:200::1/128'] };

/** Addresses S holds besides its own, so that every probe has a server to reach. */
const S_ADDRESSES = ['15', '16', '31', '32', '40', '50', '51', '63', '64', '79', '80', '5'].map((n) => `10.200.0.${n}/24`).concat(['1f', '20', '40', '6f', '70'].map((n) => `fd00:200::${n}/64`));
const S_PORTS = [443, 8000, 8001, 8002, 8080, 8081];
const C_PORTS = [9090, 9091];

interface Probe {
  what: string;
  /** Namespace the connection starts in: C (outbound) or S (inbound to C). */
  from: 'C' | 'S';
  src: string;
  dst: string;
  port: number;
}

const out = (what: string, dst: string, port: number, src = dst.includes(':') ? 'fd00:200::1' : '10.200.0.1'): Probe => ({ what, from: 'C', src, dst, port });
const inbound = (what: string, src: string, dst: string, port: number): Probe => ({ what, from: 'S', src, dst, port });

const ALLOWED: Probe[] = [
  out('first address of an aggregated prefix', '10.200.0.16', 8080),
  out('last address of an aggregated prefix', '10.200.0.31', 8080),
  out('IPv6 prefix, last address', 'fd00:200::1f', 8080),
  out('port range, low end', '10.200.0.40', 8000),
  out('port range, high end', '10.200.0.40', 8001),
  out('https', '10.200.0.40', 443),
  out('IPv6 address, https', 'fd00:200::40', 443),
  out('bound source', '10.200.0.50', 8080, '10.200.0.1'),
  out('other bound source', '10.200.0.51', 8080, '10.200.0.3'),
  out('service tag, first address', '10.200.0.64', 8080),
  out('service tag, last address', '10.200.0.79', 8080),
  out('service tag, IPv6', 'fd00:200::6f', 8080),
  out('name through its alternatives', '10.200.0.64', 8000),
  inbound('inbound from the required source', '10.200.0.2', '10.200.0.1', 9090),
];

const NEAR_MISSES: Probe[] = [
  out('just below an aggregated prefix', '10.200.0.15', 8080),
  out('just above an aggregated prefix', '10.200.0.32', 8080),
  out('just above an IPv6 prefix', 'fd00:200::20', 8080),
  out('a required address on another port', '10.200.0.16', 8081),
  out('just above a port range', '10.200.0.40', 8002),
  out('a required address on a port of another requirement', '10.200.0.40', 8080),
  out('IPv6 address just above a port range', 'fd00:200::40', 8002),
  out('a source outside the bound group', '10.200.0.50', 8080, '10.200.0.3'),
  out('the other source outside its group', '10.200.0.51', 8080, '10.200.0.1'),
  out('just below a service tag', '10.200.0.63', 8080),
  out('just above a service tag', '10.200.0.80', 8080),
  out('just above a service tag, IPv6', 'fd00:200::70', 8080),
  out('a service tag on a port its name does not have', '10.200.0.64', 8001),
  out('the server itself, no requirement', '10.200.0.2', 8080),
  inbound('inbound on the next port', '10.200.0.2', '10.200.0.1', 9091),
  inbound('inbound from another source', '10.200.0.5', '10.200.0.1', 9090),
  inbound('inbound over IPv6, which the requirement does not have', 'fd00:200::2', 'fd00:200::1', 9090),
];

describe('nftables behaviour in network namespaces', function () {
  this.timeout(120_000);
  let pair: NetnsPair | undefined;
  const scripts: Record<'drop' | 'reject', string> = { drop: '', reject: '' };

  before(async function () {
    requireNetns(this);
    requireEngines(this, 'nft', 'curl');
    const dir = makeTempDir();
    writeFileSync(join(dir, 'behaviour.yaml'), REQUIREMENTS);
    writeFileSync(join(dir, 'ServiceTags_Test_20250101.json'), JSON.stringify(SERVICE_TAGS));
    for (const policy of ['drop', 'reject'] as const) {
      const r = await compile({ files: [join(dir, 'behaviour.yaml')], bind: BIND, serviceTags: join(dir, 'ServiceTags_Test_20250101.json'), target: 'nftables', targetOptions: { policy } });
      scripts[policy] = r.files[0]!.contents;
    }
    pair = await withNetns();
    for (const a of S_ADDRESSES) pair.addAddress(a);
    pair.addAddress('10.200.0.3/24', pair.c);
    await Promise.all([...S_PORTS.map((p) => pair!.startServer('::', p)), ...C_PORTS.map((p) => pair!.startServer('::', p, pair!.c))]);
  });

  after(async function () {
    await pair?.cleanup();
  });

  /** curl's exit code for one probe (0 connected; 28 timed out, as a drop does; 7 refused, as a reject does). */
  async function probe(p: Probe, timeoutSec = 2): Promise<number> {
    const host = p.dst.includes(':') ? `[${p.dst}]` : p.dst;
    const ns = p.from === 'C' ? pair!.c : pair!.s;
    const r = await pair!.exec(ns, ['curl', '-sS', '-o', '/dev/null', '--interface', p.src, '--connect-timeout', String(timeoutSec), '--max-time', String(timeoutSec + 2), `http://${host}:${p.port}/`], { timeoutMs: (timeoutSec + 6) * 1000 });
    return r.code ?? -1;
  }

  async function probeAll(list: Probe[]): Promise<{ probe: Probe; code: number; ms: number }[]> {
    return Promise.all(
      list.map(async (p) => {
        const t0 = Date.now();
        const code = await probe(p);
        return { probe: p, code, ms: Date.now() - t0 };
      }),
    );
  }

  const show = (rs: { probe: Probe; code: number }[]) => rs.map((r) => `${r.probe.what} (${r.probe.src} -> ${r.probe.dst}:${r.probe.port}): curl exit ${r.code}`).join('\n');

  it('without rules, every probe connects (so a failure later is the rules)', async function () {
    const rs = await probeAll([...ALLOWED, ...NEAR_MISSES]);
    const bad = rs.filter((r) => r.code !== 0);
    expect(bad, show(bad)).to.deep.equal([]);
  });

  it('loads the script twice, replacing only its own table', async function () {
    const p = pair!;
    const other = await p.exec(p.c, ['nft', 'add table inet other; add chain inet other keep { comment "not ours"; }']);
    expect(other.code, other.stderr).to.equal(0);
    for (let i = 0; i < 2; i++) {
      const r = await p.nftLoad(scripts.drop);
      expect(r.code, r.stderr).to.equal(0);
    }
    const listed = await p.exec(p.c, ['nft', 'list', 'tables']);
    expect(listed.stdout.trim().split('\n').sort()).to.deep.equal(['table inet fwgen', 'table inet other']);
    const rules = await p.exec(p.c, ['nft', 'list', 'table', 'inet', 'fwgen']);
    expect(rules.stdout.match(/ accept comment "/g)).to.have.length(11);
  });

  it('policy drop: every required address and port connects', async function () {
    const rs = await probeAll(ALLOWED);
    const bad = rs.filter((r) => r.code !== 0);
    expect(bad, show(bad)).to.deep.equal([]);
  });

  it('policy drop: every near miss times out', async function () {
    const rs = await probeAll(NEAR_MISSES);
    const bad = rs.filter((r) => r.code !== 28);
    expect(bad, show(bad)).to.deep.equal([]);
  });

  it('policy reject: the same allowed probes connect and near misses are refused at once', async function () {
    const r = await pair!.nftLoad(scripts.reject);
    expect(r.code, r.stderr).to.equal(0);
    const ok = await probeAll(ALLOWED);
    expect(ok.filter((x) => x.code !== 0), show(ok)).to.deep.equal([]);
    const refused = await probeAll(NEAR_MISSES);
    // Outbound: C rejects its own packet (curl exit 7, at once). Inbound: C answers S with a TCP reset (exit 7).
    const bad = refused.filter((x) => x.code !== 7 || x.ms > 1500);
    expect(bad, show(bad)).to.deep.equal([]);
  });
});
