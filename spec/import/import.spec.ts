// `fwgen import` on the test documents in spec/fixtures/import/ (one per table and list shape), its port and
// token readers, and the CLI around it: stdin, --out, --id, exit codes, and `validate -` / `emit --file -`.
//
// Golden files: spec/fixtures/import/expected/<document>.yaml (stdout) and <document>.stderr.txt; a mismatch writes
// `.actual` beside them, UPDATE_GOLDEN=1 rewrites them.
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importDocument } from '../../lib/import/index.js';
import { parsePortCell, portsInProse } from '../../lib/import/ports.js';
import { normalizeInline } from '../../lib/import/inline.js';
import { scanTokens } from '../../lib/import/tokens.js';
import { detectFormat } from '../../lib/import/detect.js';
import { loadRequirementSet } from '../../lib/load/load-text.js';
import { formatPort } from '../../lib/model/port.js';
import type { EndpointEntry, RequirementSet } from '../../lib/model/requirement-set.js';
import type { Diagnostic } from '../../lib/model/diagnostic.js';
import { runCli } from '../helpers/cli.js';
import { lineDiff } from '../helpers/diff.js';
import { SEEDS } from './recall.spec.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'import');
const EXPECTED = join(DIR, 'expected');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const DOCUMENTS = readdirSync(DIR).filter((f) => /\.(md|txt|adoc|rst)$/.test(f) && f !== 'nothing.md').sort();

function imported(file: string): { set: RequirementSet; diagnostics: Diagnostic[]; yaml: string } {
  const r = importDocument(readFileSync(join(DIR, file), 'utf8'), { file });
  expect(r.yaml, `${file}: ${r.diagnostics.map((d) => d.message).join('; ')}`).to.be.a('string');
  const loaded = loadRequirementSet(r.yaml!, file);
  expect(loaded.diagnostics.filter((d) => d.severity === 'error'), file).to.deep.equal([]);
  return { set: loaded.set!, diagnostics: r.diagnostics, yaml: r.yaml! };
}

const written = (e: EndpointEntry) =>
  e.kind === 'host' ? (e.match === 'subdomains' ? `*.${e.name}` : e.match === 'apex-and-subdomains' ? `.${e.name}` : e.name) : e.kind === 'cidr' ? e.cidr : e.kind === 'group' ? `group:${e.group}` : `tag:${e.tag}`;

/** line → "destination destination ... | port port" for each requirement. */
function byLine(set: RequirementSet): Record<number, string> {
  return Object.fromEntries(set.requirements.map((r) => [r.provenance.line!, `${r.destinations.map(written).join(' ')} | ${r.ports.map(formatPort).join(' ')}`]));
}

const warningsAt = (ds: Diagnostic[], line: number) => ds.filter((d) => d.severity === 'warning' && d.span?.line === line).map((d) => d.message);

function compareGolden(file: string, actual: string, problems: string[]): void {
  const expected = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (expected === actual) return void rmSync(`${file}.actual`, { force: true });
  if (UPDATE) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return void rmSync(`${file}.actual`, { force: true });
  }
  writeFileSync(`${file}.actual`, actual);
  problems.push(expected === undefined ? `${file} is missing (UPDATE_GOLDEN=1 creates it)` : `${file} differs:\n${lineDiff(expected, actual)}`);
}

describe('fwgen import', function () {
  describe('golden drafts of the test documents', function () {
    for (const doc of DOCUMENTS) {
      it(`${doc}: stdout and stderr as expected, and the draft validates`, async function () {
        const r = await runCli(['import', doc], { cwd: DIR });
        const problems: string[] = [];
        compareGolden(join(EXPECTED, `${doc}.yaml`), r.stdout, problems);
        compareGolden(join(EXPECTED, `${doc}.stderr.txt`), r.stderr, problems);
        expect(problems, problems.join('\n\n')).to.deep.equal([]);
        expect(r.code).to.equal(0);
        const v = await runCli(['validate', '-'], { cwd: DIR, stdin: r.stdout });
        expect(v.code, v.stderr).to.equal(0);
      });
    }
  });

  describe('Markdown tables (markdown-tables.md)', function () {
    let set: RequirementSet;
    let diagnostics: Diagnostic[];
    before(() => ({ set, diagnostics } = imported('markdown-tables.md')));

    it('reads every cell shape and port spelling into destinations and ports', function () {
      expect(byLine(set)).to.include({
        11: 'api.acme.example.com | https:443', // code span, HTTPS:443
        12: 'telemetry.acme.example.com logs.acme.example.com | tcp:443', // emphasis, comma, 443/tcp
        13: 'updates.acme.example.net | https:443', // https:// and trailing /, "https"
        14: 'mirror1.acme.example.org mirror2.acme.example.org | tcp:8080', // two code spans, tcp/8080
        15: 'ntp.acme.example.com | udp:123', // UDP 123
        16: 'registry.acme.example.com | tcp:5000', // host:port, empty port cell
        17: 'legacy.acme.example.com old.acme.example.com | tcp:80 tcp:443', // <br>, "80, 443"
        18: 'tunnel.acme.example.com relay.acme.example.com | tcp:8443', // " and ", TCP 8443
        19: '{region}.data.acme.example.com | https:443', // <region>
        20: '{tenant}.portal.acme.example.com | https:443', // {tenant_name}
        39: '*.cdn.acme.example.net | tcp:443', // table without outer pipes
        40: '203.0.113.0/24 | tcp:8000-8100',
      });
    });

    it('pads a short row and joins a row broken over two lines, saying so', function () {
      expect(byLine(set)[21]).to.equal('short.acme.example.com | https:443');
      expect(warningsAt(diagnostics, 21).join('\n')).to.contain('row has 2 of the header').and.contain('https:443 assumed');
      expect(byLine(set)[22]).to.equal('broken1.acme.example.com broken2.acme.example.com | tcp:443');
      expect(set.requirements.find((r) => r.provenance.line === 22)!.provenance.text).to.equal('| Broken row | `broken1.acme.example.com`,\n`broken2.acme.example.com` | 443 |');
      expect(warningsAt(diagnostics, 22).join('\n')).to.contain('row broken over lines 22-23');
    });

    it('reads a host named in words as a parameter, and reports a row it cannot read', function () {
      expect(byLine(set)[24]).to.equal('{diagnostics-url} | tcp:443');
      const p = set.parameters.find((x) => x.name === 'diagnostics-url')!;
      expect(p.format).to.equal('fqdn');
      expect(warningsAt(diagnostics, 24).join('\n')).to.contain('names a host in words');
      expect(byLine(set)[25]).to.equal(undefined);
      expect(warningsAt(diagnostics, 25).join('\n')).to.contain('see the monitoring guide').and.contain('not imported');
    });

    it('finds columns by header words, groups, inbound headings, and refuses a port it cannot express', function () {
      const ssh = set.requirements.find((r) => r.provenance.line === 31)!;
      expect(ssh.direction).to.equal('inbound');
      expect(ssh.sources!.map(written)).to.deep.equal(['group:acme-support-bastion-hosts']);
      expect(ssh.destinations.map(written)).to.deep.equal(['group:edge-nodes']);
      expect(ssh.ports.map(formatPort)).to.deep.equal(['tcp:22']);
      expect(ssh.provenance.section).to.equal('Control plane > Inbound rules');
      expect(ssh.scenario).to.equal('Control plane');
      expect(set.requirements.find((r) => r.provenance.line === 32)!.sources!.map(written)).to.deep.equal(['198.51.100.0/24']);
      expect(byLine(set)[33]).to.equal(undefined);
      expect(warningsAt(diagnostics, 33).join('\n')).to.contain('ICMP').and.contain('not imported');
      expect(set.groups.map((g) => g.title)).to.have.members(['Edge nodes', 'Acme support bastion hosts']);
    });

    it("makes the document's mapping table an enumeration of the placeholder", function () {
      const region = set.parameters.find((p) => p.name === 'region')!;
      expect(region.kind).to.equal('enum');
      expect(region.values).to.deep.equal({ eu1: 'Frankfurt', us1: 'Virginia', ap1: 'Singapore' });
      expect(set.parameters.find((p) => p.name === 'tenant')!.kind).to.equal('string');
    });

    it('gives every requirement its provenance', function () {
      for (const r of set.requirements) {
        expect(r.provenance.document).to.equal('markdown-tables.md');
        expect(r.provenance.section).to.be.a('string');
        expect(r.provenance.line).to.be.a('number');
        expect(r.provenance.text).to.be.a('string').and.not.equal('');
      }
    });
  });

  describe('lists, code blocks and prose (markdown-lists.md)', function () {
    let set: RequirementSet;
    let diagnostics: Diagnostic[];
    before(() => ({ set, diagnostics } = imported('markdown-lists.md')));

    it('reads bullet items and a code block that lists hosts', function () {
      expect(byLine(set)).to.deep.equal({
        11: 'sync.globex.example.com | https:443',
        12: 'auth.globex.example.com login.globex.example.net | https:443',
        13: '*.blob.globex.example.net | https:443',
        14: 'status.globex.example.com | https:443',
        15: 'push.globex.example.com | tcp:5223',
        19: '{geo}.api.globex.example.com | https:443',
        32: 'updates.globex.example.com | https:443',
        33: 'cdn.globex.example.org | https:443',
        45: '192.0.2.0/24 | tcp:8443',
      });
      expect(set.requirements.find((r) => r.provenance.line === 11)!.purpose).to.equal('file synchronisation');
      expect(set.title).to.equal('Globex Sync: firewall allowlist'); // not the front matter's
    });

    it('makes a list after "<placeholder> is ... one of:" an enumeration', function () {
      const geo = set.parameters.find((p) => p.name === 'geo')!;
      expect(geo.kind).to.equal('enum');
      expect(geo.values).to.deep.equal({ emea: 'Europe, Middle East and Africa', amer: 'Americas', apac: 'Asia Pacific' });
    });

    it('reports sample output, examples and links instead of importing them', function () {
      expect(warningsAt(diagnostics, 39).join('\n')).to.contain('192.0.2.10').and.contain('proxy.corp.example.net');
      expect(warningsAt(diagnostics, 47).join('\n')).to.contain('myorg.globex.example.com').and.contain('example');
      expect(diagnostics.some((d) => d.severity === 'note' && /link/.test(d.message))).to.equal(true);
      expect(warningsAt(diagnostics, 32).join('\n')).to.contain('conditional');
      expect(warningsAt(diagnostics, 45).join('\n')).to.contain('may be a source');
    });
  });

  describe('plain text with bullets (plain-text.txt)', function () {
    let set: RequirementSet;
    let diagnostics: Diagnostic[];
    before(() => ({ set, diagnostics } = imported('plain-text.txt')));

    it('finds headings in plain text, and the port the text states for all endpoints', function () {
      expect(detectFormat(readFileSync(join(DIR, 'plain-text.txt'), 'utf8'), 'plain-text.txt')).to.equal('text');
      expect(set.source.sections).to.deep.equal(['Contoso Backup agent: network access', 'Overview', 'Service endpoints', 'Address ranges']);
      expect(byLine(set)).to.deep.equal({
        9: 'manage.contoso-backup.example.com | https:443',
        10: '{vault}.vault.contoso-backup.example.com | https:443',
        11: '*.store.contoso-backup.example.net | https:443',
        15: 'eu.contoso-backup.example.com | https:443',
      });
      expect(set.parameters.map((p) => p.name)).to.deep.equal(['vault']);
      expect(set.requirements.find((r) => r.provenance.line === 10)!.purpose).to.equal('Vault endpoint');
    });

    it('names service tags, the JSON excerpt and the example it did not import', function () {
      const at19 = warningsAt(diagnostics, 19).join('\n');
      expect(at19).to.contain('AzureBackup').and.contain('ContosoBackup');
      expect(at19).to.match(/ContosoBackup[^\n]*not in the shipped Service Tags snapshot/);
      expect(warningsAt(diagnostics, 21).join('\n')).to.contain('192.0.2.0/25');
      expect(warningsAt(diagnostics, 29).join('\n')).to.contain('agent01.corp.example.com');
      expect(warningsAt(diagnostics, 31).join('\n')).to.contain('settings.backup.internal').and.contain('not under a public top-level domain');
    });
  });

  describe('AsciiDoc (asciidoc.adoc)', function () {
    it('reads a table with options="header", one with an implicit header and cells on their own lines, and a list', function () {
      const { set } = imported('asciidoc.adoc');
      expect(byLine(set)).to.deep.equal({
        10: 'ingest.initech.example.com | https:443',
        11: '*.traces.initech.example.net | tcp:443',
        19: 'updates.initech.example.com | tcp:8443',
        23: 'mirror.initech.example.org backup-mirror.initech.example.org | http:80',
        32: '198.51.100.16/28 | https:443',
        33: 'relay.initech.example.com | tcp:9000',
      });
      expect(set.requirements.map((r) => r.scenario)).to.deep.equal(['Collector', 'Collector', 'Agent updates', 'Agent updates', 'Webhooks', 'Webhooks']);
    });
  });

  describe('reStructuredText (rst.rst)', function () {
    it('reads grid, simple, list-table and csv-table tables, a literal list and a bullet', function () {
      const { set } = imported('rst.rst');
      expect(byLine(set)).to.deep.equal({
        10: 'api.umbrella.example.com | tcp:443',
        12: 'files.umbrella.example.com dl.umbrella.example.net | tcp:443 tcp:80',
        19: 'auth.umbrella.example.com | https:443',
        20: 'stun.umbrella.example.com | udp:3478',
        28: '{region}.umbrella.example.com | tcp:443',
        34: 'partner.umbrella.example.org | https:443',
        38: 'upd1.umbrella.example.com | tcp:8080',
        39: 'upd2.umbrella.example.com | tcp:8080',
        41: 'metrics.umbrella.example.com | tcp:9443',
        49: 'group:relay-servers | tcp:7000',
      });
      const inbound = set.requirements.find((r) => r.provenance.line === 49)!;
      expect(inbound.direction).to.equal('inbound');
      expect(inbound.sources!.map(written)).to.deep.equal(['203.0.113.0/24']);
    });
  });

  describe('port spellings', function () {
    const cases: [string, string, string[]][] = [
      ['https:443', '', ['https:443']],
      ['HTTPS:443', '', ['https:443']],
      ['443/tcp', '', ['tcp:443']],
      ['tcp/443', '', ['tcp:443']],
      ['HTTPS', '', ['https:443']],
      ['TCP 443', '', ['tcp:443']],
      ['80, 443', '', ['tcp:80', 'tcp:443']],
      ['443 (HTTPS)', '', ['https:443']],
      ['8000-8080', '', ['tcp:8000-8080']],
      ['8000 to 8080', '', ['tcp:8000-8080']],
      ['TCP/UDP 53', '', ['tcp:53', 'udp:53']],
      ['HTTP/HTTPS', '', ['http:80', 'https:443']],
      ['HTTPS 443<br>HTTP 80', '', ['https:443', 'http:80']],
      ['Any', '', ['any']],
      ['*', '', ['any']],
      ['', 'https', ['https:443']],
      ['443', 'TCP', ['tcp:443']],
      ['53', 'UDP', ['udp:53']],
      ['', 'UDP 3478', ['udp:3478']],
    ];
    for (const [port, proto, want] of cases) {
      it(`"${port}"${proto ? ` with protocol "${proto}"` : ''} → ${want.join(', ')}`, function () {
        expect(parsePortCell(port, proto)).to.deep.equal({ ports: want, unparsed: [] });
      });
    }
    it('says what it cannot read', function () {
      expect(parsePortCell('ICMP')).to.deep.equal({ ports: [], unparsed: ['icmp'] });
      expect(parsePortCell('70000').ports).to.deep.equal([]);
      expect(parsePortCell('', 'TCP')).to.deep.equal({ ports: [], unparsed: ['TCP'] });
    });
    it('reads ports stated in prose', function () {
      expect(portsInProse('clients use HTTPS. All endpoints are reached over port 443.')).to.deep.equal(['https:443']);
      expect(portsInProse('open ports 80 and 443')).to.deep.equal(['tcp:80', 'tcp:443']);
      expect(portsInProse('nodes talk to each other across all necessary ports')).to.deep.equal(['any']);
      expect(portsInProse('version 1.2.3 is out')).to.deep.equal([]);
    });
  });

  describe('cells and tokens', function () {
    const read = (cell: string) =>
      scanTokens(normalizeInline(cell, 'cell').text).map((t) =>
        t.kind === 'host' ? `${t.match === 'subdomains' ? '*.' : ''}${t.name}${t.port ? `:${t.port}` : ''}` : t.kind === 'cidr' ? t.cidrs.join('+') : t.kind === 'service-tag' ? `tag:${t.tag}` : `invalid:${t.raw}`,
      );
    it('splits on commas, <br>, " and " and code spans, and strips markup', function () {
      expect(read('a.example.com, b.example.com')).to.deep.equal(['a.example.com', 'b.example.com']);
      expect(read('a.example.com<br/>b.example.com')).to.deep.equal(['a.example.com', 'b.example.com']);
      expect(read('a.example.com and b.example.com')).to.deep.equal(['a.example.com', 'b.example.com']);
      expect(read('`a.example.com` `*.b.example.com`')).to.deep.equal(['a.example.com', '*.b.example.com']);
      expect(read('**A.Example.com**')).to.deep.equal(['a.example.com']);
      expect(read('https://a.example.com/')).to.deep.equal(['a.example.com']);
      expect(read('a.example.com:8443')).to.deep.equal(['a.example.com:8443']);
      expect(read('&lt;region&gt;.example.com')).to.deep.equal(['{region}.example.com']);
    });
    it('reads addresses, ranges and service tags, and flags what is not a name', function () {
      expect(read('10.0.0.0/8 and 2001:db8::/32')).to.deep.equal(['10.0.0.0/8', '2001:db8::/32']);
      expect(read('192.0.2.1 - 192.0.2.6')).to.deep.equal(['192.0.2.1/32+192.0.2.2/31+192.0.2.4/31+192.0.2.6/32']);
      expect(read('AzureFrontDoor.FirstParty')).to.deep.equal(['tag:AzureFrontDoor.FirstParty']);
      expect(read('foo.*.example.com')).to.deep.equal(['invalid:foo.*.example.com']);
      expect(read('version 1.2.3')).to.deep.equal([]);
    });
  });

  describe('the command', function () {
    it('is deterministic: the same document gives the same bytes', async function () {
      for (const doc of DOCUMENTS) {
        const a = await runCli(['import', doc], { cwd: DIR });
        const b = await runCli(['import', doc], { cwd: DIR });
        expect(a.stdout, doc).to.equal(b.stdout);
        expect(a.stderr, doc).to.equal(b.stderr);
      }
    });

    it('reads standard input for -, and --id names the set', async function () {
      const text = readFileSync(join(DIR, 'markdown-tables.md'), 'utf8');
      const r = await runCli(['import', '-', '--id', 'acme-edge'], { cwd: DIR, stdin: text });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/^id: acme-edge$/m);
      expect(r.stdout).to.contain('document: <stdin>');
      expect(r.stderr).to.match(/^<stdin>:21:1: warning\[IMPORT_REVIEW\]/m);
    });

    it('writes --out atomically, the same bytes as stdout', async function () {
      const dir = mkdtempSync(join(tmpdir(), 'fwgen-import-'));
      try {
        const out = join(dir, 'draft.yaml');
        writeFileSync(out, 'old contents\n');
        const r = await runCli(['import', join(DIR, 'rst.rst'), '--out', out], { cwd: dir });
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.equal('');
        const s = await runCli(['import', join(DIR, 'rst.rst')], { cwd: dir });
        expect(readFileSync(out, 'utf8')).to.equal(s.stdout);
        expect(readdirSync(dir)).to.deep.equal(['draft.yaml']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('exits 2 with a clear error for a document with nothing in it, a missing file or a bad --id', async function () {
      const empty = await runCli(['import', 'nothing.md'], { cwd: DIR });
      expect(empty.code).to.equal(2);
      expect(empty.stdout).to.equal('');
      expect(empty.stderr).to.match(/^nothing\.md:1:1: error\[IMPORT_EMPTY\]: found no requirement in nothing\.md/m);
      const missing = await runCli(['import', 'no-such-file.md'], { cwd: DIR });
      expect(missing.code).to.equal(2);
      expect(missing.stderr).to.contain('error[LOAD_READ]: cannot read no-such-file.md: no such file');
      const badId = await runCli(['import', 'rst.rst', '--id', 'Not An Id'], { cwd: DIR });
      expect(badId.code).to.equal(2);
      expect(badId.stderr).to.contain('error[USAGE]: --id Not An Id');
    });

    it('validate - and emit --file - read standard input', async function () {
      const { yaml } = imported('markdown-lists.md');
      const v = await runCli(['validate', '-'], { stdin: yaml });
      expect(v.code, v.stderr).to.equal(0);
      expect(v.stdout).to.equal('<stdin>: ok, 9 requirements in set "markdown-lists"\n');
      const e = await runCli(['emit', '--file', '-', '--target', 'squid', '--param', 'geo=emea'], { stdin: yaml });
      expect(e.code, e.stderr).to.equal(0);
      expect(e.stdout).to.contain('sync.globex.example.com');
    });

    it('import SEED | validate - succeeds for each seed document', async function () {
      if (!existsSync(SEEDS)) {
        console.error(`\n  !!! SKIPPED: seed documents not found at ${SEEDS} (set FWGEN_SEEDS)\n`);
        this.skip();
      }
      for (const seed of readdirSync(SEEDS).sort()) {
        const r = await runCli(['import', join(SEEDS, seed)]);
        expect(r.code, `${seed}: ${r.stderr}`).to.equal(0);
        const v = await runCli(['validate', '-'], { stdin: r.stdout });
        expect(v.code, `${seed}: ${v.stderr}`).to.equal(0);
      }
    });
  });
});
