/**
 * Helpers for the specs that use fwgen the way a user gets it: a clone run by the pre-commit framework, and the
 * tarball `npm pack` makes. Every command is bounded by a timeout; temp folders come from the engine harness, which
 * removes them at exit.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout running the specs. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * The environment of a user's shell, not of `npm test`: no npm_* variables npm sets for its scripts (they would
 * configure the npm a test starts), no GIT_* variables (from a git hook they point at another repository), no
 * NODE_OPTIONS of mocha's, and git's global and system configuration replaced by `gitconfig`.
 */
export function userEnv(gitconfig: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|git_|node_options$|init_cwd$)/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, GIT_CONFIG_GLOBAL: gitconfig, GIT_CONFIG_NOSYSTEM: '1', ...extra };
}

/**
 * A git configuration with an identity and none of the user's hooks, signing or templates. `safe.directory` because
 * a CI checkout may belong to another user than the one running the specs.
 */
export function writeGitConfig(dir: string): string {
  const file = join(dir, 'gitconfig');
  writeFileSync(file, '[user]\n\tname = fwgen spec\n\temail = spec@fwgen.invalid\n[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n[advice]\n\tdetachedHead = false\n[safe]\n\tdirectory = *\n');
  return file;
}

export function sh(argv: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Ran {
  const [cmd, ...args] = argv;
  const t0 = performance.now();
  const r = spawnSync(cmd!, args, { cwd: opts.cwd, env: opts.env, encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - t0;
  const err = r.error ? `\n${String(r.error)}` : '';
  return { code: r.error ? null : r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + err, ms };
}

/** Like {@link sh}, throwing with the command's output when it does not exit 0. */
export function shOk(argv: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Ran {
  const r = sh(argv, opts);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} (in ${opts.cwd}) exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/**
 * Clones the checkout running the specs into `dest` and returns the commit: HEAD, so uncommitted changes are not
 * part of what is tested (the spec says so when there are some).
 */
export function cloneHead(dest: string, env: NodeJS.ProcessEnv): { sha: string; dirty: boolean } {
  const sha = shOk(['git', 'rev-parse', 'HEAD'], { cwd: repoRoot, env }).stdout.trim();
  const dirty = shOk(['git', 'status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, env }).stdout.trim() !== '';
  shOk(['git', 'clone', '--quiet', '--no-hardlinks', repoRoot, dest], { cwd: repoRoot, env, timeoutMs: 120_000 });
  shOk(['git', 'checkout', '--quiet', '--detach', sha], { cwd: dest, env });
  return { sha, dirty };
}

export const seconds = (ms: number): string => (ms / 1000).toFixed(1);
