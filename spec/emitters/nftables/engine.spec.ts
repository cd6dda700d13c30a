/**
 * Every nftables output the project ships or promises passes the real engine: `nft -c -f` and then a real load of the
 * script (twice, since it must replace its own table) in a throw-away network namespace. Covers every built-in catalog
 * with the parameters, options and bindings it needs, each target option, and every golden file of this target.
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogIds } from '../../../lib/catalogs/index.js';
import { compile } from '../../../lib/compile.js';
import { FwgenError } from '../../../lib/model/diagnostic.js';
import type { CompileInput } from '../../../lib/compile.js';
import { makeTempDir, nftCheck, requireEngines } from '../../helpers/engines.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

const RUNAI_BIND = {
  'all-kubernetes-nodes': ['10.1.0.0/24', 'fd00:1::/64'],
  'installer-machine': '10.9.0.5/32',
  'runai-system-nodes': ['10.1.0.0/28', 'fd00:1::/120'],
  'bcm-headnodes': ['10.2.0.1/32', '10.2.0.2/32'],
};

/** Each built-in catalog with what it needs; one case at least per catalog, the rest vary options. */
export const CATALOG_CASES: { name: string; input: Omit<CompileInput, 'target'>; rules: number }[] = [
  { name: 'mcr', input: { catalogs: ['mcr'] }, rules: 4 },
  { name: 'runai, groups bound', input: { catalogs: ['runai'], params: { 'control-plane-fqdn': 'cp.example.com' }, bind: RUNAI_BIND }, rules: 7 },
  {
    name: 'runai, mode=forward policy=reject counters',
    input: { catalogs: ['runai'], params: { 'control-plane-fqdn': 'cp.example.com' }, bind: RUNAI_BIND, targetOptions: { mode: 'forward', policy: 'reject', counters: true } },
    rules: 5,
  },
  { name: 'acr', input: { catalogs: ['acr'], params: { registry: 'myreg', region: 'eastus' } }, rules: 6 },
  {
    name: 'acr, every option on, replicas',
    input: {
      catalogs: ['acr'],
      params: { registry: 'myreg', region: 'eastus', 'replica-regions': ['westus', 'northeurope'] },
      options: { 'dedicated-data-endpoints': true, 'regional-endpoints': true, 'regional-service-tags': true },
    },
    rules: 6,
  },
  {
    name: 'acr, every option on, policy=accept essentials=false table=fwgen_acr',
    input: {
      catalogs: ['acr'],
      params: { registry: 'myreg', region: 'eastus', 'replica-regions': ['westus'] },
      options: { 'dedicated-data-endpoints': true, 'regional-endpoints': true, 'regional-service-tags': true },
      targetOptions: { policy: 'accept', essentials: false, table: 'fwgen_acr' },
    },
    rules: 6,
  },
  { name: 'all catalogs together', input: { catalogs: ['acr', 'azure-arc-ml', 'mcr', 'runai'], params: { registry: 'myreg', region: 'eastus', 'region-code': 'eus', 'control-plane-fqdn': 'cp.example.com' }, bind: RUNAI_BIND }, rules: 17 },
];

/** Requirement rules in a script: lines that accept with a comment (the essentials carry none). */
export function countRules(script: string): number {
  return script.split('\n').filter((l) => / accept comment "/.test(l)).length;
}

describe('nftables: real engine', function () {
  this.timeout(60_000);

  before(function () {
    requireEngines(this, 'nft', 'unshare');
  });

  for (const [name, input] of [
    ['mcr cloud=china', { catalogs: ['mcr'], options: { cloud: 'china' } }],
    ['azure-arc-ml', { catalogs: ['azure-arc-ml'], params: { region: 'eastus', 'region-code': 'eus' } }],
  ] as const) {
    it(`${name} (names only): nothing is written, and the error says why`, async function () {
      const e = await compile({ ...input, target: 'nftables' } as never).catch((x: unknown) => x);
      expect(e).to.be.instanceOf(FwgenError);
      expect((e as FwgenError).diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).to.deep.equal([
        `no requirement is left for nftables to allow (all ${name === 'azure-arc-ml' ? 19 : 2} dropped, see the warnings), so nothing is written`,
      ]);
    });
  }

  it('has a case for every built-in catalog', function () {
    const covered = new Set(CATALOG_CASES.flatMap((c) => c.input.catalogs ?? []));
    expect([...catalogIds()].filter((id) => !covered.has(id))).to.deep.equal([]);
  });

  for (const c of CATALOG_CASES) {
    it(`${c.name}: nft -c, then loads twice`, async function () {
      const { files } = await compile({ ...c.input, target: 'nftables' });
      expect(files).to.have.length(1);
      const text = files[0]!.contents;
      expect(countRules(text)).to.equal(c.rules);
      const twice = nftCheck(text + '\n' + text, { load: true });
      expect(twice.ok, twice.output).to.equal(true);
    });
  }

  it('the largest service tag (AzureCloud, both families, thousands of prefixes): nft -c, then loads', async function () {
    const file = join(makeTempDir(), 'azurecloud.yaml');
    writeFileSync(file, 'id: big\ntitle: AzureCloud\nsource: { document: d }\nrequirements:\n  - id: cloud\n    destinations: [{ serviceTag: AzureCloud }]\n    ports: [https:443, udp:3478]\n    provenance: { line: 1 }\n');
    const { files } = await compile({ files: [file], target: 'nftables' });
    const text = files[0]!.contents;
    expect(countRules(text)).to.equal(4);
    expect(text.split('\n').filter((l) => /^\t\t\t[0-9a-f:.]+\/\d+,$/.test(l)).length).to.be.greaterThan(1000);
    const r = nftCheck(text, { load: true });
    expect(r.ok, r.output).to.equal(true);
  });

  describe('every golden file of this target', function () {
    const goldens = existsSync(FIXTURES)
      ? readdirSync(FIXTURES)
          .filter((n) => !n.startsWith('_'))
          .map((n) => join(FIXTURES, n, 'expected', 'nftables.nft'))
          .filter((f) => existsSync(f))
      : [];

    it('finds the golden files', function () {
      expect(goldens.length).to.be.greaterThan(1);
    });

    for (const file of goldens) {
      it(`${file.split('/').slice(-3)[0]}: nft -c, then loads`, function () {
        const r = nftCheck(readFileSync(file, 'utf8'), { load: true });
        expect(r.ok, r.output).to.equal(true);
      });
    }
  });
});
