/**
 * The nftables emitter on its own: fidelity (names dropped towards squid/cilium, unbound groups refused naming
 * --bind), the shape of the script, escaping of everything that reaches it, and determinism.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../../lib/compile.js';
import { emitTarget } from '../../../lib/emit/run-emitter.js';
import { FwgenError, InternalError } from '../../../lib/model/diagnostic.js';
import type { ResolvedRequirement, ResolvedRequirementSet } from '../../../lib/model/resolved.js';
import nftables from '../../../lib/emitters/nftables/index.js';
import { nftPrefix, ruleComment, RULE_COMMENT_BYTES, setName, SET_NAME_MAX } from '../../../lib/emitters/nftables/escape.js';
import { portsByTransport } from '../../../lib/emitters/nftables/plan.js';
import { makeTempDir, nftCheck, requireEngines, runSync } from '../../helpers/engines.js';

const span = { file: 'x.yaml', line: 1, col: 1 };
const https = { transport: 'tcp', from: 443, to: 443, protocol: 'https' } as const;

function req(over: Partial<ResolvedRequirement> & Pick<ResolvedRequirement, 'id' | 'destinations'>): ResolvedRequirement {
  return { set: over.id.split('/')[0]!, direction: 'outbound', alternatives: [], provenance: { document: 'doc.md', line: 1 }, span, ...over };
}

function set(requirements: ResolvedRequirement[], title = 'T'): ResolvedRequirementSet {
  return { sets: [{ id: 's', title, source: { document: 'doc.md' }, file: 'x.yaml', parameters: {}, options: {} }], requirements };
}

const cidr = (c: string, ports = [https]) => ({ endpoint: { kind: 'cidr' as const, cidr: c, family: (c.includes(':') ? 6 : 4) as 4 | 6 }, ports: [...ports], provenance: [{ document: 'doc.md', line: 1 }], span });

describe('nftables emitter', function () {
  this.timeout(30_000);

  describe('fidelity', function () {
    it('drops host names with a diagnostic that points to squid and cilium, and never resolves them', function () {
      const r = emitTarget(set([req({ id: 's/n', destinations: [{ ...cidr('192.0.2.0/24'), endpoint: { kind: 'host', name: 'localhost', match: 'exact' } }] })]), nftables);
      const d = r.diagnostics.find((x) => x.code === 'FIDELITY_DROPPED' && x.severity === 'warning')!;
      expect(d.message).to.contain('localhost dropped');
      expect(d.hint).to.match(/squid/).and.to.match(/cilium/);
      // Nothing else is left, so the core refuses to write an allowlist that allows nothing.
      expect(r.files).to.deep.equal([]);
      expect(JSON.stringify(r)).not.to.match(/127\.0\.0\.1|::1/);
    });

    it('uses the vendor address form (alternatives) for a name, saying it widens', function () {
      const r = emitTarget(
        set([req({ id: 's/n', destinations: [{ ...cidr('192.0.2.0/24'), endpoint: { kind: 'host', name: 'a.example.com', match: 'exact' } }], alternatives: [{ kind: 'cidr', cidr: '198.51.100.0/24', family: 4 }] })]),
        nftables,
      );
      expect(r.diagnostics.map((d) => d.code)).to.deep.equal(['FIDELITY_WIDENED']);
      expect(r.files[0]!.contents).to.contain('198.51.100.0/24');
    });

    it('refuses an unbound group as source or destination, naming --bind', function () {
      const group = { kind: 'group' as const, group: 's/nodes', title: 'Nodes' };
      for (const r of [
        emitTarget(set([req({ id: 's/a', sources: [group], destinations: [cidr('192.0.2.0/24')] })]), nftables),
        emitTarget(set([req({ id: 's/b', destinations: [{ ...cidr('192.0.2.0/24'), endpoint: group }] })]), nftables),
      ]) {
        expect(r.files).to.deep.equal([]);
        const e = r.diagnostics.filter((d) => d.severity === 'error');
        expect(e).to.have.length(1);
        expect(e[0]!.hint).to.contain('--bind');
      }
    });

    it('refuses an unbound group through the CLI path too (runai without --bind)', async function () {
      const err = await compile({ catalogs: ['runai'], params: { 'control-plane-fqdn': 'cp.example.com' }, target: 'nftables' }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(FwgenError);
      const errors = (err as FwgenError).diagnostics.filter((d) => d.severity === 'error');
      expect(errors.length).to.be.greaterThan(0);
      for (const e of errors) expect(e.hint).to.contain('--bind');
    });

    it('drops a requirement whose source is a host name', function () {
      const r = emitTarget(set([req({ id: 's/a', sources: [{ kind: 'host', name: 'client.example.com', match: 'exact' }], destinations: [cidr('192.0.2.0/24')] })]), nftables);
      expect(r.diagnostics.map((d) => d.message)).to.deep.equal(['s/a: requirement dropped: its source client.example.com is a host name, and nftables matches addresses only']);
      expect(r.files[0]!.contents).not.to.contain('192.0.2.0/24');
    });

    it('says so when sources and destinations share no family, and writes no rule', function () {
      const r = emitTarget(set([req({ id: 's/a', sources: [{ kind: 'cidr', cidr: '10.0.0.0/8', family: 4 }], destinations: [cidr('2001:db8::/32')] })]), nftables);
      expect(r.diagnostics[0]!.message).to.contain('sources: IPv4; destinations: IPv6');
      expect(r.files[0]!.contents).not.to.contain('2001:db8::/32');
    });

    it('leaves a family out where the sources have none of it', function () {
      const r = emitTarget(set([req({ id: 's/a', sources: [{ kind: 'cidr', cidr: '0.0.0.0/0', family: 4 }], destinations: [cidr('192.0.2.0/24'), cidr('2001:db8::/32')] })]), nftables);
      expect(r.diagnostics).to.deep.equal([]);
      const text = r.files[0]!.contents;
      expect(text).to.contain('ip saddr @src4_s_a ip daddr @dst4_s_a tcp dport 443 accept');
      expect(text).not.to.match(/ip6 (s|d)addr/);
    });
  });

  describe('script shape', function () {
    it('declares, deletes and redefines only its own table', function () {
      const text = emitTarget(set([req({ id: 's/a', destinations: [cidr('192.0.2.0/24')] })]), nftables).files[0]!.contents;
      expect(text).to.contain('\ntable inet fwgen {}\ndelete table inet fwgen\n\ntable inet fwgen {\n');
      expect(text.match(/^(table|delete|flush|add|insert|include|define)\b/gm)).to.deep.equal(['table', 'delete', 'table']);
    });

    it('aggregates overlapping and adjacent prefixes (an interval set refuses overlaps)', function () {
      const text = emitTarget(set([req({ id: 's/a', destinations: [cidr('10.0.0.0/25'), cidr('10.0.0.128/25'), cidr('10.0.0.7/32'), cidr('fd00::/64'), cidr('fd00::/48')] })]), nftables).files[0]!.contents;
      expect(text).to.contain('elements = {\n\t\t\t10.0.0.0/24,\n\t\t}');
      expect(text).to.contain('elements = {\n\t\t\tfd00::/48,\n\t\t}');
    });

    it('merges ports per transport, and all traffic needs no port match', function () {
      const t = (transport: 'tcp' | 'udp' | 'any', from: number, to = from) => ({ transport, from, to, protocol: 'any' as const });
      expect(portsByTransport([t('udp', 53), t('tcp', 8081), t('tcp', 443), t('tcp', 8000, 8080), t('tcp', 8005)])).to.deep.equal([
        ['tcp', [[443, 443], [8000, 8081]]],
        ['udp', [[53, 53]]],
      ]);
      expect(portsByTransport([t('tcp', 443), t('any', 1, 65535)])).to.deep.equal([['any', []]]);
    });

    it('puts outbound in output, inbound in input, internal in both; forward mode in forward', function () {
      const g = (title: string, c: string) => ({ kind: 'group' as const, group: `s/${title}`, title, cidrs: [c] });
      const s = set([
        req({ id: 's/out', destinations: [cidr('192.0.2.1/32')] }),
        req({ id: 's/in', direction: 'inbound', destinations: [{ ...cidr('192.0.2.2/32'), endpoint: g('web', '192.0.2.2/32') }] }),
        req({ id: 's/mesh', direction: 'internal', sources: [g('n', '192.0.2.8/29')], destinations: [{ ...cidr('x'), endpoint: g('n', '192.0.2.8/29') }] }),
      ]);
      const chains = (text: string) => Object.fromEntries([...text.matchAll(/chain (\w+) \{([^]*?)\n\t\}/g)].map((m) => [m[1], [...m[2]!.matchAll(/comment "([^"]+)"/g)].map((c) => c[1])]));
      expect(chains(emitTarget(s, nftables).files[0]!.contents)).to.deep.equal({ input: ['s/in', 's/mesh'], output: ['s/out', 's/mesh'] });
      expect(chains(emitTarget(s, nftables, { mode: 'forward' }).files[0]!.contents)).to.deep.equal({ forward: ['s/out', 's/in', 's/mesh'] });
    });

    it('refuses a table name that is not fwgen-something (nft keywords cannot be table names)', function () {
      for (const bad of ['ip', 'filter', 'fwgen x', 'fwgen;', 'FWGEN']) {
        const r = emitTarget(set([req({ id: 's/a', destinations: [cidr('192.0.2.0/24')] })]), nftables, { table: bad });
        expect(r.diagnostics.map((d) => d.code), bad).to.deep.equal(['EMIT_OPTION']);
      }
    });
  });

  describe('escaping', function () {
    it('rule comments: no quote, backslash or control character, at most 128 bytes', function () {
      expect(ruleComment('a/b-c')).to.equal('a/b-c');
      expect(ruleComment('a"b\\c\nd\u00e9')).to.equal('a_b_c_d_');
      const long = ruleComment('s'.repeat(64) + '/' + 'r'.repeat(64));
      expect(Buffer.byteLength(long)).to.equal(RULE_COMMENT_BYTES);
      expect(long).to.match(/~[0-9a-f]{8}$/);
      expect(ruleComment('s'.repeat(64) + '/' + 'r'.repeat(63) + 'x')).not.to.equal(long);
    });

    it('set names: start with a letter, only [a-z0-9_-], at most 63 characters, distinct when long', function () {
      expect(setName('dst4', 'mcr/registry-endpoint')).to.equal('dst4_mcr_registry-endpoint');
      expect(setName('dst4', '0abc/x', '_2')).to.equal('dst4_0abc_x_2');
      const a = setName('dst4', 'a'.repeat(64) + '/' + 'b'.repeat(64), '_1');
      const b = setName('dst4', 'a'.repeat(64) + '/' + 'b'.repeat(63) + 'c', '_1');
      expect(a.length).to.be.at.most(SET_NAME_MAX);
      expect(a).to.match(/_[0-9a-f]{8}_1$/);
      expect(a).not.to.equal(b);
      expect(setName('dst4', 'x" } chain evil {/y')).to.match(/^[a-z][a-z0-9_-]*$/);
    });

    it('set elements: anything but a plain CIDR is a bug, not output', function () {
      expect(nftPrefix('10.0.0.0/8', 4)).to.equal('10.0.0.0/8');
      expect(() => nftPrefix('10.0.0.0/8, 0.0.0.0/0', 4)).to.throw(InternalError);
      expect(() => nftPrefix('evil.example.com/32', 6)).to.throw(InternalError);
      expect(() => nftPrefix('fd00::/8 }', 6)).to.throw(InternalError);
    });

    it('an id that escaped validation cannot end a comment, a name or a line', function () {
      const evil = 's/a" accept\n}\ntable ip evil { chain x { type filter hook output priority 0; policy accept; } } #';
      const text = emitTarget(set([req({ id: evil, destinations: [cidr('192.0.2.0/24')] })]), nftables).files[0]!.contents;
      const code = text.split('\n').filter((l) => !/^\s*#/.test(l));
      expect(code.filter((l) => l.includes('evil'))).to.deep.equal([
        '\tset dst4_s_a__accept___table_ip_evil___chain_x___type_filt_7eac5ab1 {',
        '\t\tip daddr @dst4_s_a__accept___table_ip_evil___chain_x___type_filt_7eac5ab1 tcp dport 443 accept comment "s/a_ accept_}_table ip evil { chain x { type filter hook output priority 0; policy accept; } } #"',
      ]);
      requireEngines(this, 'nft', 'unshare');
      const r = nftCheck(text, { load: true });
      expect(r.ok, r.output).to.equal(true);
    });
  });

  describe('injection through the input file, checked by nft itself', function () {
    before(function () {
      requireEngines(this, 'nft', 'unshare');
    });

    it('purpose, provenance, group and set titles stay in comments: nft loads exactly the rules required', async function () {
      const payload = 'x" accept\n}\r\ntable ip evil { chain c { type filter hook output priority 0; policy accept; } }\u2028# \\"';
      const q = (prefix: string) => JSON.stringify(`${prefix} ${payload}`);
      const dir = makeTempDir();
      const file = join(dir, 'evil.yaml');
      writeFileSync(
        file,
        [
          'id: evil',
          `title: ${q('T')}`,
          `source: { document: ${q('doc')} }`,
          'groups:',
          `  nodes: { title: ${q('Nodes')} }`,
          'requirements:',
          '  - id: one',
          '    sources: [{ group: nodes }]',
          '    destinations: [192.0.2.0/24]',
          '    ports: [https:443]',
          `    purpose: ${q('P')}`,
          `    provenance: { section: ${q('S')}, line: 3, text: ${q('R')} }`,
          '',
        ].join('\n'),
      );
      const r = await compile({ files: [file], bind: { nodes: '10.0.0.0/8' }, target: 'nftables' });
      const text = r.files[0]!.contents;
      expect(text.split('\n').filter((l) => l.includes('evil {'))).to.satisfy((ls: string[]) => ls.every((l) => /^\s*#/.test(l)));
      const script = join(dir, 'rules.nft');
      writeFileSync(script, text);
      const listed = runSync(['unshare', '--net', '--', 'sh', '-c', `nft -f '${script}' && nft list ruleset`]);
      expect(listed.code, listed.stderr).to.equal(0);
      expect(listed.stdout).not.to.contain('evil {');
      expect(listed.stdout.match(/^table /gm)).to.deep.equal(['table ']);
      expect(listed.stdout.match(/ accept comment "/g)).to.have.length(1);
      expect(nftCheck(text).ok).to.equal(true);
    });
  });

  describe('determinism', function () {
    it('emits the same bytes twice, whatever the object order of the input', async function () {
      const input = { catalogs: ['runai', 'acr', 'mcr'], params: { registry: 'myreg', region: 'eastus', 'control-plane-fqdn': 'cp.example.com' }, bind: { 'all-kubernetes-nodes': ['fd00:1::/64', '10.1.0.0/24'], 'installer-machine': '10.9.0.5/32', 'runai-system-nodes': '10.1.0.0/28', 'bcm-headnodes': '10.2.0.1/32' }, target: 'nftables' as const };
      const a = await compile(input);
      const b = await compile({ ...input, catalogs: ['mcr', 'runai', 'acr'], bind: Object.fromEntries(Object.entries(input.bind).reverse()) });
      expect(a.files[0]!.contents).to.equal(b.files[0]!.contents);
      expect(a.files[0]!.contents).not.to.match(/\d{4}-\d\d-\d\dT\d\d:/);
    });

    it('keeps mcr\'s address form when azure-arc-ml asks for the same name (expansion keys merges by alternatives)', async function () {
      const r = await compile({ catalogs: ['azure-arc-ml', 'mcr'], params: { region: 'eastus', 'region-code': 'eus' }, target: 'nftables' });
      expect(r.files[0]!.contents).to.contain('comment "mcr/registry-endpoint"');
      expect(r.files[0]!.contents).to.contain('comment "mcr/data-endpoint"');
    });
  });
});
