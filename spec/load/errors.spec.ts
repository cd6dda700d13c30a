// Error reporting of the loader and the CLI: every kind of bad input gets one diagnostic with a code, an exact
// file:line:col, a message and a hint; the CLI prints them sorted on stderr and exits 2, never with a stack trace.
//
// spec/fixtures/_errors_/<case>/ holds input.yaml (or input.json), expected.stderr and, when the command is not
// `validate input.yaml`, args.json. Each case runs in-process with cwd = its folder. UPDATE_GOLDEN=1 rewrites
// expected.stderr; read every rewritten file: each position must point at the offending token.
// The child-process tests run bin/fwgen.js, i.e. dist/: `npm test` builds first; alone, run `npm run build` before.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { main } from '../../lib/cli/main.js';
import { loadRequirementSet } from '../../lib/load/load-text.js';
import { normalizeText } from '../../lib/load/read-source.js';
import { formatDiagnostics } from '../../lib/cli/report.js';
import type { Diagnostic } from '../../lib/model/diagnostic.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(root, 'spec/fixtures/_errors_');
const STACK = /^\s{4}at /m;

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function runCli(argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await main(argv, { stdout, stderr, stdin: Readable.from([]), cwd, env: {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

function cases(): string[] {
  return readdirSync(fixtures)
    .filter((name) => statSync(join(fixtures, name)).isDirectory())
    .sort();
}

describe('error fixtures (spec/fixtures/_errors_)', () => {
  for (const name of cases()) {
    it(name, async () => {
      const dir = join(fixtures, name);
      const input = existsSync(join(dir, 'input.json')) ? 'input.json' : 'input.yaml';
      const argsFile = join(dir, 'args.json');
      const argv = existsSync(argsFile) ? (JSON.parse(readFileSync(argsFile, 'utf8')) as string[]) : ['validate', input];
      const { code, stdout, stderr } = await runCli(argv, dir);

      const expectedFile = join(dir, 'expected.stderr');
      const actualFile = expectedFile + '.actual';
      if (process.env.UPDATE_GOLDEN) writeFileSync(expectedFile, stderr);
      const expected = existsSync(expectedFile) ? readFileSync(expectedFile, 'utf8') : undefined;
      if (expected !== stderr) writeFileSync(actualFile, stderr);
      else if (existsSync(actualFile)) unlinkSync(actualFile);

      expect(stderr, `stderr of fwgen ${argv.join(' ')} (new output in ${actualFile})`).to.equal(expected);
      expect(stderr + stdout).not.to.match(STACK);
      // A note alone (an IDN that converts) is not a failure; anything reported as an error is bad input.
      const errors = /\berror\[/.test(stderr);
      expect(code, `exit code of fwgen ${argv.join(' ')}`).to.equal(errors ? 2 : 0);
      for (const line of stderr.split('\n').filter((l) => /(error|note|warning)\[/.test(l))) {
        expect(line).to.match(new RegExp(`^(${input}:\\d+:\\d+|fwgen): (error|note|warning)\\[[A-Z_]+\\]: \\S`), 'a diagnostic line');
      }
      for (const line of stderr.split('\n').filter((l) => l.startsWith(' '))) expect(line).to.match(/^ {2}hint: \S/);
    });
  }

  it('every error line is followed by a hint', () => {
    for (const name of cases()) {
      const lines = readFileSync(join(fixtures, name, 'expected.stderr'), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/ error\[/.test(line)) expect(lines[i + 1], `${name}: hint after "${line}"`).to.match(/^ {2}hint: /);
      });
    }
  });

  it('CRLF line ends and a UTF-8 BOM give the same positions as the plain file', () => {
    const plain = readFileSync(join(fixtures, 'several-errors/input.yaml'), 'utf8');
    const expected = readFileSync(join(fixtures, 'several-errors/expected.stderr'), 'utf8');
    for (const name of ['crlf-line-endings', 'utf8-bom']) {
      const raw = readFileSync(join(fixtures, name, 'input.yaml'), 'utf8');
      expect(raw, `${name} really has the variant bytes`).to.match(name === 'utf8-bom' ? /^\uFEFF/ : /\r\n/);
      expect(normalizeText(raw), `${name} is several-errors with other line ends`).to.equal(plain);
      expect(readFileSync(join(fixtures, name, 'expected.stderr'), 'utf8')).to.equal(expected);
    }
  });
});

/** A valid requirement file with `rows` as its requirements, after `head` (parameters, options, groups). */
function file(rows: string, head = ''): string {
  return `id: demo\ntitle: Demo\nsource:\n  document: demo.txt\n${head}requirements:\n${rows}`;
}

function row(dest: string, more = '', id = 'a'): string {
  return `  - id: ${id}\n    destinations: [${dest}]\n    ports: [https:443]\n${more}    provenance: { line: 1 }\n`;
}

type Found = { code: string; line: number; col: number };

function found(text: string, severity: Diagnostic['severity'] = 'error'): Found[] {
  const r = loadRequirementSet(text, 'x.yaml');
  return r.diagnostics.filter((d) => d.severity === severity).map((d) => ({ code: d.code, line: d.span!.line, col: d.span!.col }));
}

/** Where `needle` starts in `text` (its `nth` occurrence), 1-based. */
function at(text: string, needle: string, nth = 1): { line: number; col: number } {
  let i = -1;
  for (let n = 0; n < nth; n++) {
    i = text.indexOf(needle, i + 1);
    if (i < 0) throw new Error(`"${needle}" not in text`);
  }
  const before = text.slice(0, i).split('\n');
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}

function expectOne(text: string, code: string, needle: string, nth = 1): Diagnostic {
  const r = loadRequirementSet(text, 'x.yaml');
  expect(found(text), 'errors').to.deep.equal([{ code, ...at(text, needle, nth) }]);
  expect(r.set).to.equal(undefined);
  const d = r.diagnostics.find((x) => x.severity === 'error')!;
  expect(d.hint, 'hint').to.be.a('string').and.not.equal('');
  expect(d.span!.file).to.equal('x.yaml');
  return d;
}

describe('loadRequirementSet: code and position of each error', () => {
  it('accepts the base file', () => {
    const r = loadRequirementSet(file(row('registry.example.com')), 'x.yaml');
    expect(r.diagnostics).to.deep.equal([]);
    expect(r.set!.requirements).to.have.length(1);
  });

  it('unknown key: at the key, with the nearest valid key; the key it misspells is not also reported missing', () => {
    const text = file(`  - id: a\n    destinations: [a.example.com]\n    ports: [https:443]\n    provenence: { line: 1 }\n`);
    expect(expectOne(text, 'SCHEMA_UNKNOWN_KEY', 'provenence').hint).to.equal('did you mean "provenance"?');
    const unrelated = file(`  - id: a\n    destinations: [a.example.com]\n    ports: [https:443]\n    colour: red\n`);
    expect(found(unrelated)).to.deep.equal([
      { code: 'SCHEMA_REQUIRED', ...at(unrelated, 'id: a') },
      { code: 'SCHEMA_UNKNOWN_KEY', ...at(unrelated, 'colour') },
    ]);
  });

  it('unknown key inside an endpoint: the key, not every anyOf branch', () => {
    const text = file(row('{ hots: a.example.com }'));
    expect(found(text)).to.deep.equal([{ code: 'SCHEMA_UNKNOWN_KEY', ...at(text, 'hots') }]);
  });

  it('errors in one endpoint do not hide the errors of the others', () => {
    const text = file(row('42, { hots: a.example.com }, { host: a.example.com, match: exakt }'));
    expect(found(text)).to.deep.equal([
      { code: 'SCHEMA_TYPE', ...at(text, '42') },
      { code: 'SCHEMA_UNKNOWN_KEY', ...at(text, 'hots') },
      { code: 'SCHEMA_ENUM', ...at(text, 'exakt') },
    ]);
  });

  it('FQDN: a label over 63 octets; 63 is fine', () => {
    expect(found(file(row(`${'a'.repeat(63)}.example.com`)))).to.deep.equal([]);
    const text = file(row(`ok.example.com, ${'a'.repeat(64)}.example.com`));
    expect(expectOne(text, 'MODEL_FQDN', 'aaaa').params.reason).to.equal('label-length');
  });

  it('FQDN: a name over 253 octets; 253 is fine', () => {
    const name = (n: number) => `${'a.'.repeat((n - 3) / 2)}com`;
    expect(name(253)).to.have.length(253);
    expect(found(file(row(name(253))))).to.deep.equal([]);
    const text = file(row(`ok.example.com, x${name(253)}`));
    expect(expectOne(text, 'MODEL_FQDN', 'xa.a').params.reason).to.equal('name-length');
  });

  it('FQDN: a character outside letters, digits, hyphens and dots', () => {
    const text = file(row('ok.example.com, my_host.example.com'));
    expect(expectOne(text, 'MODEL_FQDN', 'my_host').params.character).to.equal('_');
  });

  it('FQDN: a URL is a host with a scheme; the hint gives the host', () => {
    const text = file(row('"https://Data.example.com:8443/v2/"'));
    expect(expectOne(text, 'MODEL_FQDN', '"https').hint).to.contain('"data.example.com"');
  });

  it('FQDN: an empty label', () => {
    expectOne(file(row('a..example.com')), 'MODEL_FQDN', 'a..');
    expectOne(file(row('.example.com')), 'MODEL_FQDN', '.example');
  });

  it('FQDN: "*" anywhere but a leading "*." or inside the leftmost label', () => {
    for (const ok of ['"*.example.com"', '"a*.example.com"', '"*example.com"', '"a*b.example.com"', '"foo*.com"']) expect(found(file(row(ok))), ok).to.deep.equal([]);
    const cases: [string, string][] = [
      ['"a.*.example.com"', 'wildcard-position'],
      ['"example.*"', 'wildcard-position'],
      ['"*.a*.example.com"', 'wildcard-position'],
      ['"a.b*.example.com"', 'wildcard-position'],
      ['"a*b*.example.com"', 'wildcard-count'],
      ['"**.example.com"', 'wildcard-count'],
      ['"azgn*"', 'wildcard-suffix'],
      ['"azgn*."', 'wildcard-suffix'],
      ['"-*.example.com"', 'label-hyphen'],
      ['"a*-.example.com"', 'label-hyphen'],
      ['"a_*.example.com"', 'character'],
    ];
    for (const [bad, reason] of cases) expect(expectOne(file(row(bad)), 'MODEL_FQDN', bad).params.reason, bad).to.equal(reason);
  });

  it('IDN: converted to ASCII with a note at the value', () => {
    const text = file(row('ok.example.com, bücher.example'));
    const r = loadRequirementSet(text, 'x.yaml');
    expect(found(text)).to.deep.equal([]);
    expect(found(text, 'note')).to.deep.equal([{ code: 'MODEL_IDN', ...at(text, 'bücher') }]);
    expect(r.set!.requirements[0]!.destinations.map((d) => d.kind === 'host' && d.name)).to.deep.equal(['ok.example.com', 'xn--bcher-kva.example']);
  });

  it('IDN: a template keeps its placeholders when converted', () => {
    const text = file(row('"{r}.bücher.example"'), 'parameters:\n  r: { kind: string }\n');
    const r = loadRequirementSet(text, 'x.yaml');
    const d = r.set!.requirements[0]!.destinations[0]!;
    expect(d.kind === 'host' && d.name).to.equal('{r}.xn--bcher-kva.example');
    expect(r.diagnostics[0]!.message).to.contain('"{r}.xn--bcher-kva.example"');
  });

  it('IDN: rejected when IDNA has no ASCII form, and bad punycode', () => {
    expectOne(file(row('ok.example.com, "\\u0301a.example.com"')), 'MODEL_IDN', '"\\u0301');
    expectOne(file(row('xn--a.example.com')), 'MODEL_IDN', 'xn--a');
  });

  it('CIDR with host bits set: the hint is the network address', () => {
    const text = file(row('{ cidr: 10.20.30.40/16 }'));
    const d = expectOne(text, 'MODEL_CIDR_HOST_BITS', '10.20');
    expect(d.hint).to.contain('10.20.0.0/16');
    expect(expectOne(file(row('"2001:db8::1/32"')), 'MODEL_CIDR_HOST_BITS', '"2001').hint).to.contain('2001:db8::/32');
  });

  it('CIDR: extra slashes and bad prefix lengths are not prefixes', () => {
    expectOne(file(row('10.0.0.0/8/9')), 'MODEL_CIDR', '10.0');
    expectOne(file(row('10.0.0.0/33')), 'MODEL_CIDR', '10.0');
  });

  it('port 0 and ports over 65535, at the port', () => {
    const p = (ports: string) => `  - id: a\n    destinations: [a.example.com]\n    ports: [${ports}]\n    provenance: {}\n`;
    expectOne(file(p('https:443, "tcp:0"')), 'MODEL_PORT', '"tcp:0"');
    expectOne(file(p('https:443, udp:65536')), 'MODEL_PORT', 'udp:65536');
    expectOne(file(p('tcp:8000-70000')), 'MODEL_PORT', 'tcp:8000');
    expect(found(file(p('tcp:1, tcp:65535, tcp:1-65535')))).to.deep.equal([]);
  });

  it('a reversed port range', () => {
    const text = file(`  - id: a\n    destinations: [a.example.com]\n    ports: [https:443, tcp:9000-8000]\n    provenance: {}\n`);
    expect(expectOne(text, 'MODEL_PORT_RANGE', 'tcp:9000').hint).to.contain('tcp:8000-9000');
  });

  it('a port that breaks both the schema pattern and the port grammar is reported once', () => {
    const text = file(`  - id: a\n    destinations: [a.example.com]\n    ports: [tcp:1-2-3]\n    provenance: {}\n`);
    expectOne(text, 'MODEL_PORT', 'tcp:1-2-3');
  });

  it('a port given as a number: the hint writes it as "tcp:443"', () => {
    const text = file(`  - id: a\n    destinations: [a.example.com]\n    ports: [443]\n    provenance: {}\n`);
    expect(expectOne(text, 'SCHEMA_TYPE', '443').hint).to.contain('"tcp:443"');
    const list = file(`  - id: a\n    destinations: [a.example.com]\n    ports: 443\n    provenance: {}\n`);
    expect(expectOne(list, 'SCHEMA_TYPE', '443').hint).to.contain('"tcp:443"');
  });

  it('an unknown {parameter}, in a host and in a service tag region', () => {
    const head = 'parameters:\n  region: { kind: string }\n';
    expect(expectOne(file(row('"{regoin}.example.com"'), head), 'MODEL_UNKNOWN_PARAMETER', '"{regoin}').hint).to.equal('did you mean "region"?');
    expectOne(file(row('{ serviceTag: AzureCloud, region: "{zone}" }'), head), 'MODEL_UNKNOWN_PARAMETER', '"{zone}"');
  });

  it('a <region> placeholder: the hint writes it as {region}', () => {
    const head = 'parameters:\n  region: { kind: string }\n';
    const d = expectOne(file(row('"<region>.example.com"'), head), 'MODEL_FQDN', '"<region>');
    expect(d.hint).to.contain('"{region}.example.com"');
    expect(expectOne(file(row('"<zone>.example.com"'), head), 'MODEL_FQDN', '"<zone>').hint).to.contain('declare zone under `parameters:`');
  });

  it('an unknown endpoint group, at the group name', () => {
    const text = file(row('a.example.com', '    sources: [{ group: node }]\n'), 'groups:\n  nodes: { title: Nodes }\n');
    expect(expectOne(text, 'MODEL_UNKNOWN_GROUP', 'node }').hint).to.equal('did you mean "nodes"?');
  });

  it('a duplicate requirement id, at the second id', () => {
    const text = file(row('a.example.com', '', 'x') + row('b.example.com', '', 'y') + row('c.example.com', '', 'x'));
    const d = expectOne(text, 'MODEL_DUPLICATE_ID', 'x\n', 2);
    expect(d.message).to.contain(`line ${at(text, 'x\n').line}`);
  });

  it('a value outside an enumeration lists the allowed ones', () => {
    const text = file(row('a.example.com', '    direction: outgoing\n'));
    const d = expectOne(text, 'SCHEMA_ENUM', 'outgoing');
    expect(d.message).to.contain('outbound, inbound, internal');
    expect(expectOne(file(row('{ host: a.example.com, match: subdomain }')), 'SCHEMA_ENUM', 'subdomain }').hint).to.equal('did you mean "subdomains"?');
  });

  it('a missing required key: at the mapping that lacks it', () => {
    const text = file(`  - id: a\n    destinations: [a.example.com]\n    provenance: {}\n`);
    expectOne(text, 'SCHEMA_REQUIRED', 'id: a');
  });

  it('a key with no value: at the key, not the end of its line', () => {
    const text = file(`  - id: a\n    destinations: [a.example.com]\n    ports: [https:443]\n    provenance:\n`);
    expectOne(text, 'SCHEMA_TYPE', 'provenance:');
  });

  it('a bad name among parameters: at that name', () => {
    const text = file(row('a.example.com'), 'parameters:\n  region: { kind: string }\n  Bad_Name: { kind: string }\n');
    expectOne(text, 'SCHEMA_PATTERN', 'Bad_Name');
  });

  it('a list with too few entries says how many it needs', () => {
    const text = file(row('a.example.com'), 'options:\n  cloud: { values: [public], default: public }\n');
    expect(expectOne(text, 'SCHEMA_INVALID', '[public]').message).to.contain('at least 2');
  });

  it('YAML syntax: an unclosed flow list, at its "["', () => {
    const text = file(`  - id: a\n    destinations: [a.example.com\n    ports: [https:443]\n    provenance: {}\n`);
    expectOne(text, 'LOAD_YAML_SYNTAX', '[a.example');
  });

  it('YAML syntax: a tab used as indentation, at the tab', () => {
    const text = file(`  - id: a\n\tdestinations: [a.example.com]\n`);
    expectOne(text, 'LOAD_YAML_SYNTAX', '\tdest');
  });

  it('YAML: an alias with no anchor, at the alias', () => {
    expectOne(file(row('*nope')), 'LOAD_YAML_SYNTAX', '*nope');
  });

  it('YAML: a duplicate key, at the second one, naming the first line', () => {
    const text = file(`  - id: a\n    destinations: [a.example.com]\n    ports: [https:443]\n    ports: [https:8443]\n    provenance: {}\n`);
    const d = expectOne(text, 'LOAD_DUPLICATE_KEY', 'ports', 2);
    expect(d.message).to.equal(`key "ports" is given twice; the first is on line ${at(text, 'ports').line}`);
  });

  it('JSON input: positions point into the JSON text', () => {
    const text = JSON.stringify({ id: 'demo', title: 'Demo', source: { document: 'd' }, requirements: [{ id: 'a', destinations: ['a_b.example.com'], ports: ['tcp:0'], provenance: {}, colour: 1 }] }, null, 2);
    expect(found(text)).to.deep.equal([
      { code: 'MODEL_FQDN', ...at(text, '"a_b') },
      { code: 'MODEL_PORT', ...at(text, '"tcp:0"') },
      { code: 'SCHEMA_UNKNOWN_KEY', ...at(text, '"colour"') },
    ]);
  });

  it('reports every error in a file, sorted by line then column', () => {
    const text = file(row('a_b.example.com, "{nope}.example.com"', '    direction: outbund\n') + row('c..example.com', '', 'a'));
    const all = found(text);
    expect(all.map((f) => f.code)).to.deep.equal(['MODEL_FQDN', 'MODEL_UNKNOWN_PARAMETER', 'SCHEMA_ENUM', 'MODEL_DUPLICATE_ID', 'MODEL_FQDN']);
    const sorted = [...all].sort((x, y) => x.line - y.line || x.col - y.col);
    expect(all).to.deep.equal(sorted);
  });

  it('CRLF, CR and a BOM give the same diagnostics as LF', () => {
    const text = file(row('a_b.example.com, "{nope}.example.com"', '    direction: outbund\n') + row('c..example.com', '', 'a'));
    const plain = loadRequirementSet(text, 'x.yaml').diagnostics;
    expect(plain).to.have.length(5);
    for (const variant of [text.replace(/\n/g, '\r\n'), text.replace(/\n/g, '\r'), '\uFEFF' + text, '\uFEFF' + text.replace(/\n/g, '\r\n')]) {
      expect(loadRequirementSet(variant, 'x.yaml').diagnostics).to.deep.equal(plain);
    }
  });

  it('never puts a stack trace in a message or hint', () => {
    for (const name of cases()) {
      const dir = join(fixtures, name);
      const input = existsSync(join(dir, 'input.json')) ? 'input.json' : 'input.yaml';
      const r = loadRequirementSet(readFileSync(join(dir, input), 'utf8'), input);
      expect(formatDiagnostics(r.diagnostics), name).not.to.match(STACK);
    }
  });
});

describe('fwgen binary (child process)', () => {
  const bin = join(root, 'bin/fwgen.js');
  const run = async (args: string[], cwd: string) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], { cwd, env: { ...process.env, FWGEN_DEBUG: '' } });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };

  before(function () {
    if (!existsSync(join(root, 'dist/cli/main.js'))) this.skip();
  });

  it('validate on a bad file: exit 2, the same lines as in-process, no stack trace', async () => {
    const dir = join(fixtures, 'several-errors');
    const r = await run(['validate', 'input.yaml'], dir);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.equal(readFileSync(join(dir, 'expected.stderr'), 'utf8'));
    expect(r.stdout).to.equal('');
    expect(r.stderr).not.to.match(STACK);
  });

  it('validate on good files counts their requirements: 1 requirement, 4 requirements', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fwgen-validate-'));
    try {
      writeFileSync(join(dir, 'one.yaml'), 'id: one\ntitle: One\nsource: { document: d }\nrequirements:\n  - id: a\n    destinations: [api.example.com]\n    ports: [https:443]\n    provenance: { line: 1 }\n');
      const one = await run(['validate', 'one.yaml'], dir);
      expect(one.stdout, one.stderr).to.equal('one.yaml: ok, 1 requirement in set "one"\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const many = await run(['validate', 'catalogs/mcr.yaml'], root);
    expect(many.stdout).to.equal('catalogs/mcr.yaml: ok, 4 requirements in set "mcr"\n');
  });

  it('an unknown command: exit 2 with a usage message', async () => {
    const r = await run(['nosuchcommand'], root);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/^fwgen: error\[USAGE\]: .*nosuchcommand/);
    expect(r.stderr).to.contain('hint: run `fwgen --help`');
    expect(r.stderr).not.to.match(STACK);
  });

  it('show without a source: exit 2, one usage message, and the command does not run', async () => {
    const r = await run(['show'], root);
    expect(r.code).to.equal(2);
    expect(r.stderr.match(/error\[/g)).to.have.length(1);
    expect(r.stderr).to.contain('hint: usage: fwgen show <source>');
    expect(r.stdout).to.equal('');
  });

  it('validate without files: exit 2', async () => {
    const r = await run(['validate'], root);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('usage: fwgen validate <files..>');
  });

  it('a flag without its value: exit 2 with a usage message, not a yargs stack trace', async () => {
    const r = await run(['show', 'input.yaml', '--param'], join(fixtures, 'show-missing-parameter'));
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/^fwgen: error\[USAGE\]: .*param/);
    expect(r.stderr).not.to.match(STACK);
  });
});

describe('formatDiagnostics', () => {
  it('prints a control character quoted from the input as an escape, on one line', () => {
    const text = file(row('a.example.com', '    direction: "out\\e[2J\\nbound"\n'));
    const out = formatDiagnostics(loadRequirementSet(text, 'x.yaml').diagnostics);
    expect(out).to.contain('is "out\\u{1b}[2J bound"');
    expect(out).not.to.match(/[\u0000-\u0009\u000b-\u001f]/);
    expect(out.split('\n')).to.have.length(3);
  });

  it('prints a bidi control quoted from the input as an escape, so the text shows in its own order', () => {
    const text = file(row('a.example.com', '    direction: "out\\u202ebound\\u2066x"\n'));
    const out = formatDiagnostics(loadRequirementSet(text, 'x.yaml').diagnostics);
    expect(out).to.contain('is "out\\u{202e}bound\\u{2066}x"');
    expect(out).not.to.match(/[\u202a-\u202e\u2066-\u2069]/);
  });
});
