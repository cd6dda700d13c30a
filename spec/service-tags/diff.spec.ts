import { expect } from 'chai';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ipaddr from 'ipaddr.js';
import { diffServiceTags } from '../../lib/service-tags/diff.js';
import type { ServiceTagsData } from '../../lib/service-tags/service-tags.js';
import { referenceKeys, referenceMinimal } from '../helpers/reference-prefixes.js';
import { runCli } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const snapshot = join(root, 'data', 'service-tags', 'ServiceTags_Public_20251028.json');

function data(file: string, tags: Record<string, string[]>): ServiceTagsData {
  return {
    info: { file, cloud: 'Public', changeNumber: 1 },
    tags: new Map(Object.entries(tags).map(([name, addressPrefixes], index) => [name, { name, region: '', systemService: '', index, addressPrefixes }])),
  };
}

/** Every single address (a /32 or /128) the prefixes cover, in small test spaces. */
function addresses(cidrs: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const c of cidrs) {
    const [a, bits] = ipaddr.parseCIDR(c);
    const w = a.kind() === 'ipv4' ? 32 : 128;
    let n = 0n;
    for (const x of a.toByteArray()) n = (n << 8n) | BigInt(x);
    for (let i = 0n; i < 1n << BigInt(w - bits); i++) out.add(`${w === 32 ? 4 : 6}:${n + i}`);
  }
  return out;
}

function asPrefixes(keys: Iterable<string>): string[] {
  return [...keys].map((k) => {
    const [fam, n] = k.split(':') as [string, string];
    const count = fam === '4' ? 4 : 16;
    let v = BigInt(n);
    const bytes = new Array<number>(count);
    for (let i = count - 1; i >= 0; i--) {
      bytes[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    return `${ipaddr.fromByteArray(bytes).toString()}/${fam === '4' ? 32 : 128}`;
  });
}

const v4 = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 24, max: 32 })).map(([third, fourth, bits]) => {
  const size = 2 ** (32 - bits);
  return `10.0.${third}.${Math.floor(fourth / size) * size}/${bits}`;
});
const v6 = fc.tuple(fc.integer({ min: 0, max: 511 }), fc.integer({ min: 119, max: 128 })).map(([n, bits]) => {
  const size = 2 ** (128 - bits);
  return `2001:db8::${(Math.floor(n / size) * size).toString(16)}/${bits}`;
});
const prefixes = fc.array(fc.oneof(v4, v6), { maxLength: 12 });

describe('fwgen service-tags diff', function () {
  it('gives exactly the minimal prefixes of the addresses gained and lost (against the reference, both families)', function () {
    fc.assert(
      fc.property(prefixes, prefixes, (a, b) => {
        const d = diffServiceTags(data('old.json', { T: a }), data('new.json', { T: b }));
        const before = addresses(a);
        const after = addresses(b);
        const gained = [...after].filter((x) => !before.has(x));
        const lost = [...before].filter((x) => !after.has(x));
        const change = d.changes[0];
        if (gained.length === 0 && lost.length === 0) return d.changes.length === 0 && d.unchanged === 1;
        expect(referenceKeys(change!.gained)).to.deep.equal(referenceMinimal(asPrefixes(gained)));
        expect(referenceKeys(change!.lost)).to.deep.equal(referenceMinimal(asPrefixes(lost)));
        // IPv4 first, then IPv6, each in address order.
        const order = (list: string[]) => list.map((p) => [...addresses([p])][0]!).map((k) => (k.startsWith('4') ? 0n : 1n << 200n) + BigInt(k.slice(2)));
        for (const list of [change!.gained, change!.lost]) {
          const o = order(list);
          expect(o).to.deep.equal([...o].sort((x, y) => (x < y ? -1 : 1)));
        }
        return true;
      }),
      { numRuns: 400 },
    );
  });

  it('treats a split or merged spelling of the same addresses as unchanged, and names tags added and removed', function () {
    const d = diffServiceTags(data('a', { Same: ['10.0.0.0/24'], Gone: ['10.9.0.0/16'], Moved: ['10.1.0.0/24'] }), data('b', { Same: ['10.0.0.0/25', '10.0.0.128/25'], Moved: ['10.1.0.0/25', '10.2.0.0/24'], New: ['2001:db8::/48'] }));
    expect(d.unchanged).to.equal(1);
    expect(d.changes).to.deep.equal([
      { name: 'Gone', status: 'removed', gained: [], lost: ['10.9.0.0/16'] },
      { name: 'Moved', status: 'changed', gained: ['10.2.0.0/24'], lost: ['10.1.0.128/25'] },
      { name: 'New', status: 'added', gained: ['2001:db8::/48'], lost: [] },
    ]);
  });

  describe('CLI', function () {
    let dir: string;
    before(function () {
      dir = mkdtempSync(join(tmpdir(), 'fwgen-tags-diff-'));
      const json = JSON.parse(readFileSync(snapshot, 'utf8')) as { changeNumber: number; values: { name: string; properties: { addressPrefixes: string[] } }[] };
      json.changeNumber = 376;
      const acr = json.values.find((v) => v.name === 'AzureContainerRegistry.EastUS')!;
      acr.properties.addressPrefixes = [...acr.properties.addressPrefixes.slice(1), '198.51.100.0/24'];
      json.values = json.values.filter((v) => v.name !== 'ActionGroup');
      writeFileSync(join(dir, 'ServiceTags_Public_20251104.json'), JSON.stringify(json, null, 2));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('prints each changed tag with its gained (+) and lost (-) prefixes, in name order, and exits 1', async function () {
      const r = await runCli(['service-tags', 'diff', snapshot, 'ServiceTags_Public_20251104.json'], { cwd: dir });
      expect(r.code, r.stderr).to.equal(1);
      const removed = JSON.parse(readFileSync(snapshot, 'utf8')).values.find((v: { name: string }) => v.name === 'AzureContainerRegistry.EastUS').properties.addressPrefixes[0];
      const lines = r.stdout.split('\n');
      expect(lines[0]).to.equal('--- ServiceTags_Public_20251028.json (cloud Public, changeNumber 375, 2025-10-28)');
      expect(lines[1]).to.equal('+++ ServiceTags_Public_20251104.json (cloud Public, changeNumber 376, 2025-11-04)');
      expect(lines[2]).to.match(/^ActionGroup \(tag removed\): \d+ lost$/);
      const acr = lines.indexOf('AzureContainerRegistry.EastUS: 1 gained, 1 lost');
      expect(acr, r.stdout).to.be.greaterThan(2);
      expect(lines.slice(acr + 1, acr + 3)).to.deep.equal(['+ 198.51.100.0/24', `- ${removed}`]);
      // AzureContainerRegistry (the global tag) holds the same addresses as before: it is not listed.
      expect(r.stderr).to.match(/^fwgen service-tags diff: \d+ tags changed \(0 new, 1 removed\), \d+ unchanged\n$/);
      const again = await runCli(['service-tags', 'diff', snapshot, 'ServiceTags_Public_20251104.json'], { cwd: dir });
      expect(again.stdout).to.equal(r.stdout);
    });

    it('--tag keeps one tag; the same file twice exits 0; an unknown tag exits 2 with a suggestion', async function () {
      const one = await runCli(['service-tags', 'diff', snapshot, 'ServiceTags_Public_20251104.json', '--tag', 'AzureContainerRegistry.EastUS', '--format', 'json'], { cwd: dir });
      expect(one.code).to.equal(1);
      const j = JSON.parse(one.stdout) as { changes: { name: string; gained: string[] }[]; unchanged: number };
      expect(j.changes.map((c) => c.name)).to.deep.equal(['AzureContainerRegistry.EastUS']);
      expect(j.changes[0]!.gained).to.deep.equal(['198.51.100.0/24']);
      const same = await runCli(['service-tags', 'diff', snapshot, snapshot, '--tag', 'Storage'], { cwd: dir });
      expect(same.code).to.equal(0);
      expect(same.stderr).to.contain('0 tags changed (0 new, 0 removed), 1 unchanged');
      const typo = await runCli(['service-tags', 'diff', snapshot, snapshot, '--tag', 'AzureContainerRegistri'], { cwd: dir });
      expect(typo.code).to.equal(2);
      expect(typo.stderr).to.contain('error[TAGS_UNKNOWN]: service tag AzureContainerRegistri is in neither file').and.to.contain('did you mean AzureContainerRegistry');
    });

    it('names the line and column of a bad prefix in either file', async function () {
      writeFileSync(join(dir, 'bad.json'), '{\n  "changeNumber": 1,\n  "cloud": "Public",\n  "values": [\n    { "name": "T", "properties": { "region": "", "addressPrefixes": ["10.0.0.1/8"] } }\n  ]\n}\n');
      const r = await runCli(['service-tags', 'diff', 'bad.json', snapshot], { cwd: dir });
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('bad.json:5:70: error[TAGS_FILE]: $.values[0].properties.addressPrefixes[0]: "10.0.0.1/8" in tag T is not a valid prefix');
    });
  });
});
