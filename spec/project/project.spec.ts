import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, utimesSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'fwgen.js');
const fwgen = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });

/** A small project whose one requirement file is a copy of a built-in catalog, so a test can edit it. */
function tempProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fwgen-project-'));
  cpSync(join(root, 'catalogs', 'mcr.yaml'), join(dir, 'vendor.yaml'));
  writeFileSync(
    join(dir, 'fwgen.yaml'),
    `outputs:
  - path: rules/squid.conf
    target: squid
    files: [vendor.yaml]
  - path: rules/nsg.json
    target: azure-nsg
    files: [vendor.yaml]
  - path: rules/iptables
    target: iptables
    files: [vendor.yaml]
`,
  );
  return dir;
}

function snapshot(dir: string): Map<string, { bytes: string; mtime: number }> {
  const out = new Map<string, { bytes: string; mtime: number }>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(p, { bytes: readFileSync(p, 'utf8'), mtime: statSync(p).mtimeMs });
    }
  };
  walk(dir);
  return out;
}

describe('fwgen generate and check (pre-commit flow)', function () {
  this.timeout(180_000);
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('examples/all-targets is current: every catalog to every target it can express', function () {
    const r = fwgen(join(root, 'examples', 'all-targets'), 'check');
    expect(r.status, r.stdout.slice(0, 4000) + r.stderr).to.equal(0);
    expect(r.stderr).to.match(/fwgen check: 34 files up to date/);
  });

  it('check exits 1 with a unified diff after a catalog edit, writes nothing, and generate fixes it', function () {
    const dir = tempProject();
    dirs.push(dir);
    expect(fwgen(dir, 'generate').status).to.equal(0);
    expect(fwgen(dir, 'check').status).to.equal(0);
    const vendor = join(dir, 'vendor.yaml');
    writeFileSync(vendor, readFileSync(vendor, 'utf8').replace('destinations: [mcr.microsoft.com]', 'destinations: [mcr.microsoft.com, extra.mcr.microsoft.com]'));
    const before = snapshot(join(dir, 'rules'));
    const stale = fwgen(dir, 'check');
    expect(stale.status).to.equal(1);
    expect(stale.stdout).to.contain('--- a/rules/squid.conf');
    expect(stale.stdout).to.match(/^\+acl fwgen_mcr_registry-endpoint_dst dstdomain -n extra\.mcr\.microsoft\.com$/m);
    // The address targets change too: their notes name the host that the service tags stand in for.
    expect(stale.stderr).to.match(/4 of 5 files out of date:\n/);
    expect(stale.stderr).to.match(/^  rules\/squid\.conf$/m);
    expect(snapshot(join(dir, 'rules'))).to.deep.equal(before);
    const fixed = fwgen(dir, 'generate');
    expect(fixed.status).to.equal(0);
    expect(fixed.stderr).to.match(/4 written, 1 unchanged/);
    expect(fwgen(dir, 'check').status).to.equal(0);
  });

  it('leaves files whose bytes did not change untouched, mtime included', function () {
    const dir = tempProject();
    dirs.push(dir);
    expect(fwgen(dir, 'generate').status).to.equal(0);
    const old = new Date('2001-01-01T00:00:00Z');
    for (const f of snapshot(join(dir, 'rules')).keys()) utimesSync(f, old, old);
    const before = snapshot(join(dir, 'rules'));
    const r = fwgen(dir, 'generate');
    expect(r.stderr).to.match(/0 written, 5 unchanged/);
    expect(snapshot(join(dir, 'rules'))).to.deep.equal(before);
  });

  it('generate --exit-code (the pre-commit hook) exits 1 when it wrote a file, new ones included, and 0 when none changed', function () {
    const dir = tempProject();
    dirs.push(dir);
    const first = fwgen(dir, 'generate', '--exit-code');
    expect(first.status, first.stderr).to.equal(1);
    expect(first.stderr).to.match(/5 written, 0 unchanged/);
    const again = fwgen(dir, 'generate', '--exit-code');
    expect(again.status, again.stderr).to.equal(0);
    expect(again.stderr).to.match(/0 written, 5 unchanged/);
  });

  it('writes nothing at all when one output fails, and exits 2 naming it', function () {
    const dir = tempProject();
    dirs.push(dir);
    expect(fwgen(dir, 'generate').status).to.equal(0);
    const before = snapshot(join(dir, 'rules'));
    const vendor = join(dir, 'vendor.yaml');
    writeFileSync(vendor, readFileSync(vendor, 'utf8').replace('destinations: [mcr.microsoft.com]', 'destinations: [mcr.microsoft.com, new.mcr.microsoft.com]'));
    const project = join(dir, 'fwgen.yaml');
    writeFileSync(project, readFileSync(project, 'utf8') + '  - path: rules/broken.conf\n    target: squid\n    files: [vendor.yaml]\n    set: { final-deny: maybe }\n');
    const r = fwgen(dir, 'generate');
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/fwgen\.yaml:\d+:\d+: error\[EMIT_OPTION\] squid: --set final-deny: expected true or false/);
    expect(r.stderr).to.contain('nothing written');
    expect(snapshot(join(dir, 'rules'))).to.deep.equal(before);
    expect(readdirSync(join(dir, 'rules')).filter((f) => f.includes('fwgen-tmp'))).to.deep.equal([]);
  });

  it('a killed generate leaves each file either old or new, never half-written', function () {
    const dir = tempProject();
    dirs.push(dir);
    expect(fwgen(dir, 'generate').status).to.equal(0);
    const old = snapshot(join(dir, 'rules'));
    const vendor = join(dir, 'vendor.yaml');
    writeFileSync(vendor, readFileSync(vendor, 'utf8').replace('destinations: [mcr.microsoft.com]', 'destinations: [mcr.microsoft.com, killed.mcr.microsoft.com]'));
    const fresh = tempProject();
    dirs.push(fresh);
    cpSync(vendor, join(fresh, 'vendor.yaml'));
    expect(fwgen(fresh, 'generate').status).to.equal(0);
    const next = snapshot(join(fresh, 'rules'));
    // Kill at a spread of moments, from start-up to the end of writing; each run must leave whole files.
    for (const ms of [20, 60, 120, 200, 300, 450, 700]) {
      spawnSync('timeout', ['-s', 'KILL', `${ms / 1000}`, process.execPath, bin, 'generate'], { cwd: dir, timeout: 30_000 });
      for (const [path, file] of snapshot(join(dir, 'rules'))) {
        const rel = path.slice(join(dir, 'rules').length);
        expect(rel, 'no temp file left in place of a rule file').not.to.match(/fwgen-tmp$/);
        const was = old.get(path)!.bytes;
        const will = next.get(join(fresh, 'rules') + rel)!.bytes;
        expect([was, will], `${rel} after a kill at ${ms} ms`).to.include(file.bytes);
      }
    }
  });

  it('reports errors in the project file with positions, exit 2', function () {
    const dir = mkdtempSync(join(tmpdir(), 'fwgen-project-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'fwgen.yaml'), 'outputs:\n  - path: a.conf\n    target: squid\n    catalog: [mcr]\n');
    const r = fwgen(dir, 'check');
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/^fwgen\.yaml:4:5: error\[SCHEMA_UNKNOWN_KEY\]: unknown key "catalog"/m);
    expect(r.stderr).to.match(/did you mean "catalogs"/);
    expect(r.stderr).not.to.match(/\n\s+at /);
  });

  it('finds fwgen.yaml in a parent folder, and says so when there is none', function () {
    const dir = tempProject();
    dirs.push(dir);
    expect(fwgen(dir, 'generate').status).to.equal(0);
    expect(fwgen(join(dir, 'rules'), 'check').status).to.equal(0);
    const none = fwgen(tmpdir(), 'check', '--config', 'nope.yaml');
    expect(none.status).to.equal(2);
    expect(none.stderr).to.match(/nope\.yaml/);
  });
});

describe('the example plugin (examples/plugin-csv)', function () {
  this.timeout(60_000);
  it('is listed and emits through the CLI with --emitter', function () {
    const list = fwgen(root, 'list', '--emitter', './examples/plugin-csv/csv-emitter.js');
    expect(list.stdout).to.match(/^\s+csv\s+CSV of allowed flows/m);
    const r = fwgen(root, 'emit', '--emitter', './examples/plugin-csv/csv-emitter.js', '--catalog', 'mcr', '--target', 'csv');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.equal(
      '"requirement","direction","source","destination","port","provenance"\n' +
        '"mcr/registry-endpoint","outbound","*","mcr.microsoft.com","https:443","002_2e6dd87888c40b12.txt:14"\n' +
        '"mcr/data-endpoint","outbound","*","*.data.mcr.microsoft.com","https:443","002_2e6dd87888c40b12.txt:15"\n',
    );
  });

  it('loads by package name from the working directory', function () {
    const dir = mkdtempSync(join(tmpdir(), 'fwgen-plugin-pkg-'));
    const pkg = join(dir, 'node_modules', 'fwgen-target-csv');
    cpSync(join(root, 'examples/plugin-csv/csv-emitter.js'), join(pkg, 'index.js'));
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'fwgen-target-csv', version: '1.0.0', type: 'module', main: 'index.js' }));
    const r = fwgen(dir, 'emit', '--emitter', 'fwgen-target-csv', '--catalog', 'mcr', '--target', 'csv');
    const missing = fwgen(dir, 'emit', '--emitter', 'fwgen-target-none', '--catalog', 'mcr', '--target', 'csv');
    rmSync(dir, { recursive: true, force: true });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('"mcr/registry-endpoint","outbound","*","mcr.microsoft.com","https:443"');
    expect(missing.status).to.equal(2);
    expect(missing.stderr).to.match(/emitter module fwgen-target-none cannot be found/);
    expect(missing.stderr).to.match(/npm install fwgen-target-none/);
  });

  it('cannot take an id a built-in target has', function () {
    const dir = mkdtempSync(join(tmpdir(), 'fwgen-plugin-'));
    writeFileSync(join(dir, 'clash.js'), "import csv from '" + join(root, 'examples/plugin-csv/csv-emitter.js') + "';\nexport default { ...csv, id: 'squid' };\n");
    const r = fwgen(root, 'emit', '--emitter', join(dir, 'clash.js'), '--catalog', 'mcr', '--target', 'squid');
    rmSync(dir, { recursive: true, force: true });
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/target "squid" from .*clash\.js is already provided by built-in/);
  });
});
