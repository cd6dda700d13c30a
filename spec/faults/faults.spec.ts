/**
 * Faults that lose nothing: bad Service Tags files, hostile requirement files (empty, binary, 50 MB, an alias bomb),
 * outputs that cannot be written (read-only folder, a folder where a file goes and the reverse, a full disk),
 * `fwgen generate` killed at random moments, and two runs at once. Each ends with a clear error (exit 2, one line
 * that says what and where, no stack) or a correct result; afterwards every output on disk is complete, old or new,
 * never half-written nor a mix of two renders, and no temp file is left. Every run is bounded in time and its peak
 * memory measured. The table of what happens is in spec/faults/README.md.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineAvailable, makeTempDir, requireEngines } from '../helpers/engines.js';
import { recoverGroup } from '../../lib/emit/write-outputs.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'fwgen.js');
const SNAPSHOT = join(ROOT, 'data', 'service-tags', 'ServiceTags_Public_20251028.json');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stdout: string;
  /** Peak resident memory of the run, in MiB (GNU time's %M). */
  rssMiB: number;
  ms: number;
}

const baseEnv = (cache: string) => ({ ...process.env, FWGEN_CACHE_DIR: cache, FWGEN_TODAY: '2025-11-01' });

/** `fwgen ARGS` under GNU time, bounded; the peak RSS comes from time's last stderr line. */
function fwgen(args: string[], cwd: string, opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Run {
  const t0 = Date.now();
  const timed = engineAvailable('time');
  const [cmd, ...argv] = timed ? ['/usr/bin/time', '-f', 'FWGEN_RSS_KB=%M', process.execPath, BIN, ...args] : [process.execPath, BIN, ...args];
  const r = spawnSync(cmd!, argv, { cwd, env: opts.env ?? baseEnv(join(cwd, '.cache')), encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000, maxBuffer: 256 * 1024 * 1024 });
  const m = /FWGEN_RSS_KB=(\d+)\s*$/.exec(r.stderr ?? '');
  const stderr = (r.stderr ?? '').replace(/(?:Command (?:exited with non-zero status \d+|terminated by signal \d+)\n)?FWGEN_RSS_KB=\d+\s*$/, '');
  // time reports the child's exit status as its own.
  return { code: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr, rssMiB: m ? Math.round(Number(m[1]) / 1024) : -1, ms: Date.now() - t0 };
}

/** Every regular file under `dir` with its bytes, by relative path (the cache folder left out). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== '.cache') walk(p);
      } else if (e.isFile()) out[relative(dir, p)] = readFileSync(p, 'latin1');
    }
  };
  if (existsSync(dir) && statSync(dir).isFile()) out['.'] = readFileSync(dir, 'latin1');
  else if (existsSync(dir)) walk(dir);
  return out;
}

/** Paths of temp files and staging folders fwgen writes before its renames. */
function leftovers(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (/\.fwgen-tmp$|\.fwgen-\d+-\d+\.(new|old)$/.test(e.name)) out.push(relative(dir, join(d, e.name)));
      if (e.isDirectory() && e.name !== '.cache') walk(join(d, e.name));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** A clear error: exit 2, every stderr line a diagnostic, a hint, a summary or `fwgen: ...`; no stack, no "bug". */
function expectClearError(r: Run, pattern: RegExp): void {
  expect(r.signal, r.stderr).to.equal(null);
  expect(r.code, r.stderr).to.equal(2);
  expect(r.stderr).to.match(pattern);
  expect(r.stderr, 'no stack trace').not.to.match(/^\s+at .+:\d+:\d+\)?$/m);
  expect(r.stderr, 'not reported as a bug').not.to.match(/internal error|unexpected error|This is a bug/);
}

const TAGGED = `id: tagged
title: Tagged
source: { document: vendor.md }
requirements:
  - id: ag
    destinations: [{ serviceTag: ActionGroup, region: austriaeast }]
    ports: [https:443]
    provenance: { line: 1 }
`;

type Tags = { values: { name: string; properties: { addressPrefixes: string[] } }[]; cloud: string };
const tagsWith = (change: (t: Tags) => void): string => {
  const t = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as Tags;
  change(t);
  return JSON.stringify(t, null, 1);
};
const TARGETS = ['squid', 'iptables', 'nftables', 'k8s-networkpolicy', 'cilium', 'azure-firewall', 'azure-nsg', 'panos'];

describe('faults that lose nothing', function () {
  this.timeout(180_000);
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('fwgen-faults-');
    writeFileSync(join(dir, 'tagged.yaml'), TAGGED);
  });

  describe('a bad Service Tags file', function () {
    const emitWith = (tags: string, name: string, target = 'iptables') => {
      writeFileSync(join(dir, name), tags);
      return fwgen(['emit', '--file', 'tagged.yaml', '--target', target, '--service-tags', name, '--out', 'out', '--max-tags-age', '0'], dir);
    };

    it('truncated: exit 2 at the line and column where the JSON ends, nothing written', function () {
      const r = emitWith(readFileSync(SNAPSHOT, 'utf8').slice(0, 5000), 'ServiceTags_Public_20251101.json');
      expectClearError(r, /ServiceTags_Public_20251101\.json:\d+:\d+: error\[TAGS_FILE\]: \$: not valid JSON/);
      expect(snapshot(join(dir, 'out'))).to.deep.equal({});
    });

    it('not JSON: exit 2, nothing written', function () {
      const r = emitWith('<html>Service unavailable</html>\n', 'ServiceTags_Public_20251101.json');
      expectClearError(r, /ServiceTags_Public_20251101\.json:1:1: error\[TAGS_FILE\]: \$: not valid JSON/);
      expect(snapshot(join(dir, 'out'))).to.deep.equal({});
    });

    it('a prefix with host bits in the tag used: exit 2 naming the prefix and its JSON path, nothing written', function () {
      const r = emitWith(tagsWith((t) => (t.values.find((v) => v.name === 'ActionGroup.AustriaEast')!.properties.addressPrefixes[0] = '68.210.152.25/30')), 'ServiceTags_Public_20251101.json');
      expectClearError(r, /error\[TAGS_FILE\].*addressPrefixes\[0\]: "68\.210\.152\.25\/30" in tag ActionGroup\.AustriaEast is not a valid prefix: .*host bits/);
      expect(snapshot(join(dir, 'out'))).to.deep.equal({});
    });

    it('a file whose cloud is not the one its name says: exit 2 at $.cloud, nothing written', function () {
      const r = emitWith(tagsWith((t) => (t.cloud = 'China')), 'ServiceTags_Public_20251101.json');
      expectClearError(r, /ServiceTags_Public_20251101\.json:\d+:\d+: error\[TAGS_FILE\]: \$\.cloud: the file says cloud "China", but its name .* is the Public cloud's/);
      expect(snapshot(join(dir, 'out'))).to.deep.equal({});
    });

    it('the tag used has no prefixes: every target drops it with a warning, writes it by name, or refuses; none fails', function () {
      const tags = tagsWith((t) => (t.values.find((v) => v.name === 'ActionGroup.AustriaEast')!.properties.addressPrefixes = []));
      writeFileSync(join(dir, 'ServiceTags_Public_20251101.json'), tags);
      const outcomes: string[] = [];
      for (const target of TARGETS) {
        const r = fwgen(['emit', '--file', 'tagged.yaml', '--target', target, '--service-tags', 'ServiceTags_Public_20251101.json', '--out', `out-${target}`, '--max-tags-age', '0'], dir);
        expect(r.stderr, target).not.to.match(/internal error|unexpected error|This is a bug/);
        expect(r.code, `${target}: ${r.stderr}`).to.be.oneOf([0, 2]);
        const written = Object.values(snapshot(join(dir, `out-${target}`))).join('\n');
        if (r.code === 2) expect(written, target).to.equal('');
        // Written: the tag by name (the Azure targets), or dropped with a warning that names it (and then in no rule).
        else if (!/"ActionGroup\.AustriaEast"/.test(written)) expect(r.stderr, target).to.match(/warning\[FIDELITY_DROPPED\].*(ActionGroup\.AustriaEast|tagged\/ag: requirement dropped)/i);
        outcomes.push(`${target} ${r.code}`);
      }
      expect(outcomes).to.have.length(8);
    });
  });

  describe('a hostile requirement file', function () {
    const emit = (file: string) => fwgen(['emit', '--file', file, '--target', 'squid', '--out', 'out.conf'], dir, { timeoutMs: 120_000 });

    it('empty: exit 2 at 1:1, nothing written', function () {
      writeFileSync(join(dir, 'empty.yaml'), '');
      expectClearError(emit('empty.yaml'), /^empty\.yaml:1:1: error\[SCHEMA_TYPE\]/m);
      expect(existsSync(join(dir, 'out.conf'))).to.equal(false);
    });

    it('binary: exit 2, nothing written', function () {
      // Fixed bytes (NUL, invalid UTF-8, control characters), so the run does not depend on chance.
      const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256));
      writeFileSync(join(dir, 'binary.yaml'), bytes);
      expectClearError(emit('binary.yaml'), /^binary\.yaml:\d+:\d+: error\[/m);
      expect(existsSync(join(dir, 'out.conf'))).to.equal(false);
    });

    it('a YAML alias bomb (9^9 strings): exit 2 at once, in little memory', function () {
      const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
      for (const [i, n] of [...'bcdefghi'].entries()) lines.push(`${n}: &${n} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`);
      writeFileSync(join(dir, 'bomb.yaml'), `${lines.join('\n')}\nid: bomb\ntitle: t\nsource: { document: d }\nrequirements: []\n`);
      requireEngines(this, 'time');
      const r = emit('bomb.yaml');
      expectClearError(r, /^bomb\.yaml:\d+:\d+: error\[LOAD_YAML_SYNTAX\]: Excessive alias count/m);
      expect(r.rssMiB).to.be.below(200);
      expect(existsSync(join(dir, 'out.conf'))).to.equal(false);
    });

    it('50 MB in one string: a correct result, in bounded time and memory', function () {
      const text = `id: big\ntitle: t\nsource: { document: d }\nrequirements:\n  - id: one\n    destinations: [api.example.com]\n    ports: [https:443]\n    provenance: { text: "${'x'.repeat(50 * 1024 * 1024)}" }\n`;
      writeFileSync(join(dir, 'big.yaml'), text);
      requireEngines(this, 'time');
      const r = emit('big.yaml');
      expect(r.code, r.stderr).to.equal(0);
      expect(readFileSync(join(dir, 'out.conf'), 'utf8')).to.match(/^acl fwgen_big_one_dst dstdomain -n api\.example\.com$/m);
      process.stdout.write(`      50 MB string: ${r.ms} ms, ${r.rssMiB} MiB\n`);
      expect(r.rssMiB).to.be.below(1024);
    });
  });

  describe('an output that cannot be written', function () {
    const project = (outputs: string) => {
      writeFileSync(join(dir, 'fwgen.yaml'), `outputs:\n${outputs}`);
      writeFileSync(join(dir, 'vendor.yaml'), VENDOR_A);
    };

    it('a read-only folder (a read-only bind mount): exit 2 naming it, the old outputs kept, no temp file', function () {
      requireEngines(this, 'unshare', 'mount');
      project(PROJECT_OUTPUTS);
      expect(fwgen(['generate'], dir).code).to.equal(0);
      const before = snapshot(join(dir, 'out'));
      writeFileSync(join(dir, 'vendor.yaml'), VENDOR_B);
      const out = join(dir, 'out');
      const script = `mount --bind "${out}" "${out}" && mount -o remount,bind,ro "${out}" && exec "${process.execPath}" "${BIN}" generate`;
      const r = spawnSync('unshare', ['-m', 'sh', '-c', script], { cwd: dir, env: baseEnv(join(dir, '.cache')), encoding: 'utf8', timeout: 60_000 });
      const run: Run = { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, rssMiB: -1, ms: 0 };
      expectClearError(run, /^fwgen: cannot \w+ .*out.*: read-only file system \(EROFS\); every output is as it was before, or complete$/m);
      expect(snapshot(out)).to.deep.equal(before);
      expect(leftovers(dir)).to.deep.equal([]);
    });

    it('a folder where a file output goes: exit 2, the folder untouched', function () {
      project('  - path: out/squid.conf\n    target: squid\n    files: [vendor.yaml]\n');
      mkdirSync(join(dir, 'out', 'squid.conf'), { recursive: true });
      writeFileSync(join(dir, 'out', 'squid.conf', 'keep'), 'mine');
      expectClearError(fwgen(['generate'], dir), /^fwgen: cannot rename .*squid\.conf.*\((EISDIR|ENOTEMPTY|EEXIST)\)/m);
      expect(snapshot(join(dir, 'out'))).to.deep.equal({ 'squid.conf/keep': 'mine' });
      expect(leftovers(dir)).to.deep.equal([]);
    });

    it('a file where a multi-file output folder goes: exit 2, the file untouched', function () {
      project('  - path: out/iptables\n    target: iptables\n    files: [vendor.yaml]\n    bind: { nodes: 10.1.0.0/24 }\n');
      mkdirSync(join(dir, 'out'));
      writeFileSync(join(dir, 'out', 'iptables'), 'mine');
      expectClearError(fwgen(['generate'], dir), /^fwgen: cannot \w+ .*out\/iptables.*\(ENOTDIR\)/m);
      expect(snapshot(join(dir, 'out'))).to.deep.equal({ iptables: 'mine' });
      expect(leftovers(dir)).to.deep.equal([]);
    });

    it('a full disk (a 1 MiB tmpfs in a mount namespace): exit 2 with ENOSPC, the old outputs kept, no temp file', function () {
      requireEngines(this, 'unshare', 'mount');
      project(PROJECT_OUTPUTS);
      // Inside the namespace: the project on a small tmpfs, a first render, a filler that leaves 8 KiB, a bigger render.
      const script = [
        'set -e',
        'T=$(mktemp -d)',
        'mount -t tmpfs -o size=1m tmpfs "$T"',
        `cp fwgen.yaml vendor.yaml "$T"/`,
        'cd "$T"',
        `"${process.execPath}" "${BIN}" generate >/dev/null 2>&1`,
        'sha256sum $(find out -type f | sort) > "$T.before"',
        'free=$(df --output=avail -B1 "$T" | tail -1)',
        'head -c $((free - 8 * 1024)) /dev/zero > filler || true',
        `cp "${join(dir, 'vendor-b.yaml')}" vendor.yaml`,
        'set +e',
        `"${process.execPath}" "${BIN}" generate 2> "$T.err"; echo "rc=$?"`,
        'cat "$T.err"',
        'sha256sum $(find out -type f | sort) > "$T.after"',
        'cmp -s "$T.before" "$T.after" && echo same-outputs',
        'find . -name "*.fwgen-tmp" -o -name "*.fwgen-*-*.new" -o -name "*.fwgen-*-*.old" | sed "s/^/leftover /"',
      ].join('\n');
      writeFileSync(join(dir, 'vendor-b.yaml'), VENDOR_B);
      const r = spawnSync('unshare', ['-m', 'sh', '-c', script], { cwd: dir, env: baseEnv(join(dir, '.cache')), encoding: 'utf8', timeout: 120_000 });
      expect(r.stdout, r.stderr).to.match(/^rc=2$/m);
      if (process.env.FWGEN_DEBUG_FAULTS) process.stderr.write(r.stdout);
      process.stdout.write(`      full disk: ${r.stdout.split('\n').filter((l) => l.startsWith('fwgen:')).join(' ')}\n`);
      expect(r.stdout).to.match(/^fwgen: cannot \w+ .*: no space left on device \(ENOSPC\); every output is as it was before, or complete$/m);
      expect(r.stdout, 'outputs unchanged').to.match(/^same-outputs$/m);
      expect(r.stdout).not.to.match(/^leftover /m);
    });
  });

  describe('fwgen generate killed, and run twice at once', function () {
    let expected: { a: Record<string, string>; b: Record<string, string> };

    before(function () {
      // The complete outputs of each input version, rendered apart.
      const render = (vendor: string) => {
        const d = makeTempDir('fwgen-faults-ref-');
        writeFileSync(join(d, 'fwgen.yaml'), `outputs:\n${PROJECT_OUTPUTS}`);
        writeFileSync(join(d, 'vendor.yaml'), vendor);
        const r = fwgen(['generate'], d);
        if (r.code !== 0) throw new Error(r.stderr);
        return snapshot(join(d, 'out'));
      };
      expected = { a: render(VENDOR_A), b: render(VENDOR_B) };
      // Every output differs between the versions, so a mix would show.
      for (const k of Object.keys(expected.a)) if (expected.a[k] === expected.b[k]) throw new Error(`${k} is the same for both versions`);
    });

    /** Each output complete in one version: a file whole, a multi-file output's folder all of one version. */
    function outputStates(on: Record<string, string>): string[] {
      const problems: string[] = [];
      for (const output of ['squid.conf', 'fwgen.nft', 'iptables']) {
        const keys = Object.keys(expected.a).filter((k) => k === output || k.startsWith(`${output}/`));
        const keysB = Object.keys(expected.b).filter((k) => k === output || k.startsWith(`${output}/`));
        const present = Object.keys(on).filter((k) => k === output || k.startsWith(`${output}/`));
        const isA = present.length === keys.length && keys.every((k) => on[k] === expected.a[k]);
        const isB = present.length === keysB.length && keysB.every((k) => on[k] === expected.b[k]);
        if (!isA && !isB && present.length > 0) problems.push(`${output}: neither version A nor B complete (${present.join(', ')})`);
      }
      return problems;
    }

    it('SIGKILL at 24 random moments: every output whole (old or new), a multi-file output never mixed, the next run completes it', async function () {
      writeFileSync(join(dir, 'fwgen.yaml'), `outputs:\n${PROJECT_OUTPUTS}`);
      writeFileSync(join(dir, 'vendor.yaml'), VENDOR_A);
      expect(fwgen(['generate'], dir).code).to.equal(0);
      const full = fwgen(['generate', '--full'], dir).ms;
      let seed = 16;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const seen = { old: 0, new: 0, absent: 0, killedAfterExit: 0 };
      for (let i = 0; i < 24; i++) {
        const next = i % 2 === 0 ? VENDOR_B : VENDOR_A;
        writeFileSync(join(dir, 'vendor.yaml'), next);
        // Most of a run is starting and rendering; the later half of it, where the writes are, is drawn more often.
        const delay = Math.floor(full * (i % 3 === 0 ? random() : 0.5 + 0.7 * random()));
        const child = spawn(process.execPath, [BIN, 'generate'], { cwd: dir, env: baseEnv(join(dir, '.cache')), stdio: 'ignore' });
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        await new Promise((r) => setTimeout(r, delay));
        const killed = child.kill('SIGKILL');
        const code = await exited;
        if (!killed || code === 0) seen.killedAfterExit++;
        const on = snapshot(join(dir, 'out'));
        expect(outputStates(on), `kill ${i} after ${delay} ms`).to.deep.equal([]);
        const ipt = Object.keys(on).filter((k) => k.startsWith('iptables/'));
        const want = i % 2 === 0 ? expected.b : expected.a;
        if (ipt.length === 0) seen.absent++;
        else if (ipt.every((k) => on[k] === want[k])) seen.new++;
        else seen.old++;
        // Whatever was left, the next run ends with the complete new outputs and nothing else.
        const r = fwgen(['generate'], dir);
        expect(r.code, r.stderr).to.equal(0);
        expect(snapshot(join(dir, 'out')), `run after kill ${i}`).to.deep.equal(want);
        expect(leftovers(dir)).to.deep.equal([]);
      }
      process.stdout.write(`      kills: iptables folder old ${seen.old}, new ${seen.new}, absent ${seen.absent}; run already over ${seen.killedAfterExit} (generate takes ${full} ms)\n`);
    });

    it('killed between the two renames of a folder swap: the next run puts the staged folder in place', async function () {
      // The state a kill leaves at that instant, built by hand with a pid that no process has.
      const out = join(dir, 'out');
      mkdirSync(join(out, '.iptables.fwgen-999999999-0.old'), { recursive: true });
      mkdirSync(join(out, '.iptables.fwgen-999999999-0.new'));
      for (const [k, v] of Object.entries(expected.a)) if (k.startsWith('iptables/')) writeFileSync(join(out, '.iptables.fwgen-999999999-0.old', k.slice(9)), v);
      for (const [k, v] of Object.entries(expected.b)) if (k.startsWith('iptables/')) writeFileSync(join(out, '.iptables.fwgen-999999999-0.new', k.slice(9)), v);
      await recoverGroup(join(out, 'iptables'));
      const on = snapshot(out);
      expect(Object.fromEntries(Object.entries(on).filter(([k]) => k.startsWith('iptables/')))).to.deep.equal(Object.fromEntries(Object.entries(expected.b).filter(([k]) => k.startsWith('iptables/'))));
      expect(leftovers(dir)).to.deep.equal([]);
    });

    it('two runs at once, three times over: both succeed, the outputs are complete, nothing is left behind', async function () {
      writeFileSync(join(dir, 'fwgen.yaml'), `outputs:\n${PROJECT_OUTPUTS}`);
      for (let round = 0; round < 3; round++) {
        const vendor = round % 2 === 0 ? VENDOR_B : VENDOR_A;
        writeFileSync(join(dir, 'vendor.yaml'), vendor);
        const once = () =>
          new Promise<{ code: number | null; stderr: string }>((resolve) => {
            const c = spawn(process.execPath, [BIN, 'generate', '--full'], { cwd: dir, env: baseEnv(join(dir, '.cache')), stdio: ['ignore', 'ignore', 'pipe'] });
            let stderr = '';
            c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
            const timer = setTimeout(() => c.kill('SIGKILL'), 60_000);
            c.on('exit', (code) => {
              clearTimeout(timer);
              resolve({ code, stderr });
            });
          });
        const [x, y] = await Promise.all([once(), once()]);
        expect(x.code, x.stderr).to.equal(0);
        expect(y.code, y.stderr).to.equal(0);
        expect(snapshot(join(dir, 'out'))).to.deep.equal(round % 2 === 0 ? expected.b : expected.a);
        expect(leftovers(dir)).to.deep.equal([]);
      }
    });
  });
});

/** Two versions of one vendor file whose outputs differ for every target of PROJECT_OUTPUTS. */
const VENDOR_A = `id: vendor
title: Vendor
source: { document: vendor.md }
groups:
  nodes: { title: Nodes }
requirements:
  - id: api
    sources: [{ group: nodes }]
    destinations: [api.example.com, 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/26, 203.0.113.64/26, 203.0.113.128/26, 10.9.0.0/16, 10.10.0.0/16, 10.11.0.0/16, 10.12.0.0/16, "2001:db8::/48"]
    ports: [https:443]
    provenance: { line: 1 }
`;
const VENDOR_B = VENDOR_A.replace('api.example.com', 'api2.example.com').replace('10.12.0.0/16', '10.13.0.0/16').replace('https:443', 'https:443, tcp:8443');

const PROJECT_OUTPUTS = `  - path: out/squid.conf
    target: squid
    files: [vendor.yaml]
  - path: out/fwgen.nft
    target: nftables
    files: [vendor.yaml]
    bind: { nodes: 10.1.0.0/24 }
  - path: out/iptables
    target: iptables
    files: [vendor.yaml]
    bind: { nodes: 10.1.0.0/24 }
`;

