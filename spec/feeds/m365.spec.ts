import { expect } from 'chai';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { runCli } from '../helpers/cli.js';
import { nftCheck, requireEngine, squidParse, xmllintCheck } from '../helpers/engines.js';
import { loadOutputs } from '../emitters/iptables/load.js';
import { checkStream } from '../emitters/k8s-networkpolicy/check.js';
import { parsePolicies, validatePolicy } from '../emitters/cilium/check.js';
import { checkTemplates } from '../emitters/azure-common/arm-check.js';
import { checkStructure } from '../emitters/panos/check.js';
import { parseM365Endpoints } from '../../lib/feeds/m365.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const SAMPLE = 'm365-worldwide.json';

interface SetYaml {
  id: string;
  title: string;
  requirements: { id: string; destinations: string[]; ports: string[]; alternatives?: string[]; provenance: { document: string; section: string; row: number; text?: string } }[];
}

describe('Microsoft 365 endpoints: fwgen feed m365', function () {
  this.timeout(120_000);
  let dir: string;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'fwgen-m365-'));
    cpSync(join(fixtures, SAMPLE), join(dir, SAMPLE));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const m365 = (...args: string[]) => runCli(['feed', 'm365', SAMPLE, ...args], { cwd: dir });

  describe('the loader', function () {
    it('reads every entry of the sample with its ports', function () {
      const r = parseM365Endpoints(readFileSync(join(fixtures, SAMPLE), 'utf8'), SAMPLE);
      expect(r.diagnostics).to.deep.equal([]);
      expect(r.entries!.map((e) => e.id)).to.deep.equal([1, 2, 8, 9, 10, 11, 12, 31, 35, 46, 56, 184]);
      expect(r.entries!.find((e) => e.id === 11)!.udpPorts).to.deep.equal([[3478, 3478], [3479, 3479], [3480, 3480], [3481, 3481]]);
    });

    it('reports a bad category, port list, prefix and a repeated id at their JSON path and line:col', function () {
      const text = `[
 {
  "id": 1,
  "serviceArea": "Exchange",
  "serviceAreaDisplayName": "Exchange Online",
  "urls": ["outlook.office.com"],
  "ips": ["13.107.6.153/31"],
  "tcpPorts": "80,443,",
  "expressRoute": true,
  "category": "Optimise",
  "required": true
 },
 {
  "id": 1,
  "serviceArea": "Skype",
  "serviceAreaDisplayName": "Skype",
  "udpPorts": "3478-3481",
  "expressRoute": true,
  "category": "Allow",
  "required": "yes"
 }
]
`;
      const r = parseM365Endpoints(text, 'bad.json');
      expect(r.entries).to.equal(undefined);
      expect(r.diagnostics.map((d) => `${d.span!.line}:${d.span!.col} ${d.message}`)).to.deep.equal([
        '10:15 $[0].category: missing or not one of Optimize, Allow, Default',
        '7:11 $[0].ips[0]: "13.107.6.153/31" is not a valid prefix: "13.107.6.153/31" has host bits set',
        '8:15 $[0].tcpPorts: "80,443," is not a comma-separated list of ports and ranges, as "80,443" or "3478-3481"',
        '14:9 $[1].id: id 1 is also the id of entry 0',
        '20:15 $[1].required: missing or not true/false',
      ]);
    });
  });

  describe('the requirement set', function () {
    it('has one requirement per entry, names as destinations, ranges as alternatives, provenance with version and entry id', async function () {
      const r = await m365('--feed-version', '2025103000');
      expect(r.code).to.equal(0);
      expect(r.stderr.split('\n').filter((l) => /^\S/.test(l))).to.deep.equal([
        `${SAMPLE}:85:4: warning[FEED_REVIEW]: entry 8 (Exchange Online): "autodiscover.*.onmicrosoft.com" has a "*" outside the leftmost label; not imported, kept as a review: comment`,
        'feed m365: 12 requirements from 12 of 12 entries; 54 names (1 to review), 101 IP ranges (61 after aggregation)',
      ]);
      const set = parse(r.stdout) as SetYaml;
      expect(set.title).to.equal('Microsoft 365 endpoints (Worldwide, version 2025103000)');
      const one = set.requirements.find((q) => q.id === 'exchange-1')!;
      expect(one.destinations).to.deep.equal(['outlook.cloud.microsoft', 'outlook.office.com', 'outlook.office365.com']);
      expect(one.ports).to.deep.equal(['http:80', 'https:443']);
      expect(one.alternatives).to.have.length(27);
      expect(one.provenance).to.deep.equal({ document: 'Microsoft 365 endpoints, Worldwide, version 2025103000', section: 'Exchange Online', row: 1 });
      // Ranges only: they are the destinations.
      const media = set.requirements.find((q) => q.id === 'skype-11')!;
      expect(media.destinations).to.deep.equal(['52.112.0.0/14', '52.122.0.0/15', '2603:1063::/38']);
      expect(media.ports).to.deep.equal(['udp:3478', 'udp:3479', 'udp:3480', 'udp:3481']);
      expect(set.requirements.find((q) => q.id === 'exchange-10')!.provenance.text).to.equal('Email client connections to SMTP relay for sending mail from devices and applications');
    });

    it('keeps the name the model cannot express as a visible review: comment on its requirement, never silently', async function () {
      const r = await m365('--feed-version', '2025103000');
      const lines = r.stdout.split('\n');
      const at = lines.findIndex((l) => l.includes('review: "autodiscover.*.onmicrosoft.com"'));
      expect(at).to.be.greaterThan(0);
      expect(lines[at + 1]).to.equal('  - id: exchange-8');
      expect(lines.slice(0, 3).join('\n')).to.contain('54 names, 1 not expressible');
      expect((parse(r.stdout) as SetYaml).requirements.find((q) => q.id === 'exchange-8')!.destinations).to.deep.equal(['*.outlook.com']);
    });

    it('filters by service area, category and required, and says what it kept', async function () {
      const r = await m365('--feed-version', '2025103000', '--service-areas', 'exchange,Common', '--required-only', '--categories', 'Optimize,Allow');
      expect(r.code).to.equal(0);
      expect((parse(r.stdout) as SetYaml).requirements.map((q) => q.id)).to.deep.equal(['exchange-1', 'exchange-9', 'exchange-10', 'common-46', 'common-56']);
      expect(r.stderr).to.contain('feed m365: 5 requirements from 5 of 12 entries');
      expect(r.stdout).to.contain('5 of 12 entries (service areas exchange, Common; categories Optimize, Allow; required only)');
    });

    it('refuses a service area the file does not have, a category that does not exist, and a version that is not one', async function () {
      expect((await m365('--service-areas', 'Exchnage')).stderr).to.contain('did you mean Exchange?');
      expect((await m365('--categories', 'Required')).code).to.equal(2);
      expect((await m365('--feed-version', 'latest')).code).to.equal(2);
    });

    it('without --feed-version, warns that the set cannot name its publication', async function () {
      const r = await m365();
      expect(r.code).to.equal(0);
      expect(r.stderr).to.contain('warning[FEED_REVIEW]: no --feed-version');
      expect(r.stdout).to.contain('version not given');
    });

    it('is what spec/feeds/fixtures/m365-set.yaml holds (the set the Squid and iptables behaviour specs run)', async function () {
      const r = await m365('--feed-version', '2025103000');
      expect(r.stdout).to.equal(readFileSync(join(fixtures, 'm365-set.yaml'), 'utf8'));
    });

    it('is the same bytes every time, and a valid requirement file', async function () {
      const a = await m365('--feed-version', '2025103000', '--out', 'a.yaml');
      const b = await m365('--feed-version', '2025103000', '--out', 'b.yaml');
      expect(a.code + b.code).to.equal(0);
      expect(readFileSync(join(dir, 'a.yaml'), 'utf8')).to.equal(readFileSync(join(dir, 'b.yaml'), 'utf8'));
      const v = await runCli(['validate', 'a.yaml'], { cwd: dir });
      expect(v.stderr).to.equal('');
      expect(v.code).to.equal(0);
    });
  });

  describe('compiled for every target, through its engine', function () {
    const outDir = (t: string) => join(dir, 'out', t);
    const files = (t: string) => {
      const p = outDir(t);
      return statSync(p).isDirectory() ? readdirSync(p).sort().map((f) => ({ path: f, contents: readFileSync(join(p, f), 'utf8') })) : [{ path: t, contents: readFileSync(p, 'utf8') }];
    };
    const results = new Map<string, { code: number; stderr: string }>();
    before(async function () {
      await m365('--feed-version', '2025103000', '--out', 'm365.yaml');
      for (const t of ['squid', 'iptables', 'nftables', 'k8s-networkpolicy', 'cilium', 'azure-firewall', 'azure-nsg', 'panos']) {
        results.set(t, await runCli(['emit', '--file', 'm365.yaml', '--target', t, '--out', outDir(t)], { cwd: dir }));
      }
    });

    it('every target writes its rules, with the set and its version in the header', function () {
      for (const [t, r] of results) {
        expect(r.code, `${t}: ${r.stderr}`).to.equal(0);
        expect(files(t)[0]!.contents, t).to.contain('Microsoft 365 endpoints, Worldwide, version 2025103000');
      }
    });

    it('squid: names (CONNECT to 443, http to 80), squid -k parse', function () {
      const conf = files('squid')[0]!.contents;
      // *.outlook.com is subdomains only, as the model means it: a regex, not `.outlook.com` (which has the apex too).
      expect(conf).to.contain('dstdom_regex -n -i ^([^.]+\\.)+outlook\\.com$');
      expect(conf).to.not.contain('autodiscover');
      requireEngine(this, 'squid');
      const r = squidParse(conf, { strict: true });
      expect(r.ok, r.output).to.equal(true);
    });

    it('iptables: the ranges, through ipset, iptables-restore and ip6tables-restore in a namespace', function () {
      const all = files('iptables').map((f) => f.contents).join('\n');
      expect(all).to.contain('52.112.0.0/14');
      expect(all).to.contain('2603:1063::/38');
      requireEngine(this, 'iptables-restore');
      const r = loadOutputs(files('iptables'));
      expect(r.ok, `${r.failedAt}: ${r.output}`).to.equal(true);
    });

    it('nftables: nft -c', function () {
      requireEngine(this, 'nft');
      const r = nftCheck(files('nftables')[0]!.contents);
      expect(r.ok, r.output).to.equal(true);
    });

    it('k8s-networkpolicy and cilium: their schemas', function () {
      checkStream(files('k8s-networkpolicy')[0]!.contents);
      const policies = parsePolicies(files('cilium')[0]!.contents);
      expect(policies.length).to.be.greaterThan(0);
      for (const p of policies) expect(validatePolicy(p)).to.deep.equal([]);
      expect(files('cilium')[0]!.contents).to.contain('matchPattern: "*.outlook.com"');
    });

    it('azure-firewall and azure-nsg: ARM schemas', function () {
      expect(checkTemplates(files('azure-firewall').filter((f) => f.path.endsWith('.json')))).to.deep.equal([]);
      expect(checkTemplates(files('azure-nsg'))).to.deep.equal([]);
    });

    it('panos: xmllint and the PAN-OS structure', function () {
      const xml = files('panos')[0]!.contents;
      expect(checkStructure(xml)).to.deep.equal([]);
      requireEngine(this, 'xmllint');
      const r = xmllintCheck(xml);
      expect(r.ok, r.output).to.equal(true);
    });
  });
});
