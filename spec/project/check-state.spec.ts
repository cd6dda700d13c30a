/**
 * `fwgen check` without rendering (lib/project/check-state.ts): it may skip the render only when nothing that
 * determines the outputs changed and the files on disk are the outputs. Every way an output can drift is tried here,
 * with the built CLI (the state is trusted only from a build, whose id it records).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'fwgen.js');
const snapshot = join(root, 'data', 'service-tags', 'ServiceTags_Public_20251028.json');
const SKIPPED = 'nothing rendered';

/** Waits past RACY_MS (lib/project/check-state.ts): a state is recorded only for inputs that were already settled. */
const settle = () => new Promise((r) => setTimeout(r, 1600));

describe('fwgen check with the state of the last render', function () {
  this.timeout(120_000);
  let dir: string;
  let cache: string;
  const fwgenOn = (today: string, ...args: string[]) => {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, FWGEN_CACHE_DIR: cache, FWGEN_TODAY: today } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const fwgen = (...args: string[]) => fwgenOn('2025-11-01', ...args);
  const stateFiles = () => (existsSync(join(cache, 'check')) ? readdirSync(join(cache, 'check')) : []);
  /** Edits a file in place, keeping its size (and, for `keepTimes`, its atime and mtime). */
  const edit = (file: string, from: string, to: string, keepTimes = false) => {
    expect(to.length).to.equal(from.length);
    const before = statSync(file);
    const text = readFileSync(file, 'utf8');
    expect(text).to.contain(from);
    writeFileSync(file, text.replace(from, to));
    if (keepTimes) utimesSync(file, before.atime, before.mtime);
    expect(statSync(file).size).to.equal(before.size);
    return () => {
      writeFileSync(file, text);
      if (keepTimes) utimesSync(file, before.atime, before.mtime);
    };
  };

  before(async function () {
    if (!existsSync(join(root, 'dist', 'build-id.json'))) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'fwgen-state-'));
    cache = mkdtempSync(join(tmpdir(), 'fwgen-state-cache-'));
    cpSync(join(root, 'catalogs', 'mcr.yaml'), join(dir, 'vendor.yaml'));
    // A wildcard the build did not look up (the catalogs' are in dist/data/suffix-kinds.json): the public-suffix list
    // (tldts, which the CLI bundle loads from node_modules) decides whether it is broad.
    writeFileSync(join(dir, 'extra.yaml'), 'id: extra\ntitle: Extra\nsource: { document: spec }\nrequirements:\n  - id: cdn\n    destinations: ["*.cdn.example.org"]\n    ports: [https:443]\n    provenance: { line: 1 }\n');
    mkdirSync(join(dir, 'tags'));
    copyFileSync(snapshot, join(dir, 'tags', 'ServiceTags_Public_20251028.json'));
    mkdirSync(join(dir, 'plugin'));
    // A third-party emitter whose output depends on a module it imports, and on the example CSV emitter.
    writeFileSync(join(dir, 'plugin', 'helper.js'), "export const suffix = '# checked\\n';\n");
    writeFileSync(
      join(dir, 'plugin', 'emitter.js'),
      `import csv from ${JSON.stringify(join(root, 'examples', 'plugin-csv', 'csv-emitter.js'))};
import { suffix } from './helper.js';
export default { ...csv, id: 'csv-checked', emit(set, o, c) { const r = csv.emit(set, o, c); return { ...r, files: r.files.map((f) => ({ ...f, contents: f.contents + suffix })) }; } };
`,
    );
    writeFileSync(
      join(dir, 'fwgen.yaml'),
      `emitters: [./plugin/emitter.js]
defaults:
  serviceTags: tags/
outputs:
  - path: rules/squid.conf
    target: squid
    files: [vendor.yaml, extra.yaml]
  - path: rules/nsg.json
    target: azure-nsg
    files: [vendor.yaml]
  - path: rules/mcr.nft
    target: nftables
    files: [vendor.yaml]
  - path: rules/flows.csv
    target: csv-checked
    files: [vendor.yaml]
`,
    );
    await settle();
    const g = fwgen('generate');
    expect(g.code, g.stderr).to.equal(0);
    expect(stateFiles()).to.have.length(1);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (cache) rmSync(cache, { recursive: true, force: true });
  });

  const current = () => {
    const r = fwgen('check');
    expect(r.code, r.stderr).to.equal(0);
    return r;
  };
  const fast = () => expect(current().stderr).to.contain(`fwgen check: 4 files up to date (${SKIPPED}`);
  const stale = (file: string) => {
    const r = fwgen('check');
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stderr).to.contain(`files out of date:\n  ${file}\n`);
    expect(r.stderr).not.to.contain(SKIPPED);
    return r;
  };

  it('renders nothing when nothing changed, and writes nothing into the project', function () {
    const list = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? list(join(d, e.name)).map((x) => `${e.name}/${x}`) : [`${e.name}:${statSync(join(d, e.name)).mtimeMs}`]));
    const before = list(dir);
    fast();
    expect(list(dir)).to.deep.equal(before);
  });

  it('records every file the render read, the modules it required at run time included', function () {
    const state = JSON.parse(readFileSync(join(cache, 'check', stateFiles()[0]!), 'utf8')) as { inputs: { path: string }[] };
    const inputs = state.inputs.map((i) => i.path);
    for (const f of ['fwgen.yaml', 'vendor.yaml', 'extra.yaml', join('tags', 'ServiceTags_Public_20251028.json'), join('plugin', 'emitter.js'), join('plugin', 'helper.js')]) expect(inputs).to.include(join(dir, f));
    expect(inputs).to.include(join(root, 'examples', 'plugin-csv', 'csv-emitter.js'));
    expect(inputs.some((p) => /[\\/]node_modules[\\/]tldts[\\/]/.test(p)), 'tldts').to.equal(true);
  });

  it('catches an output edited by hand, even one that keeps its size and mtime', function () {
    const restore = edit(join(dir, 'rules', 'squid.conf'), 'dstdomain', 'dstdomaiN', true);
    try {
      const r = stale('rules/squid.conf');
      expect(r.stdout).to.match(/^-.*dstdomaiN/m).and.to.match(/^\+.*dstdomain/m);
    } finally {
      restore();
    }
    fast();
  });

  it('catches a missing output', function () {
    const file = join(dir, 'rules', 'flows.csv');
    const text = readFileSync(file, 'utf8');
    rmSync(file);
    stale('rules/flows.csv (missing)');
    writeFileSync(file, text);
    fast();
  });

  it('catches a changed requirement file (same size) and a changed parameter in fwgen.yaml', function () {
    const restore = edit(join(dir, 'vendor.yaml'), 'https:443', 'https:444');
    try {
      stale('rules/squid.conf');
    } finally {
      restore();
    }
    fast();
    const text = readFileSync(join(dir, 'fwgen.yaml'), 'utf8');
    const changed = text.replace('    files: [vendor.yaml, extra.yaml]\n', '    files: [vendor.yaml, extra.yaml]\n    set: { final-deny: false }\n');
    expect(changed).not.to.equal(text);
    writeFileSync(join(dir, 'fwgen.yaml'), changed);
    stale('rules/squid.conf');
    writeFileSync(join(dir, 'fwgen.yaml'), text);
    fast();
  });

  it('catches a changed Service Tags file: the same size and mtime, one prefix different', function () {
    const file = join(dir, 'tags', 'ServiceTags_Public_20251028.json');
    const text = readFileSync(file, 'utf8');
    const tag = JSON.parse(text).values.find((v: { name: string }) => v.name === 'MicrosoftContainerRegistry').properties.addressPrefixes[0] as string;
    const other = tag.replace(/^(\d+)\./, (_m, a: string) => `${(Number(a) + 1) % 10 === 0 ? Number(a) - 1 : Number(a) + 1}.`);
    expect(other.length).to.equal(tag.length);
    const restore = edit(file, `"${tag}"`, `"${other}"`, true);
    try {
      // nftables writes the tag's prefixes (azure-nsg writes the tag's name, so its file stays the same).
      stale('rules/mcr.nft');
    } finally {
      restore();
    }
    fast();
  });

  it('re-hashes a big input whose stat changed when generate records the state, rather than keep the last hash', async function () {
    // generate keeps the recorded hash of a big input whose size, times and inode are the same: after an edit that
    // keeps size and mtime (ctime moves), it must hash again, or restoring the file would look unchanged to check.
    const file = join(dir, 'tags', 'ServiceTags_Public_20251028.json');
    const tag = JSON.parse(readFileSync(file, 'utf8')).values.find((v: { name: string }) => v.name === 'MicrosoftContainerRegistry').properties.addressPrefixes[0] as string;
    const other = tag.replace(/^(\d+)\./, (_m, a: string) => `${(Number(a) + 1) % 10 === 0 ? Number(a) - 1 : Number(a) + 1}.`);
    const restore = edit(file, `"${tag}"`, `"${other}"`, true);
    let restored = false;
    try {
      await settle();
      const g = fwgen('generate');
      expect(g.code, g.stderr).to.equal(0);
      expect(g.stderr).to.contain('1 written');
      restore();
      restored = true;
      await settle();
      stale('rules/mcr.nft');
    } finally {
      if (!restored) restore();
    }
    const g = fwgen('generate');
    expect(g.code, g.stderr).to.equal(0);
    await settle();
    fast();
  });

  it('catches a newer Service Tags file added to the folder', function () {
    const newer = join(dir, 'tags', 'ServiceTags_Public_20251104.json');
    writeFileSync(newer, readFileSync(snapshot, 'utf8').replace('"changeNumber": 375', '"changeNumber": 376'));
    const r = fwgen('check');
    rmSync(newer);
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stdout).to.contain('+        "Service tags: ServiceTags_Public_20251104.json (cloud Public, changeNumber 376, 2025-11-04)"');
    fast();
  });

  it("catches a change in a third-party emitter's own imports", function () {
    const restore = edit(join(dir, 'plugin', 'helper.js'), '# checked', '# CHECKED');
    try {
      stale('rules/flows.csv');
    } finally {
      restore();
    }
    fast();
  });

  it('renders in full under --full, with a state from another fwgen build, and with a broken state', async function () {
    // The inputs the specs above edited and restored must settle before a render records a state again.
    await settle();
    const full = current();
    expect(fwgen('check', '--full').stderr).not.to.contain(SKIPPED);
    expect(full.stderr).to.contain(SKIPPED);
    const file = join(cache, 'check', stateFiles()[0]!);
    const saved = readFileSync(file, 'utf8');
    writeFileSync(file, saved.replace(/"build":"[0-9a-f]{64}"/, `"build":"${'0'.repeat(64)}"`));
    expect(current().stderr).not.to.contain(SKIPPED);
    writeFileSync(file, '{ not json');
    expect(current().stderr).not.to.contain(SKIPPED);
    // The full check that found everything current recorded the state again.
    fast();
  });

  it('warns of Service Tags that grew old while nothing changed, and still renders nothing', function () {
    // The file is of 2025-10-28: 4 days old on the state's day, 404 days a year later. The warning depends on the
    // date only, so the state must not hide it, and it goes to stderr: the outputs and the answer stay the same.
    const later = fwgenOn('2026-12-06', 'check');
    expect(later.code, later.stderr).to.equal(0);
    expect(later.stderr).to.contain(SKIPPED);
    expect(later.stderr).to.match(/warning\[TAGS_STALE\][^\n]*ServiceTags_Public_20251028\.json[^\n]*404 days/);
    expect(later.stdout).to.equal('');
    const off = fwgenOn('2026-12-06', 'check', '--max-tags-age', '0');
    expect(off.stderr).not.to.contain('TAGS_STALE');
    expect(fwgen('check').stderr).not.to.contain('TAGS_STALE');
    fast();
  });

  it('generate renders nothing either, and still prints the warnings of the last render', function () {
    const r = fwgen('generate');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.contain(`fwgen generate: 0 written, 4 unchanged (${SKIPPED}`);
    expect(r.stderr).to.contain('warning[FIDELITY_WIDENED] azure-nsg');
  });

  it('records no state for inputs changed just before the render (they may have changed while it read them)', function () {
    const racy = mkdtempSync(join(tmpdir(), 'fwgen-state-racy-'));
    try {
      cpSync(join(root, 'catalogs', 'mcr.yaml'), join(racy, 'vendor.yaml'));
      writeFileSync(join(racy, 'fwgen.yaml'), 'outputs:\n  - path: squid.conf\n    target: squid\n    files: [vendor.yaml]\n');
      const before = stateFiles().length;
      const r = spawnSync(process.execPath, [bin, 'generate'], { cwd: racy, encoding: 'utf8', env: { ...process.env, FWGEN_CACHE_DIR: cache } });
      expect(r.status, r.stderr).to.equal(0);
      expect(stateFiles()).to.have.length(before);
    } finally {
      rmSync(racy, { recursive: true, force: true });
    }
  });
});
