/**
 * The real engines over many outputs at once: one shell per batch (inside one throw-away network namespace for
 * iptables, ipset and nft) that checks every case's files in turn and records each exit code and message, so a
 * batch of a few hundred costs one process start, not hundreds. Returns the problems by case index.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { OutputFile } from '../../lib/index.js';
import { engineAvailable, makeTempDir, removeTempDir, runSync } from '../helpers/engines.js';
import { squidDirectives } from '../helpers/squid-directives.js';

export interface EngineCase {
  index: number;
  files: readonly OutputFile[];
}

/** Engines each target needs; a missing one is a loud skip (or a failure with FWGEN_REQUIRE_ENGINES=1). */
export const ENGINES: Record<string, string[]> = {
  squid: ['squid'],
  iptables: ['iptables-restore', 'ip6tables-restore', 'ipset', 'unshare'],
  nftables: ['nft', 'unshare'],
  panos: ['xmllint'],
  'k8s-networkpolicy': [],
  cilium: [],
  'azure-firewall': [],
  'azure-nsg': [],
};

const ns = (): string[] => (process.getuid?.() === 0 ? ['unshare', '--net', '--'] : ['unshare', '--user', '--map-root-user', '--net', '--']);

function writeCases(dir: string, cases: readonly EngineCase[]): void {
  for (const c of cases) {
    const d = join(dir, String(c.index));
    mkdirSync(d);
    for (const f of c.files) {
      mkdirSync(dirname(join(d, f.path)), { recursive: true });
      writeFileSync(join(d, f.path), f.contents);
    }
  }
}

function results(dir: string, cases: readonly EngineCase[], file: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const c of cases) {
    const p = join(dir, String(c.index), file);
    out.set(c.index, existsSync(p) ? readFileSync(p, 'utf8') : 'MISSING RESULT');
  }
  return out;
}

/** Runs the script with `$D` the batch folder; every case gets its folder's `result` written (empty: passed). */
function runBatch(target: string, cases: readonly EngineCase[], script: string, inNamespace: boolean, timeoutMs: number): Map<number, string> {
  const dir = makeTempDir(`fwgen-fuzz-${target}-`);
  try {
    writeCases(dir, cases);
    const argv = [...(inNamespace ? ns() : []), 'sh', '-c', script, 'sh', dir];
    const r = runSync(argv, { timeoutMs });
    if (r.code !== 0) throw new Error(`${target} batch script failed (${r.timedOut ? 'timeout' : `exit ${r.code}`}): ${r.stderr}${r.stdout}`);
    const raw = results(dir, cases, 'result');
    const out = new Map<number, string>();
    for (const [i, text] of raw) if (text.trim() !== '') out.set(i, text.slice(0, 4000));
    return out;
  } finally {
    removeTempDir(dir);
  }
}

const SQUID = `
D=$1
for c in "$D"/*/; do
  squid -k parse -f "$c/squid.conf" > "$c/parse.out" 2>&1; rc=$?
  : > "$c/result"
  [ $rc -eq 0 ] || { echo "squid -k parse exit $rc"; cat "$c/parse.out"; } > "$c/result"
done
`;

/** squid -k parse of each; also squid's own `Processing:` lines must be the directives we read, and no WARNING. */
function squidBatch(cases: readonly EngineCase[]): Map<number, string> {
  const dir = makeTempDir('fwgen-fuzz-squid-');
  try {
    writeCases(dir, cases);
    const r = runSync(['sh', '-c', SQUID, 'sh', dir], { timeoutMs: 60_000 + cases.length * 2000 });
    if (r.code !== 0) throw new Error(`squid batch failed: ${r.stderr}`);
    const out = new Map<number, string>();
    for (const c of cases) {
      const d = join(dir, String(c.index));
      const result = readFileSync(join(d, 'result'), 'utf8');
      if (result.trim()) {
        out.set(c.index, result.slice(0, 4000));
        continue;
      }
      const parse = readFileSync(join(d, 'parse.out'), 'utf8');
      const processed = [...parse.matchAll(/Processing: (.*)$/gm)].map((m) => m[1]!.trim());
      const ours = squidDirectives(c.files[0]!.contents).map((l) => l.trim());
      const warnings = parse.split('\n').filter((l) => /\bWARNING\b/.test(l));
      if (JSON.stringify(processed) !== JSON.stringify(ours)) out.set(c.index, `squid read other directives than the suite:\nsquid: ${JSON.stringify(processed).slice(0, 1500)}\nours:  ${JSON.stringify(ours).slice(0, 1500)}`);
      else if (warnings.length) out.set(c.index, `squid warnings:\n${warnings.join('\n')}`);
    }
    return out;
  } finally {
    removeTempDir(dir);
  }
}

/**
 * ipset restore, iptables-restore --test, then a real load (the nf_tables --test misses jumps to undefined chains),
 * for both families; then everything is flushed and the sets destroyed before the next case.
 */
const IPTABLES = `
D=$1
for c in "$D"/*/; do
  : > "$c/result"
  {
    if [ -f "$c/ipset.restore" ]; then ipset restore -file "$c/ipset.restore" 2>&1 || echo "ipset restore failed"; fi
    for f in iptables ip6tables; do
      [ -f "$c/$f.rules" ] || continue
      $f-restore --test "$c/$f.rules" 2>&1 || echo "$f-restore --test failed"
      $f-restore --noflush "$c/$f.rules" 2>&1 || echo "$f-restore load failed"
    done
  } > "$c/log" 2>&1
  grep -q failed "$c/log" && cp "$c/log" "$c/result"
  for f in iptables ip6tables; do $f -F; $f -X; done
  ipset destroy 2>/dev/null
done
exit 0
`;

/** nft -c, then a real load and a flush. */
const NFT = `
D=$1
for c in "$D"/*/; do
  : > "$c/result"
  f=$(ls "$c" | grep '\\.nft$' | head -1)
  { nft -c -f "$c/$f" 2>&1 || echo "nft -c failed"; } > "$c/log"
  if ! grep -q failed "$c/log"; then nft -f "$c/$f" >> "$c/log" 2>&1 || echo "nft load failed" >> "$c/log"; fi
  grep -q failed "$c/log" && cp "$c/log" "$c/result"
  nft flush ruleset
done
exit 0
`;

/** xmllint over every document of the batch in one call; on failure, each alone to say which. */
function xmlBatch(cases: readonly EngineCase[]): Map<number, string> {
  const dir = makeTempDir('fwgen-fuzz-xml-');
  try {
    writeCases(dir, cases);
    const files = cases.map((c) => join(dir, String(c.index), 'panos.xml'));
    const all = runSync(['xmllint', '--noout', '--nonet', ...files], { timeoutMs: 60_000 });
    const out = new Map<number, string>();
    if (all.code === 0) return out;
    for (const c of cases) {
      const r = runSync(['xmllint', '--noout', '--nonet', join(dir, String(c.index), 'panos.xml')]);
      if (r.code !== 0) out.set(c.index, `xmllint exit ${r.code}: ${r.stderr.slice(0, 2000)}`);
    }
    return out;
  } finally {
    removeTempDir(dir);
  }
}

/** Problems by case index for the target's engine; targets checked only in-process return none here. */
export function engineProblems(target: string, cases: readonly EngineCase[]): Map<number, string> {
  if (cases.length === 0) return new Map();
  const timeout = 60_000 + cases.length * 1000;
  switch (target) {
    case 'squid':
      return squidBatch(cases);
    case 'iptables':
      return runBatch(target, cases, IPTABLES, true, timeout);
    case 'nftables':
      return runBatch(target, cases, NFT, true, timeout);
    case 'panos':
      return xmlBatch(cases);
    default:
      return new Map();
  }
}

export function enginesMissing(target: string): string[] {
  return ENGINES[target]!.filter((e) => !engineAvailable(e));
}
