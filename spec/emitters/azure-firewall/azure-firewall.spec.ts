import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTemplate, checkTemplates } from '../azure-common/arm-check.js';
import { applyDiagnostics, expectedFlows, firewallTemplateFlows, normalise, sameAddressFlows } from '../azure-common/flows.js';
import { catalogCases, expandFiles, nothingLeft, runCase, runSet, templateOf, type Run } from '../azure-common/run.js';
import { terraformCollections, terraformOutput } from '../azure-common/terraform.js';
import { bigSet, prefixes } from '../azure-common/big.js';
import { templateResources } from '../azure-common/template-addresses.js';
import { goldenFiles } from '../azure-common/golden-files.js';
import { getEmitter } from '../../../lib/emit/registry.js';
import { features, type FidelityTable } from '../../../lib/emit/emitter.js';
import { hclString } from '../../../lib/emitters/azure-firewall/hcl.js';

type Obj = Record<string, unknown>;
const TARGET = 'azure-firewall';

const collections = (t: Obj) => ((((t.resources as Obj[])[0]!.properties as Obj).ruleCollections ?? []) as Obj[]);
const allRules = (t: Obj) => collections(t).flatMap((c) => c.rules as Obj[]);

/** The template's flows equal the requirements' flows changed exactly as the diagnostics say. */
function expectSemantics(run: Run): void {
  const { flows, unmatched } = applyDiagnostics(expectedFlows(run.set, TARGET), run.result.diagnostics, run.set, TARGET);
  expect(unmatched.map((d) => d.message), 'diagnostics that match no flow').to.deep.equal([]);
  if (nothingLeft(run)) {
    // Refused: then the diagnostics must account for every flow asked for.
    expect(normalise(flows), 'flows left when nothing was written').to.deep.equal([]);
    return;
  }
  const template = templateOf(run);
  const [actual, expected] = sameAddressFlows(firewallTemplateFlows(template), flows);
  expect(actual, 'flows allowed by the template').to.deep.equal(expected);
}

describe('azure-firewall', function () {
  this.timeout(60_000);

  describe('built-in catalogs', function () {
    for (const c of catalogCases) {
      for (const networkFqdns of [false, true]) {
        const opts = networkFqdns ? { 'network-fqdns': true } : {};
        const label = `${c.name}${networkFqdns ? ' (network-fqdns)' : ''}`;

        it(`${label}: passes the ARM schemas and Azure's rules`, async function () {
          const run = await runCase(TARGET, c, opts);
          if (!nothingLeft(run)) expect(checkTemplate(templateOf(run))).to.deep.equal([]);
        });

        it(`${label}: allows exactly the required flows, changed only as the diagnostics say`, async function () {
          expectSemantics(await runCase(TARGET, c, opts));
        });

        it(`${label}: Terraform output parses and holds the same rules as the ARM template`, async function () {
          const armRun = await runCase(TARGET, c, opts);
          const tf = await runCase(TARGET, c, { ...opts, format: 'terraform' });
          if (nothingLeft(armRun)) return void expect(nothingLeft(tf)).to.equal(true);
          const arm = templateOf(armRun);
          expect(tf.result.files.map((f) => f.path)).to.deep.equal(['azure-firewall.tf']);
          const parsed = await terraformCollections(tf.result.files[0]!.contents);
          const group = (arm.resources as Obj[])[0]!;
          expect(parsed.group.priority).to.equal((group.properties as Obj).priority);
          expect(String(group.name)).to.contain(`'${String(parsed.group.name)}'`);
          expect(parsed.group.firewall_policy_id).to.equal('${var.firewall_policy_id}');
          expect(parsed.variables).to.deep.equal(['firewall_policy_id']);
          expect(parsed.collections).to.deep.equal(collections(arm));
        });
      }

      it(`${c.name}: the same input gives the same bytes`, async function () {
        const a = await runCase(TARGET, c);
        const b = await runCase(TARGET, c);
        expect(a.result.files).to.deep.equal(b.result.files);
        const ta = await runCase(TARGET, c, { format: 'terraform' });
        const tb = await runCase(TARGET, c, { format: 'terraform' });
        expect(ta.result.files).to.deep.equal(tb.result.files);
      });
    }
  });

  describe('golden files (spec/fixtures/*/expected/azure-firewall.*)', function () {
    const golden = goldenFiles(TARGET);
    it('has golden files, ARM and Terraform', function () {
      expect(golden.map((g) => g.ext)).to.include('json').and.include('tf');
    });
    for (const g of golden) {
      it(`${g.name} ${g.ext === 'tf' ? 'parses as HCL with one rule collection group' : 'passes the ARM schemas and Azure\'s rules'}`, async function () {
        const text = readFileSync(g.file, 'utf8');
        if (g.ext === 'tf') expect((await terraformCollections(text)).collections.length).to.be.greaterThan(0);
        else expect(checkTemplate(JSON.parse(text))).to.deep.equal([]);
      });
    }
  });

  describe('rules', function () {
    let dir: string;
    before(() => (dir = mkdtempSync(join(tmpdir(), 'fwgen-azfw-'))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    const write = (name: string, text: string) => {
      const f = join(dir, name);
      writeFileSync(f, text);
      return f;
    };
    const header = 'id: t\ntitle: T\nsource: { document: t.md }\n';

    it('matches names in application rules: *.name for subdomains, name and *.name for apex and subdomains', async function () {
      const f = write(
        'names.yaml',
        `${header}requirements:\n  - id: n\n    destinations: [a.example.com, "*.b.example.com", { host: c.example.com, match: apex-and-subdomains }]\n    ports: [https:443, http:80]\n    provenance: { line: 1 }\n`,
      );
      const run = await runSet(TARGET, await expandFiles([f]));
      const rules = allRules(templateOf(run));
      expect(rules).to.have.length(1);
      expect(rules[0]!.targetFqdns).to.deep.equal(['a.example.com', '*.b.example.com', 'c.example.com', '*.c.example.com']);
      expect(rules[0]!.protocols).to.deep.equal([
        { protocolType: 'Http', port: 80 },
        { protocolType: 'Https', port: 443 },
      ]);
      expect(run.result.diagnostics).to.deep.equal([]);
    });

    it('writes a name on a bare TCP port as an application rule (narrowed), or with network-fqdns as a network rule (widened)', async function () {
      const f = write('tcp.yaml', `${header}requirements:\n  - id: n\n    destinations: [a.example.com]\n    ports: [tcp:443, tcp:80, tcp:8000-8010, udp:123, ssh:22]\n    provenance: { line: 1 }\n`);
      const narrow = await runSet(TARGET, await expandFiles([f]));
      expect(narrow.result.diagnostics.map((d) => `${d.code} ${String((d.params as Obj).subject)}`).sort()).to.deep.equal([
        'FIDELITY_DROPPED a.example.com on ssh:22',
        'FIDELITY_DROPPED a.example.com on tcp:8000-8010',
        'FIDELITY_DROPPED a.example.com on udp:123',
        'FIDELITY_NARROWED a.example.com on tcp:443',
        'FIDELITY_NARROWED a.example.com on tcp:80',
      ]);
      expect(allRules(templateOf(narrow)).map((r) => r.protocols)).to.deep.equal([
        [
          { protocolType: 'Http', port: 80 },
          { protocolType: 'Https', port: 443 },
        ],
      ]);
      expectSemantics(narrow);
      const wide = await runSet(TARGET, await expandFiles([f]), { 'network-fqdns': true });
      expect(wide.result.diagnostics.every((d) => d.code === 'FIDELITY_WIDENED')).to.equal(true);
      expect(allRules(templateOf(wide)).map((r) => [r.ruleType, r.ipProtocols, r.destinationFqdns, r.destinationPorts])).to.deep.equal([
        ['NetworkRule', ['TCP'], ['a.example.com'], ['22', '80', '443', '8000-8010']],
        ['NetworkRule', ['UDP'], ['a.example.com'], ['123']],
      ]);
      expectSemantics(wide);
    });

    it('writes nothing, with an error, when its own drops leave no rule', async function () {
      const f = write('none.yaml', `${header}requirements:\n  - id: n\n    destinations: [ntp.example.com]\n    ports: [udp:123]\n    provenance: { line: 1 }\n`);
      const run = await runSet(TARGET, await expandFiles([f]));
      expect(run.result.files).to.deep.equal([]);
      expect(run.result.diagnostics.map((d) => `${d.severity} ${d.code}`).sort()).to.deep.equal(['error FIDELITY_DROPPED', 'warning FIDELITY_DROPPED']);
      expect(nothingLeft(run)).to.equal(true);
      expectSemantics(run);
    });

    it('keeps service tags as tags and CIDRs as addresses in network rules, one rule per transport', async function () {
      const f = write(
        'addr.yaml',
        `${header}requirements:\n  - id: n\n    sources: [10.0.0.0/8]\n    destinations: [192.0.2.0/24, "2001:db8::/32", { serviceTag: Storage, region: eastus }]\n    ports: [https:443, udp:53]\n    provenance: { line: 1 }\n`,
      );
      const run = await runSet(TARGET, await expandFiles([f]));
      expect(allRules(templateOf(run)).map((r) => [r.name, r.ipProtocols, r.sourceAddresses, r.destinationAddresses, r.destinationPorts])).to.deep.equal([
        ['t.n.udp-53', ['UDP'], ['10.0.0.0/8'], ['192.0.2.0/24', '2001:db8::/32', 'Storage.EastUS'], ['53']],
        ['t.n.tcp-443', ['TCP'], ['10.0.0.0/8'], ['192.0.2.0/24', '2001:db8::/32', 'Storage.EastUS'], ['443']],
      ]);
      expectSemantics(run);
    });

    it('writes * for an unbound source group, with FIDELITY_WIDENED from the core and SAFETY_OVERBROAD from the target', async function () {
      const f = write('unbound.yaml', `${header}groups: { g: { title: Nodes } }\nrequirements:\n  - id: n\n    sources: [{ group: g }]\n    destinations: [a.example.com]\n    ports: [https:443]\n    provenance: { line: 1 }\n`);
      const run = await runSet(TARGET, await expandFiles([f]));
      expect(run.result.diagnostics.map((d) => d.code)).to.deep.equal(['FIDELITY_WIDENED', 'SAFETY_OVERBROAD']);
      expect(run.result.diagnostics.every((d) => d.span?.line === run.set.requirements[0]!.span.line)).to.equal(true);
      expect(allRules(templateOf(run))[0]!.sourceAddresses).to.deep.equal(['*']);
      const bound = await runSet(TARGET, await expandFiles([f], { bind: { g: '10.9.0.0/16' } }));
      expect(bound.result.diagnostics).to.deep.equal([]);
      expect(allRules(templateOf(bound))[0]!.sourceAddresses).to.deep.equal(['10.9.0.0/16']);
    });

    it('notes that network rules run before application rules where one takes traffic the other is written for', async function () {
      const f = write(
        'order.yaml',
        `${header}requirements:\n  - id: names\n    sources: [10.0.0.0/16]\n    destinations: [a.example.com]\n    ports: [https:443]\n    provenance: { line: 1 }\n  - id: range\n    sources: [10.0.1.0/24]\n    destinations: [192.0.2.0/24]\n    ports: [tcp:443]\n    provenance: { line: 2 }\n  - id: other-port\n    destinations: [198.51.100.0/24]\n    ports: [tcp:8443]\n    provenance: { line: 3 }\n`,
      );
      const notes = ((templateOf(await runSet(TARGET, await expandFiles([f]))).metadata as Obj).fwgen as Obj).notes as string[];
      expect(notes).to.have.length(1);
      expect(notes[0]).to.match(/^Network rules are processed before application rules/);
      expect(notes[0]).to.contain('network rule t.range').and.contain('application rule t.names');
    });

    it('names rules from requirement ids: a one-line change to a catalog changes one rule', async function () {
      const base = `${header}requirements:\n${['a', 'b', 'c', 'd'].map((id) => `  - id: ${id}\n    destinations: [${id}.example.com]\n    ports: [https:443]\n    provenance: { line: 1 }\n`).join('')}`;
      const changed = base.replace('destinations: [b.example.com]', 'destinations: [b2.example.com]');
      const rulesOf = async (text: string, name: string) => allRules(templateOf(await runSet(TARGET, await expandFiles([write(name, text)])))).map((r) => JSON.stringify(r));
      const before = await rulesOf(base, 'base.yaml');
      const after = await rulesOf(changed, 'changed.yaml');
      expect(before.filter((r) => !after.includes(r))).to.have.length(1);
      expect(after.filter((r) => !before.includes(r))).to.have.length(1);
    });

    it('keeps names within 80 characters and unique for long ids', async function () {
      const id = 'a-very-long-requirement-identifier-that-goes-on-and-on-and-on';
      const f = write(
        'long.yaml',
        `id: a-rather-long-requirement-set-identifier-for-rule-names-too\ntitle: T\nsource: { document: t.md }\nrequirements:\n  - id: ${id}-1\n    destinations: [a.example.com, 192.0.2.0/24]\n    ports: [https:443, udp:53]\n    provenance: { line: 1 }\n  - id: ${id}-2\n    destinations: [b.example.com, 198.51.100.0/24]\n    ports: [https:443, udp:53]\n    provenance: { line: 2 }\n`,
      );
      const t = templateOf(await runSet(TARGET, await expandFiles([f])));
      const names = allRules(t).map((r) => String(r.name));
      expect(names).to.have.length(6);
      expect(new Set(names).size).to.equal(6);
      for (const n of names) expect(n.length).to.be.at.most(80);
      expect(checkTemplate(t)).to.deep.equal([]);
    });
  });

  describe('limits (IP Groups, rule collection groups, templates)', function () {
    this.timeout(300_000);
    type Files = { path: string; contents: string }[];
    const resources = (files: Files) => templateResources(files);
    const ofType = (files: Files, type: string) => resources(files).filter((r) => r.type === type);
    const rulesOf = (files: Files) => ofType(files, 'Microsoft.Network/firewallPolicies/ruleCollectionGroups').flatMap((g) => ((g.properties as Obj).ruleCollections as Obj[]).flatMap((c) => c.rules as Obj[]));

    /** Valid for the schemas and Azure's limits in every part, and allowing exactly the required flows. */
    function expectDeployable(run: Run, files: Files, maxEntries = 5000): void {
      expect(run.result.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
      expect(checkTemplates(files)).to.deep.equal([]);
      const ipGroups = ofType(files, 'Microsoft.Network/ipGroups');
      expect(ipGroups.length).to.be.at.most(600);
      for (const g of ipGroups) expect(((g.properties as Obj).ipAddresses as string[]).length).to.be.at.most(maxEntries);
      const groups = ofType(files, 'Microsoft.Network/firewallPolicies/ruleCollectionGroups');
      expect(groups.length).to.be.within(1, 90);
      for (const g of groups) expect(JSON.stringify(g.properties).length).to.be.below(2_000_000);
      for (const f of files) expect(Buffer.byteLength(f.contents)).to.be.at.most(1_000_000);
      const { flows, unmatched } = applyDiagnostics(expectedFlows(run.set, TARGET), run.result.diagnostics, run.set, TARGET);
      expect(unmatched).to.deep.equal([]);
      const [actual, expected] = sameAddressFlows(firewallTemplateFlows({ resources: resources(files) }), flows);
      expect(actual).to.deep.equal(expected);
    }

    /** The Terraform output parses and holds the same IP Groups and rule collection groups as the ARM templates. */
    async function expectSameTerraform(arm: Files, tf: Run): Promise<void> {
      expect(tf.result.files.map((f) => f.path)).to.deep.equal(['azure-firewall.tf']);
      const parsed = await terraformOutput(tf.result.files[0]!.contents);
      const ipGroups = ofType(arm, 'Microsoft.Network/ipGroups');
      // hcl2json orders resources by label; put them in the ARM templates' order.
      const armGroupName = (g: Obj) => /'([^']+)'\)\]$/.exec(String(g.name))![1]!;
      const ipOrder = new Map(ipGroups.map((g, i) => [String(g.name), i]));
      parsed.ipGroups.sort((a, b) => ipOrder.get(a.name)! - ipOrder.get(b.name)!);
      const groupOrder = new Map(ofType(arm, 'Microsoft.Network/firewallPolicies/ruleCollectionGroups').map((g, i) => [armGroupName(g), i]));
      parsed.groups.sort((a, b) => groupOrder.get(String(a.name))! - groupOrder.get(String(b.name))!);
      expect(parsed.ipGroups.map((g) => [g.name, g.cidrs])).to.deep.equal(ipGroups.map((g) => [g.name, (g.properties as Obj).ipAddresses]));
      if (ipGroups.length) expect([...parsed.variables].sort()).to.deep.equal(['firewall_policy_id', 'ip_group_location', 'ip_group_resource_group_name']);
      // Chained as in ARM: each IP Group and each rule collection group after the one before it.
      parsed.ipGroups.forEach((g, i) => expect(g.dependsOn).to.deep.equal(i ? [`\${azurerm_ip_group.${parsed.ipGroups[i - 1]!.label}}`] : []));
      parsed.groups.forEach((g, i) => expect(g.dependsOn).to.deep.equal(i ? [`\${azurerm_firewall_policy_rule_collection_group.${parsed.groups[i - 1]!.label}}`] : []));
      const groups = ofType(arm, 'Microsoft.Network/firewallPolicies/ruleCollectionGroups');
      expect(parsed.groups.map((g) => [g.name, g.priority, g.collections])).to.deep.equal(groups.map((g) => [armGroupName(g), (g.properties as Obj).priority, (g.properties as Obj).ruleCollections]));
    }

    it('writes 10,000 prefixes as IP Groups of at most 5,000, in ARM and Terraform', async function () {
      const set = bigSet([{ id: 'many', destinations: prefixes(10_000), sources: ['10.0.0.0/16'] }]);
      const run = await runSet(TARGET, set);
      const files = run.result.files;
      expect(files.map((f) => f.path)).to.deep.equal(['azure-firewall.json']);
      const ipGroups = ofType(files, 'Microsoft.Network/ipGroups');
      expect(ipGroups.map((g) => g.name)).to.deep.equal(['fwgen-big.big.many.dst.1', 'fwgen-big.big.many.dst.2']);
      expect(rulesOf(files).map((r) => [r.name, r.sourceAddresses, r.destinationIpGroups])).to.deep.equal([
        ['big.many', ['10.0.0.0/16'], ipGroups.map((g) => `[resourceId('Microsoft.Network/ipGroups', '${String(g.name)}')]`)],
      ]);
      expectDeployable(run, files);
      await expectSameTerraform(files, await runSet(TARGET, set, { format: 'terraform' }));
      const small = await runSet(TARGET, set, { 'max-ip-group-entries': 500 });
      expect(ofType(small.result.files, 'Microsoft.Network/ipGroups').length).to.equal(Math.ceil(((ipGroups[0]!.properties as Obj).ipAddresses as string[]).concat((ipGroups[1]!.properties as Obj).ipAddresses as string[]).length / 500));
      expectDeployable(small, small.result.files, 500);
    });

    it('refuses 100,000 prefixes past the 20,000 unique source-destination combinations, and with the limit raised writes them over template parts in deployment order', async function () {
      const set = bigSet([{ id: 'many', destinations: prefixes(100_000) }]);
      const refused = await runSet(TARGET, set);
      expect(refused.result.files).to.deep.equal([]);
      const errors = refused.result.diagnostics.filter((d) => d.severity === 'error');
      expect(errors.map((d) => d.code)).to.deep.equal(['EMIT_LIMIT']);
      expect(errors[0]!.message).to.match(/^the network rules make 74588 unique source-destination combinations, more than 20000/);
      expect(errors[0]!.hint).to.contain('--set max-network-combinations=74588');
      const started = performance.now();
      const run = await runSet(TARGET, set, { 'max-network-combinations': 74588 });
      expect(performance.now() - started).to.be.below(30_000);
      const files = run.result.files;
      expect(files.length).to.be.greaterThan(1);
      expect(files.map((f) => f.path)).to.deep.equal(files.map((_, i) => `azure-firewall.part-${i + 1}-of-${files.length}.json`));
      expect(ofType(files, 'Microsoft.Network/ipGroups')).to.have.length(15);
      expectDeployable(run, files);
      await expectSameTerraform(files, await runSet(TARGET, set, { 'max-network-combinations': 74588, format: 'terraform' }));
    });

    it('refuses more IP Groups than max-ip-groups, naming the limit', async function () {
      const run = await runSet(TARGET, bigSet([{ id: 'many', destinations: prefixes(10_000) }]), { 'max-ip-group-entries': 500, 'max-ip-groups': 10 });
      expect(run.result.files).to.deep.equal([]);
      const d = run.result.diagnostics.find((x) => x.severity === 'error')!;
      expect(d.message).to.match(/^the address lists need 15 IP Groups of at most 500 addresses, more than 10, the most one firewall policy may use here/);
      expect(d.hint).to.contain('--set max-ip-groups');
    });

    it('writes large source lists as IP Groups, shared by the rules that use them, in network and application rules', async function () {
      const sources = prefixes(3000, 7);
      const set = bigSet([
        { id: 'a', destinations: ['192.0.2.0/24'], sources, ports: 'tcp:443, udp:53' },
        { id: 'b', destinations: ['198.51.100.0/24', '2001:db8::/32'], sources: [...sources, 'fd00::/8'] },
      ]);
      const run = await runSet(TARGET, set);
      const files = run.result.files;
      const ipGroups = ofType(files, 'Microsoft.Network/ipGroups');
      // Requirement a's TCP and UDP rules share the group, and so does b, whose IPv4 sources are the same list; its
      // IPv6 source goes in a rule of its own.
      expect(ipGroups.map((g) => g.name)).to.deep.equal(['fwgen-big.big.a.udp-53.src.1']);
      expect(rulesOf(files).map((r) => [r.name, r.sourceIpGroups !== undefined, r.sourceAddresses ?? []])).to.deep.equal([
        ['big.a.udp-53', true, []],
        ['big.a.tcp-443', true, []],
        ['big.b.src-ipg', true, []],
        ['big.b', false, ['fd00::/8']],
      ]);
      expectDeployable(run, files);
      await expectSameTerraform(files, await runSet(TARGET, set, { format: 'terraform' }));
      const app = bigSet([{ id: 'names', destinations: ['a.example.com'], sources, ports: 'https:443' }]);
      const appRun = await runSet(TARGET, app);
      expect(rulesOf(appRun.result.files).map((r) => [r.ruleType, (r.sourceIpGroups as string[]).length])).to.deep.equal([['ApplicationRule', 1]]);
      expectDeployable(appRun, appRun.result.files);
    });

    it('spreads many rules over rule collection groups of max-group-bytes, at consecutive priorities, chained', async function () {
      const reqs = Array.from({ length: 300 }, (_, i) => ({ id: `r${i}`, destinations: [`10.${Math.floor(i / 200)}.${i % 200}.0/24`], ports: 'tcp:443' }));
      const set = bigSet(reqs);
      const run = await runSet(TARGET, set, { 'max-group-bytes': 50_000 });
      const files = run.result.files;
      const groups = ofType(files, 'Microsoft.Network/firewallPolicies/ruleCollectionGroups');
      expect(groups.length).to.be.greaterThan(2);
      expect(groups.map((g) => (g.properties as Obj).priority)).to.deep.equal(groups.map((_, i) => 1000 + i));
      expect(groups.map((g) => /'([^']+)'\)\]$/.exec(String(g.name))![1])).to.deep.equal(groups.map((_, i) => (i ? `fwgen-big-${i + 1}` : 'fwgen-big')));
      groups.forEach((g, i) => {
        if (i) expect(g.dependsOn).to.deep.equal([`[resourceId('Microsoft.Network/firewallPolicies/ruleCollectionGroups', parameters('firewallPolicyName'), '${i > 1 ? `fwgen-big-${i}` : 'fwgen-big'}')]`]);
        expect(JSON.stringify(g.properties).length).to.be.below(50_000);
      });
      expectDeployable(run, files);
      await expectSameTerraform(files, await runSet(TARGET, set, { 'max-group-bytes': 50_000, format: 'terraform' }));
      const tooMany = await runSet(TARGET, set, { 'max-group-bytes': 50_000, 'max-rule-collection-groups': 2 });
      expect(tooMany.result.diagnostics.find((d) => d.severity === 'error')!.hint).to.contain('--set max-rule-collection-groups');
      const highPriority = await runSet(TARGET, set, { 'max-group-bytes': 50_000, priority: 64_999 });
      expect(highPriority.result.diagnostics.find((d) => d.severity === 'error')!.message).to.match(/need priorities 64999 to \d+, past 65000/);
    });

    it('cuts a rule naming more hosts than max-ip-group-entries into rules over slices of the names', async function () {
      const names = Array.from({ length: 7 }, (_, i) => `h${i}.example.com`);
      const run = await runSet(TARGET, bigSet([{ id: 'names', destinations: names, ports: 'https:443' }]), { 'max-ip-group-entries': 3 });
      expect(rulesOf(run.result.files).map((r) => [r.name, r.targetFqdns])).to.deep.equal([
        ['big.names.names1', names.slice(0, 3)],
        ['big.names.names2', names.slice(3, 6)],
        ['big.names.names3', names.slice(6)],
      ]);
      expectDeployable(run, run.result.files, 3);
    });

    it('keeps the notes in a template to about 100 KB, saying how many it left out', async function () {
      // 4,000 names on UDP, each dropped with a diagnostic, and one address rule that is written.
      const names = Array.from({ length: 4000 }, (_, i) => `host-${i}.example.com`);
      const run = await runSet(TARGET, bigSet([{ id: 'udp-names', destinations: names, ports: 'udp:123' }, { id: 'ok', destinations: ['192.0.2.0/24'] }]));
      expect(run.result.diagnostics.filter((d) => d.code === 'FIDELITY_DROPPED')).to.have.length(4000);
      const notes = ((JSON.parse(run.result.files[0]!.contents).metadata as Obj).fwgen as Obj).notes as string[];
      expect(JSON.stringify(notes).length).to.be.within(90_000, 110_000);
      expect(notes[notes.length - 1]).to.match(/^\.\.\. and \d+ more notes, left out here/);
      expectDeployable(run, run.result.files);
    });

    it('splits the ARM output at max-template-bytes and max-template-resources, each part deployable after the ones before it', async function () {
      const set = bigSet([{ id: 'many', destinations: prefixes(20_000) }]);
      const run = await runSet(TARGET, set, { 'max-ip-group-entries': 1000, 'max-template-bytes': 200_000, 'max-template-resources': 5 });
      const files = run.result.files;
      expect(files.length).to.be.greaterThan(3);
      for (const f of files) {
        expect(Buffer.byteLength(f.contents)).to.be.at.most(200_000);
        expect((JSON.parse(f.contents).resources as Obj[]).length).to.be.at.most(5);
      }
      expectDeployable(run, files, 1000);
      const tooSmall = await runSet(TARGET, set, { 'max-template-bytes': 10_000 });
      const d = tooSmall.result.diagnostics.find((x) => x.severity === 'error')!;
      expect(d.message).to.match(/^IP Group fwgen-big\.big\.many\.dst\.1 needs a template of \d+ bytes, more than 10000/);
      expect(d.hint).to.contain('--set max-template-bytes');
    });
  });

  describe('fidelity table', function () {
    it('declares every feature', async function () {
      const e = await getEmitter(TARGET);
      const table = (typeof e.fidelity === 'function' ? e.fidelity({}) : e.fidelity) as FidelityTable;
      expect(Object.keys(table).sort()).to.deep.equal([...features].sort());
      expect(table['host-subdomains'].level).to.equal('exact');
      expect(table['source-group-unbound'].level).to.equal('widen');
      expect(table['group-destination-unbound'].level).to.equal('drop');
    });
  });

  describe('injection', function () {
    let dir: string;
    before(() => (dir = mkdtempSync(join(tmpdir(), 'fwgen-azfw-inj-'))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    const evil = [
      `"}], "x": [{"ruleType": "NetworkRule", "name": "pwned", "sourceAddresses": ["*"]}], "y": "`,
      "[concat('pwned')]",
      'line1\nrule {\n  name = "pwned"\n}\n# ${file("/etc/passwd")} %{ if true }x%{ endif } \\" \u2028 \r\n end',
      '*/ /* -->',
    ];
    const yamlString = (s: string) => JSON.stringify(s);
    const input = (texts: string[]) =>
      `id: inj\ntitle: ${yamlString(texts[0]!)}\nsource: { document: ${yamlString('doc ' + texts[2])} }\ngroups: { g: { title: ${yamlString(texts[3]!)} } }\nrequirements:\n` +
      texts
        .map(
          (t, i) =>
            `  - id: r${i}\n    sources: [{ group: g }]\n    destinations: [a${i}.example.com, 192.0.2.${i}/32]\n    ports: [https:443]\n    purpose: ${yamlString(t)}\n    provenance: { line: ${i + 1}, text: ${yamlString(t)} }\n`,
        )
        .join('');

    for (const format of ['arm', 'terraform'] as const) {
      it(`no input text adds a rule or a property, or ends a string (${format})`, async function () {
        const plain = write(dir, 'plain.yaml', input(evil.map((_, i) => `plain text ${i}`)));
        const bad = write(dir, 'evil.yaml', input(evil));
        const a = await runSet(TARGET, await expandFiles([plain]), { format });
        const b = await runSet(TARGET, await expandFiles([bad]), { format });
        if (format === 'arm') {
          const ta = templateOf(a);
          const tb = templateOf(b);
          expect(checkTemplate(tb)).to.deep.equal([]);
          const shape = (t: Obj) => allRules(t).map((r) => ({ keys: Object.keys(r), name: r.name, sources: r.sourceAddresses }));
          expect(shape(tb)).to.deep.equal(shape(ta));
          expect(Object.keys(tb)).to.deep.equal(Object.keys(ta));
          const rules = allRules(tb);
          rules.forEach((r) => expect(String(r.description)).to.match(/^inj\/r\d: /));
          expect(rules.map((r) => r.description)).to.include(`inj/r1: [concat('pwned')]`);
          const meta = ((tb.metadata as Obj).fwgen as Obj).rules as Obj[];
          expect(meta.map((m) => m.purpose)).to.include(`[[concat('pwned')]`);
          expect(((tb.metadata as Obj).fwgen as Obj).header as string[]).to.satisfy((h: string[]) => h.every((l) => !/[\n\r\u2028]/.test(l)));
        } else {
          const pa = await terraformCollections(a.result.files[0]!.contents);
          const pb = await terraformCollections(b.result.files[0]!.contents);
          const shape = (cs: Obj[]) => cs.map((c) => (c.rules as Obj[]).map((r) => ({ keys: Object.keys(r), name: r.name })));
          expect(shape(pb.collections)).to.deep.equal(shape(pa.collections));
          const descriptions = pb.collections.flatMap((c) => (c.rules as Obj[]).map((r) => r.description));
          for (const [i, t] of evil.entries()) {
            // A description is cut at 140 characters and has no control characters; what is left reads back as written.
            const flat = `inj/r${i}: ${t}`.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, ' ').replace(/ {2,}/g, ' ').trim();
            expect(descriptions.some((d) => flat.startsWith(String(d).replace(/…$/, '')))).to.equal(true, `description for r${i}`);
          }
          for (const line of b.result.files[0]!.contents.split('\n')) {
            if (/^\s*#/.test(line) || line.trim() === '') continue;
            expect(line, 'a code line').to.match(/^\s*(?:[a-z_]+\s*=|[a-z_]+ \{|resource "|variable "|\}|\]|"[^"]*",?$)/);
          }
        }
      });
    }

    it('escapes HCL template sequences and quotes', function () {
      expect(hclString('a${b}%{c}"\\\n')).to.equal('"a$${b}%%{c}\\"\\\\\\u000a"');
      expect(hclString('$${x}')).to.equal('"$$${x}"');
    });
  });
});

function write(dir: string, name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}
