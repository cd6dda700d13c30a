import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTemplate } from '../azure-common/arm-check.js';
import { applyDiagnostics, expectedFlows, normalise, nsgTemplateFlows, sameAddressFlows, withoutCrossFamily } from '../azure-common/flows.js';
import { catalogCases, expandFiles, nothingLeft, runCase, runSet, templateOf, type Run } from '../azure-common/run.js';
import { getEmitter } from '../../../lib/emit/registry.js';
import { goldenFiles } from '../azure-common/golden-files.js';
import { bigSet, prefixes } from '../azure-common/big.js';
import { templateResources } from '../azure-common/template-addresses.js';
import { features, type FidelityTable } from '../../../lib/emit/emitter.js';

type Obj = Record<string, unknown>;
const TARGET = 'azure-nsg';

/** Security rules as { name, properties }, from the NSG resource or the child resources. */
function securityRules(t: Obj): Obj[] {
  return (t.resources as Obj[]).flatMap((r) =>
    r.type === 'Microsoft.Network/networkSecurityGroups' ? ((r.properties as Obj).securityRules as Obj[]) : [{ name: /'([^']*)'\)\]$/.exec(String(r.name))![1], properties: r.properties }],
  );
}
const props = (t: Obj) => securityRules(t).map((r) => r.properties as Obj);

function expectSemantics(run: Run): void {
  const { flows, unmatched } = applyDiagnostics(expectedFlows(run.set, TARGET), run.result.diagnostics, run.set, TARGET);
  expect(unmatched.map((d) => d.message), 'diagnostics that match no flow').to.deep.equal([]);
  if (nothingLeft(run)) {
    // Refused: then the diagnostics must account for every flow asked for.
    expect(normalise(flows), 'flows left when nothing was written').to.deep.equal([]);
    return;
  }
  const template = templateOf(run);
  const [actual, expected] = sameAddressFlows(nsgTemplateFlows(template), withoutCrossFamily(flows));
  expect(actual, 'flows allowed by the template').to.deep.equal(expected);
  // The final deny, when there, is the last outbound rule and denies only the Internet tag.
  const denies = props(template).filter((p) => p.access === 'Deny');
  for (const d of denies) expect(d).to.include({ direction: 'Outbound', priority: 4096, destinationAddressPrefix: 'Internet', protocol: '*' });
  expect(denies.length).to.equal(props(template).some((p) => p.access === 'Allow' && p.direction === 'Outbound') ? 1 : 0);
}

describe('azure-nsg', function () {
  this.timeout(60_000);

  describe('built-in catalogs', function () {
    for (const c of catalogCases) {
      for (const resource of ['nsg', 'rules'] as const) {
        const label = `${c.name} (${resource})`;
        it(`${label}: passes the ARM schemas and Azure's rules`, async function () {
          const run = await runCase(TARGET, c, { resource });
          if (!nothingLeft(run)) expect(checkTemplate(templateOf(run))).to.deep.equal([]);
        });
        it(`${label}: allows exactly the required flows, changed only as the diagnostics say`, async function () {
          expectSemantics(await runCase(TARGET, c, { resource }));
        });
      }
      it(`${c.name}: the same input gives the same bytes`, async function () {
        const a = await runCase(TARGET, c);
        const b = await runCase(TARGET, c);
        expect(a.result.files).to.deep.equal(b.result.files);
      });
    }

    it('acr with a region that has no regional service tag is an error naming the regions that have one', async function () {
      const run = await runCase(TARGET, { name: 'x', catalogs: ['acr'], input: { params: { registry: 'myreg', region: 'nowhere' }, options: { 'regional-service-tags': true } } });
      expect(run.result.files).to.deep.equal([]);
      const d = run.result.diagnostics.find((x) => x.code === 'TAGS_NO_REGION');
      expect(d?.severity).to.equal('error');
      expect(d?.hint).to.contain('eastus').and.contain('westeurope');
    });

    it('uses the regional tag names of the Service Tags file', async function () {
      const t = templateOf(await runCase(TARGET, catalogCases.find((c) => c.name === 'acr all options')!));
      const tags = new Set(props(t).map((p) => p.destinationAddressPrefix));
      for (const tag of ['AzureContainerRegistry.EastUS', 'AzureContainerRegistry.WestUS', 'AzureContainerRegistry.NorthEurope']) expect(tags).to.include(tag);
    });
  });

  describe('golden files (spec/fixtures/*/expected/azure-nsg.json)', function () {
    const golden = goldenFiles(TARGET);
    it('has golden files', function () {
      expect(golden.length).to.be.at.least(4);
    });
    for (const g of golden) {
      it(`${g.name} passes the ARM schemas and Azure's rules`, function () {
        expect(checkTemplate(JSON.parse(readFileSync(g.file, 'utf8')))).to.deep.equal([]);
      });
    }
  });

  describe('rules', function () {
    let dir: string;
    before(() => (dir = mkdtempSync(join(tmpdir(), 'fwgen-nsg-'))));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, text: string) => {
      const f = join(dir, name);
      writeFileSync(f, text);
      return f;
    };
    const header = 'id: t\ntitle: T\nsource: { document: t.md }\n';

    it('puts one service tag per rule and CIDRs of one family in destinationAddressPrefixes', async function () {
      const f = write(
        'mixed.yaml',
        `${header}requirements:\n  - id: n\n    sources: [10.0.0.0/8, "fd00::/8"]\n    destinations: [192.0.2.0/24, 198.51.100.0/24, "2001:db8::/32", { serviceTag: Storage }, { serviceTag: AzureMonitor }]\n    ports: [https:443, udp:53, tcp:8000-8010]\n    provenance: { line: 1 }\n`,
      );
      const run = await runSet(TARGET, await expandFiles([f]));
      const t = templateOf(run);
      expect(checkTemplate(t)).to.deep.equal([]);
      const rules = securityRules(t).filter((r) => (r.properties as Obj).access === 'Allow');
      const by = (name: string) => rules.find((r) => r.name === name)?.properties as Obj;
      expect(by('t.n.dst-ips.tcp-443_8000-8010.ipv4')).to.include({ protocol: 'Tcp', sourceAddressPrefix: '10.0.0.0/8' });
      expect(by('t.n.dst-ips.tcp-443_8000-8010.ipv4').destinationAddressPrefixes).to.deep.equal(['192.0.2.0/24', '198.51.100.0/24']);
      expect(by('t.n.dst-ips.tcp-443_8000-8010.ipv4').destinationPortRanges).to.deep.equal(['443', '8000-8010']);
      expect(by('t.n.dst-ips.udp-53.ipv6')).to.include({ protocol: 'Udp', sourceAddressPrefix: 'fd00::/8', destinationAddressPrefix: '2001:db8::/32', destinationPortRange: '53' });
      expect(by('t.n.Storage.tcp-443_8000-8010.ipv6')).to.include({ sourceAddressPrefix: 'fd00::/8', destinationAddressPrefix: 'Storage' });
      expect(by('t.n.AzureMonitor.udp-53.ipv4')).to.include({ sourceAddressPrefix: '10.0.0.0/8', destinationAddressPrefix: 'AzureMonitor' });
      // 3 destination sides (IPv4 and IPv6 prefixes count as one side split by family) x 2 protocols x 2 families.
      expect(rules).to.have.length(12);
      expectSemantics(run);
    });

    it('allocates priorities from the start by the step, each direction on its own, internal traffic in both', async function () {
      const f = write(
        'dirs.yaml',
        `${header}requirements:\n  - id: out\n    destinations: [192.0.2.0/24]\n    ports: [tcp:443]\n    provenance: { line: 1 }\n  - id: in\n    direction: inbound\n    sources: [198.51.100.0/24]\n    destinations: [10.0.0.0/24]\n    ports: [tcp:22]\n    provenance: { line: 2 }\n  - id: mesh\n    direction: internal\n    sources: [10.0.0.0/24]\n    destinations: [10.0.0.0/24]\n    ports: [any]\n    provenance: { line: 3 }\n`,
      );
      const run = await runSet(TARGET, await expandFiles([f]), { 'priority-start': 200, 'priority-step': 5 });
      expect(securityRules(templateOf(run)).map((r) => [r.name, (r.properties as Obj).direction, (r.properties as Obj).priority])).to.deep.equal([
        ['t.out', 'Outbound', 200],
        ['t.in', 'Inbound', 200],
        ['t.mesh.out', 'Outbound', 205],
        ['t.mesh.in', 'Inbound', 205],
        ['fwgen-deny-internet-outbound', 'Outbound', 4096],
      ]);
      expectSemantics(run);
      const none = await runSet(TARGET, await expandFiles([f]), { 'final-deny': 'none' });
      expect(props(templateOf(none)).every((p) => p.access === 'Allow')).to.equal(true);
    });

    it('refuses with EMIT_LIMIT before priorities pass 4096 or the rules and prefixes pass the limits', async function () {
      const reqs = Array.from({ length: 30 }, (_, i) => `  - id: r${i}\n    destinations: [192.0.${i}.0/24, 198.51.${i}.0/24]\n    ports: [tcp:443]\n    provenance: { line: ${i + 1} }\n`).join('');
      const f = write('many.yaml', `${header}requirements:\n${reqs}`);
      const ok = await runSet(TARGET, await expandFiles([f]));
      expect(checkTemplate(templateOf(ok))).to.deep.equal([]);
      const tooHigh = await runSet(TARGET, await expandFiles([f]), { 'priority-start': 4000, 'priority-step': 10 });
      expect(tooHigh.result.files).to.deep.equal([]);
      expect(tooHigh.result.diagnostics.map((d) => d.code)).to.deep.equal(['EMIT_LIMIT']);
      expect(tooHigh.result.diagnostics[0]!.message).to.contain('past 4095');
      const rules = await runSet(TARGET, await expandFiles([f]), { 'max-rules': 30 });
      expect(rules.result.diagnostics.map((d) => d.message)).to.deep.equal(['31 security rules are more than 30, the most one network security group may hold here']);
      const prefixes = await runSet(TARGET, await expandFiles([f]), { 'max-prefixes': 60 });
      // 60 prefixes and the final deny's Internet tag.
      expect(prefixes.result.diagnostics.map((d) => d.message)).to.deep.equal(['the rules name 61 destination address prefixes, more than 60, the most one network security group may hold here (Azure: 4000 destination addresses and ranges per NSG)']);
      expect(prefixes.result.diagnostics[0]!.hint).to.contain('--set max-prefixes');
      const bad = await runSet(TARGET, await expandFiles([f]), { 'max-rules': 1001 });
      expect(bad.result.diagnostics.map((d) => d.code)).to.deep.equal(['EMIT_OPTION']);
    });

    it('replaces names by the vendor tags (usesAlternatives) with a note, and drops names without them pointing to azure-firewall or squid', async function () {
      const f = write(
        'names.yaml',
        `${header}requirements:\n  - id: with-tags\n    destinations: [a.example.com]\n    ports: [https:443]\n    alternatives: [{ serviceTag: AzureFrontDoor.FirstParty }]\n    provenance: { line: 1 }\n  - id: without\n    destinations: [b.example.com]\n    ports: [https:443]\n    provenance: { line: 2 }\n`,
      );
      const run = await runSet(TARGET, await expandFiles([f]));
      expect(run.result.diagnostics.map((d) => d.code)).to.deep.equal(['FIDELITY_WIDENED', 'FIDELITY_DROPPED']);
      expect(run.result.diagnostics[1]!.hint).to.contain('azure-firewall').and.contain('squid');
      const t = templateOf(run);
      expect(props(t)[0]).to.include({ destinationAddressPrefix: 'AzureFrontDoor.FirstParty', destinationPortRange: '443' });
      const meta = ((t.metadata as Obj).fwgen as Obj).rules as Obj[];
      expect(meta[0]!.note).to.contain('AzureFrontDoor.FirstParty stands in for a.example.com');
      expectSemantics(run);
    });
  });

  describe('limits (a rule, an NSG, a template)', function () {
    this.timeout(300_000);
    type Files = { path: string; contents: string }[];
    const parsed = (files: Files) => files.map((f) => JSON.parse(f.contents) as Obj);
    const allRules = (files: Files) => parsed(files).flatMap(securityRules);

    /** Every template passes the schemas, priorities stay unique over all of them, and the flows are the required ones. */
    function expectValid(run: Run, files: Files): void {
      for (const t of parsed(files)) expect(checkTemplate(t)).to.deep.equal([]);
      const rules = allRules(files);
      const priorities = rules.map((r) => `${(r.properties as Obj).direction}:${(r.properties as Obj).priority}`);
      expect(new Set(priorities).size).to.equal(priorities.length);
      expect(new Set(rules.map((r) => String(r.name).toLowerCase())).size).to.equal(rules.length);
      const { flows, unmatched } = applyDiagnostics(expectedFlows(run.set, TARGET), run.result.diagnostics, run.set, TARGET);
      expect(unmatched).to.deep.equal([]);
      const [actual, expected] = sameAddressFlows(nsgTemplateFlows({ resources: templateResources(files) }), withoutCrossFamily(flows));
      expect(actual).to.deep.equal(expected);
    }

    it('splits a rule past max-rule-prefixes into rules over consecutive slices, allowing the same flows', async function () {
      const run = await runSet(TARGET, bigSet([{ id: 'many', destinations: prefixes(4000), sources: ['10.0.0.0/16', '10.2.0.0/16'] }]), { 'max-rule-prefixes': 1000 });
      const allow = allRules(run.result.files).filter((r) => (r.properties as Obj).access === 'Allow');
      const sizes = allow.map((r) => ((r.properties as Obj).destinationAddressPrefixes as string[]).length);
      expect(sizes.length).to.equal(3);
      for (const n of sizes) expect(n).to.be.at.most(1000);
      expect(allow.map((r) => r.name)).to.deep.equal(['big.many.part1', 'big.many.part2', 'big.many.part3']);
      expectValid(run, run.result.files);
    });

    for (const n of [10_000, 100_000]) {
      it(`refuses ${n.toLocaleString('en')} prefixes, more than one NSG holds: EMIT_LIMIT naming the limit and max-prefixes`, async function () {
        const started = performance.now();
        const run = await runSet(TARGET, bigSet([{ id: 'many', destinations: prefixes(n) }]));
        expect(performance.now() - started).to.be.below(30_000);
        expect(run.result.files).to.deep.equal([]);
        const errors = run.result.diagnostics.filter((d) => d.severity === 'error');
        expect(errors.map((d) => d.code)).to.deep.equal(['EMIT_LIMIT']);
        expect(errors[0]!.message).to.match(/^the rules name \d+ destination address prefixes, more than 4000/);
        expect(errors[0]!.hint).to.contain('--set max-prefixes').and.contain('azure-firewall');
      });
    }

    it('with resource=rules, spreads the rules over templates of at most 800 resources and max-template-bytes', async function () {
      // 900 rules of two prefixes each, priorities 100-999, and the final deny.
      // Every other /24, so that none merge.
      const set = bigSet([{ id: 'many', destinations: Array.from({ length: 1800 }, (_, i) => `10.${Math.floor(i / 128)}.${(i % 128) * 2}.0/24`) }]);
      const opts = { resource: 'rules', 'max-rule-prefixes': 2, 'priority-step': 1 };
      const run = await runSet(TARGET, set, opts);
      expect(run.result.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
      const rules = allRules(run.result.files);
      expect(rules.length).to.be.greaterThan(800);
      expect(run.result.files.map((f) => f.path)).to.deep.equal(['azure-nsg.part-1-of-2.json', 'azure-nsg.part-2-of-2.json']);
      for (const t of parsed(run.result.files)) expect((t.resources as Obj[]).length).to.be.at.most(800);
      expectValid(run, run.result.files);
      const small = await runSet(TARGET, set, { ...opts, 'max-template-bytes': 100_000 });
      expect(small.result.files.length).to.be.greaterThan(4);
      for (const f of small.result.files) expect(Buffer.byteLength(f.contents)).to.be.at.most(100_000);
      expectValid(small, small.result.files);
      expect(allRules(small.result.files)).to.deep.equal(rules);
    });

    it('refuses an NSG resource larger than max-resource-bytes, pointing to resource=rules', async function () {
      const run = await runSet(TARGET, bigSet([{ id: 'many', destinations: prefixes(2000) }]), { 'max-resource-bytes': 20_000 });
      expect(run.result.files).to.deep.equal([]);
      const d = run.result.diagnostics.find((x) => x.severity === 'error')!;
      expect(d.code).to.equal('EMIT_LIMIT');
      expect(d.message).to.match(/^the network security group is \d+ bytes as an ARM resource definition, more than 20000/);
      expect(d.hint).to.contain('--set resource=rules');
    });
  });

  describe('fidelity table', function () {
    it('declares every feature; names dropped (replaced by alternatives), addresses and tags exact', async function () {
      const e = await getEmitter(TARGET);
      const table = (typeof e.fidelity === 'function' ? e.fidelity({}) : e.fidelity) as FidelityTable;
      expect(Object.keys(table).sort()).to.deep.equal([...features].sort());
      expect(e.usesAlternatives).to.equal(true);
      expect(e.serviceTags).to.equal('tags');
      for (const f of ['host-exact', 'host-subdomains', 'host-apex-and-subdomains', 'group-destination-unbound'] as const) expect(table[f].level).to.equal('drop');
      for (const f of ['cidr', 'service-tag', 'group-destination', 'inbound', 'internal'] as const) expect(table[f].level).to.equal('exact');
    });
  });

  describe('injection', function () {
    let dir: string;
    before(() => (dir = mkdtempSync(join(tmpdir(), 'fwgen-nsg-inj-'))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    const evil = [`"}}], "x": [{"name": "pwned", "properties": {"access": "Allow"}}], "y": "`, "[parameters('nsgName')]", 'a\nb\r\n\u2028c "\\ ${x}', '[[x]'];
    const s = (x: string) => JSON.stringify(x);
    const input = (texts: string[]) =>
      `id: inj\ntitle: ${s(texts[0]!)}\nsource: { document: ${s(texts[2]!)} }\ngroups: { g: { title: ${s(texts[1]!)} } }\nrequirements:\n` +
      texts.map((t, i) => `  - id: r${i}\n    sources: [{ group: g }]\n    destinations: [192.0.2.${i}/32, { serviceTag: Storage }]\n    ports: [tcp:443]\n    purpose: ${s(t)}\n    provenance: { line: ${i + 1}, text: ${s(t)} }\n`).join('');

    for (const resource of ['nsg', 'rules'] as const) {
      it(`no input text adds a rule or a property, or makes an ARM expression (${resource})`, async function () {
        const write = (n: string, text: string) => {
          const f = join(dir, n);
          writeFileSync(f, text);
          return f;
        };
        const a = templateOf(await runSet(TARGET, await expandFiles([write('plain.yaml', input(evil.map((_, i) => `plain ${i}`)))]), { resource }));
        const b = templateOf(await runSet(TARGET, await expandFiles([write('evil.yaml', input(evil))]), { resource }));
        expect(checkTemplate(b)).to.deep.equal([]);
        const shape = (t: Obj) => securityRules(t).map((r) => ({ name: r.name, keys: Object.keys(r.properties as Obj), priority: (r.properties as Obj).priority }));
        expect(shape(b)).to.deep.equal(shape(a));
        expect(Object.keys(b)).to.deep.equal(Object.keys(a));
        const meta = ((b.metadata as Obj).fwgen as Obj).rules as Obj[];
        expect(meta.map((m) => m.purpose)).to.include(`[[parameters('nsgName')]`);
        expect(meta.map((m) => m.purpose)).to.include('[[[x]');
        for (const p of props(b)) expect([...String(p.description)].length).to.be.at.most(140);
      });
    }
  });
});
