import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireEngine, xmllintCheck } from '../../helpers/engines.js';
import { CATALOG_CASES, emitCatalog, emitText, nothingLeft, type Built } from '../cilium/build.js';
import { externalListFiles } from './build.js';
import { checkStructure, parseVsys, referenceAvailable, type Entry } from './check.js';
import { checkPanosSemantics, urlMatches, type PanosSemanticOptions } from './semantics.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

function requireReference(ctx: Mocha.Context): void {
  if (referenceAvailable()) return;
  if (process.env.FWGEN_REQUIRE_ENGINES === '1') throw new Error('PAN-OS reference samples missing (../shared/reference/panos)');
  console.warn(`SKIPPED (no PAN-OS reference samples): ${ctx.test?.fullTitle() ?? ''}`);
  ctx.skip();
}

/** One output: no errors, well-formed for xmllint, the samples' structure and limits, and the requirements' meaning. */
function verify(ctx: Mocha.Context, b: Built, o: PanosSemanticOptions = {}): string {
  if (nothingLeft(b)) {
    // Every requirement was dropped, each with its own diagnostic.
    for (const r of b.set.requirements) expect(b.result.diagnostics.some((d) => d.requirement === r.id && d.code === 'FIDELITY_DROPPED'), r.id).to.equal(true);
    return '';
  }
  expect(b.result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).to.deep.equal([]);
  expect(b.result.files[0]!.path).to.equal('panos.xml');
  const xml = b.result.files[0]!.contents;
  const lint = xmllintCheck(xml);
  expect(lint.ok, lint.output).to.equal(true);
  requireReference(ctx);
  expect(checkStructure(xml), 'structure').to.deep.equal([]);
  const report = checkPanosSemantics(b.set, parseVsys(xml).entry, b.result.diagnostics, { externalLists: externalListFiles(xml, b.result.files), ...o });
  expect(report.problems, 'semantics').to.deep.equal([]);
  return xml;
}

describe('panos target', function () {
  before(function () {
    requireEngine(this, 'xmllint');
  });

  describe('built-in catalogs: xmllint, sample structure, codegen limits, semantics', function () {
    for (const c of CATALOG_CASES) {
      it(c.name, async function () {
        verify(this, await emitCatalog('panos', c.catalog, c.input));
      });
    }
    it('runai with zones, a name prefix, another device and vsys', async function () {
      const xml = verify(this, await emitCatalog('panos', 'runai', CATALOG_CASES[2]!.input, { 'from-zone': 'k8s nodes', 'to-zone': 'internet', 'name-prefix': 'runai', device: 'fw01', vsys: 'vsys2' }), { fromZone: 'k8s nodes', toZone: 'internet' });
      const v = parseVsys(xml);
      expect([v.device, v.vsys]).to.deep.equal(['fw01', 'vsys2']);
      expect(xml).to.contain('<entry name="runai-runai_installation-bcm-ssh">');
    });
  });

  describe('golden files (spec/fixtures/*/expected/panos.xml)', function () {
    const files = existsSync(FIXTURES)
      ? readdirSync(FIXTURES)
          .map((c) => join(FIXTURES, c, 'expected', 'panos.xml'))
          .filter((f) => existsSync(f))
      : [];
    it('has golden files', function () {
      expect(files.length).to.be.greaterThan(5);
    });
    for (const f of files) {
      it(`${f.split('/').slice(-3, -2)[0]!} passes xmllint and the structure check`, function () {
        const xml = readFileSync(f, 'utf8');
        const lint = xmllintCheck(xml);
        expect(lint.ok, lint.output).to.equal(true);
        requireReference(this);
        expect(checkStructure(xml)).to.deep.equal([]);
      });
    }
  });

  describe('names', function () {
    const text = `
id: names
title: Names
source: { document: names.md }
requirements:
  - { id: exact, destinations: [api.example.com], ports: [https:443], provenance: { line: 1 } }
  - { id: below, destinations: ["*.cdn.example.net"], ports: [https:443, http:80], provenance: { line: 2 } }
  - { id: both, destinations: [{ host: example.org, match: apex-and-subdomains }], ports: [https:443], provenance: { line: 3 } }
  - { id: below-udp, destinations: ["*.quic.example.net"], ports: [udp:443, https:443, ssh:22], provenance: { line: 4 } }
`;
    it('exact names are FQDN objects; subdomains a URL category with *.name/; the apex of apex-and-subdomains an FQDN object', async function () {
      const b = await emitText('panos', text);
      const xml = verify(this, b);
      const v = parseVsys(xml).entry;
      expect(v.address!.entry.map((e) => [e['@_name'], e.fqdn])).to.deep.equal([
        ['fwgen-fqdn-api.example.com', 'api.example.com'],
        ['fwgen-fqdn-example.org', 'example.org'],
      ]);
      const cats = v.profiles!['custom-url-category']!.entry.map((e) => [e['@_name'], (e.list as { member: string[] }).member, e.type]);
      expect(cats).to.deep.equal([
        ['fwgen-names_below', ['*.cdn.example.net/'], 'URL List'],
        ['fwgen-names_below-udp', ['*.quic.example.net/'], 'URL List'],
        ['fwgen-names_both', ['*.example.org/'], 'URL List'],
      ]);
      const narrowed = b.result.diagnostics.filter((d) => d.code === 'FIDELITY_NARROWED').map((d) => d.requirement);
      expect(narrowed).to.deep.equal(['names/below', 'names/both', 'names/below-udp']);
      const dropped = b.result.diagnostics.filter((d) => d.code === 'FIDELITY_DROPPED').map((d) => d.message);
      expect(dropped).to.deep.equal(['names/below-udp: *.quic.example.net on ssh:22, udp:443 dropped: a custom URL category matches only HTTP and TLS traffic, and these are UDP or SSH']);
    });
    it('models PAN-OS URL matching: the trailing slash keeps *.example.com/ from matching www.example.com.evil.test', function () {
      expect(urlMatches('*.example.com/', 'www.example.com')).to.equal(true);
      expect(urlMatches('*.example.com/', 'a.b.example.com')).to.equal(true);
      expect(urlMatches('*.example.com/', 'example.com')).to.equal(false);
      expect(urlMatches('*.example.com/', 'www.example.com.evil.test')).to.equal(false);
      expect(urlMatches('*.example.com', 'www.example.com.evil.test')).to.equal(true);
      expect(urlMatches('example.com/', 'example.com')).to.equal(true);
      expect(urlMatches('^.example.com/', 'a.b.example.com')).to.equal(false);
    });
  });

  describe('addresses, service tags and groups', function () {
    const text = `
id: addr
title: Addresses
source: { document: a.md }
groups:
  nodes: { title: Nodes }
  peers: { title: Peers }
requirements:
  - id: out
    sources: [{ group: nodes }]
    destinations: [192.0.2.0/24, "2001:db8::/48", { serviceTag: ApiManagement, region: austriaeast }, { group: peers }, app.example.com]
    ports: [https:443, "tcp:8000-8010", "udp:53"]
    provenance: { line: 1 }
  - id: in
    direction: inbound
    sources: [203.0.113.0/24, { group: peers }]
    destinations: [{ group: nodes }]
    ports: [tcp:8443]
    provenance: { line: 2 }
  - id: mesh
    direction: internal
    sources: [{ group: nodes }]
    destinations: [{ group: nodes }]
    ports: [any]
    provenance: { line: 3 }
  - id: plain
    destinations: [198.51.100.7/32]
    ports: [tcp:5000]
    provenance: { line: 4 }
`;
    const bind = { nodes: '10.1.0.0/16', peers: ['10.9.0.0/24', 'fd00:9::/64'] };
    it('writes one group per requirement of its aggregated addresses, a group per bound group used alone, and services with ranges', async function () {
      const b = await emitText('panos', text, { bind });
      const xml = verify(this, b);
      const v = parseVsys(xml).entry;
      const groups = Object.fromEntries(v['address-group']!.entry.map((e) => [e['@_name'], (e.static as { member: string[] }).member]));
      // The tag's, the group's and the requirement's own prefixes together, FQDNs first, then in address order.
      expect(groups['fwgen-dst-addr_out']).to.deep.equal([
        'fwgen-fqdn-app.example.com',
        'fwgen-net-10.9.0.0_24',
        'fwgen-net-68.210.163.176_28',
        'fwgen-net-192.0.2.0_24',
        'fwgen-net-2001-db8--_48',
        'fwgen-net-2603-1020-104-4--400_124',
        'fwgen-net-fd00-9--_64',
      ]);
      expect(groups['fwgen-grp-addr_nodes']).to.deep.equal(['fwgen-net-10.1.0.0_16']);
      expect(groups['fwgen-src-addr_in']).to.deep.equal(['fwgen-net-10.9.0.0_24', 'fwgen-net-203.0.113.0_24', 'fwgen-net-fd00-9--_64']);
      const byName = Object.fromEntries((v.rulebase!.security!.rules as { entry: Entry[] }).entry.map((r) => [r['@_name'], r]));
      const field = (rule: string, k: string) => (byName[rule]![k] as { member: string[] }).member;
      expect([field('fwgen-addr_in', 'destination'), field('fwgen-addr_mesh', 'source'), field('fwgen-addr_mesh', 'destination')]).to.deep.equal([['fwgen-grp-addr_nodes'], ['fwgen-grp-addr_nodes'], ['fwgen-grp-addr_nodes']]);
      expect(field('fwgen-addr_plain', 'destination'), 'one address needs no group').to.deep.equal(['fwgen-net-198.51.100.7_32']);
      expect(v.service!.entry.map((e) => e['@_name'])).to.deep.equal(['fwgen-tcp-443', 'fwgen-tcp-5000', 'fwgen-tcp-8000-8010', 'fwgen-tcp-8443', 'fwgen-udp-53']);
      const rules = (v.rulebase!.security!.rules as { entry: { '@_name': string; service: { member: string[] } }[] }).entry;
      expect(rules.find((r) => r['@_name'] === 'fwgen-addr_mesh')!.service.member).to.deep.equal(['any']);
    });
    it('the semantic check notices an address missing, one too many, and a range one address too wide', async function () {
      const b = await emitText('panos', text, { bind });
      const xml = verify(this, b);
      const mutate = (f: (v: ReturnType<typeof parseVsys>['entry']) => void) => {
        const v = parseVsys(xml).entry;
        f(v);
        return checkPanosSemantics(b.set, v, b.result.diagnostics).problems;
      };
      const dst = (v: ReturnType<typeof parseVsys>['entry']) => (v['address-group']!.entry.find((e) => e['@_name'] === 'fwgen-dst-addr_out')!.static as { member: string[] }).member;
      expect(mutate((v) => dst(v).pop())).to.have.length.greaterThan(0);
      expect(mutate((v) => dst(v).push('fwgen-net-203.0.113.0_24'))).to.have.length.greaterThan(0);
      expect(mutate((v) => {
        const a = v.address!.entry.find((e) => e['@_name'] === 'fwgen-net-192.0.2.0_24')!;
        delete a['ip-netmask'];
        a['ip-range'] = '192.0.2.0-192.0.3.0';
      })).to.have.length.greaterThan(0);
      expect(mutate(() => undefined)).to.deep.equal([]);
    });
    it('service-tags=drop drops them with a diagnostic', async function () {
      const b = await emitText('panos', text, { bind }, { 'service-tags': 'drop' });
      verify(this, b);
      expect(b.result.files[0]!.contents).not.to.contain('fwgen-tag-');
      expect(b.result.diagnostics.filter((d) => d.code === 'FIDELITY_DROPPED').map((d) => d.params.feature)).to.deep.equal(['service-tag']);
    });
    it('drops requirements with unbound groups', async function () {
      const b = await emitText('panos', text);
      const xml = verify(this, b);
      const rules = (parseVsys(xml).entry.rulebase!.security!.rules as { entry: { '@_name': string }[] }).entry;
      expect(rules.map((r) => r['@_name'])).to.deep.equal(['fwgen-addr_plain']);
    });
  });

  describe('safety', function () {
    const nasty = 'x</entry><entry name="evil"> ]]> <![CDATA[ y ]]> --> <!-- "dq" \'sq\' &amp; & \u0000\u0007\u001b \ud800 \uffff \u2028 end';
    const text = `
id: inject
title: ${JSON.stringify(`Title ${nasty}`)}
source: { document: ${JSON.stringify(`doc ${nasty}`)} }
groups:
  g: { title: ${JSON.stringify(`Group ${nasty}`)} }
requirements:
  - id: r1
    sources: [{ group: g }]
    destinations: [a.example.com, "*.b.example.com", 192.0.2.1/32]
    ports: [https:443]
    purpose: ${JSON.stringify(`Purpose ${nasty}`)}
    provenance: { line: 1, section: ${JSON.stringify(`Section ${nasty}`)}, text: ${JSON.stringify(`Row ${nasty}`)} }
  - id: long
    destinations: [c.example.com]
    ports: [https:443]
    purpose: ${JSON.stringify('é'.repeat(2000))}
    provenance: { line: 2 }
`;
    it('keeps </entry>, ]]>, comment ends and quotes inside their text; no element or attribute is injected', async function () {
      const b = await emitText('panos', text, { bind: { g: '10.0.0.0/8' } });
      const xml = verify(this, b);
      const v = parseVsys(xml).entry;
      const rules = (v.rulebase!.security!.rules as { entry: { '@_name': string; description: string }[] }).entry;
      expect(rules.map((r) => r['@_name'])).to.deep.equal(['fwgen-inject_r1', 'fwgen-inject_r1-url', 'fwgen-inject_long']);
      expect(rules[0]!.description).to.contain('Purpose x</entry><entry name="evil"> ]]> <![CDATA[ y ]]> --> <!-- "dq" \'sq\' &amp; &');
      expect(rules[0]!.description).not.to.match(/[\u0000-\u001f\ud800\uffff\u2028]/);
      // Comments may hold any text but `--` (XMLBuilder breaks it up); outside them nothing was injected.
      expect(xml.replace(/<!--[\s\S]*?-->/g, '')).not.to.contain('<entry name="evil">');
      const head = xml.slice(0, xml.indexOf('<config>'));
      expect(head.match(/-->/g), 'one comment end in the header').to.have.length(1);
      expect(Buffer.byteLength(rules[2]!.description, 'utf8')).to.be.at.most(1024);
      expect(rules[2]!.description.endsWith('...')).to.equal(true);
    });
    it('refuses options that would reach XML unchecked', async function () {
      for (const [k, v] of [
        ['from-zone', 'a</to><to>'],
        ['to-zone', 'x"y'],
        ['vsys', 'vsys1"/><x'],
        ['device', 'a b'],
        ['name-prefix', 'pre fix'],
        ['to-zone', 'a'.repeat(32)],
      ] as const) {
        const b = await emitCatalog('panos', 'mcr', {}, { [k]: v });
        expect(b.result.files, `${k}=${v}`).to.deep.equal([]);
        expect(b.result.diagnostics.map((d) => d.code), `${k}=${v}`).to.include('EMIT_OPTION');
      }
    });
    it('keeps names within 63 characters (31 for URL categories), unique and the same on every run', async function () {
      const id = 'a'.repeat(60);
      const text = `
id: ${id}
title: Long
source: { document: l.md }
requirements:
  - { id: ${id}-1, destinations: ["*.x.example.com", x.example.com], ports: [https:443, tcp:8443-8444], provenance: { line: 1 } }
  - { id: ${id}-2, destinations: ["*.z.example.com", z.example.com], ports: [https:443], provenance: { line: 2 } }
  - { id: ${id}-3, destinations: [y.example.com], ports: [tcp:1], provenance: { line: 3 } }
  - { id: ${id}-3a, destinations: [y.example.com], ports: [tcp:2], provenance: { line: 4 } }
`;
      const b = await emitText('panos', text);
      const xml = verify(this, b);
      const names = [...xml.matchAll(/<entry name="([^"]+)">/g)].map((m) => m[1]!);
      for (const n of names) expect(n.length, n).to.be.at.most(63);
      expect(names.filter((n) => n.endsWith('-url'))).to.have.length(2);
      expect((await emitText('panos', text)).result.files[0]!.contents).to.equal(xml);
    });
    it('is deterministic for every catalog case', async function () {
      for (const c of CATALOG_CASES) {
        const a = await emitCatalog('panos', c.catalog, c.input);
        const b = await emitCatalog('panos', c.catalog, c.input);
        expect(a.result.files, c.name).to.deep.equal(b.result.files);
      }
    });
  });
});
