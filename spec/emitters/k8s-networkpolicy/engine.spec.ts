/**
 * Every built-in catalog's output and every golden file of this target through the engine check (check.ts: ajv in
 * strict mode against the upstream strict NetworkPolicy schema, plus the API server's own checks), and through the
 * semantic check: what the YAML allows equals what the requirements ask for minus what the diagnostics drop.
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPolicy, checkStream, schemaValidator, SCHEMA_FILE } from './check.js';
import { allowedBy, askedFor, difference } from './semantics.js';
import { catalogCases, run, TARGET } from './run.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

describe('k8s-networkpolicy: engine check', function () {
  this.timeout(60_000);

  describe('the schema check itself', function () {
    it('compiles the strict schema in ajv strict mode', function () {
      expect(existsSync(SCHEMA_FILE)).to.equal(true);
      expect(schemaValidator()).to.be.a('function');
    });

    it('accepts the reference valid example and refuses the invalid one', function () {
      const dir = dirname(SCHEMA_FILE);
      expect(checkPolicy(JSON.parse(readFileSync(join(dir, 'networkpolicy-networking-v1.valid.json'), 'utf8')))).to.deep.equal([]);
      expect(checkPolicy(JSON.parse(readFileSync(join(dir, 'networkpolicy-networking-v1.invalid.json'), 'utf8')))).not.to.deep.equal([]);
    });

    const base = () => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'p', namespace: 'default' },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 443 }] }] },
    });
    const broken: [string, (p: ReturnType<typeof base>) => void][] = [
      ['an unknown field', (p) => Object.assign(p.spec.egress[0]!, { toFQDNs: [] })],
      ['a CIDR with host bits', (p) => (p.spec.egress[0]!.to[0]!.ipBlock.cidr = '10.0.0.1/8')],
      ['a CIDR that is not canonical', (p) => (p.spec.egress[0]!.to[0]!.ipBlock.cidr = '2001:DB8::/32')],
      ['an IPv4-mapped IPv6 CIDR', (p) => (p.spec.egress[0]!.to[0]!.ipBlock.cidr = '::ffff:a00:0/104')],
      ['port 0', (p) => (p.spec.egress[0]!.ports[0]!.port = 0)],
      ['port 65536', (p) => (p.spec.egress[0]!.ports[0]!.port = 65536)],
      ['endPort below port', (p) => Object.assign(p.spec.egress[0]!.ports[0]!, { endPort: 80 })],
      ['protocol ICMP', (p) => (p.spec.egress[0]!.ports[0]!.protocol = 'ICMP')],
      ['an empty to list', (p) => (p.spec.egress[0]!.to = [])],
      ['an empty ports list', (p) => (p.spec.egress[0]!.ports = [])],
      ['a bad name', (p) => (p.metadata.name = 'Bad_Name')],
      ['a label value with a space', (p) => Object.assign(p.spec.podSelector, { matchLabels: { app: 'a b' } })],
    ];
    for (const [what, change] of broken) {
      it(`refuses ${what}`, function () {
        const p = base();
        expect(checkPolicy(p)).to.deep.equal([]);
        change(p);
        expect(checkPolicy(p)).not.to.deep.equal([]);
      });
    }
  });

  describe('built-in catalogs', function () {
    for (const [name, input] of [
      ['azure-arc-ml', { catalogs: ['azure-arc-ml'], params: { region: 'eastus', 'region-code': 'eus' } }],
      ['runai (no groups bound)', { catalogs: ['runai'], params: { 'control-plane-fqdn': 'cp.example.com' } }],
    ] as const) {
      it(`${name}: names only, so nothing is written and the error says why`, async function () {
        const e = await run(input as never).catch((x: unknown) => x);
        expect(String((e as Error).message)).to.match(/no requirement is left for k8s-networkpolicy/);
      });
    }
    for (const c of catalogCases) {
      it(`${c.name}: valid policies, allowing exactly what is asked minus what the diagnostics drop`, async function () {
        const t0 = performance.now();
        const out = await run(c.input);
        const docs = checkStream(out.text);
        const allowed = allowedBy(docs);
        const asked = askedFor(out.resolved, out.diagnostics);
        expect(difference(allowed.facts, asked), 'allowed but not asked for').to.deep.equal([]);
        expect(difference(asked, allowed.facts), 'asked for but not allowed, without a diagnostic').to.deep.equal([]);
        const egress = docs.filter((d) => d.spec.policyTypes.includes('Egress')).length;
        const dnsOn = c.input.set?.['allow-dns'] !== false;
        expect(allowed.dnsRules.length).to.equal(dnsOn ? egress : 0);
        if (!dnsOn && egress) expect(out.text).to.match(/name resolution in the selected pods will break/);
        const blocks = docs.flatMap((d) => [...(d.spec.egress ?? []), ...(d.spec.ingress ?? [])]).flatMap((r: any) => [...(r.to ?? []), ...(r.from ?? [])]).filter((p: any) => p.ipBlock).length;
        const rules = docs.map((d) => (d.spec.egress ?? d.spec.ingress).length);
        const count = (code: string) => out.diagnostics.filter((d) => d.code === code && d.severity === 'warning').length;
        console.log(`      ${c.name}: ${docs.length} policies, ${rules.join('+')} rules, ${blocks} ipBlocks, ${allowed.facts.size} facts; widened ${count('FIDELITY_WIDENED')}, narrowed ${count('FIDELITY_NARROWED')}, dropped ${count('FIDELITY_DROPPED')}; ${Math.round(performance.now() - t0)} ms`);
      });
    }
  });

  describe('golden files', function () {
    const goldens = existsSync(FIXTURES)
      ? readdirSync(FIXTURES)
          .filter((n) => !n.startsWith('_') && existsSync(join(FIXTURES, n, 'expected', `${TARGET}.yaml`)))
          .sort()
      : [];

    it('exist for this target', function () {
      expect(goldens).to.include.members(['drops', 'k8s-addresses', 'service-tag-sources']);
    });

    for (const name of goldens) {
      it(`${name}: expected/${TARGET}.yaml passes the engine check`, function () {
        checkStream(readFileSync(join(FIXTURES, name, 'expected', `${TARGET}.yaml`), 'utf8'));
      });
    }

    it('k8s-addresses: allows exactly what is asked minus what the diagnostics drop', async function () {
      const dir = join(FIXTURES, 'k8s-addresses');
      const args = JSON.parse(readFileSync(join(dir, 'args.json'), 'utf8'));
      const out = await run({ files: [join(dir, 'input.yaml')], bind: args.bind, set: args.set[TARGET] });
      const allowed = allowedBy(checkStream(out.text));
      const asked = askedFor(out.resolved, out.diagnostics);
      expect(difference(allowed.facts, asked)).to.deep.equal([]);
      expect(difference(asked, allowed.facts)).to.deep.equal([]);
      // Spot checks that the comparison is not vacuous.
      expect([...allowed.facts]).to.include.members([
        'egress 192.0.2.0/24 TCP 8000-8080',
        'egress 2001:db8:10::/48 TCP 443-443',
        'egress 198.51.100.123/32 UDP 123-123',
        'egress 40.69.106.72/29 TCP 443-443',
        'egress 10.30.0.0/28 TCP 1-65535',
        'egress fd00:20::/64 any',
        'ingress 4.219.249.220/30 TCP 443-443',
        'ingress * UDP 8081-8081',
        'ingress self UDP 4789-4789',
      ]);
      expect([...allowed.facts].filter((f) => f.includes('::ffff:'))).to.deep.equal([]);
    });
  });
});
