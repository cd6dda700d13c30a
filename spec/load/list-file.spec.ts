import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, loadRequirementFile, loadRequirementSet } from 'fwgen';
import { runCli } from '../helpers/cli.js';

const requirementFile = (list: string, extra = '') => `id: listed
title: Listed prefixes
source: { document: vendor.txt }
options:
  mirror: { default: false }
requirements:
  - id: allow
    ports: [tcp:443]
    provenance: { line: 3 }
    destinations:
      - list: ${list}${extra}
`;

describe('list files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fwgen-list-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads one CIDR or name a line, beside the requirement file, with comments and blank lines', async () => {
    mkdirSync(join(dir, 'vendor', 'lists'), { recursive: true });
    writeFileSync(join(dir, 'vendor', 'policy.yaml'), requirementFile('lists/prefixes.txt'));
    writeFileSync(join(dir, 'vendor', 'lists', 'prefixes.txt'), '# vendor ranges, 2026-12\n10.0.0.0/25\n\n  10.0.0.128/25   # second half\nexample.com\n*.cdn.example.com\r\n');
    const loaded = await loadRequirementFile(join(dir, 'vendor', 'policy.yaml'));
    expect(loaded.diagnostics).to.deep.equal([]);
    const dests = loaded.set!.requirements[0]!.destinations;
    expect(dests.map((d) => (d.kind === 'cidr' ? d.cidr : d.kind === 'host' ? `${d.match}:${d.name}` : d.kind))).to.deep.equal(['10.0.0.0/25', '10.0.0.128/25', 'exact:example.com', 'subdomains:cdn.example.com']);
    expect(dests[1]!.span).to.include({ file: join(dir, 'vendor', 'lists', 'prefixes.txt'), line: 4, col: 3 });
    expect(loaded.listFiles).to.deep.equal([join(dir, 'vendor', 'lists', 'prefixes.txt')]);
    // Aggregated like any destinations: the two halves are one /24 in the rules.
    const r = await compile({ files: [join(dir, 'vendor', 'policy.yaml')], target: 'nftables' });
    expect(r.files[0]!.contents).to.contain('10.0.0.0/24');
  });

  it('names the list file, line and column of a bad entry, and exits 2 with no output file', async () => {
    writeFileSync(join(dir, 'policy.yaml'), requirementFile('prefixes.txt'));
    writeFileSync(join(dir, 'prefixes.txt'), ['10.0.0.0/8', ...Array.from({ length: 4709 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`), '  192.168.1.7/24', 'a.example.com b.example.com', 'bad_name!.com'].join('\n') + '\n');
    const r = await runCli(['emit', '--file', 'policy.yaml', '--target', 'nftables', '--out', 'out.nft'], { cwd: dir });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('prefixes.txt:4711:3: error[MODEL_CIDR_HOST_BITS]: "192.168.1.7/24" has host bits set');
    expect(r.stderr).to.contain('prefixes.txt:4712:1: error[LOAD_LIST]: line holds more than one entry');
    expect(r.stderr).to.match(/prefixes\.txt:4713:1: error\[MODEL_FQDN\]: "bad_name!\.com" contains "_"/);
    expect(r.stderr).not.to.match(/^\s{4}at /m);
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(dir, 'out.nft'))).to.equal(false);
  });

  it('refuses paths outside the requirement file\'s folder, and says when a list is missing or empty', async () => {
    const cases: [string, RegExp][] = [
      ['../secret.txt', /policy\.yaml:11:15: error\[LOAD_LIST\]: list file "\.\.\/secret\.txt" leaves the requirement file's folder/],
      ['/etc/passwd', /policy\.yaml:11:15: error\[LOAD_LIST\]: list file "\/etc\/passwd" is an absolute path/],
      ['missing.txt', /policy\.yaml:11:15: error\[LOAD_LIST\]: cannot read list file missing\.txt: no such file/],
      ['empty.txt', /policy\.yaml:11:15: error\[LOAD_LIST\]: list file empty\.txt has no entries/],
    ];
    writeFileSync(join(dir, 'empty.txt'), '# nothing yet\n\n');
    for (const [path, expected] of cases) {
      writeFileSync(join(dir, 'policy.yaml'), requirementFile(path));
      const r = await runCli(['validate', 'policy.yaml'], { cwd: dir });
      expect(r.code, path).to.equal(2);
      expect(r.stderr, path).to.match(expected);
    }
  });

  it('applies the entry\'s `when` to every line, and refuses `match` on a list', async () => {
    writeFileSync(join(dir, 'prefixes.txt'), '10.1.0.0/16\n10.2.0.0/16\n');
    writeFileSync(join(dir, 'policy.yaml'), requirementFile('prefixes.txt', '\n        when: { mirror: true }'));
    const off = await compile({ files: [join(dir, 'policy.yaml')], target: 'nftables' });
    expect(off.files[0]!.contents).not.to.contain('10.1.0.0/16');
    const on = await compile({ files: [join(dir, 'policy.yaml')], target: 'nftables', options: { mirror: 'true' } });
    expect(on.files[0]!.contents).to.contain('10.1.0.0/16').and.contain('10.2.0.0/16');
    writeFileSync(join(dir, 'policy.yaml'), requirementFile('prefixes.txt', '\n        match: subdomains'));
    const r = await runCli(['validate', 'policy.yaml'], { cwd: dir });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/policy\.yaml:12:9: error\[SCHEMA_INVALID\]: `match` does not apply to a list/);
  });

  it('is given to loadRequirementSet by the caller, which stays free of I/O', () => {
    const text = requirementFile('p.txt');
    const without = loadRequirementSet(text, 'policy.yaml');
    expect(without.diagnostics.map((d) => d.message)).to.deep.equal(['list file "p.txt" was not read']);
    const withList = loadRequirementSet(text, 'policy.yaml', new Map([['p.txt', { file: 'p.txt', text: '192.0.2.0/24\n' }]]));
    expect(withList.diagnostics).to.deep.equal([]);
    expect(withList.set!.requirements[0]!.destinations[0]).to.include({ kind: 'cidr', cidr: '192.0.2.0/24' });
  });
});
