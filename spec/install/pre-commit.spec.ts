/**
 * The hooks in .pre-commit-hooks.yaml, run by the real pre-commit framework from a clone of this repository at its
 * HEAD commit, in a throw-away git repository the way a user sets them up. pre-commit's node language runs
 * `npm install` and `npm pack` in the hook repository and installs the tarball; that happens once, in `before`.
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, requireEngines } from '../helpers/engines.js';
import { cloneHead, repoRoot, seconds, sh, shOk, userEnv, writeGitConfig, type Ran } from '../helpers/install.js';

const fwgenYaml = (registry: string) => `outputs:
  - path: rules/mcr.conf
    target: squid
    catalogs: [mcr]
  - path: rules/acr.conf
    target: squid
    catalogs: [acr]
    params: { registry: ${registry}, region: eastus }
  - path: rules/acme.conf
    target: squid
    files: [acme.yaml]
`;

const acmeYaml = (destinations: string) => `id: acme
title: Acme agent
source: { document: acme-network.md }
requirements:
  - id: updates
    destinations: [${destinations}]
    ports: [https:443]
    provenance: { line: 3, text: "Allow ${destinations} on 443." }
`;

const RULES = ['rules/acme.conf', 'rules/acr.conf', 'rules/mcr.conf'];

/** Bytes, mtime and inode of each rule file: a file written again (through a rename) gets a new inode. */
function stamp(dir: string): Map<string, { bytes: string; mtimeMs: number; ino: number }> {
  return new Map(
    RULES.map((f) => {
      const p = join(dir, f);
      const st = statSync(p);
      return [f, { bytes: readFileSync(p, 'utf8'), mtimeMs: st.mtimeMs, ino: st.ino }];
    }),
  );
}

describe('pre-commit framework: fwgen-check and fwgen-generate from a clone at HEAD', function () {
  // One hook environment per run: npm installs fwgen's dependencies from the registry twice (build, then tarball).
  this.timeout(600_000);
  let proj = '';
  let home = '';
  let env: NodeJS.ProcessEnv = {};
  let sha = '';
  let install: Ran;
  let firstCommit: Ran;
  let firstGenerate: Ran;
  const git = (...args: string[]) => shOk(['git', ...args], { cwd: proj, env });
  const preCommit = (...args: string[]) => sh(['pre-commit', ...args, '--color=never'], { cwd: proj, env, timeoutMs: 120_000 });
  const out = (r: Ran) => r.stdout + r.stderr;

  before(function () {
    requireEngines(this, 'git', 'pre-commit', 'npm');
    const work = makeTempDir('fwgen-pre-commit-');
    home = join(work, 'pre-commit-home');
    env = userEnv(writeGitConfig(work), { PRE_COMMIT_HOME: home });
    const clone = join(work, 'fwgen');
    const cloned = cloneHead(clone, env);
    sha = cloned.sha;
    if (cloned.dirty) process.stderr.write(`      note: testing the hooks at HEAD ${sha.slice(0, 12)}; uncommitted changes are not in it\n`);

    proj = join(work, 'project');
    mkdirSync(proj);
    git('init', '--quiet');
    writeFileSync(join(proj, 'fwgen.yaml'), fwgenYaml('contoso'));
    writeFileSync(join(proj, 'acme.yaml'), acmeYaml('updates.acme.example'));
    writeFileSync(
      join(proj, '.pre-commit-config.yaml'),
      `repos:\n  - repo: ${clone}\n    rev: ${sha}\n    hooks:\n      - id: fwgen-check\n      - id: fwgen-generate\n`,
    );
    git('add', '.');
    install = sh(['pre-commit', 'install', '--install-hooks', '--color=never'], { cwd: proj, env, timeoutMs: 540_000 });
    const log = join(home, 'pre-commit.log');
    expect(install.code, out(install) + (existsSync(log) ? readFileSync(log, 'utf8') : '')).to.equal(0);
    process.stderr.write(`      pre-commit install --install-hooks: ${seconds(install.ms)} s (npm install, npm pack, npm install -g)\n`);

    // The first commit, as a user makes it: fwgen-generate writes the rule files (and fails, having written some),
    // which are then added.
    firstGenerate = preCommit('run', 'fwgen-generate', '--all-files');
    for (const f of RULES) expect(existsSync(join(proj, f)), `${f}\n${out(firstGenerate)}`).to.equal(true);
    git('add', '.');
    firstCommit = sh(['git', 'commit', '--quiet', '-m', 'rules'], { cwd: proj, env, timeoutMs: 120_000 });
    expect(firstCommit.code, out(firstCommit)).to.equal(0);
  });

  beforeEach(function () {
    // Each test starts from a clean committed tree, whatever the one before left.
    git('reset', '--quiet', '--hard');
    git('clean', '--quiet', '-fd');
  });

  it('installs the git hook and a node environment whose fwgen is this commit', function () {
    expect(out(install)).to.contain('pre-commit installed at .git/hooks/pre-commit');
    expect(out(install)).to.match(/Installing environment for .*fwgen/);
    expect(readFileSync(join(proj, '.git', 'hooks', 'pre-commit'), 'utf8')).to.contain('pre-commit');
    const envs = readdirSync(home).flatMap((d) => (existsSync(join(home, d, 'node_env-system', 'bin', 'fwgen')) ? [join(home, d, 'node_env-system', 'bin', 'fwgen')] : []));
    expect(envs, `node environments under ${home}`).to.have.length(1);
    const version = sh([envs[0]!, '--version'], { cwd: proj, env });
    expect(version.code, out(version)).to.equal(0);
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(version.stdout.trim()).to.equal(pkg.version);
  });

  it('the first fwgen-generate wrote the new files and failed, though pre-commit sees no change to tracked files', function () {
    expect(firstGenerate.code, out(firstGenerate)).to.equal(1);
    expect(out(firstGenerate)).to.match(/fwgen generate \(regenerate firewall rules\)\.+Failed/);
    expect(out(firstGenerate)).to.contain('fwgen generate: 3 written, 0 unchanged');
    expect(out(firstGenerate)).not.to.contain('files were modified by this hook');
  });

  it('the first commit, with the generated files, passed both hooks', function () {
    expect(out(firstCommit)).to.match(/fwgen check \(generated firewall rules are current\)\.+Passed/);
    expect(out(firstCommit)).to.match(/fwgen generate \(regenerate firewall rules\)\.+Passed/);
    expect(git('ls-files').stdout.split('\n').filter(Boolean).sort()).to.deep.equal(['.pre-commit-config.yaml', 'acme.yaml', 'fwgen.yaml', ...RULES]);
  });

  it('fwgen-check passes on a clean tree and touches nothing', function () {
    const before = stamp(proj);
    const check = preCommit('run', 'fwgen-check', '--all-files');
    expect(check.code, out(check)).to.equal(0);
    expect(out(check)).to.match(/fwgen check \(generated firewall rules are current\)\.+Passed/);
    expect(stamp(proj)).to.deep.equal(before);
    process.stderr.write(`      pre-commit run fwgen-check --all-files on a clean tree: ${seconds(check.ms)} s\n`);
  });

  it('a parameter change: fwgen-check fails with the diff; fwgen-generate rewrites that file only and fails; the next run passes', function () {
    writeFileSync(join(proj, 'fwgen.yaml'), fwgenYaml('fabrikam'));
    const before = stamp(proj);

    const check = preCommit('run', 'fwgen-check', '--all-files');
    expect(check.code, out(check)).to.equal(1);
    expect(out(check)).to.match(/fwgen check \(generated firewall rules are current\)\.+Failed/);
    expect(check.stdout).to.contain('--- a/rules/acr.conf');
    expect(check.stdout).to.match(/^-acl \S+ dstdomain -n contoso\.azurecr\.io$/m);
    expect(check.stdout).to.match(/^\+acl \S+ dstdomain -n fabrikam\.azurecr\.io$/m);
    expect(check.stdout).to.match(/fwgen check: 1 of 3 files out of date:\n {2}rules\/acr\.conf\n/);
    expect(stamp(proj), 'fwgen check writes nothing').to.deep.equal(before);

    const gen = preCommit('run', 'fwgen-generate', '--all-files');
    expect(gen.code, out(gen)).to.equal(1);
    expect(out(gen)).to.match(/fwgen generate \(regenerate firewall rules\)\.+Failed/);
    expect(out(gen)).to.contain('files were modified by this hook');
    expect(out(gen)).to.contain('wrote rules/acr.conf');
    const after = stamp(proj);
    expect(after.get('rules/acr.conf')!.bytes).to.match(/dstdomain -n fabrikam\.azurecr\.io$/m);
    expect(after.get('rules/acr.conf')!.bytes).not.to.contain('contoso');
    expect(after.get('rules/mcr.conf'), 'mcr.conf untouched').to.deep.equal(before.get('rules/mcr.conf'));
    expect(after.get('rules/acme.conf'), 'acme.conf untouched').to.deep.equal(before.get('rules/acme.conf'));
    expect(git('status', '--porcelain').stdout.split('\n').filter(Boolean).sort()).to.deep.equal([' M fwgen.yaml', ' M rules/acr.conf']);

    const again = preCommit('run', 'fwgen-generate', '--all-files');
    expect(again.code, out(again)).to.equal(0);
    expect(stamp(proj)).to.deep.equal(after);
    const recheck = preCommit('run', 'fwgen-check', '--all-files');
    expect(recheck.code, out(recheck)).to.equal(0);
  });

  it('a requirement change through git commit: the commit is refused with the file rewritten, and goes through once it is added', function () {
    const head = git('rev-parse', 'HEAD').stdout.trim();
    writeFileSync(join(proj, 'acme.yaml'), acmeYaml('updates.acme.example, telemetry.acme.example'));
    git('add', 'acme.yaml');
    const before = stamp(proj);

    // SKIP is pre-commit's own switch: this commit runs only the hook that fixes, as a user who chose it would.
    const refused = sh(['git', 'commit', '--quiet', '-m', 'acme telemetry'], { cwd: proj, env: { ...env, SKIP: 'fwgen-check' }, timeoutMs: 120_000 });
    expect(refused.code, out(refused)).to.equal(1);
    expect(out(refused)).to.match(/fwgen generate \(regenerate firewall rules\)\.+Failed/);
    expect(out(refused)).to.contain('files were modified by this hook');
    expect(git('rev-parse', 'HEAD').stdout.trim(), 'no commit was made').to.equal(head);
    const after = stamp(proj);
    expect(after.get('rules/acme.conf')!.bytes).to.match(/^acl \S+ dstdomain -n telemetry\.acme\.example$/m);
    expect(after.get('rules/mcr.conf')).to.deep.equal(before.get('rules/mcr.conf'));
    expect(after.get('rules/acr.conf')).to.deep.equal(before.get('rules/acr.conf'));

    git('add', 'rules/acme.conf');
    const commit = sh(['git', 'commit', '--quiet', '-m', 'acme telemetry'], { cwd: proj, env, timeoutMs: 120_000 });
    expect(commit.code, out(commit)).to.equal(0);
    expect(out(commit)).to.match(/fwgen check \(generated firewall rules are current\)\.+Passed/);
    expect(git('diff', '--name-only', 'HEAD~1', 'HEAD').stdout.split('\n').filter(Boolean).sort()).to.deep.equal(['acme.yaml', 'rules/acme.conf']);
    expect(git('status', '--porcelain').stdout).to.equal('');
    expect(stamp(proj)).to.deep.equal(after);
  });

  it('a new output: the commit is refused although the new file is untracked, and goes through once it is added', function () {
    const head = git('rev-parse', 'HEAD').stdout.trim();
    writeFileSync(join(proj, 'fwgen.yaml'), fwgenYaml('contoso') + '  - path: rules/mcr-china.conf\n    target: squid\n    catalogs: [mcr]\n    options: { cloud: china }\n');
    git('add', 'fwgen.yaml');
    const before = stamp(proj);
    const refused = sh(['git', 'commit', '--quiet', '-m', 'mcr china'], { cwd: proj, env: { ...env, SKIP: 'fwgen-check' }, timeoutMs: 120_000 });
    expect(refused.code, out(refused)).to.equal(1);
    expect(out(refused)).to.match(/fwgen generate \(regenerate firewall rules\)\.+Failed/);
    expect(out(refused)).to.contain('wrote rules/mcr-china.conf');
    expect(git('rev-parse', 'HEAD').stdout.trim(), 'no commit was made').to.equal(head);
    expect(git('status', '--porcelain').stdout.split('\n').filter(Boolean).sort()).to.deep.equal(['?? rules/mcr-china.conf', 'M  fwgen.yaml']);
    expect(stamp(proj), 'the other files untouched').to.deep.equal(before);

    git('add', 'rules/mcr-china.conf');
    const commit = sh(['git', 'commit', '--quiet', '-m', 'mcr china'], { cwd: proj, env, timeoutMs: 120_000 });
    expect(commit.code, out(commit)).to.equal(0);
    expect(git('status', '--porcelain').stdout).to.equal('');
  });
});
