/**
 * Squid output is a function of the input alone: the same bytes when emitted twice, whatever the line ends (LF,
 * CRLF) and byte-order mark of the input, and whatever the time zone and locale of the process.
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogFile, catalogIds } from '../../../lib/catalogs/index.js';
import { emitArgv, type CaseArgs } from '../../helpers/golden.js';
import { loadRequirementFile } from '../../../lib/load/index.js';
import { runCli, runCliChild, type CliResult } from '../../helpers/cli.js';
import { lineDiff } from '../../helpers/diff.js';
import { makeTempDir, removeTempDir } from '../../helpers/engines.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

/** The fixtures that emit for squid (see golden.spec.ts), with their arguments. */
function squidFixtures(): { name: string; dir: string; args: CaseArgs }[] {
  return readdirSync(FIXTURES)
    .filter((n) => !n.startsWith('_') && statSync(join(FIXTURES, n)).isDirectory() && existsSync(join(FIXTURES, n, 'expected', 'squid.conf')))
    .sort()
    .map((name) => {
      const dir = join(FIXTURES, name);
      const argsFile = join(dir, 'args.json');
      return { name, dir, args: existsSync(argsFile) ? (JSON.parse(readFileSync(argsFile, 'utf8')) as CaseArgs) : {} };
    });
}

const CATALOG_PARAMS = ['--param', 'region=eastus', '--param', 'region-code=eus', '--param', 'control-plane-fqdn=cp.example.com', '--param', 'registry=myreg', '--param', 'replica-regions=westeurope,northeurope'];
const allCatalogsArgv = (): string[] => ['emit', ...catalogIds().flatMap((id) => ['--catalog', id]), '--target', 'squid', ...CATALOG_PARAMS];

const WEIRD_ENV = { TZ: 'Pacific/Kiritimati', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' };

function same(a: CliResult, b: CliResult, what: string): void {
  expect(b.code, `${what}: exit code`).to.equal(a.code);
  expect(b.stdout === a.stdout, `${what}: stdout differs:\n${lineDiff(a.stdout, b.stdout)}`).to.equal(true);
  expect(b.stderr, `${what}: stderr`).to.equal(a.stderr);
}

describe('squid: output is deterministic', function () {
  this.timeout(60_000);
  const fixtures = squidFixtures();
  let tmp: string;

  before(function () {
    tmp = makeTempDir('fwgen-determinism-');
  });

  after(function () {
    if (tmp) removeTempDir(tmp);
  });

  it('has fixtures to work on', function () {
    expect(fixtures.map((f) => f.name)).to.include.members(['basic', 'drops', 'locale-sensitive', 'sources']);
  });

  it('emitting twice gives the same bytes (every fixture, all catalogs together)', async function () {
    for (const f of fixtures) {
      const argv = emitArgv('squid', f.args);
      same(await runCli(argv, { cwd: f.dir }), await runCli(argv, { cwd: f.dir }), f.name);
    }
    const a = await runCli(allCatalogsArgv());
    expect(a.code, a.stderr).to.equal(0);
    same(a, await runCli(allCatalogsArgv()), 'all catalogs');
  });

  it('writing with --out twice leaves the file as it was, bytes and mtime', async function () {
    const out = join(tmp, 'fwgen.conf');
    const first = await runCli([...allCatalogsArgv(), '--out', out]);
    expect(first.code, first.stderr).to.equal(0);
    const bytes = readFileSync(out);
    const mtime = statSync(out).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    const second = await runCli([...allCatalogsArgv(), '--out', out]);
    expect(second.code, second.stderr).to.equal(0);
    expect(readFileSync(out).equals(bytes)).to.equal(true);
    expect(statSync(out).mtimeMs).to.equal(mtime);
    expect(bytes.toString('utf8')).to.equal((await runCli(allCatalogsArgv())).stdout);
  });

  const variants: Record<string, (text: string) => string> = {
    CRLF: (t) => t.replace(/\n/g, '\r\n'),
    'BOM + LF': (t) => `\ufeff${t}`,
    'BOM + CRLF': (t) => `\ufeff${t.replace(/\n/g, '\r\n')}`,
  };

  it('CRLF and BOM variants of an input give identical output and diagnostics (every fixture)', async function () {
    let n = 0;
    for (const f of fixtures) {
      const text = readFileSync(join(f.dir, 'input.yaml'), 'utf8');
      expect(text.includes('\r') || text.startsWith('\ufeff'), `${f.name}/input.yaml should be plain LF`).to.equal(false);
      const argv = emitArgv('squid', f.args);
      const reference = await runCli(argv, { cwd: f.dir });
      for (const [name, change] of Object.entries(variants)) {
        const dir = join(tmp, `${f.name}-${name.replace(/\W+/g, '-')}`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'input.yaml'), change(text));
        same(reference, await runCli(argv, { cwd: dir }), `${f.name} (${name})`);
        n++;
      }
    }
    expect(n).to.equal(fixtures.length * 3);
  });

  it('CRLF and BOM variants of every built-in catalog give identical output', async function () {
    for (const id of catalogIds()) {
      const text = readFileSync(catalogFile(id)!, 'utf8');
      const declared = new Set((await loadRequirementFile(catalogFile(id)!)).set!.parameters.map((p) => p.name));
      const params = CATALOG_PARAMS.flatMap((p) => (p !== '--param' && declared.has(p.split('=')[0]!) ? ['--param', p] : []));
      const argv = (file: string) => ['emit', '--file', file, '--target', 'squid', ...params];
      writeFileSync(join(tmp, `${id}.yaml`), text);
      const reference = await runCli(argv(`${id}.yaml`), { cwd: tmp });
      expect(reference.code, `${id}: ${reference.stderr}`).to.equal(0);
      for (const [name, change] of Object.entries(variants)) {
        writeFileSync(join(tmp, `${id}.yaml`), change(text));
        same(reference, await runCli(argv(`${id}.yaml`), { cwd: tmp }), `${id} (${name})`);
      }
    }
  });

  it(`a child process with TZ=${WEIRD_ENV.TZ} LANG=LC_ALL=${WEIRD_ENV.LANG} writes the same bytes`, async function () {
    const plainEnv = { ...process.env, TZ: 'UTC', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
    const weirdEnv = { ...process.env, ...WEIRD_ENV };
    // The environment really is different in the child: its locale and time zone are Turkish and UTC+14.
    const probe = await runCliChild(['--version'], { env: weirdEnv });
    expect(probe.code, probe.stderr).to.equal(0);
    const check = (await import('node:child_process')).spawnSync(process.execPath, ['-e', 'console.log(new Intl.Collator().resolvedOptions().locale, new Date(Date.UTC(2024, 0, 1)).getTimezoneOffset())'], { env: weirdEnv, encoding: 'utf8' });
    expect(check.stdout.trim()).to.equal('tr-TR -840');

    const runs: [string, string[], string][] = [
      ...fixtures.filter((f) => ['basic', 'locale-sensitive', 'drops'].includes(f.name)).map((f) => [f.name, emitArgv('squid', f.args), f.dir] as [string, string[], string]),
      ['all catalogs', allCatalogsArgv(), process.cwd()],
    ];
    for (const [name, argv, cwd] of runs) {
      const inProcess = await runCli(argv, { cwd });
      const [plain, weird] = await Promise.all([runCliChild(argv, { cwd, env: plainEnv }), runCliChild(argv, { cwd, env: weirdEnv })]);
      same(inProcess, plain, `${name}: child with TZ=UTC LANG=C.UTF-8`);
      same(inProcess, weird, `${name}: child with ${Object.entries(WEIRD_ENV).map(([k, v]) => `${k}=${v}`).join(' ')}`);
      if (name !== 'all catalogs') expect(weird.stdout).to.equal(readFileSync(join(cwd, 'expected', 'squid.conf'), 'utf8'));
    }
  });
});
