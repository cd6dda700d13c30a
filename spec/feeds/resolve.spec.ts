import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

const SET = `id: backends
title: Cloud backends
source: { document: spec }
parameters:
  region: { kind: string }
requirements:
  - id: s3
    destinations:
      - { addressFeed: aws, service: S3, region: '{region}' }
    ports: [https:443]
    provenance: { line: 1 }
  - id: gke
    destinations:
      - { addressFeed: gcp, scope: us-central1 }
    ports: [https:443]
    provenance: { line: 2 }
  - id: hooks
    direction: inbound
    sources:
      - { addressFeed: github, key: hooks }
    destinations: [10.0.0.10/32]
    ports: [https:443]
    provenance: { line: 3 }
`;

describe('address feeds: addressFeed endpoints, --feed, fwgen.yaml feeds and fwgen feed diff', function () {
  let dir: string;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'fwgen-feeds-'));
    for (const f of ['ip-ranges.json', 'ip-ranges-next.json', 'cloud.json', 'meta.json']) cpSync(join(fixtures, f), join(dir, f));
    writeFileSync(join(dir, 'set.yaml'), SET);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const feeds = ['--feed', 'aws=ip-ranges.json', '--feed', 'gcp=cloud.json', '--feed', 'github=meta.json'];
  const today = { ...process.env, FWGEN_TODAY: '2025-11-01' };

  it('resolves each feed to its aggregated prefixes and names every feed file and id in the header', async function () {
    const r = await runCli(['emit', '--file', 'set.yaml', '--target', 'nftables', '--param', 'region=us-east-1', ...feeds], { cwd: dir, env: today });
    // Only the note that GitHub's meta has no date: no warning, and no error.
    expect(r.stderr.split('\n').filter((l) => /^\S/.test(l))).to.deep.equal([
      'fwgen: note[FEED_UNDATED]: meta.json (github, sha256 343c869b0d35cf6c) carries no publication date, so its age is not checked',
      'nftables: 3 requirements',
    ]);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.contain('# Address feed aws: ip-ranges.json (syncToken 1761862386, 2025-10-30)');
    expect(r.stdout).to.contain('# Address feed gcp: cloud.json (syncToken 1761822289207, 2025-10-30)');
    expect(r.stdout).to.match(/# Address feed github: meta\.json \(sha256 [0-9a-f]{16}\)/);
    for (const p of ['52.216.0.0/15', '2600:1ff8:e000::/40', '34.16.0.0/16', '192.30.252.0/22', '2a0a:a440::/29']) expect(r.stdout).to.contain(p);
    // Aggregated: the two /16s of the file are not written.
    expect(r.stdout).to.not.contain('52.217.0.0/16');
  });

  it('without the feed file: an error at the endpoint, exit 2, naming --feed', async function () {
    const r = await runCli(['emit', '--file', 'set.yaml', '--target', 'nftables', '--param', 'region=us-east-1', '--feed', 'gcp=cloud.json', '--feed', 'github=meta.json'], { cwd: dir, env: today });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('set.yaml:9:9: error[FEED_MISSING]: backends/s3: addressFeed aws service S3 region us-east-1 needs the aws feed file');
    expect(r.stderr).to.contain('--feed aws=FILE');
  });

  it('a region the feed does not have: an error with the regions it has', async function () {
    const r = await runCli(['emit', '--file', 'set.yaml', '--target', 'nftables', '--param', 'region=us-east-9', ...feeds], { cwd: dir, env: today });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('set.yaml:9:9: error[FEED_NO_REGION]: backends/s3: service S3 has no prefixes in region "us-east-9" in ip-ranges.json');
    expect(r.stderr).to.contain('did you mean us-east-1?');
  });

  it('an old feed gives FEED_STALE on stderr only: the output is the same bytes whatever today is', async function () {
    const args = ['emit', '--file', 'set.yaml', '--target', 'iptables', '--param', 'region=us-east-1', '--out', 'out', ...feeds];
    const fresh = await runCli([...args.slice(0, -8), '--out', 'a', ...feeds], { cwd: dir, env: today });
    const old = await runCli([...args.slice(0, -8), '--out', 'b', ...feeds], { cwd: dir, env: { ...process.env, FWGEN_TODAY: '2026-06-01' } });
    expect(fresh.code).to.equal(0);
    expect(old.code).to.equal(0);
    expect(fresh.stderr).to.not.contain('FEED_STALE');
    expect(old.stderr).to.contain('warning[FEED_STALE]: ip-ranges.json (aws, syncToken 1761862386, published 2025-10-30) is 214 days old');
    expect(old.stderr).to.contain('warning[FEED_STALE]: cloud.json');
    expect(old.stderr).to.contain('note[FEED_UNDATED]: meta.json');
    expect(readFileSync(join(dir, 'b', 'iptables.rules'), 'utf8')).to.equal(readFileSync(join(dir, 'a', 'iptables.rules'), 'utf8'));
    const off = await runCli([...args.slice(0, -8), '--out', 'c', '--max-feed-age', '0', ...feeds], { cwd: dir, env: { ...process.env, FWGEN_TODAY: '2026-06-01' } });
    expect(off.stderr).to.not.match(/FEED_STALE|FEED_UNDATED/);
  });

  it('a broken feed file stops the emit with the file:line:col of the bad prefix', async function () {
    cpSync(join(fixtures, 'broken', 'aws-bad-prefix.json'), join(dir, 'bad.json'));
    const r = await runCli(['emit', '--file', 'set.yaml', '--target', 'nftables', '--param', 'region=us-east-1', '--feed', 'aws=bad.json', '--feed', 'gcp=cloud.json', '--feed', 'github=meta.json'], { cwd: dir, env: today });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('bad.json:12:20: error[FEED_FILE]: $.prefixes[1].ip_prefix: "52.216.0.1/15" is not a valid prefix');
    expect(r.stdout).to.equal('');
  });

  it('requirement files: keys a feed does not take, a missing key, keys of a feed on another endpoint, an unknown feed', async function () {
    writeFileSync(
      join(dir, 'bad.yaml'),
      `id: bad
title: Bad
source: { document: spec }
requirements:
  - id: a
    destinations:
      - { addressFeed: aws, service: S3, scope: us-central1 }
      - { addressFeed: github }
      - { host: example.com, service: S3 }
      - { addressFeed: azure, service: Storage }
    ports: [https:443]
    provenance: { line: 1 }
`,
    );
    const r = await runCli(['validate', 'bad.yaml'], { cwd: dir });
    expect(r.code).to.equal(2);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('bad.yaml'));
    expect(lines).to.deep.equal([
      'bad.yaml:7:42: error[SCHEMA_INVALID]: addressFeed aws does not take `scope`',
      'bad.yaml:8:9: error[SCHEMA_REQUIRED]: addressFeed github needs `key:`',
      'bad.yaml:9:30: error[SCHEMA_INVALID]: `service` applies only to an `addressFeed:` endpoint',
      lines[3]!,
    ]);
    expect(lines[3]).to.match(/^bad\.yaml:10:24: error\[SCHEMA_ENUM\]: .*"azure", which is not one of: aws, gcp, github/);
  });

  it('fwgen.yaml feeds: give every output its feeds; generate names them and check finds the outputs current', async function () {
    writeFileSync(
      join(dir, 'fwgen.yaml'),
      `feeds:
  aws: ip-ranges.json
  gcp: cloud.json
  github: meta.json
outputs:
  - path: out/egress.nft
    target: nftables
    files: [set.yaml]
    params: { region: eu-west-1 }
`,
    );
    const env = { ...today, XDG_CACHE_HOME: join(dir, 'cache') };
    const g = await runCli(['generate'], { cwd: dir, env });
    expect(g.stderr).to.contain('wrote out/egress.nft');
    expect(g.code).to.equal(0);
    const out = readFileSync(join(dir, 'out', 'egress.nft'), 'utf8');
    expect(out).to.contain('# Address feed aws: ip-ranges.json (syncToken 1761862386, 2025-10-30)');
    expect(out).to.contain('52.218.0.0/17');
    const c = await runCli(['check', '--full'], { cwd: dir, env });
    expect(c.code).to.equal(0);
    // A new feed file changes the outputs: check fails (the state test below covers the fast path).
    cpSync(join(dir, 'ip-ranges-next.json'), join(dir, 'ip-ranges.json'));
    const stale = await runCli(['check'], { cwd: dir, env });
    expect(stale.code).to.equal(1);
  });

  it('the library: compile() takes loaded feeds as `feeds`, like the CLI', async function () {
    const { compile, loadFeedFile } = await import('../../lib/index.js');
    const aws = await loadFeedFile('aws', join(dir, 'ip-ranges-next.json'));
    const gcp = await loadFeedFile('gcp', join(dir, 'cloud.json'));
    const github = await loadFeedFile('github', join(dir, 'meta.json'));
    const r = await compile({ files: [join(dir, 'set.yaml')], params: { region: 'us-east-1' }, target: 'nftables', feeds: { aws: aws.data!, gcp: gcp.data!, github: github.data! } });
    expect(r.files[0]!.contents).to.contain('# Address feed aws: ip-ranges-next.json (syncToken 1762380786, 2025-11-05)');
    expect(r.files[0]!.contents).to.contain('54.231.128.0/18');
  });

  it('a compile cache shared by calls with different feed files expands each with its own', async function () {
    const { compile, loadFeedFile } = await import('../../lib/index.js');
    const { newCompileCache } = await import('../../lib/compile.js');
    const cache = newCompileCache();
    const run = async (file: string) => {
      const aws = await loadFeedFile('aws', join(dir, file));
      const gcp = await loadFeedFile('gcp', join(dir, 'cloud.json'));
      const github = await loadFeedFile('github', join(dir, 'meta.json'));
      return (await compile({ files: [join(dir, 'set.yaml')], params: { region: 'us-east-1' }, target: 'nftables', feeds: { aws: aws.data!, gcp: gcp.data!, github: github.data! } }, cache)).files[0]!.contents;
    };
    const first = await run('ip-ranges.json');
    const next = await run('ip-ranges-next.json');
    expect(first).to.contain('# Address feed aws: ip-ranges.json ');
    expect(next).to.contain('# Address feed aws: ip-ranges-next.json ');
    expect(next).to.contain('54.231.128.0/18');
    expect(await run('ip-ranges.json')).to.equal(first);
  });

  it("with the state of the last render: the fast path still warns by today's date, and a new feed file renders again", async function () {
    // The built CLI, as spec/project/check-state.spec.ts runs it: only a build records the state.
    const bin = fileURLToPath(new URL('../../bin/fwgen.js', import.meta.url));
    const project = mkdtempSync(join(tmpdir(), 'fwgen-feeds-state-'));
    try {
      for (const f of ['ip-ranges.json', 'ip-ranges-next.json', 'cloud.json', 'meta.json']) cpSync(join(fixtures, f), join(project, f));
      writeFileSync(join(project, 'set.yaml'), SET);
      writeFileSync(join(project, 'fwgen.yaml'), 'feeds: { aws: ip-ranges.json, gcp: cloud.json, github: meta.json }\noutputs:\n  - { path: out.nft, target: nftables, files: [set.yaml], params: { region: us-east-1 } }\n');
      const fwgen = (today: string, ...args: string[]) => {
        const r = spawnSync(process.execPath, [bin, ...args], { cwd: project, encoding: 'utf8', timeout: 60_000, env: { ...process.env, FWGEN_CACHE_DIR: join(project, 'cache'), FWGEN_TODAY: today } });
        return { code: r.status, stderr: r.stderr };
      };
      // A state is recorded only for inputs settled before the render (check-state's RACY_MS).
      await new Promise((r) => setTimeout(r, 1600));
      expect(fwgen('2025-11-01', 'generate').code).to.equal(0);
      const fast = fwgen('2026-06-01', 'check');
      expect(fast.code).to.equal(0);
      expect(fast.stderr).to.contain('nothing rendered');
      expect(fast.stderr).to.contain('warning[FEED_STALE]: ip-ranges.json (aws, syncToken 1761862386, published 2025-10-30) is 214 days old');
      expect(fast.stderr).to.contain('note[FEED_UNDATED]: meta.json');
      cpSync(join(project, 'ip-ranges-next.json'), join(project, 'ip-ranges.json'));
      const changed = fwgen('2025-11-01', 'check');
      expect(changed.code, changed.stderr).to.equal(1);
      expect(changed.stderr).to.not.contain('nothing rendered');
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  describe('fwgen feed diff', function () {
    it('lists the prefixes each service and region gained and lost, minimal, and exits 1 when anything changed', async function () {
      const r = await runCli(['feed', 'diff', join(fixtures, 'ip-ranges.json'), join(fixtures, 'ip-ranges-next.json')], { cwd: dir });
      expect(r.code).to.equal(1);
      expect(r.stdout.split('\n').slice(2)).to.deep.equal(['S3 us-east-1: 2 gained, 1 lost', '+ 52.92.16.0/20', '+ 54.231.160.0/19', '- 16.15.176.0/20', '']);
      expect(r.stdout.split('\n')[0]).to.equal('--- ip-ranges.json (aws, syncToken 1761862386, 2025-10-30)');
      expect(r.stderr).to.equal('fwgen feed diff: 1 changed, 5 unchanged (by service and region)\n');
    });

    it('--service and --region keep only those; no change exits 0', async function () {
      const r = await runCli(['feed', 'diff', join(fixtures, 'ip-ranges.json'), join(fixtures, 'ip-ranges-next.json'), '--service', 'EC2'], { cwd: dir });
      expect(r.code).to.equal(0);
      expect(r.stderr).to.equal('fwgen feed diff: 0 changed, 1 unchanged (by service and region)\n');
      const j = await runCli(['feed', 'diff', join(fixtures, 'ip-ranges.json'), join(fixtures, 'ip-ranges-next.json'), '--service', 's3', '--region', 'us-east-1', '--format', 'json'], { cwd: dir });
      expect(JSON.parse(j.stdout).changes).to.deep.equal([{ service: 'S3', region: 'us-east-1', status: 'changed', gained: ['52.92.16.0/20', '54.231.160.0/19'], lost: ['16.15.176.0/20'] }]);
    });

    it('tells the feed from the file and refuses two different feeds', async function () {
      const r = await runCli(['feed', 'diff', join(fixtures, 'ip-ranges.json'), join(fixtures, 'cloud.json')], { cwd: dir });
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('is the aws feed and');
    });
  });
});
