/**
 * fwgen as a user installs it: `npm pack` in this checkout, the tarball installed into an empty folder, then the
 * CLI through npx, a project checked with `fwgen check`, and a strict NodeNext TypeScript consumer of the library.
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { makeTempDir, requireEngine, requireEngines, squidParse } from '../helpers/engines.js';
import { repoRoot, seconds, sh, shOk, userEnv, writeGitConfig } from '../helpers/install.js';

interface PackageJson {
  name: string;
  version: string;
  files: string[];
  devDependencies: Record<string, string>;
}

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as PackageJson;

function walk(dir: string, base = dir): { path: string; size: number }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? walk(p, base) : [{ path: relative(base, p), size: statSync(p).size }];
  });
}

const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;

const consumerTs = `import { compile, catalogIds, formatDiagnostics, FwgenError, listTargets, version, type Diagnostic, type OutputFile } from 'fwgen';

const ids: string[] = catalogIds();
const targets: string[] = listTargets().map((t) => t.id);

const squid = await compile({ catalogs: ['mcr'], target: 'squid' });
const file: OutputFile | undefined = squid.files[0];
if (!file) throw new Error('no squid output');
process.stdout.write(file.contents);

// The Service Tags snapshot ships in the package: an address target reads it from the installed folder.
const nsg = await compile({ catalogs: ['acr'], params: { registry: 'myregistry', region: 'eastus' }, target: 'azure-nsg' });
const nsgText = nsg.files.map((f) => f.contents).join('');

let codes: string[] = [];
try {
  await compile({ catalogs: ['acr'], target: 'squid' });
} catch (e) {
  if (!(e instanceof FwgenError)) throw e;
  const errors: Diagnostic[] = e.diagnostics.filter((d) => d.severity === 'error');
  codes = errors.map((d) => d.code);
  process.stderr.write(formatDiagnostics(errors));
}

// The types are real, not any: a string where a list belongs does not compile.
// @ts-expect-error catalogs is string[]
void (() => compile({ catalogs: 'mcr', target: 'squid' }));

console.error(JSON.stringify({ version: version(), ids, targets, nsgBytes: nsgText.length, nsgNamesTags: /ServiceTags_Public_\\d+\\.json/.test(nsgText), codes }));
`;

describe('the npm package, installed from the tarball npm pack makes', function () {
  this.timeout(300_000);
  let work = '';
  let consumer = '';
  let env: NodeJS.ProcessEnv = {};
  let tarball = '';
  let files: { path: string; size: number }[] = [];
  const npx = (...args: string[]) => sh(['npx', '--no-install', 'fwgen', ...args], { cwd: consumer, env, timeoutMs: 60_000 });

  before(function () {
    requireEngines(this, 'npm', 'tar');
    work = makeTempDir('fwgen-package-');
    env = userEnv(writeGitConfig(work));
    // Exactly what pre-commit runs: plain `npm pack`, whose whole stdout must be the tarball's name. It runs
    // `prepare` (the build) first, as it does for anyone packing a checkout.
    const pack = sh(['npm', 'pack', '--pack-destination', work], { cwd: repoRoot, env, timeoutMs: 240_000 });
    expect(pack.code, pack.stdout + pack.stderr).to.equal(0);
    expect(pack.stdout).to.equal(`${pkg.name}-${pkg.version}.tgz\n`);
    tarball = join(work, pack.stdout.trim());
    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    shOk(['tar', '-xzf', tarball, '-C', unpacked], { cwd: work, env });
    files = walk(join(unpacked, 'package'));
    const size = statSync(tarball).size;
    const unpackedSize = files.reduce((n, f) => n + f.size, 0);
    process.stderr.write(`      tarball ${pack.stdout.trim()}: ${kb(size)} packed, ${kb(unpackedSize)} unpacked, ${files.length} files (npm pack ${seconds(pack.ms)} s)\n`);

    consumer = join(work, 'consumer');
    mkdirSync(consumer);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2) + '\n');
    // @types/node because the consumer writes to process.stdout, as the repository's own example does.
    const install = sh(['npm', 'install', '--no-audit', '--no-fund', tarball, `@types/node@${pkg.devDependencies['@types/node']}`], { cwd: consumer, env, timeoutMs: 240_000 });
    expect(install.code, install.stdout + install.stderr).to.equal(0);
    process.stderr.write(`      npm install of the tarball into an empty folder: ${seconds(install.ms)} s\n`);
  });

  it('holds only what a user runs: no specs, fixtures, sources, maps, scripts or examples', function () {
    const top = [...new Set(files.map((f) => f.path.split('/')[0]!))].sort();
    expect(top).to.deep.equal(['README.md', 'bin', 'catalogs', 'data', 'dist', 'package.json', 'schemas', 'templates']);
    const unwanted = files.map((f) => f.path).filter((p) => /(^|\/)(spec|fixtures|examples|bench|scripts|node_modules|\.ci)\//.test(p) || (/\.[cm]?ts$/.test(p) && !/\.d\.[cm]?ts$/.test(p)) || /\.(map|actual|tgz|tsbuildinfo)$/.test(p) || /(^|\/)\.npmrc$/.test(p));
    expect(unwanted).to.deep.equal([]);
    // Every compiled module has a source in lib/, written or generated (no leftover of a deleted file from an old build).
    const stale = files
      .map((f) => f.path)
      .filter((p) => p.startsWith('dist/') && !p.startsWith('dist/cli-bundle/') && /\.js$/.test(p))
      .filter((p) => {
        const source = join(repoRoot, 'lib', relative('dist', p));
        return !existsSync(source.replace(/\.js$/, '.ts')) && !existsSync(source);
      });
    expect(stale).to.deep.equal([]);
  });

  it('ships the CLI once, as the bundle the bin loads, and every relative import inside the package resolves', function () {
    // dist/cli/ is the bundle's input; the library uses only report.js from it.
    expect(files.map((f) => f.path).filter((p) => p.startsWith('dist/cli/') && !/^dist\/cli\/report\.(js|d\.ts)$/.test(p))).to.deep.equal([]);
    const root = join(work, 'unpacked', 'package');
    const missing: string[] = [];
    for (const f of files.filter((x) => /\.(js|d\.ts)$/.test(x.path))) {
      const text = readFileSync(join(root, f.path), 'utf8');
      for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g)) {
        const target = join(root, f.path, '..', m[2]!);
        const candidates = f.path.endsWith('.d.ts') ? [target.replace(/\.js$/, '.d.ts'), target] : [target];
        if (!candidates.some((c) => existsSync(c))) missing.push(`${f.path} -> ${m[2]}`);
      }
    }
    expect(missing).to.deep.equal([]);
    expect(existsSync(join(root, 'dist', 'index.d.ts'))).to.equal(true);
  });

  it('npx fwgen emit --catalog mcr --target squid prints what the checkout prints, and squid parses it', function () {
    const r = npx('emit', '--catalog', 'mcr', '--target', 'squid');
    expect(r.code, r.stderr).to.equal(0);
    const own = shOk([process.execPath, join(repoRoot, 'bin', 'fwgen.js'), 'emit', '--catalog', 'mcr', '--target', 'squid'], { cwd: repoRoot, env });
    expect(r.stdout).to.equal(own.stdout);
    expect(r.stdout).to.match(/^http_access allow fwgen_connect fwgen_port_443 fwgen_mcr_registry-endpoint_dst$/m);
    requireEngine(this, 'squid');
    const parsed = squidParse(r.stdout, { strict: true });
    expect(parsed.ok, parsed.output).to.equal(true);
  });

  it('npx fwgen check on a small project: 0 when current, 1 with a diff after a parameter changes', function () {
    const proj = join(consumer, 'project');
    mkdirSync(proj);
    const yaml = (registry: string) => `outputs:\n  - path: rules/acr.conf\n    target: squid\n    catalogs: [acr]\n    params: { registry: ${registry}, region: eastus }\n  - path: rules/nsg.json\n    target: azure-nsg\n    catalogs: [mcr]\n`;
    writeFileSync(join(proj, 'fwgen.yaml'), yaml('contoso'));
    const gen = sh(['npx', '--no-install', 'fwgen', 'generate'], { cwd: proj, env });
    expect(gen.code, gen.stderr).to.equal(0);
    expect(gen.stderr).to.contain('fwgen generate: 2 written, 0 unchanged');
    const check = sh(['npx', '--no-install', 'fwgen', 'check'], { cwd: proj, env });
    expect(check.code, check.stdout + check.stderr).to.equal(0);
    expect(check.stderr).to.contain('fwgen check: 2 files up to date');
    writeFileSync(join(proj, 'fwgen.yaml'), yaml('fabrikam'));
    const stale = sh(['npx', '--no-install', 'fwgen', 'check'], { cwd: proj, env });
    expect(stale.code, stale.stdout + stale.stderr).to.equal(1);
    expect(stale.stdout).to.match(/^\+acl \S+ dstdomain -n fabrikam\.azurecr\.io$/m);
    expect(stale.stderr).to.match(/1 of 2 files out of date:\n {2}rules\/acr\.conf\n/);
  });

  it('a strict NodeNext TypeScript consumer type-checks with tsc --noEmit against the installed types, and runs', function () {
    writeFileSync(join(consumer, 'index.ts'), consumerTs);
    const tsconfig = { compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, types: ['node'], outDir: 'out' }, files: ['index.ts'] };
    writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2) + '\n');
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const check = sh([process.execPath, tsc, '-p', '.', '--noEmit'], { cwd: consumer, env, timeoutMs: 120_000 });
    expect(check.code, check.stdout + check.stderr).to.equal(0);
    shOk([process.execPath, tsc, '-p', '.'], { cwd: consumer, env, timeoutMs: 120_000 });
    const run = sh([process.execPath, join('out', 'index.js')], { cwd: consumer, env });
    expect(run.code, run.stderr).to.equal(0);
    const own = shOk([process.execPath, join(repoRoot, 'bin', 'fwgen.js'), 'emit', '--catalog', 'mcr', '--target', 'squid'], { cwd: repoRoot, env });
    expect(run.stdout).to.equal(own.stdout);
    const summary = JSON.parse(run.stderr.trim().split('\n').pop()!) as { version: string; ids: string[]; targets: string[]; nsgBytes: number; nsgNamesTags: boolean; codes: string[] };
    expect(summary.version).to.equal(pkg.version);
    expect(summary.ids).to.include.members(['acr', 'azure-arc-ml', 'mcr', 'runai']);
    expect(summary.targets).to.have.length(8);
    expect(summary.nsgBytes).to.be.greaterThan(1000);
    expect(summary.nsgNamesTags).to.equal(true);
    expect(summary.codes).to.include('EXPAND_MISSING_PARAMETER');
  });
});
