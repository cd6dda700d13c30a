/**
 * nftables at scale: a script whose interval sets hold 100,000 IPv4 elements and 50,000 IPv6 ones (no two of which
 * merge) passes `nft -c -f`, loads in a throw-away network namespace, and the kernel's sets then hold exactly the
 * addresses written. An nft set declared without `size` has no element limit to split at, so this shows the one
 * script stays loadable at the size of the policy.
 */
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeTempDir, requireEngines, runSync } from '../../helpers/engines.js';
import { prefixText } from '../../helpers/random-prefixes.js';
import { referenceCoverage, referenceDisjoint, referenceMinimal } from '../../helpers/reference-prefixes.js';
import { emitDirect, requirement, resolvedSet } from '../k8s-networkpolicy/direct.js';

const V4 = 100_000;
const V6 = 50_000;

/** Every other address from 10.0.0.0 and every other /64 of 2001:db8::/32: none is another's sibling. */
function bigLists(): { v4: string[]; v6: string[] } {
  const v4 = Array.from({ length: V4 }, (_, i) => prefixText(4, 0x0a000000n + 2n * BigInt(i), 32));
  const v6 = Array.from({ length: V6 }, (_, i) => prefixText(6, (0x20010db8n << 96n) + ((2n * BigInt(i)) << 64n), 64));
  return { v4, v6 };
}

/** The elements of set `name` in a script (one a line, as the emitter writes them). */
function elements(script: string, name: string): string[] {
  const start = script.indexOf(`\tset ${name} {`);
  expect(start, `set ${name}`).to.be.at.least(0);
  const open = script.indexOf('elements = {', start);
  const close = script.indexOf('}', open);
  return script
    .slice(open + 'elements = {'.length, close)
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
}

describe('nftables with 100,000-element interval sets', function () {
  this.timeout(60_000);

  it('writes them in full, and nft -c, a real load and the kernel\'s sets agree', async function () {
    const big = bigLists();
    const cidrs = [...big.v4, ...big.v6];
    const req = requirement('big', cidrs.map((cidr) => ({ kind: 'cidr', cidr, family: cidr.includes(':') ? 6 : 4 })));
    const script = (await emitDirect('nftables', resolvedSet([req]))).files[0]!.contents;
    const sets = { dst4_direct_big: big.v4, dst6_direct_big: big.v6 };
    for (const [name, want] of Object.entries(sets)) {
      const got = elements(script, name);
      expect(got.length, name).to.equal(want.length).and.equal(referenceMinimal(want).length);
      expect(referenceDisjoint(got), `${name}: disjoint`).to.equal(true);
      expect(referenceCoverage(got), `${name}: the addresses asked for`).to.deep.equal(referenceCoverage(want));
    }

    requireEngines(this, 'nft', 'unshare');
    const dir = makeTempDir('fwgen-nft-big-');
    try {
      writeFileSync(join(dir, 'big.nft'), script);
      const ns = process.getuid?.() === 0 ? ['unshare', '--net', '--'] : ['unshare', '--user', '--map-root-user', '--net', '--'];
      // The listings (megabytes of JSON) go to files: a child's output is buffered in memory.
      const lines = ['set -e', `nft -c -f ${dir}/big.nft`, `nft -f ${dir}/big.nft`, ...Object.keys(sets).map((n) => `nft -j list set inet fwgen ${n} > ${dir}/${n}.json`)];
      const t0 = Date.now();
      const r = runSync([...ns, 'sh', '-c', lines.join('\n')], { timeoutMs: 60_000 });
      const ms = Date.now() - t0;
      expect(r.code, r.stderr.slice(0, 2000)).to.equal(0);
      for (const name of Object.keys(sets) as (keyof typeof sets)[]) {
        const listed = (JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as { nftables: { set?: { elem?: unknown[] } }[] }).nftables.find((o) => o.set)!.set!;
        const kernel = (listed.elem ?? []).map((e) => {
          const o = e as { prefix?: { addr: string; len: number }; range?: [string, string] };
          return typeof e === 'string' ? e : o.prefix ? `${o.prefix.addr}/${o.prefix.len}` : `${o.range![0]}-${o.range![1]}`;
        });
        expect(kernel.length, `${name} in the kernel`).to.equal(sets[name].length);
        expect(referenceCoverage(kernel), `${name}: the kernel's addresses`).to.deep.equal(referenceCoverage(sets[name]));
      }
      console.log(`      ${V4.toLocaleString('en')} + ${V6.toLocaleString('en')} elements: nft -c, load and listing in ${ms} ms`);
    } finally {
      removeTempDir(dir);
    }
  });
});
