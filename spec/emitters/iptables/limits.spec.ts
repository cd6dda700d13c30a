/**
 * iptables past ipset's limit: a hash:net set holds at most `maxelem` entries (default 65,536, ipset(8)). The issue's
 * 100,000-prefix policy (74,588 prefixes after aggregation) and 70,000 IPv6 host routes become sets whose maxelem
 * grows to hold them; the real `ipset restore` loads them in a throw-away namespace, `iptables-restore --test` and a
 * real load accept the rules that use them, and the same file with the default maxelem fails, which shows the limit
 * is crossed. `ipset-maxelem` changes the size written.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmitResult } from '../../../lib/emit/emitter.js';
import { makeTempDir, removeTempDir, requireEngines, runSync } from '../../helpers/engines.js';
import { prefixText } from '../../helpers/random-prefixes.js';
import { isMinimal, referenceMinimal } from '../../helpers/reference-prefixes.js';
import { emitDirect, requirement, resolvedSet } from '../k8s-networkpolicy/direct.js';

// @ts-expect-error: a plain .mjs module without types
const { bigPolicyPrefixes } = (await import('../../../bench/big-policy.mjs')) as { bigPolicyPrefixes(n: number): string[] };

const V6_HOSTS = 70_000;
/** The reference's minimal prefix count for bigPolicyPrefixes(100_000) (seed 13). */
const V4_MINIMAL = 74_588;

function bigSet(): { v4: string[]; v6: string[] } {
  // Every other address of 2001:db8::/64: no two are siblings, so none merge.
  const base = 0x20010db8n << 96n;
  const v6 = Array.from({ length: V6_HOSTS }, (_, i) => prefixText(6, base + 2n * BigInt(i), 128));
  return { v4: bigPolicyPrefixes(100_000), v6 };
}

function emitBig(cidrs: string[], options: Record<string, unknown> = {}): Promise<EmitResult> {
  // One endpoint per CIDR, as a list file gives them.
  const req = requirement('big', cidrs.map((cidr) => ({ kind: 'cidr', cidr, family: cidr.includes(':') ? 6 : 4 })));
  return emitDirect('iptables', resolvedSet([req]), options);
}

const file = (r: EmitResult, p: string) => r.files.find((f) => f.path === p)!.contents;

/** name -> maxelem and entries, from the create and add lines. */
function sets(text: string): Map<string, { maxelem: number; members: string[] }> {
  const out = new Map<string, { maxelem: number; members: string[] }>();
  for (const line of text.split('\n')) {
    const c = /^create (\S+) hash:net family inet6? maxelem (\d+) -exist$/.exec(line);
    if (c) out.set(c[1]!, { maxelem: Number(c[2]), members: [] });
    const a = /^add (\S+) (\S+) -exist$/.exec(line);
    if (a) out.get(a[1]!)!.members.push(a[2]!);
  }
  return out;
}

describe('iptables at ipset\'s maxelem (65,536)', function () {
  this.timeout(60_000);
  let big: { v4: string[]; v6: string[] };
  let r: EmitResult;

  before(async function () {
    big = bigSet();
    r = await emitBig([...big.v4, ...big.v6]);
  });

  it('writes one set per family, each the minimal prefixes and sized past 65,536 to hold them', function () {
    const s = sets(file(r, 'ipset.restore'));
    expect([...s.keys()].sort()).to.deep.equal(['fwgen-direct_big-d4', 'fwgen-direct_big-d6']);
    const v4 = s.get('fwgen-direct_big-d4')!;
    const v6 = s.get('fwgen-direct_big-d6')!;
    expect(v4.members.length).to.equal(referenceMinimal(big.v4).length).and.equal(V4_MINIMAL);
    expect(isMinimal(big.v4, v4.members)).to.equal(true);
    expect(v6.members.length).to.equal(V6_HOSTS);
    expect(isMinimal(big.v6, v6.members)).to.equal(true);
    expect(v4.maxelem).to.equal(131_072);
    expect(v6.maxelem).to.equal(131_072);
    // One rule per family, matching the set.
    expect(file(r, 'iptables.rules')).to.match(/^-A FWGEN-EGRESS -m set --match-set fwgen-direct_big-d4 dst -p tcp -m tcp --dport 443 /m);
    expect(file(r, 'ip6tables.rules')).to.match(/^-A FWGEN-EGRESS -m set --match-set fwgen-direct_big-d6 dst -p tcp -m tcp --dport 443 /m);
  });

  it('ipset restore loads both sets in full, and iptables-restore / ip6tables-restore (--test, then for real) take the rules', function () {
    requireEngines(this, 'ipset', 'iptables-restore', 'ip6tables-restore', 'unshare');
    const dir = makeTempDir('fwgen-ipt-big-');
    try {
      for (const f of r.files) writeFileSync(join(dir, f.path), f.contents);
      // The control: the same sets created with ipset's default maxelem.
      writeFileSync(join(dir, 'default.restore'), file(r, 'ipset.restore').replace(/maxelem \d+/g, 'maxelem 65536'));
      const ns = process.getuid?.() === 0 ? ['unshare', '--net', '--'] : ['unshare', '--user', '--map-root-user', '--net', '--'];
      const script = [
        'set -e',
        `ipset restore -file ${dir}/ipset.restore`,
        'ipset list -t',
        `iptables-restore --test ${dir}/iptables.rules`,
        `iptables-restore ${dir}/iptables.rules`,
        `ip6tables-restore --test ${dir}/ip6tables.rules`,
        `ip6tables-restore ${dir}/ip6tables.rules`,
        "iptables-save | grep -c -- '--match-set fwgen-direct_big-d4 dst'",
        "ip6tables-save | grep -c -- '--match-set fwgen-direct_big-d6 dst'",
      ].join('\n');
      const t0 = Date.now();
      const ok = runSync([...ns, 'sh', '-c', script], { timeoutMs: 60_000 });
      const loadMs = Date.now() - t0;
      expect(ok.code, ok.stderr).to.equal(0);
      const headers = ok.stdout.split(/^Name: /m).slice(1);
      const header = (name: string) => headers.find((h) => h.startsWith(`${name}\n`)) ?? '';
      expect(header('fwgen-direct_big-d4')).to.match(/maxelem 131072/).and.match(new RegExp(`Number of entries: ${V4_MINIMAL}$`, 'm'));
      expect(header('fwgen-direct_big-d6')).to.match(/maxelem 131072/).and.match(/Number of entries: 70000$/m);
      expect(ok.stdout.trim().split('\n').slice(-2)).to.deep.equal(['1', '1']);
      const control = runSync([...ns, 'ipset', 'restore', '-file', `${dir}/default.restore`], { timeoutMs: 60_000 });
      expect(control.code, 'the default maxelem cannot hold these sets').to.not.equal(0);
      expect(control.stderr).to.match(/Hash is full/);
      console.log(`      ${V4_MINIMAL.toLocaleString('en')} + ${V6_HOSTS.toLocaleString('en')} entries loaded (ipset, iptables, ip6tables) in ${loadMs} ms`);
    } finally {
      removeTempDir(dir);
    }
  });

  it('ipset-maxelem sets the size written; a list above it still gets it doubled until it fits', async function () {
    const roomy = sets(file(await emitBig(big.v4.slice(0, 20), { 'ipset-maxelem': 262_144 }), 'ipset.restore'));
    expect([...roomy.values()].map((s) => s.maxelem)).to.deep.equal([262_144]);
    const small = sets(file(await emitBig(big.v4.slice(0, 2_000), { 'ipset-maxelem': 1_000 }), 'ipset.restore'));
    const [only] = [...small.values()];
    expect(only!.members.length).to.be.greaterThan(1_000);
    expect(only!.maxelem).to.equal(2_000);
  });
});
