// Counts for the built-in catalogs, made by hand from the seed documents in /work/shared/seeds/ (cited by line).
// A catalog that gains or loses a row, a destination or a port against its document fails here.
import { expect } from 'chai';
import { loadRequirementFile } from '../../lib/load/index.js';
import { expand, type ExpandInput } from '../../lib/expand/index.js';
import { catalogFile } from '../../lib/catalogs/index.js';
import type { EndpointEntry, RequirementSet } from '../../lib/model/requirement-set.js';
import type { ResolvedEndpoint, ResolvedRequirementSet } from '../../lib/model/resolved.js';
import { formatPort } from '../../lib/model/port.js';
import { describeEndpoint } from '../../lib/model/describe.js';

async function load(id: string): Promise<RequirementSet> {
  const file = catalogFile(id);
  expect(file, `built-in catalog ${id}`).to.be.a('string');
  const r = await loadRequirementFile(file!);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  expect(errors, `${id} loads without errors`).to.deep.equal([]);
  expect(r.set).to.not.equal(undefined);
  return r.set!;
}

/** An endpoint as written in the file, before expansion: host names with their "*.", CIDRs, tags (with region), groups. */
function written(e: EndpointEntry): string {
  switch (e.kind) {
    case 'host':
      return e.match === 'subdomains' ? `*.${e.name}` : e.match === 'apex-and-subdomains' ? `.${e.name}` : e.name;
    case 'cidr':
      return e.cidr;
    case 'service-tag':
      return e.region ? `${e.tag}.${e.region}` : e.tag;
    case 'group':
      return `group:${e.group}`;
  }
}

const distinct = <T>(xs: T[]) => [...new Set(xs)];
const destinationEntries = (set: RequirementSet) => set.requirements.flatMap((r) => r.destinations.map(written));
const sourceEntries = (set: RequirementSet) => set.requirements.flatMap((r) => (r.sources ?? []).map(written));
const alternativeEntries = (set: RequirementSet) => set.requirements.flatMap((r) => (r.alternatives ?? []).map(written));
const portsWritten = (set: RequirementSet) => distinct(set.requirements.flatMap((r) => r.ports.map(formatPort)));

function expanded(set: RequirementSet, input: ExpandInput = {}): ResolvedRequirementSet {
  const r = expand([set], input);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  expect(errors, 'expands without errors').to.deep.equal([]);
  return r.set!;
}
/** One per table line of `fwgen show`: each destination of each resolved requirement. */
const concrete = (s: ResolvedRequirementSet) => s.requirements.flatMap((r) => r.destinations.map((d) => describeEndpoint(d.endpoint)));
const alternatives = (s: ResolvedRequirementSet, id: string) =>
  s.requirements.find((r) => r.id === id)!.alternatives.map((a: ResolvedEndpoint) => describeEndpoint(a));
const lines = (s: ResolvedRequirementSet, id: string) => s.requirements.find((r) => r.id === id)!.destinations.map((d) => d.provenance.map((p) => p.line));

function expectMissing(set: RequirementSet, input: ExpandInput, parameter: string): void {
  const r = expand([set], input);
  expect(r.set).to.equal(undefined);
  const d = r.diagnostics.find((x) => x.code === 'EXPAND_MISSING_PARAMETER' && x.params?.parameter === parameter);
  expect(d, `EXPAND_MISSING_PARAMETER for ${parameter}`).to.not.equal(undefined);
  expect(d!.severity).to.equal('error');
  expect(d!.message).to.contain(`{${parameter}}`);
  expect(d!.hint).to.contain(`--param ${parameter}=`);
}

describe('built-in catalogs', function () {
  for (const id of ['mcr', 'azure-arc-ml', 'runai', 'acr']) {
    it(`${id}: every requirement says where in the document it comes from`, async function () {
      const set = await load(id);
      for (const r of set.requirements) {
        expect(set.source.sections, `${r.id}: section`).to.include(r.provenance.section);
        expect(r.provenance.line, `${r.id}: line`).to.be.a('number');
        expect(r.provenance.text, `${r.id}: text`).to.be.a('string').and.not.equal('');
        expect(r.provenance.text, `${r.id}: placeholders stay as written`).to.not.match(/\{[a-z-]+\}/);
      }
    });
  }

  describe('mcr (seed 002)', function () {
    let set: RequirementSet;
    before(async () => {
      set = await load('mcr');
    });

    it('has one requirement per table row', function () {
      // Lines 14-17: the 4 rows of the table under "Configuring Client Firewall Rules".
      expect(set.requirements).to.have.length(4);
      expect(set.requirements.map((r) => r.provenance.line)).to.deep.equal([14, 15, 16, 17]);
    });

    it('writes every destination, port and parameter of the document', function () {
      // Lines 14-17: mcr.microsoft.com, *.data.mcr.microsoft.com, mcr.azure.cn, *.data.mcr.azure.cn.
      expect(destinationEntries(set)).to.have.length(4);
      expect(distinct(destinationEntries(set))).to.have.length(4);
      // Line 30: MicrosoftContainerRegistry and AzureFrontDoor.FirstParty.
      expect(distinct(alternativeEntries(set))).to.have.members(['MicrosoftContainerRegistry', 'AzureFrontDoor.FirstParty']);
      // Lines 14-17: every row says "https"; no port number is written, so https:443.
      expect(portsWritten(set)).to.deep.equal(['https:443']);
      expect(set.parameters).to.have.length(0);
      expect(set.options.map((o) => o.name)).to.deep.equal(['cloud']);
    });

    it('expands to the public endpoints by default and the China ones on request', function () {
      // Line 19: the China endpoints (lines 16-17) are counterparts of the public ones (lines 14-15).
      const pub = expanded(set);
      expect(pub.requirements).to.have.length(2);
      expect(concrete(pub)).to.deep.equal(['mcr.microsoft.com', '*.data.mcr.microsoft.com']);
      const china = expanded(set, { options: { cloud: 'china' } });
      expect(china.requirements).to.have.length(2);
      expect(concrete(china)).to.deep.equal(['mcr.azure.cn', '*.data.mcr.azure.cn']);
    });
  });

  describe('azure-arc-ml (seed 000)', function () {
    let set: RequirementSet;
    before(async () => {
      set = await load('azure-arc-ml');
    });

    it('has one requirement per table row', function () {
      // Azure arc: 8 rows (lines 9-16); AML extension: 5 (lines 22-26); Inference job: 4 (lines 32-35);
      // Training job: 2 (lines 41-42). 8 + 5 + 4 + 2 = 19.
      expect(set.requirements).to.have.length(19);
      expect(set.requirements.map((r) => r.provenance.line)).to.deep.equal([9, 10, 11, 12, 13, 14, 15, 16, 22, 23, 24, 25, 26, 32, 33, 34, 35, 41, 42]);
      const rows = (section: string) => set.requirements.filter((r) => r.provenance.section === section).map((r) => r.provenance.row);
      expect(rows('Azure arc')).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(rows('AML extension')).to.deep.equal([1, 2, 3, 4, 5]);
      expect(rows('Inference job')).to.deep.equal([1, 2, 3, 4]);
      expect(rows('Training job')).to.deep.equal([1, 2]);
      expect(distinct(set.requirements.map((r) => r.scenario))).to.deep.equal(['Azure arc', 'AML extension', 'Inference job', 'Training job']);
    });

    it('writes every destination of multi-value cells separately', function () {
      // Azure arc: lines 9-15 one each (7), line 16 three = 10.
      // AML extension: line 22 two, 23 one, 24 one, 25 two, 26 one = 7.
      // Inference job: line 32 one, 33 one, 34 three, 35 three = 8.
      // Training job: line 41 one, 42 three = 4.
      // 10 + 7 + 8 + 4 = 29, no name repeated.
      expect(destinationEntries(set)).to.have.length(29);
      expect(distinct(destinationEntries(set))).to.have.length(29);
      // Placeholders: <region> at lines 10 and 34 (three times), <region-code> at line 15.
      const templated = destinationEntries(set).filter((d) => d.includes('{'));
      expect(templated).to.deep.equal([
        '{region}.dp.kubernetesconfiguration.azure.com',
        '{region-code}.his.arc.azure.com',
        '*.workspace.{region}.api.azureml.ms',
        '{region}.experiments.azureml.net',
        '{region}.api.azureml.ms',
      ]);
      // Wildcards: lines 13, 16, 22, 32, 33, 34 one each, line 35 three = 9.
      expect(destinationEntries(set).filter((d) => d.startsWith('*.'))).to.have.length(9);
      // No sources: the cluster itself.
      expect(sourceEntries(set)).to.have.length(0);
    });

    it('writes the ports as the document does', function () {
      // https:443 on every row but line 42, which says http:80.
      expect(portsWritten(set)).to.have.members(['https:443', 'http:80']);
      expect(portsWritten(set)).to.have.length(2);
      expect(set.requirements.filter((r) => r.ports.some((p) => p.from === 80)).map((r) => r.provenance.line)).to.deep.equal([42]);
    });

    it('declares region and region-code as the note at line 45 defines them', function () {
      expect(set.parameters.map((p) => p.name)).to.deep.equal(['region', 'region-code']);
      const code = set.parameters.find((p) => p.name === 'region-code')!;
      expect(code.kind).to.equal('enum');
      // Line 45: 11 codes.
      expect(Object.keys(code.values!)).to.deep.equal(['eus', 'weu', 'wcus', 'scus', 'sea', 'uks', 'wus2', 'ae', 'eus2', 'ne', 'fc']);
      expect(code.values!.sea).to.equal('South East Asia');
      const region = set.parameters.find((p) => p.name === 'region')!;
      expect(region.kind).to.equal('string');
      expect(region.pattern).to.equal('^[a-z0-9]+$');
      expect(region.description).to.contain('the lowcase full spelling, e.g., eastus, southeastasia');
      expect(set.options).to.have.length(0);
    });

    it('keeps the typo of line 34 in the provenance only', function () {
      const r = set.requirements.find((x) => x.provenance.line === 34)!;
      expect(r.provenance.text).to.contain('Azure mahince learning service api');
      expect(r.purpose).to.contain('Azure machine learning service api');
    });

    it('expands every row with region and region-code given', function () {
      const s = expanded(set, { params: { region: 'eastus', 'region-code': 'eus' } });
      expect(s.requirements).to.have.length(19);
      expect(concrete(s)).to.have.length(29);
      expect(distinct(concrete(s))).to.have.length(29);
      expect(concrete(s)).to.include.members([
        'eastus.dp.kubernetesconfiguration.azure.com',
        'eus.his.arc.azure.com',
        '*.workspace.eastus.api.azureml.ms',
        'eastus.experiments.azureml.net',
        'eastus.api.azureml.ms',
      ]);
    });

    it('fails to expand without region, naming the parameter', function () {
      expectMissing(set, { params: { 'region-code': 'eus' } }, 'region');
      expectMissing(set, { params: { region: 'eastus' } }, 'region-code');
      const r = expand([set], { params: { 'region-code': 'eus' } });
      const d = r.diagnostics.find((x) => x.code === 'EXPAND_MISSING_PARAMETER')!;
      // Lines 10 and 34 use <region>.
      expect(d.params.requirements).to.deep.equal(['azure-arc-ml/arc-kubernetes-configuration-data-plane', 'azure-arc-ml/inference-azureml-api']);
    });

    it('rejects a region code the note does not list', function () {
      const r = expand([set], { params: { region: 'eastus', 'region-code': 'xx' } });
      expect(r.set).to.equal(undefined);
      expect(r.diagnostics.map((d) => d.code)).to.include('EXPAND_PARAMETER_VALUE');
    });
  });

  describe('runai (seed 001)', function () {
    let set: RequirementSet;
    before(async () => {
      set = await load('runai');
    });

    it('has one requirement per table row, and one for the internal network', function () {
      // Installation > Inbound rules: 1 row (line 11). Installation > Outbound rules: 2 rows (lines 16-17) and
      // the 4 rows of the examples table (lines 23-26). External access > Inbound rules: 2 rows (line 44, and
      // lines 45-46 broken over two lines). External access > Outbound rules: 2 rows (lines 59-60).
      // Internal network: the prose at line 64. 1 + 2 + 4 + 2 + 2 + 1 = 12.
      expect(set.requirements).to.have.length(12);
      expect(set.requirements.map((r) => r.provenance.line)).to.deep.equal([11, 16, 17, 23, 24, 25, 26, 44, 45, 59, 60, 64]);
      expect(set.requirements.map((r) => r.provenance.row)).to.deep.equal([1, 1, 2, 1, 2, 3, 4, 1, 2, 1, 2, undefined]);
      expect(set.requirements.map((r) => r.direction)).to.deep.equal([
        'inbound', 'outbound', 'outbound', 'outbound', 'outbound', 'outbound', 'outbound', 'inbound', 'inbound', 'outbound', 'outbound', 'internal',
      ]);
      expect(distinct(set.requirements.map((r) => r.scenario))).to.deep.equal(['Installation', 'External access', 'Internal network']);
      // Lines 45-46: one row over two lines, kept as written.
      expect(set.requirements[8]!.provenance.text!.split('\n')).to.have.length(2);
    });

    it('writes every destination, source and port', function () {
      // Destinations, one per row: bcm-headnodes (11), runai.jfrog.io (16, 17), registry.k8s.io, gcr.io, quay.io,
      // docker.io (23-26), runai-system-nodes (44, 45), {control-plane-fqdn} (59, 60), all-kubernetes-nodes (64).
      expect(destinationEntries(set)).to.have.length(12);
      expect(distinct(destinationEntries(set))).to.have.members([
        'group:bcm-headnodes',
        'runai.jfrog.io',
        'registry.k8s.io',
        'gcr.io',
        'quay.io',
        'docker.io',
        'group:runai-system-nodes',
        '{control-plane-fqdn}',
        'group:all-kubernetes-nodes',
      ]);
      expect(distinct(destinationEntries(set))).to.have.length(9);
      // Sources: installer-machine (11, 17), all-kubernetes-nodes (16, 23-26, 64), 0.0.0.0 (44),
      // the three RFC1918 ranges (45), runai-system-nodes (59, 60).
      expect(distinct(sourceEntries(set))).to.have.members([
        'group:installer-machine',
        'group:all-kubernetes-nodes',
        '0.0.0.0/0',
        '10.0.0.0/8',
        '172.16.0.0/12',
        '192.168.0.0/16',
        'group:runai-system-nodes',
      ]);
      // Port 22 "SSH Access" (line 11), bare 443 (all other rows), and any (line 64).
      expect(portsWritten(set)).to.have.members(['ssh:22', 'tcp:443', 'any']);
      expect(portsWritten(set)).to.have.length(3);
      expect(set.parameters.map((p) => p.name)).to.deep.equal(['control-plane-fqdn']);
      expect(set.options.map((o) => o.name)).to.deep.equal(['installation-examples']);
      // "Installer Machine" (line 11) and "Installer machine" (line 17) are one group.
      expect(set.groups.map((g) => g.id)).to.deep.equal(['all-kubernetes-nodes', 'installer-machine', 'runai-system-nodes', 'bcm-headnodes']);
    });

    it('says why the any-source rule is intended', function () {
      const r = set.requirements.find((x) => x.provenance.line === 44)!;
      expect(r.allowBroad).to.be.a('string').and.contain('0.0.0.0');
    });

    it('expands with the examples by default, and merges the two rows to the control plane', function () {
      const s = expanded(set, { params: { 'control-plane-fqdn': 'runai.example.com' } });
      // 12 rows; "Metric store" (line 60) asks for what "Cluster sync" (line 59) does, so 11 rules.
      expect(s.requirements).to.have.length(11);
      expect(concrete(s)).to.have.length(11);
      expect(lines(s, 'runai/external-cluster-sync')).to.deep.equal([[59, 60]]);
      expect(concrete(s)).to.include('runai.example.com');
    });

    it('drops the 4 example rows (lines 23-26) when the option is off', function () {
      const s = expanded(set, { params: { 'control-plane-fqdn': 'runai.example.com' }, options: { 'installation-examples': false } });
      expect(s.requirements).to.have.length(7);
      expect(concrete(s)).to.have.length(7);
      expect(concrete(s)).to.not.include.members(['registry.k8s.io', 'gcr.io', 'quay.io', 'docker.io']);
    });

    it('fails to expand without the control plane FQDN, naming the parameter', function () {
      expectMissing(set, {}, 'control-plane-fqdn');
    });
  });

  describe('acr (seed 003)', function () {
    let set: RequirementSet;
    before(async () => {
      set = await load('acr');
    });

    it('has one requirement per statement that asks for access', function () {
      // Line 15 (azurecr.io), 20 (regional endpoints), 26 (REST endpoint), 27 (storage), 31 (dedicated data
      // endpoints), 33 (regional endpoints again, in the note). The document has no tables, so no rows.
      expect(set.requirements).to.have.length(6);
      expect(set.requirements.map((r) => r.provenance.line)).to.deep.equal([15, 20, 26, 27, 31, 33]);
      expect(set.requirements.every((r) => r.provenance.row === undefined)).to.equal(true);
    });

    it('writes every destination, alternative and port', function () {
      // azurecr.io (15); {registry}.{region}.geo.azurecr.io and {registry}.{replica-regions}.geo.azurecr.io (20, 33);
      // {registry}.azurecr.io (26); *.blob.core.windows.net (27); the two .data.azurecr.io forms (31).
      expect(destinationEntries(set)).to.have.length(9);
      expect(distinct(destinationEntries(set))).to.have.members([
        'azurecr.io',
        '{registry}.{region}.geo.azurecr.io',
        '{registry}.{replica-regions}.geo.azurecr.io',
        '{registry}.azurecr.io',
        '*.blob.core.windows.net',
        '{registry}.{region}.data.azurecr.io',
        '{registry}.{replica-regions}.data.azurecr.io',
      ]);
      expect(distinct(destinationEntries(set))).to.have.length(7);
      // AzureContainerRegistry (lines 49, 53, 117-119) and Storage (85-97), global and regional (69-71, 99-101, 119).
      expect(distinct(alternativeEntries(set))).to.have.members([
        'AzureContainerRegistry',
        'AzureContainerRegistry.{region}',
        'AzureContainerRegistry.{replica-regions}',
        'Storage',
        'Storage.{region}',
        'Storage.{replica-regions}',
      ]);
      // Line 11: "All endpoints are reached over port 443", over HTTPS.
      expect(portsWritten(set)).to.deep.equal(['https:443']);
      expect(set.parameters.map((p) => p.name)).to.deep.equal(['registry', 'region', 'replica-regions']);
      expect(set.options.map((o) => [o.name, o.default])).to.deep.equal([
        ['dedicated-data-endpoints', false],
        ['regional-endpoints', false],
        ['regional-service-tags', false],
      ]);
    });

    it('expands to the REST, certificate and blob storage endpoints by default', function () {
      const s = expanded(set, { params: { registry: 'myregistry' } });
      // Lines 15, 26, 27.
      expect(s.requirements).to.have.length(3);
      expect(concrete(s)).to.deep.equal(['azurecr.io', 'myregistry.azurecr.io', '*.blob.core.windows.net']);
      expect(alternatives(s, 'acr/rest-endpoint')).to.deep.equal(['AzureContainerRegistry']);
      expect(alternatives(s, 'acr/storage-endpoint')).to.deep.equal(['Storage']);
    });

    it('expands dedicated data and regional endpoints for the home region and each replica', function () {
      const input: ExpandInput = {
        params: { registry: 'myregistry', region: 'eastus', 'replica-regions': 'westus,northeurope' },
        options: { 'dedicated-data-endpoints': true, 'regional-endpoints': true },
      };
      const s = expanded(set, input);
      // Line 15 (1), line 20 (3 regions), line 26 (1), line 31 (3 regions); line 27 is off with dedicated data
      // endpoints, and line 33 asks for the same names as line 20, so it only adds its provenance. 4 rules, 8 names.
      expect(s.requirements).to.have.length(4);
      expect(concrete(s)).to.have.length(8);
      expect(concrete(s)).to.include.members([
        'myregistry.eastus.data.azurecr.io',
        'myregistry.westus.data.azurecr.io',
        'myregistry.northeurope.data.azurecr.io',
        'myregistry.eastus.geo.azurecr.io',
        'myregistry.westus.geo.azurecr.io',
        'myregistry.northeurope.geo.azurecr.io',
      ]);
      expect(concrete(s)).to.not.include('*.blob.core.windows.net');
      expect(lines(s, 'acr/regional-endpoints')).to.deep.equal([[20, 33], [20, 33], [20, 33]]);

      const tagged = expanded(set, { ...input, options: { ...input.options, 'regional-service-tags': true } });
      expect(tagged.requirements).to.have.length(4);
      expect(alternatives(tagged, 'acr/rest-endpoint')).to.have.members([
        'AzureContainerRegistry.eastus',
        'AzureContainerRegistry.westus',
        'AzureContainerRegistry.northeurope',
      ]);
      expect(alternatives(tagged, 'acr/rest-endpoint')).to.have.length(3);
      // The document names no address form for dedicated data endpoints.
      expect(alternatives(tagged, 'acr/dedicated-data-endpoints')).to.deep.equal([]);
    });

    it('uses regional Storage tags for blob storage when asked', function () {
      const s = expanded(set, { params: { registry: 'myregistry', region: 'australiacentral' }, options: { 'regional-service-tags': true } });
      expect(s.requirements).to.have.length(3);
      expect(alternatives(s, 'acr/storage-endpoint')).to.deep.equal(['Storage.australiacentral']);
    });

    it('fails to expand without the registry, naming the parameter', function () {
      expectMissing(set, {}, 'registry');
      // Regional endpoints need the home region too.
      expectMissing(set, { params: { registry: 'myregistry' }, options: { 'regional-endpoints': true } }, 'region');
    });
  });
});
