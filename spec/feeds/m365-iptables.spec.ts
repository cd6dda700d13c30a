/**
 * The Microsoft 365 set that `fwgen feed m365` writes (spec/feeds/fixtures/m365-set.yaml), compiled for iptables and
 * loaded for real in a network namespace: the entries' ranges (the names' address form) let traffic through on the
 * entries' ports, and nothing next to them. C (the protected host) routes everything to S, which holds public
 * addresses inside and just outside the ranges as /32s and /128s, with HTTP servers on 25, 80, 443 and 8080. Before the
 * rules are loaded every connection succeeds, so each refusal afterwards is the rules' doing. UDP entries (Teams
 * media, 3478-3481) are checked in the rules' text only: curl cannot probe them. Connections are bounded (2 s).
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expand } from '../../lib/expand/index.js';
import { loadRequirementSet } from '../../lib/load/load-text.js';
import { emitTarget } from '../../lib/emit/run-emitter.js';
import type { EmitResult } from '../../lib/emit/emitter.js';
import iptables from '../../lib/emitters/iptables/index.js';
import { requireEngines, requireNetns, withNetns, type NetnsPair } from '../helpers/engines.js';

const SET = fileURLToPath(new URL('./fixtures/m365-set.yaml', import.meta.url));

interface Case {
  what: string;
  ip: string;
  port: number;
  allowed: boolean;
}

const CASES: Case[] = [
  { what: 'Exchange Online (entry 1) range 40.96.0.0/13 on https:443', ip: '40.96.0.1', port: 443, allowed: true },
  { what: 'the same range on http:80', ip: '40.96.0.1', port: 80, allowed: true },
  { what: 'the same range on a port no entry gives', ip: '40.96.0.1', port: 8080, allowed: false },
  { what: 'the neighbour just below 40.96.0.0/13', ip: '40.95.255.254', port: 443, allowed: false },
  { what: 'the gap between 40.104.0.0/15 and 40.107.0.0/16', ip: '40.106.0.1', port: 443, allowed: false },
  { what: 'the /31 13.107.6.152/31 (entries 1, 2)', ip: '13.107.6.153', port: 443, allowed: true },
  { what: 'just above that /31', ip: '13.107.6.154', port: 443, allowed: false },
  { what: 'the SMTP relay (entry 10) range 52.100.0.0/14 on tcp:25', ip: '52.100.0.1', port: 25, allowed: true },
  { what: 'the same range on 443 (entry 9 gives it)', ip: '52.100.0.1', port: 443, allowed: true },
  { what: 'the same range on 80 (neither entry gives it)', ip: '52.100.0.1', port: 80, allowed: false },
  { what: 'Entra ID (entry 46) range 20.190.128.0/18 on 443', ip: '20.190.191.254', port: 443, allowed: true },
  { what: 'just above 20.190.128.0/18', ip: '20.190.192.1', port: 443, allowed: false },
  { what: 'Exchange Online IPv6 2603:1006::/40 on 443', ip: '2603:1006::1', port: 443, allowed: true },
  { what: 'the IPv6 neighbour just below 2603:1006::/40', ip: '2603:1005:ffff:ffff::1', port: 443, allowed: false },
];

async function connect(pair: NetnsPair, c: Case): Promise<number> {
  const host = c.ip.includes(':') ? `[${c.ip}]` : c.ip;
  const r = await pair.exec(pair.c, ['curl', '-sS', '-o', '/dev/null', '--connect-timeout', '2', '--max-time', '4', `http://${host}:${c.port}/`], { timeoutMs: 10_000 });
  return r.code ?? -1;
}

describe('Microsoft 365 set: iptables behaviour in network namespaces', function () {
  this.timeout(60_000);
  let pair: NetnsPair | undefined;
  let out: EmitResult;

  before(async function () {
    requireNetns(this);
    requireEngines(this, 'iptables-restore', 'ip6tables-restore', 'ipset', 'curl');
    const loaded = loadRequirementSet(readFileSync(SET, 'utf8'), 'm365-set.yaml');
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
    const expanded = expand([loaded.set!]);
    out = emitTarget(expanded.set!, iptables, {}, {});
    expect(out.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);

    pair = await withNetns();
    for (const ip of new Set(CASES.map((c) => c.ip))) pair.addAddress(ip.includes(':') ? `${ip}/128` : `${ip}/32`);
    for (const [argv, why] of [
      [['ip', 'route', 'add', 'default', 'via', pair.sIp], 'IPv4 default route'],
      [['ip', '-6', 'route', 'add', 'default', 'via', pair.sIp6], 'IPv6 default route'],
    ] as const) {
      const r = await pair.exec(pair.c, [...argv]);
      expect(r.code, `${why}: ${r.stderr}`).to.equal(0);
    }
    for (const port of [25, 80, 443, 8080]) await pair.startServer('::', port);
  });

  after(async function () {
    await pair?.cleanup();
  });

  it('the rules hold the ranges, the UDP media ports, and name the set and its feed version', function () {
    const all = out.files.map((f) => f.contents).join('\n');
    expect(all).to.contain('Microsoft 365 endpoints, Worldwide, version 2025103000');
    expect(all).to.match(/52\.112\.0\.0\/14.*-p udp -m udp --dport 3478:3481|-p udp -m multiport --dports 3478:3481/);
  });

  it("without the rules, every connection of the test succeeds (so each failure below is the rules' doing)", async function () {
    const failed: string[] = [];
    for (const c of CASES) {
      const code = await connect(pair!, c);
      if (code !== 0) failed.push(`${c.what} (${c.ip}:${c.port}): curl exit ${code}`);
    }
    expect(failed).to.deep.equal([]);
  });

  it('loads ipset.restore (when written), iptables.rules and ip6tables.rules in the client namespace', async function () {
    const p = pair!;
    const sets = out.files.find((f) => f.path === 'ipset.restore');
    if (sets) {
      const s = await p.ipsetRestore(sets.contents);
      expect(s.code, s.stderr).to.equal(0);
    }
    for (const [path, v6] of [['iptables.rules', false], ['ip6tables.rules', true]] as const) {
      const r = await p.iptablesRestore(out.files.find((f) => f.path === path)!.contents, { v6 });
      expect(r.code, `${path}: ${r.stderr}`).to.equal(0);
    }
    const flush = await p.exec(p.c, ['ip', 'neigh', 'flush', 'all']);
    expect(flush.code, flush.stderr).to.equal(0);
  });

  for (const c of CASES) {
    it(`${c.allowed ? 'allows' : 'refuses'} ${c.what} (${c.ip}:${c.port})`, async function () {
      expect(await connect(pair!, c)).to.equal(c.allowed ? 0 : 7);
    });
  }
});
