/**
 * Checks an iptables target's output with the real engines, in one throw-away network namespace so the ipset sets
 * exist when the rules that use them are loaded: `ipset restore`, then for each family `--test` and a real load
 * (the nf_tables backend's --test misses jumps to undefined chains), then everything once more (a reload must work
 * and give the same rules), then `iptables-save` of the result.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OutputFile } from '../../../lib/emit/emitter.js';
import { makeTempDir, removeTempDir, runSync } from '../../helpers/engines.js';

export interface LoadResult {
  ok: boolean;
  /** The step that failed, e.g. `iptables-restore --test`. */
  failedAt?: string;
  output: string;
  /** `iptables-save` / `ip6tables-save` after the first load and after the reload (counters and comments dropped). */
  saved?: { v4: string; v6: string; v4Again: string; v6Again: string };
}

export interface LoadOptions {
  /** Load with --noflush (for `flush=chains` output). */
  noflush?: boolean;
  /** Shell run before the first load (e.g. a rule of the user's own that must survive). */
  before?: string;
  /** Shell run after the first load (e.g. adding the jumps that a `flush=chains` file leaves out). */
  afterLoad?: string;
}

const MARK = '@@step ';

/** Commands that must all work, in one namespace; prints a marker before each step so a failure names its step. */
export function loadOutputs(files: readonly OutputFile[], opts: LoadOptions = {}): LoadResult {
  const dir = makeTempDir('fwgen-ipt-');
  try {
    for (const f of files) writeFileSync(join(dir, f.path), f.contents);
    const has = (p: string) => files.some((f) => f.path === p);
    const nf = opts.noflush ? ' --noflush' : '';
    const steps: [string, string][] = [];
    if (opts.before) steps.push(['setup', opts.before]);
    const loadAll = (again: string) => {
      if (has('ipset.restore')) steps.push([`ipset restore${again}`, `ipset restore -file ${dir}/ipset.restore`]);
      for (const [bin, file] of [['iptables', 'iptables.rules'], ['ip6tables', 'ip6tables.rules']] as const) {
        if (!has(file)) continue;
        steps.push([`${bin}-restore --test${again}`, `${bin}-restore${nf} --test ${dir}/${file}`]);
        steps.push([`${bin}-restore${again}`, `${bin}-restore${nf} ${dir}/${file}`]);
      }
    };
    loadAll('');
    if (opts.afterLoad) steps.push(['after load', opts.afterLoad]);
    steps.push(['save', `iptables-save > ${dir}/v4.saved && ip6tables-save > ${dir}/v6.saved`]);
    loadAll(' (reload)');
    steps.push(['save again', `iptables-save > ${dir}/v4.again && ip6tables-save > ${dir}/v6.again && cat ${dir}/v4.saved && echo ${MARK}SPLIT && cat ${dir}/v6.saved && echo ${MARK}SPLIT && cat ${dir}/v4.again && echo ${MARK}SPLIT && cat ${dir}/v6.again`]);
    const script = ['set -e', ...steps.map(([name, cmd]) => `echo '${MARK}${name}'\n${cmd}`)].join('\n');
    const ns = process.getuid?.() === 0 ? ['unshare', '--net', '--'] : ['unshare', '--user', '--map-root-user', '--net', '--'];
    const r = runSync([...ns, 'sh', '-c', script], { timeoutMs: 120_000 });
    const output = r.stdout + r.stderr;
    if (r.code !== 0) {
      const marks = [...r.stdout.matchAll(new RegExp(`${MARK}(.*)`, 'g'))].map((m) => m[1]);
      return { ok: false, failedAt: r.timedOut ? 'timeout' : marks[marks.length - 1] ?? 'start', output };
    }
    const parts = r.stdout.slice(r.stdout.indexOf(`${MARK}save again`) + `${MARK}save again`.length).split(`${MARK}SPLIT`).map(normaliseSave);
    return { ok: true, output, saved: { v4: parts[0]!, v6: parts[1]!, v4Again: parts[2]!, v6Again: parts[3]! } };
  } finally {
    removeTempDir(dir);
  }
}

/** iptables-save output without its dated comment lines and counters, for comparing two loads. */
function normaliseSave(text: string): string {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]/, '[0:0]'))
    .join('\n');
}
