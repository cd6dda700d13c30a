/**
 * Every built-in catalog, emitted for Squid with values for its parameters, each of its options in turn, all
 * options switched at once, every group bound, and both subdomain modes, passes `squid -k parse` without a
 * WARNING or ERROR line. Catalogs all together in one fragment too.
 */
import { expect } from 'chai';
import { catalogFile, catalogIds } from '../../../lib/catalogs/index.js';
import { loadRequirementFile } from '../../../lib/load/index.js';
import type { RequirementSet } from '../../../lib/model/requirement-set.js';
import { runCli } from '../../helpers/cli.js';
import { requireEngine, squidParse } from '../../helpers/engines.js';

/** A value for every parameter the built-in catalogs declare (a new one must be added here). */
const PARAMS: Record<string, string> = {
  region: 'eastus',
  'region-code': 'eus',
  'control-plane-fqdn': 'cp.example.com',
  registry: 'myreg',
  'replica-regions': 'westeurope,northeurope',
};

interface Variant {
  title: string;
  argv: string[];
}

function paramArgs(sets: RequirementSet[]): string[] {
  const names = [...new Set(sets.flatMap((s) => s.parameters.map((p) => p.name)))];
  const missing = names.filter((n) => PARAMS[n] === undefined);
  if (missing.length) throw new Error(`no test value for parameter(s) ${missing.join(', ')}: add them to PARAMS`);
  return names.flatMap((n) => ['--param', `${n}=${PARAMS[n]}`]);
}

/** Defaults; each option set to each other value on its own; every option off its default at once. */
function optionVariants(set: RequirementSet): { title: string; args: string[] }[] {
  const out = [{ title: 'defaults', args: [] as string[] }];
  const flipped: string[] = [];
  for (const o of set.options) {
    const others = o.values ? o.values.filter((v) => v !== o.default) : [String(!o.default)];
    for (const v of others) out.push({ title: `${o.name}=${v}`, args: ['--option', `${o.name}=${v}`] });
    flipped.push('--option', `${o.name}=${others[0]}`);
  }
  if (set.options.length > 1) out.push({ title: 'every option flipped', args: flipped });
  return out;
}

function bindArgs(set: RequirementSet): string[] {
  return set.groups.flatMap((g, i) => ['--bind', `${g.id}=10.${100 + i}.0.0/16`]);
}

describe('squid: every built-in catalog passes squid -k parse', function () {
  this.timeout(60_000);
  const ids = catalogIds();
  const sets = new Map<string, RequirementSet>();

  before(async function () {
    requireEngine(this, 'squid');
    for (const id of ids) {
      const r = await loadRequirementFile(catalogFile(id)!);
      expect(r.set, `${id}: ${JSON.stringify(r.diagnostics)}`).to.not.equal(undefined);
      sets.set(id, r.set!);
    }
  });

  it('has built-in catalogs', function () {
    expect(ids).to.include.members(['acr', 'azure-arc-ml', 'mcr', 'runai']);
  });

  const check = async (v: Variant) => {
    const r = await runCli(v.argv);
    expect(r.code, `${v.title}: exit ${r.code}\n${r.stderr}`).to.equal(0);
    expect(r.stdout).to.match(/\nhttp_access deny all\n$/);
    const p = squidParse(r.stdout);
    expect(p.ok, `${v.title}: squid -k parse failed\n${p.output}`).to.equal(true);
    expect(p.warnings, `${v.title}: squid warned\n${p.output}`).to.deep.equal([]);
    expect(p.errors, `${v.title}: squid reported an error\n${p.output}`).to.deep.equal([]);
    return r;
  };

  for (const id of ids) {
    it(`${id}: every option variant, groups bound and unbound, both subdomain modes`, async function () {
      const set = sets.get(id)!;
      let n = 0;
      for (const opt of optionVariants(set)) {
        for (const mode of ['exact', 'widen']) {
          for (const bound of set.groups.length ? [false, true] : [false]) {
            const argv = ['emit', '--catalog', id, '--target', 'squid', '--set', `subdomains=${mode}`, ...paramArgs([set]), ...opt.args, ...(bound ? bindArgs(set) : [])];
            await check({ title: `${id} ${opt.title} subdomains=${mode}${bound ? ' bound' : ''}`, argv });
            n++;
          }
        }
      }
      expect(n).to.be.greaterThan(1);
    });
  }

  it('acr with dedicated data endpoints, regional endpoints and replica regions names every data and geo endpoint', async function () {
    const r = await check({
      title: 'acr',
      argv: ['emit', '--catalog', 'acr', '--target', 'squid', '--param', 'registry=myreg', '--param', 'region=eastus', '--param', 'replica-regions=westeurope,northeurope', '--option', 'dedicated-data-endpoints=true', '--option', 'regional-endpoints=true'],
    });
    for (const region of ['eastus', 'westeurope', 'northeurope']) {
      expect(r.stdout).to.include(` dstdomain -n myreg.${region}.data.azurecr.io\n`);
      expect(r.stdout).to.include(` dstdomain -n myreg.${region}.geo.azurecr.io\n`);
    }
    expect(r.stdout).not.to.include('blob');
  });

  it('mcr with cloud=china names the China endpoints only', async function () {
    const r = await check({ title: 'mcr china', argv: ['emit', '--catalog', 'mcr', '--target', 'squid', '--option', 'cloud=china'] });
    expect(r.stdout).to.include(' dstdomain -n mcr.azure.cn\n');
    expect(r.stdout).to.include(' dstdom_regex -n -i ^([^.]+\\.)+data\\.mcr\\.azure\\.cn$\n');
    expect(r.stdout).not.to.include('microsoft');
  });

  it('all catalogs in one fragment, with final-deny=false too', async function () {
    const all = ids.flatMap((id) => ['--catalog', id]);
    const params = paramArgs([...sets.values()]);
    await check({ title: 'all', argv: ['emit', ...all, '--target', 'squid', ...params] });
    const r = await runCli(['emit', ...all, '--target', 'squid', '--set', 'final-deny=false', ...params]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).not.to.include('http_access deny all');
    const p = squidParse(r.stdout);
    expect(p.ok, p.output).to.equal(true);
    expect(p.warnings, p.output).to.deep.equal([]);
    expect(p.errors, p.output).to.deep.equal([]);
  });
});
