/**
 * The iptables target: what it writes, how it says what it cannot write, and that every output (built-in catalogs
 * with their parameters and options, golden files) loads into the real engines.
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, FwgenError, type EmitResult } from '../../../lib/index.js';
import { expand } from '../../../lib/expand/index.js';
import { loadRequirementSet } from '../../../lib/load/load-text.js';
import { emitTarget } from '../../../lib/emit/run-emitter.js';
import type { ResolvedRequirementSet } from '../../../lib/model/resolved.js';
import { aggregatePrefixes, loadServiceTagsFile, type ServiceTagsData } from '../../../lib/service-tags/index.js';
import iptables from '../../../lib/emitters/iptables/index.js';
import { lineComment, ruleComment, setName, COMMENT_LINE_BYTES, SET_NAME_MAX } from '../../../lib/emitters/iptables/escape.js';
import { portMatches } from '../../../lib/emitters/iptables/plan.js';
import { requireEngines, requireNetns } from '../../helpers/engines.js';
import { loadOutputs } from './load.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

type CompileArgs = Omit<Parameters<typeof compile>[0], 'target'>;

async function emitCatalog(args: CompileArgs, targetOptions: Record<string, unknown> = {}): Promise<EmitResult> {
  return compile({ ...args, target: 'iptables', targetOptions });
}

function file(r: EmitResult, path: string): string {
  const f = r.files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path} in ${r.files.map((x) => x.path).join(', ')}`);
  return f.contents;
}

const rules = (text: string) => text.split('\n').filter((l) => l.startsWith('-A '));
const adds = (text: string) => text.split('\n').filter((l) => l.startsWith('add '));

const RUNAI_BIND = {
  'all-kubernetes-nodes': ['10.1.0.0/16', 'fd00:1::/56'],
  'installer-machine': '10.2.0.5/32',
  'runai-system-nodes': ['10.1.1.0/24', 'fd00:1:0:1::/64'],
  'bcm-headnodes': '10.3.0.0/29',
};

/** Every built-in catalog with the parameters and options it needs, and the iptables options to try it with. */
const SCENARIOS: { name: string; args: CompileArgs; options?: Record<string, unknown>; noflush?: boolean }[] = [
  { name: 'mcr', args: { catalogs: ['mcr'] } },
  { name: 'acr', args: { catalogs: ['acr'], params: { registry: 'myreg', region: 'eastus' } } },
  {
    name: 'acr (every option on, replicas)',
    args: {
      catalogs: ['acr'],
      params: { registry: 'myreg', region: 'eastus', 'replica-regions': ['westus', 'northeurope'] },
      options: { 'dedicated-data-endpoints': true, 'regional-endpoints': true, 'regional-service-tags': true },
    },
  },
  { name: 'runai (bound)', args: { catalogs: ['runai'], params: { 'control-plane-fqdn': 'cp.example.com' }, bind: RUNAI_BIND } },
  {
    name: 'runai (bound) on a gateway, chains only',
    args: { catalogs: ['runai'], params: { 'control-plane-fqdn': 'cp.example.com' }, bind: RUNAI_BIND },
    options: { 'egress-chain': 'FORWARD', 'ingress-chain': 'FORWARD', flush: 'chains', final: 'drop', 'ipset-threshold': 0 },
    noflush: true,
  },
  { name: 'mcr + acr, final return, threshold 0', args: { catalogs: ['mcr', 'acr'], params: { registry: 'myreg', region: 'eastus' } }, options: { final: 'return', 'ipset-threshold': 0 } },
];

describe('iptables target', function () {
  this.timeout(60_000);

  describe('fidelity', function () {
    it('drops names with a hint naming squid and Cilium, and never resolves them', async function () {
      const r = await emitCatalog({ catalogs: ['runai'], params: { 'control-plane-fqdn': 'cp.example.com' }, bind: RUNAI_BIND });
      const dropped = r.diagnostics.filter((d) => d.code === 'FIDELITY_DROPPED' && d.target === 'iptables');
      expect(dropped.map((d) => d.requirement)).to.include.members(['runai/installation-container-registry', 'runai/external-cluster-sync']);
      for (const d of dropped) expect(d.hint).to.match(/--target squid/).and.match(/cilium/i);
      const all = r.files.map((f) => f.contents).join('\n');
      expect(all).not.to.match(/runai\.jfrog\.io.*-j ACCEPT|cp\.example\.com.*-j ACCEPT/);
    });

    it('the emitter does no I/O and never resolves names: it imports no Node.js module', function () {
      const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'lib', 'emitters', 'iptables');
      for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
        const imports = [...readFileSync(join(dir, f), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
        expect(imports.filter((i) => !i.startsWith('.')), f).to.deep.equal([]);
      }
    });

    it('an unbound source group is an error naming --bind', async function () {
      const bind = { ...RUNAI_BIND } as Record<string, string | string[]>;
      delete bind['installer-machine'];
      const e = await emitCatalog({ catalogs: ['runai'], params: { 'control-plane-fqdn': 'cp.example.com' }, bind }).catch((x: unknown) => x);
      expect(e).to.be.instanceOf(FwgenError);
      const errors = (e as FwgenError).diagnostics.filter((d) => d.severity === 'error');
      expect(errors.length).to.be.greaterThan(0);
      expect(errors.every((d) => /--bind installer-machine=CIDR/.test(d.hint ?? ''))).to.equal(true);
      expect(errors.some((d) => d.code === 'EXPAND_UNBOUND_GROUP')).to.equal(true);
    });

    it('an unbound destination group is an error naming --bind', async function () {
      const bind = { ...RUNAI_BIND } as Record<string, string | string[]>;
      delete bind['bcm-headnodes'];
      const e = await emitCatalog({ catalogs: ['runai'], params: { 'control-plane-fqdn': 'cp.example.com' }, bind }).catch((x: unknown) => x);
      expect(e).to.be.instanceOf(FwgenError);
      const errors = (e as FwgenError).diagnostics.filter((d) => d.severity === 'error');
      expect(errors.map((d) => d.requirement)).to.deep.equal(['runai/installation-bcm-ssh']);
      expect(errors[0]!.code).to.equal('EXPAND_UNBOUND_GROUP');
      expect(errors[0]!.hint).to.match(/--bind bcm-headnodes=CIDR/);
    });

    it("mcr: the names become MicrosoftContainerRegistry + AzureFrontDoor.FirstParty prefixes, with the widened diagnostic", async function () {
      const r = await emitCatalog({ catalogs: ['mcr'] });
      const widened = r.diagnostics.filter((d) => d.code === 'FIDELITY_WIDENED');
      expect(widened.map((d) => d.requirement).sort()).to.deep.equal(['mcr/data-endpoint', 'mcr/registry-endpoint']);
      for (const d of widened) expect(d.message).to.match(/MicrosoftContainerRegistry/).and.match(/AzureFrontDoor\.FirstParty/);
      const tags = (await loadServiceTagsFile()).data!;
      const prefixes = (name: string) => tags.tags.get(name)!.addressPrefixes as string[];
      const want = aggregatePrefixes([...prefixes('MicrosoftContainerRegistry'), ...prefixes('AzureFrontDoor.FirstParty')]);
      const sets = file(r, 'ipset.restore');
      const got = adds(sets).map((l) => l.split(' ')[2]!);
      expect(got).to.deep.equal(want);
      // Both requirements share one set per family.
      expect(sets.match(/^create /gm)).to.have.length(2);
      expect(rules(file(r, 'iptables.rules')).filter((l) => /--match-set fwgen-mcr_registry-endpoint-d4 dst/.test(l))).to.have.length(2);
      expect(rules(file(r, 'ip6tables.rules')).filter((l) => /--match-set fwgen-mcr_registry-endpoint-d6 dst/.test(l))).to.have.length(2);
    });

    it('writes nothing, with an error, when no requirement is left (azure-arc-ml names only)', async function () {
      const e = await emitCatalog({ catalogs: ['azure-arc-ml'], params: { region: 'eastus', 'region-code': 'eus' } }).catch((x: unknown) => x);
      expect(e).to.be.instanceOf(FwgenError);
      const errors = (e as FwgenError).diagnostics.filter((d) => d.severity === 'error');
      expect(errors.map((d) => d.message)).to.deep.equal([
        'no requirement is left for iptables to allow (all 19 dropped, see the warnings), so nothing is written',
      ]);
      expect(errors[0]!.hint).to.match(/fwgen list/);
    });
  });

  describe('rules', function () {
    it('ports: one --dport for one range, multiport lists of at most 15 slots, tcp and udp apart, nothing for any', function () {
      const p = (transport: 'tcp' | 'udp' | 'any', from: number, to = from) => ({ transport, from, to, protocol: 'any' as const });
      expect(portMatches([p('tcp', 443)])).to.deep.equal([['-p', 'tcp', '-m', 'tcp', '--dport', '443']]);
      expect(portMatches([p('tcp', 8000, 8080), p('tcp', 8081)])).to.deep.equal([['-p', 'tcp', '-m', 'tcp', '--dport', '8000:8081']]);
      expect(portMatches([p('tcp', 443), p('udp', 443), p('tcp', 80)])).to.deep.equal([
        ['-p', 'tcp', '-m', 'multiport', '--dports', '80,443'],
        ['-p', 'udp', '-m', 'udp', '--dport', '443'],
      ]);
      expect(portMatches([p('tcp', 443), p('any', 1, 65535)])).to.deep.equal([[]]);
      const many = Array.from({ length: 20 }, (_, i) => p('tcp', 1000 + 2 * i));
      const out = portMatches([...many, p('tcp', 5000, 5010)]);
      expect(out).to.have.length(2);
      const slots = (m: string[]) => m[m.length - 1]!.split(',').reduce((n, x) => n + (x.includes(':') ? 2 : 1), 0);
      for (const m of out) expect(slots(m)).to.be.at.most(15);
      expect(out.flatMap((m) => m[m.length - 1]!.split(','))).to.have.length(21);
    });

    it('set names: at most 31 characters, stable, distinct for long ids that share a start', function () {
      const a = setName('fwgen', 'catalog/a-very-long-requirement-identifier-one', 'd4');
      const b = setName('fwgen', 'catalog/a-very-long-requirement-identifier-two', 'd4');
      expect(a.length).to.be.at.most(SET_NAME_MAX);
      expect(b.length).to.be.at.most(SET_NAME_MAX);
      expect(a).not.to.equal(b);
      expect(a).to.match(/^fwgen-catalog_a-very-.*-d4$/);
      expect(setName('fwgen', 'catalog/a-very-long-requirement-identifier-one', 'd4')).to.equal(a);
      expect(setName('fwgen', 'mcr/x', 's6')).to.equal('fwgen-mcr_x-s6');
    });

    it('options: FORWARD chains, final policies, flush=chains, threshold, name prefix; bad values are refused', async function () {
      const args: CompileArgs = { catalogs: ['runai'], params: { 'control-plane-fqdn': 'cp.example.com' }, bind: RUNAI_BIND };
      const def = await emitCatalog(args);
      const v4 = file(def, 'iptables.rules');
      expect(v4).to.match(/^:INPUT ACCEPT \[0:0\]$/m).and.match(/^-A OUTPUT -j FWGEN-EGRESS$/m).and.match(/^-A INPUT -j FWGEN-INGRESS$/m);
      expect(v4).to.match(/^-A FWGEN-EGRESS -o lo /m).and.match(/^-A FWGEN-EGRESS -p tcp .*-j REJECT --reject-with tcp-reset$/m);
      expect(v4).to.match(/^-A FWGEN-INGRESS .*-j DROP$/m);
      expect(file(def, 'ip6tables.rules')).to.match(/icmp6-port-unreachable/).and.match(/neighbour-solicitation -m hl --hl-eq 255/);

      const gw = await emitCatalog(args, { 'egress-chain': 'FORWARD', 'ingress-chain': 'FORWARD', final: 'drop', 'name-prefix': 'edge' });
      const g4 = file(gw, 'iptables.rules');
      expect(g4.match(/^-A FORWARD -j .*$/gm)).to.deep.equal(['-A FORWARD -j EDGE-INGRESS', '-A FORWARD -j EDGE-EGRESS']);
      expect(g4).not.to.match(/ -[io] lo /);
      expect(g4).to.match(/^-A EDGE-INGRESS .*-j RETURN$/m).and.match(/^-A EDGE-EGRESS .*-j DROP$/m);
      expect(file(gw, 'ip6tables.rules')).not.to.match(/neighbour/);

      const ch = await emitCatalog(args, { flush: 'chains', final: 'return', 'ipset-threshold': 0 });
      const c4 = file(ch, 'iptables.rules');
      expect(c4).not.to.match(/^:(INPUT|OUTPUT|FORWARD) /m);
      expect(c4).not.to.match(/^-A (INPUT|OUTPUT|FORWARD) /m);
      expect(c4).to.match(/^# {3}iptables -C OUTPUT -j FWGEN-EGRESS 2>\/dev\/null \|\| iptables -I OUTPUT 1 -j FWGEN-EGRESS$/m);
      expect(c4).to.match(/^-A FWGEN-EGRESS .*-j RETURN$/m);
      // Threshold 0: every list of addresses is a set, so no rule names an address.
      expect(rules(c4).filter((l) => / -[sd] \d/.test(l))).to.deep.equal([]);

      for (const [name, value] of [['final', 'accept'], ['egress-chain', 'INPUT'], ['ipset-threshold', '-1'], ['name-prefix', 'Bad Name'], ['flush', 'all']] as const) {
        const e = await emitCatalog(args, { [name]: value }).catch((x: unknown) => x);
        expect(e, name).to.be.instanceOf(FwgenError);
        expect((e as FwgenError).diagnostics.map((d) => d.code), name).to.include('EMIT_OPTION');
      }
    });

    it('internal requirements go in both chains; a source list of the wrong family gives no rule in that file', async function () {
      const r = await emitCatalog({ catalogs: ['runai'], params: { 'control-plane-fqdn': 'cp.example.com' }, bind: RUNAI_BIND });
      const v4 = rules(file(r, 'iptables.rules')).filter((l) => l.includes('"runai/internal-node-to-node"'));
      expect(v4).to.deep.equal([
        '-A FWGEN-INGRESS -s 10.1.0.0/16 -d 10.1.0.0/16 -m comment --comment "runai/internal-node-to-node" -j ACCEPT',
        '-A FWGEN-EGRESS -s 10.1.0.0/16 -d 10.1.0.0/16 -m comment --comment "runai/internal-node-to-node" -j ACCEPT',
      ]);
      const v6 = rules(file(r, 'ip6tables.rules'));
      expect(v6.filter((l) => l.includes('"runai/internal-node-to-node"'))).to.have.length(2);
      // 0.0.0.0/0 is any IPv4 source: no -s in IPv4, and no rule at all in IPv6.
      expect(rules(file(r, 'iptables.rules')).filter((l) => l.includes('"runai/external-control-plane-https"'))).to.deep.equal([
        '-A FWGEN-INGRESS -d 10.1.1.0/24 -p tcp -m tcp --dport 443 -m comment --comment "runai/external-control-plane-https" -j ACCEPT',
      ]);
      expect(v6.filter((l) => l.includes('external-control-plane-https'))).to.deep.equal([]);
    });

    it('drops, with a warning, a requirement whose source is a host name (only the API can pass one)', function () {
      const loaded = loadRequirementSet(
        'id: hs\ntitle: t\nsource: { document: d }\nrequirements:\n' +
          '  - { id: from-host, sources: [10.0.0.1/32], destinations: [192.0.2.0/24], ports: [https:443], provenance: { line: 1 } }\n' +
          '  - { id: ok, destinations: [192.0.2.0/24], ports: [https:443], provenance: { line: 2 } }\n',
        'hs.yaml',
      );
      const set = structuredClone(expand([loaded.set!]).set!) as ResolvedRequirementSet;
      set.requirements.find((r) => r.id === 'hs/from-host')!.sources = [{ kind: 'host', name: 'client.example.com', match: 'exact' }];
      const r = emitTarget(set, iptables, {});
      expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).to.deep.equal([
        'FIDELITY_DROPPED hs/from-host: requirement dropped: its source client.example.com is a host name, which iptables cannot match',
      ]);
      expect(rules(file(r, 'iptables.rules')).filter((l) => l.includes('hs/'))).to.deep.equal([
        '-A FWGEN-EGRESS -d 192.0.2.0/24 -p tcp -m tcp --dport 443 -m comment --comment "hs/ok" -j ACCEPT',
      ]);
    });

    it('is deterministic: the same input gives the same bytes', async function () {
      const args: CompileArgs = { catalogs: ['mcr', 'acr', 'runai'], params: { registry: 'myreg', region: 'eastus', 'control-plane-fqdn': 'cp.example.com' }, bind: RUNAI_BIND };
      const a = await emitCatalog(args);
      const b = await emitCatalog(args);
      expect(a.files.map((f) => f.path)).to.deep.equal(['iptables.rules', 'ip6tables.rules', 'ipset.restore']);
      expect(b.files).to.deep.equal(a.files);
    });
  });

  describe('injection', function () {
    const EVIL = 'x"\nCOMMIT\n*nat\n-A OUTPUT -j ACCEPT\r\n# \\" \u2028create evil hash:net\u0085' + 'y'.repeat(400);
    let tags: ServiceTagsData;
    let base: ResolvedRequirementSet;

    before(async function () {
      tags = (await loadServiceTagsFile()).data!;
      const loaded = loadRequirementSet(
        [
          'id: inj',
          'title: injection',
          'source: { document: inj.md }',
          'groups: { g: { title: G } }',
          'requirements:',
          '  - id: out',
          '    sources: [{ group: g }]',
          '    destinations: [192.0.2.0/24, 192.0.2.200/32, 198.51.100.1/32, 198.51.100.3/32, 198.51.100.5/32, 198.51.100.7/32, 198.51.100.9/32, 198.51.100.11/32, 198.51.100.13/32, 198.51.100.15/32, 198.51.100.17/32, "2001:db8::/32"]',
          '    ports: [https:443]',
          '    purpose: p',
          '    provenance: { line: 1, text: t }',
          '  - id: in',
          '    direction: inbound',
          '    destinations: [{ group: g }]',
          '    ports: [ssh:22]',
          '    provenance: { line: 2 }',
        ].join('\n'),
        'inj.yaml',
      );
      const set = expand([loaded.set!], { bind: { g: ['10.9.0.0/24', 'fd00:9::/64'] } }).set!;
      // Strings the loader would refuse, as a caller of the API could pass them: every text that reaches a file.
      const evil = structuredClone(set) as ResolvedRequirementSet;
      evil.sets[0]!.title = EVIL;
      evil.sets[0]!.source.document = EVIL;
      evil.sets[0]!.parameters = { [EVIL]: EVIL };
      for (const r of evil.requirements) {
        r.id = `inj/${EVIL}${r.id}`;
        r.purpose = EVIL;
        for (const d of r.destinations) for (const p of d.provenance) Object.assign(p, { text: EVIL, document: EVIL, section: EVIL });
        for (const s of r.sources ?? []) if (s.kind === 'group') s.title = EVIL;
        for (const d of r.destinations) if (d.endpoint.kind === 'group') d.endpoint.title = EVIL;
      }
      base = evil;
    });

    it('no input text can add a line, a table or a command; comments stay within their limits', function () {
      const r = emitTarget(base, iptables, {}, { serviceTags: tags });
      expect(r.files.map((f) => f.path)).to.deep.equal(['iptables.rules', 'ip6tables.rules', 'ipset.restore']);
      for (const f of r.files) {
        for (const line of f.contents.split('\n')) {
          if (line.startsWith('#')) {
            // The template puts at most a short prefix ("# from ") before a piece of comment text.
            expect(Buffer.byteLength(line), line).to.be.at.most(COMMENT_LINE_BYTES + 16);
            continue;
          }
          if (f.path === 'ipset.restore') {
            expect(line, f.path).to.match(/^(|create [\w-]+ hash:net family inet6? maxelem \d+ -exist|flush [\w-]+|add [\w-]+ [0-9a-f.:/]+ -exist)$/);
          } else {
            expect(line, f.path).to.match(/^(|\*filter|COMMIT|:[A-Z][A-Z0-9_-]* (ACCEPT|-) \[0:0\]|-A [A-Z][A-Z0-9_-]* .*)$/);
            const comment = /--comment "([^"]*)"/.exec(line);
            if (comment) {
              expect(comment[1]!.length).to.be.at.most(255);
              expect(comment[1]).to.match(/^[A-Za-z0-9 ._/:,=+@()-]+$/);
            }
          }
        }
        expect(f.contents.match(/^\*/gm) ?? [], f.path).to.have.length(f.path === 'ipset.restore' ? 0 : 1);
        expect(f.contents.match(/^COMMIT$/gm) ?? [], f.path).to.have.length(f.path === 'ipset.restore' ? 0 : 1);
      }
      expect(ruleComment('a"b\\c\nd\u00e9')).to.equal('"a_b_c_d_"');
      expect(lineComment('a\nb\rc\u2028d')).to.equal('a b c d');
    });

    it('the injected output still loads into the real engines', function () {
      requireNetns(this);
      requireEngines(this, 'iptables-restore', 'ip6tables-restore', 'ipset');
      const r = emitTarget(base, iptables, {}, { serviceTags: tags });
      const l = loadOutputs(r.files);
      expect(l.ok, `${l.failedAt}: ${l.output}`).to.equal(true);
    });
  });

  describe('real engines', function () {
    before(function () {
      requireNetns(this);
      requireEngines(this, 'iptables-restore', 'ip6tables-restore', 'iptables-save', 'ip6tables-save', 'ipset');
    });

    for (const s of SCENARIOS) {
      it(`built-in catalogs: ${s.name} loads, and loads again to the same rules`, async function () {
        const r = await emitCatalog(s.args, s.options ?? {});
        const l = loadOutputs(r.files, { noflush: s.noflush ?? false });
        expect(l.ok, `${l.failedAt}: ${l.output}`).to.equal(true);
        expect(l.saved!.v4Again).to.equal(l.saved!.v4);
        expect(l.saved!.v6Again).to.equal(l.saved!.v6);
        const count = (p: string) => (r.files.some((f) => f.path === p) ? rules(file(r, p)).length : 0);
        const report = `${count('iptables.rules')} IPv4 rules, ${count('ip6tables.rules')} IPv6 rules, ${r.files.some((f) => f.path === 'ipset.restore') ? adds(file(r, 'ipset.restore')).length : 0} set elements`;
        this.test!.title += ` (${report})`;
      });
    }

    it('flush=chains with --noflush keeps rules of the user\'s own and never doubles a jump', async function () {
      const r = await emitCatalog({ catalogs: ['acr'], params: { registry: 'myreg', region: 'eastus' } }, { flush: 'chains' });
      const jump = 'iptables -C OUTPUT -j FWGEN-EGRESS 2>/dev/null || iptables -I OUTPUT 1 -j FWGEN-EGRESS';
      const l = loadOutputs(r.files, { noflush: true, before: 'iptables -A OUTPUT -d 192.0.2.99/32 -j ACCEPT', afterLoad: `${jump} && ${jump}` });
      expect(l.ok, `${l.failedAt}: ${l.output}`).to.equal(true);
      expect(l.saved!.v4Again).to.equal(l.saved!.v4);
      expect(l.saved!.v4.match(/^-A OUTPUT .*$/gm)).to.deep.equal(['-A OUTPUT -j FWGEN-EGRESS', '-A OUTPUT -d 192.0.2.99/32 -j ACCEPT']);
    });

    const goldenDirs = existsSync(FIXTURES)
      ? readdirSync(FIXTURES)
          .filter((n) => !n.startsWith('_'))
          .map((n) => ({ name: n, dir: join(FIXTURES, n, 'expected', 'iptables') }))
          .filter((c) => existsSync(c.dir) && statSync(c.dir).isDirectory() && readdirSync(c.dir).some((f) => f.endsWith('.rules')))
      : [];

    it('there are golden iptables files', function () {
      expect(goldenDirs.map((c) => c.name)).to.include.members(['iptables-addresses', 'iptables-gateway']);
    });

    for (const c of goldenDirs) {
      it(`golden files: ${c.name} loads`, function () {
        const files = readdirSync(c.dir)
          .filter((f) => !f.endsWith('.actual'))
          .map((f) => ({ path: f, contents: readFileSync(join(c.dir, f), 'utf8') }));
        const noflush = !/^:(INPUT|OUTPUT|FORWARD) /m.test(files.find((f) => f.path === 'iptables.rules')?.contents ?? '');
        const l = loadOutputs(files, { noflush });
        expect(l.ok, `${l.failedAt}: ${l.output}`).to.equal(true);
      });
    }
  });
});


