import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATALOG_CASES, emitCatalog, emitText, nothingLeft, type Built } from './build.js';
import { fqdnMatches, parsePolicies, parsePolicy, patternRegex, validatePolicy, type Policy } from './check.js';
import { checkSemantics, type SemanticOptions } from './semantics.js';

/** Output of a case: parsed, schema-checked, and compared with the requirements. */
function verify(b: Built, o: SemanticOptions = {}): Policy | undefined {
  if (nothingLeft(b)) {
    // Every requirement was dropped, each with its own diagnostic: nothing to validate.
    const report = checkSemantics(b.set, undefined, b.result.diagnostics, o);
    expect(report.problems, 'semantics').to.deep.equal([]);
    return undefined;
  }
  const errors = b.result.diagnostics.filter((d) => d.severity === 'error');
  expect(errors.map((d) => d.message)).to.deep.equal([]);
  expect(b.result.files).to.have.length(1);
  const text = b.result.files[0]!.contents;
  const policies = parsePolicies(text);
  expect(policies.length, 'one object below max-object-bytes').to.be.at.most(1);
  const policy = policies[0];
  if (policy) expect(validatePolicy(policy), 'schema').to.deep.equal([]);
  const report = checkSemantics(b.set, policy, b.result.diagnostics, o);
  expect(report.problems, 'semantics').to.deep.equal([]);
  return policy;
}

const selectorOf = (s: string) => Object.fromEntries(s.split(',').filter(Boolean).map((p) => p.split('=') as [string, string]));

describe('cilium target', function () {
  describe('built-in catalogs: CRD schema (Cilium 1.18.2) and semantics', function () {
    for (const c of CATALOG_CASES) {
      it(`${c.name}`, async function () {
        verify(await emitCatalog('cilium', c.catalog, c.input));
      });
      it(`${c.name}, selector, group-label, double-star, clusterwide`, async function () {
        const set = { selector: 'app.kubernetes.io/part-of=vendor', 'group-label': 'fwgen.io/group', 'double-star': true, clusterwide: true };
        const p = verify(await emitCatalog('cilium', c.catalog, c.input, set), { selector: selectorOf(set.selector), groupLabel: set['group-label'], doubleStar: true });
        expect(p?.kind).to.equal('CiliumClusterwideNetworkPolicy');
      });
    }
    it('runai with only the installer bound and group-label: every group is selected by label', async function () {
      const b = await emitCatalog('cilium', 'runai', { params: { 'control-plane-fqdn': 'cp.example.com' }, bind: { 'installer-machine': '192.168.1.10/32' } }, { 'group-label': 'fwgen.io/group' });
      const p = verify(b, { groupLabel: 'fwgen.io/group' })!;
      expect(b.result.diagnostics.filter((d) => d.severity !== 'note').map((d) => d.code)).to.deep.equal([]);
      const ssh = p.specs.find((s) => s.description.startsWith('runai/installation-bcm-ssh'))!;
      expect(ssh.endpointSelector).to.deep.equal({ matchExpressions: [{ key: 'fwgen.io/group', operator: 'In', values: ['bcm-headnodes'] }] });
      expect(ssh.ingress).to.deep.equal([{ fromCIDRSet: [{ cidr: '192.168.1.10/32' }], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }]);
    });
    it('runai without binds or group-label drops every requirement that names a group, and says so', async function () {
      const b = await emitCatalog('cilium', 'runai', { params: { 'control-plane-fqdn': 'cp.example.com' } });
      const report = checkSemantics(b.set, b.result.files[0] ? parsePolicy(b.result.files[0].contents) : undefined, b.result.diagnostics);
      expect(report.problems).to.deep.equal([]);
      expect(report.present).to.deep.equal([]);
      expect(report.dropped).to.have.length(11);
    });
  });

  describe('golden files (spec/fixtures/*/expected/cilium.yaml) pass the CRD schema', function () {
    const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');
    const files = readdirSync(fixtures)
      .map((c) => join(fixtures, c, 'expected', 'cilium.yaml'))
      .filter((f) => existsSync(f));
    it('has golden files', function () {
      expect(files.length).to.be.greaterThan(5);
    });
    for (const f of files) {
      it(f.split('/').slice(-3, -2)[0]!, function () {
        const p = parsePolicy(readFileSync(f, 'utf8'));
        expect(p, 'a policy').not.to.equal(undefined);
        expect(validatePolicy(p!)).to.deep.equal([]);
      });
    }
  });

  describe('names', function () {
    const text = `
id: names
title: Names
source: { document: names.md }
requirements:
  - id: exact
    destinations: [api.example.com]
    ports: [https:443]
    provenance: { line: 1 }
  - id: below
    destinations: ["*.cdn.example.net"]
    ports: [https:443]
    provenance: { line: 2 }
  - id: both
    destinations: [{ host: example.org, match: apex-and-subdomains }]
    ports: [https:443]
    provenance: { line: 3 }
`;
    it('writes matchName for exact names, *.name for subdomains (one label, narrowed), both for apex-and-subdomains', async function () {
      const b = await emitText('cilium', text);
      const p = verify(b)!;
      const fq = (id: string) => p.specs.find((s) => s.description.startsWith(id))!.egress![0]!.toFQDNs;
      expect(fq('names/exact')).to.deep.equal([{ matchName: 'api.example.com' }]);
      expect(fq('names/below')).to.deep.equal([{ matchPattern: '*.cdn.example.net' }]);
      expect(fq('names/both')).to.deep.equal([{ matchName: 'example.org' }, { matchPattern: '*.example.org' }]);
      const narrowed = b.result.diagnostics.filter((d) => d.code === 'FIDELITY_NARROWED');
      expect(narrowed.map((d) => d.requirement)).to.deep.equal(['names/below', 'names/both']);
      expect(narrowed[0]!.message).to.equal("names/below: *.cdn.example.net narrowed: Cilium's *.name matches one label only: a.name is allowed, a.b.name is not");
    });
    it('double-star writes **.name, exact on Cilium 1.19+, and Cilium 1.18 reads it as one label (never wider)', async function () {
      const b = await emitText('cilium', text, {}, { 'double-star': true });
      verify(b, { doubleStar: true });
      expect(b.result.diagnostics.filter((d) => d.code.startsWith('FIDELITY'))).to.deep.equal([]);
      expect(b.result.files[0]!.contents).to.contain('matchPattern: "**.cdn.example.net"');
      expect(fqdnMatches({ matchPattern: '**.cdn.example.net' }, 'a.b.cdn.example.net', '1.19')).to.equal(true);
      expect(fqdnMatches({ matchPattern: '**.cdn.example.net' }, 'cdn.example.net', '1.19')).to.equal(false);
      expect(fqdnMatches({ matchPattern: '**.cdn.example.net' }, 'a.b.cdn.example.net', '1.18')).to.equal(false);
      expect(fqdnMatches({ matchPattern: '**.cdn.example.net' }, 'a.cdn.example.net', '1.18')).to.equal(true);
      expect(patternRegex('*.cdn.example.net').test('cdn.example.net.')).to.equal(false);
    });
    it('the DNS rule lets exactly the required names be looked up, through kube-dns on UDP and TCP 53', async function () {
      const p = verify(await emitText('cilium', text))!;
      const dns = p.specs[0]!;
      expect(dns.description).to.match(/^DNS lookups/);
      expect(dns.egress).to.deep.equal([
        {
          toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
          toPorts: [
            {
              ports: [
                { port: '53', protocol: 'UDP' },
                { port: '53', protocol: 'TCP' },
              ],
              rules: { dns: [{ matchName: 'api.example.com' }, { matchPattern: '*.cdn.example.net' }, { matchName: 'example.org' }, { matchPattern: '*.example.org' }] },
            },
          ],
        },
      ]);
    });
    it('the checks notice a tampered policy', async function () {
      const b = await emitText('cilium', text);
      const p = parsePolicy(b.result.files[0]!.contents)!;
      const spec = (q: Policy, id: string) => q.specs.find((s) => s.description.startsWith(id))!;
      const tamper = (fn: (q: Policy) => void) => {
        const q = structuredClone(p);
        fn(q);
        return [...validatePolicy(q), ...checkSemantics(b.set, q, b.result.diagnostics).problems];
      };
      expect(tamper(() => undefined)).to.deep.equal([]);
      expect(tamper((q) => spec(q, 'names/exact').egress![0]!.toFQDNs!.push({ matchName: 'evil.example' }))).not.to.deep.equal([]);
      expect(tamper((q) => (spec(q, 'names/exact').egress![0]!.toPorts![0]!.ports[0]!.port = '444'))).not.to.deep.equal([]);
      expect(tamper((q) => (spec(q, 'names/exact').egress![0]!.toPorts![0]!.ports[0]!.port = '99999'))).not.to.deep.equal([]);
      expect(tamper((q) => (spec(q, 'names/below').egress![0]!.toFQDNs = [{ matchPattern: '**.cdn.example.net' }]))).not.to.deep.equal([]);
      expect(tamper((q) => (spec(q, 'names/exact').egress![0]!.toCIDRSet = [{ cidr: '0.0.0.0/0' }]))).not.to.deep.equal([]);
      expect(tamper((q) => q.specs[0]!.egress![0]!.toPorts![0]!.rules!.dns.pop())).not.to.deep.equal([]);
      expect(tamper((q) => q.specs.splice(1, 1))).not.to.deep.equal([]);
      expect(tamper((q) => delete spec(q, 'names/both').egress![0]!.toPorts)).not.to.deep.equal([]);
    });
    it('dns-selector and dns-lookups=all change only the DNS rule', async function () {
      const p = verify(await emitText('cilium', text, {}, { 'dns-selector': 'k8s:io.kubernetes.pod.namespace=dns,k8s:app=unbound', 'dns-lookups': 'all' }), { dnsLookups: 'all' })!;
      expect(p.specs[0]!.egress![0]!.toEndpoints).to.deep.equal([{ matchLabels: { 'k8s:app': 'unbound', 'k8s:io.kubernetes.pod.namespace': 'dns' } }]);
      expect(p.specs[0]!.egress![0]!.toPorts![0]!.rules).to.deep.equal({ dns: [{ matchPattern: '*' }] });
    });
  });

  describe('ports', function () {
    it('ranges use endPort, every port is port "0", UDP stays UDP, any leaves toPorts out, and 40 ports per entry at most', async function () {
      const many = Array.from({ length: 45 }, (_, i) => `tcp:${10000 + i * 2}`).join(', ');
      const b = await emitText(
        'cilium',
        `
id: ports
title: Ports
source: { document: p.md }
requirements:
  - { id: range, destinations: [a.example.com], ports: ["tcp:8000-8010", "udp:53"], provenance: { line: 1 } }
  - { id: every, destinations: [b.example.com], ports: ["tcp:*"], provenance: { line: 2 } }
  - { id: all, destinations: [198.51.100.0/24], ports: [any], provenance: { line: 3 } }
  - { id: many, destinations: [c.example.com], ports: [${many}], provenance: { line: 4 } }
`,
      );
      const p = verify(b)!;
      const rule = (id: string) => p.specs.find((s) => s.description.startsWith(id))!.egress![0]!;
      expect(rule('ports/range').toPorts).to.deep.equal([
        {
          ports: [
            { port: '53', protocol: 'UDP' },
            { port: '8000', endPort: 8010, protocol: 'TCP' },
          ],
        },
      ]);
      expect(rule('ports/every').toPorts).to.deep.equal([{ ports: [{ port: '0', protocol: 'TCP' }] }]);
      expect(rule('ports/all')).to.deep.equal({ toCIDRSet: [{ cidr: '198.51.100.0/24' }] });
      expect(rule('ports/many').toPorts!.map((t) => t.ports.length)).to.deep.equal([40, 5]);
    });
  });

  describe('addresses and groups', function () {
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
    ports: [https:443]
    provenance: { line: 1 }
  - id: in
    direction: inbound
    sources: [203.0.113.0/24, { group: peers }]
    destinations: [{ group: nodes }]
    ports: [tcp:8443]
    provenance: { line: 2 }
  - id: open
    direction: inbound
    destinations: [{ group: nodes }]
    ports: [tcp:9000]
    allowBroad: test
    provenance: { line: 3 }
  - id: plain
    destinations: [198.51.100.7/32]
    ports: [tcp:5000]
    provenance: { line: 4 }
`;
    it('keeps toFQDNs apart from toCIDRSet; expands service tags; bound groups become prefixes on both sides', async function () {
      const b = await emitText('cilium', text, { bind: { nodes: '10.1.0.0/16', peers: ['10.9.0.0/24', 'fd00:9::/64'] } });
      const p = verify(b)!;
      const out = p.specs.find((s) => s.description.startsWith('addr/out'))!;
      expect(out.egress!.map((r) => Object.keys(r)[0])).to.deep.equal(['toFQDNs', 'toCIDRSet']);
      expect(out.egress![1]!.toCIDRSet!.map((c) => c.cidr)).to.deep.equal(['10.9.0.0/24', '68.210.163.176/28', '192.0.2.0/24', '2001:db8::/48', '2603:1020:104:4::400/124', 'fd00:9::/64']);
      const inbound = p.specs.find((s) => s.description.startsWith('addr/in'))!;
      expect(inbound.ingress).to.deep.equal([{ fromCIDRSet: ['10.9.0.0/24', '203.0.113.0/24', 'fd00:9::/64'].map((cidr) => ({ cidr })), toPorts: [{ ports: [{ port: '8443', protocol: 'TCP' }] }] }]);
      const open = p.specs.find((s) => s.description.startsWith('addr/open'))!;
      expect(open.ingress).to.deep.equal([{ fromEntities: ['all'], toPorts: [{ ports: [{ port: '9000', protocol: 'TCP' }] }] }]);
    });
    it('with group-label, unbound groups are label selectors on both sides', async function () {
      const b = await emitText('cilium', text, {}, { 'group-label': 'example.com/group' });
      const p = verify(b, { groupLabel: 'example.com/group' })!;
      const inbound = p.specs.find((s) => s.description.startsWith('addr/in'))!;
      expect(inbound.endpointSelector).to.deep.equal({ matchExpressions: [{ key: 'example.com/group', operator: 'In', values: ['nodes'] }] });
      expect(inbound.ingress!.map((r) => Object.keys(r)[0])).to.deep.equal(['fromCIDRSet', 'fromEndpoints']);
    });
    it('without group-label, unbound groups are dropped by the fidelity table', async function () {
      const b = await emitText('cilium', text);
      verify(b);
      expect(b.result.diagnostics.filter((d) => d.code === 'FIDELITY_DROPPED').map((d) => d.params.feature)).to.include.members(['source-group-unbound', 'group-destination-unbound']);
    });
  });

  describe('options', function () {
    it('refuses a bad selector, namespace or name before emitting', async function () {
      for (const [k, v] of [
        ['selector', 'app=a b'],
        ['selector', 'app=x,app=y'],
        ['namespace', 'Default'],
        ['name', 'a_b'],
        ['group-label', 'a=b'],
        ['dns-selector', 'k8s:k8s-app=kube dns'],
      ] as const) {
        const b = await emitCatalog('cilium', 'mcr', {}, { [k]: v });
        expect(b.result.files, `${k}=${v}`).to.deep.equal([]);
        expect(b.result.diagnostics.map((d) => d.code), `${k}=${v}`).to.include('EMIT_OPTION');
      }
    });
    it('names and namespaces the policy; a clusterwide policy with an empty selector is flagged', async function () {
      const p = verify(await emitCatalog('cilium', 'mcr', {}, { name: 'egress.mcr', namespace: 'apps' }))!;
      expect(p.metadata).to.deep.equal({ name: 'egress.mcr', namespace: 'apps', labels: { 'app.kubernetes.io/managed-by': 'fwgen' } });
      const b = await emitCatalog('cilium', 'mcr', {}, { clusterwide: true });
      expect(b.result.diagnostics.map((d) => d.code)).to.include('SAFETY_OVERBROAD');
    });
  });

  describe('safety', function () {
    const nasty = 'x\n---\nkind: Evil # "quoted" \'single\' ]]> </entry> \u2028 next\u0085line\r\nend: {a: [b]}';
    const text = `
id: inject
title: ${JSON.stringify(`Title ${nasty}`)}
source: { document: ${JSON.stringify(`doc ${nasty}`)} }
groups:
  g: { title: ${JSON.stringify(`Group ${nasty}`)} }
requirements:
  - id: r1
    sources: [{ group: g }]
    destinations: [a.example.com, "*.b.example.com"]
    ports: [https:443]
    purpose: ${JSON.stringify(`Purpose ${nasty}`)}
    provenance: { line: 1, section: ${JSON.stringify(`Section ${nasty}`)}, text: ${JSON.stringify(`Row ${nasty}`)} }
`;
    it('keeps every text in comments or one-line descriptions: one document, no injected keys', async function () {
      const b = await emitText('cilium', text, { bind: { g: '10.0.0.0/8' } });
      const out = b.result.files[0]!.contents;
      const p = verify(b)!;
      expect(Object.keys(p)).to.deep.equal(['apiVersion', 'kind', 'metadata', 'specs']);
      expect(p.kind).to.equal('CiliumNetworkPolicy');
      const head = out.slice(0, out.indexOf('apiVersion:'));
      for (const line of head.split('\n')) expect(line === '' || line.startsWith('#'), line).to.equal(true);
      expect(out).not.to.match(/\r|\u2028|\u0085/);
      const r1 = p.specs.find((s) => s.description.startsWith('inject/r1'))!;
      expect(r1.description).to.contain('Purpose x --- kind: Evil # "quoted" \'single\' ]]> </entry>');
      expect(r1.description).not.to.contain('\n');
    });
    it('is deterministic: the same input gives the same bytes', async function () {
      const a = await emitCatalog('cilium', 'runai', CATALOG_CASES[2]!.input, { 'group-label': 'g' });
      const b = await emitCatalog('cilium', 'runai', CATALOG_CASES[2]!.input, { 'group-label': 'g' });
      expect(a.result.files[0]!.contents).to.equal(b.result.files[0]!.contents);
      const c = await emitCatalog('cilium', 'acr', CATALOG_CASES[4]!.input);
      const d = await emitCatalog('cilium', 'acr', CATALOG_CASES[4]!.input);
      expect(c.result.files[0]!.contents).to.equal(d.result.files[0]!.contents);
    });
    it('writes no rules when every requirement is dropped', async function () {
      const b = await emitText('cilium', `
id: empty
title: Empty
source: { document: e.md }
groups: { g: { title: G } }
requirements:
  - { id: r, destinations: [{ group: g }], ports: [tcp:1], provenance: { line: 1 } }
`);
      // The core may refuse first (an allowlist that allows nothing); if it does not, the file holds comments only.
      if (nothingLeft(b)) return;
      const out = b.result.files[0]!.contents;
      expect(parsePolicy(out)).to.equal(undefined);
      for (const line of out.trimEnd().split('\n')) expect(line === '' || line.startsWith('#'), line).to.equal(true);
    });
  });
});
