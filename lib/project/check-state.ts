import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import type { Diagnostic } from '../model/diagnostic.js';
import type { FeedInfo } from '../model/resolved.js';
import { buildId } from './build-info.js';

/**
 * What `fwgen check` needs to say "up to date" without rendering: the state a full render left behind. It holds
 * everything that determines the outputs, as hashes: fwgen's build id (code, templates, compiled catalogs, the
 * Service Tags snapshot and its index, package.json, so any other fwgen build renders in full), Node's version,
 * the project file, every requirement and list file read, every Service Tags file used and what each Service Tags
 * folder resolved to, whether each built-in catalog came from its compiled form, and every file of the third-party
 * emitters' code; and the hash of each output's contents.
 *
 * `check` hashes those inputs again and the output files on disk; when every hash matches, a render would give
 * exactly the recorded outputs (rendering is deterministic and reads nothing else), and the files on disk are them.
 * Anything else (no state, another fwgen, an input or an output that differs in any byte) renders in full as
 * before, so the state can make check faster but never change its answer. It lives in the user's cache folder,
 * not in the project, so nothing is committed and check writes nothing into the working tree.
 */
export const STATE_FORMAT = 1;

/** Inputs at least this big are re-hashed only when their size, times or inode changed (the 4 MB Service Tags files). */
const MEMO_BYTES = 1024 * 1024;

/**
 * An input changed less than this before the render began may have changed while the render read it (or within
 * one tick of a coarse file system clock): a state recorded then would be unsafe, so none is written.
 */
export const RACY_MS = 1500;

export interface StateInput {
  path: string;
  /** null: the file did not exist (a missing list file is an error, so this only guards against surprises). */
  sha256: string | null;
  size?: number;
  mtimeMs?: number;
  ctimeMs?: number;
  ino?: number;
}

export interface CheckState {
  format: number;
  build: string;
  node: string;
  project: string;
  inputs: StateInput[];
  /** Service Tags folders and the file each resolved to. */
  folders: { path: string; file: string }[];
  /** Built-in catalogs read, and whether the compiled form was current (loadCompiledCatalog's test). */
  catalogs: { yaml: string; compiled: string; current: boolean }[];
  /** Paths relative to the project folder, in render order. */
  outputs: { path: string; sha256: string }[];
  /** For the age warning, which depends on the date and not on the inputs. */
  serviceTags: { file: string; changeNumber: number; date?: string; outputs?: string[] }[];
  maxTagsAge?: number;
  /** The address feeds of fwgen.yaml, for their age warning (which also depends on the date only). */
  feeds?: FeedInfo[];
  maxFeedAge?: number;
  /** The render's warnings, so a `generate` that renders nothing still reports them. */
  diagnostics: Diagnostic[];
}

/** The folder for fwgen's caches: FWGEN_CACHE_DIR, else $XDG_CACHE_HOME/fwgen, else ~/.cache/fwgen (%LOCALAPPDATA% on Windows). */
export function cacheDir(env: NodeJS.ProcessEnv): string {
  if (env.FWGEN_CACHE_DIR) return resolve(env.FWGEN_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'fwgen');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'fwgen', 'cache');
  return join(homedir(), '.cache', 'fwgen');
}

export function stateFile(env: NodeJS.ProcessEnv, projectFile: string): string {
  const key = createHash('sha256').update(resolve(projectFile)).digest('hex').slice(0, 32);
  return join(cacheDir(env), 'check', `${key}.json`);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The SHA-256 of a text's UTF-8, a megabyte at a time: one update() of a 13 MB output converts it whole, and that
 * buffer adds to the peak of a big render. A chunk never ends inside a surrogate pair, so the hash is the text's.
 */
export function textSha256(text: string): string {
  const hash = createHash('sha256');
  for (let at = 0; at < text.length; ) {
    let end = Math.min(text.length, at + (1 << 20));
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    hash.update(text.slice(at, end));
    at = end;
  }
  return hash.digest('hex');
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Hashes an input now; the stat is kept for the big ones so the next check can skip re-reading them. */
export function hashInput(path: string): StateInput {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return { path, sha256: null };
  }
  const st = statOf(path);
  const memo = st && st.size >= MEMO_BYTES ? { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino } : {};
  return { path, sha256: sha256(bytes), ...memo };
}

function sameStat(recorded: StateInput, st: Stats): boolean {
  return st.size === recorded.size && st.mtimeMs === recorded.mtimeMs && st.ctimeMs === recorded.ctimeMs && st.ino === recorded.ino;
}

/** Whether an input still has the recorded contents: by its stat for a big file whose stat is unchanged, else by hashing. */
function inputUnchanged(recorded: StateInput): boolean {
  if (recorded.size !== undefined) {
    const st = statOf(recorded.path);
    if (st && sameStat(recorded, st)) return true;
  }
  return hashInput(recorded.path).sha256 === recorded.sha256;
}

/** The test loadCompiledCatalog makes: the compiled JSON is used when it is not older than the YAML. */
export function compiledIsCurrent(yaml: string, compiled: string): boolean {
  const a = statOf(compiled);
  const b = statOf(yaml);
  return a !== undefined && b !== undefined && a.mtimeMs >= b.mtimeMs;
}

export function readState(env: NodeJS.ProcessEnv, projectFile: string): CheckState | undefined {
  try {
    const state = JSON.parse(readFileSync(stateFile(env, projectFile), 'utf8')) as CheckState;
    if (state.format !== STATE_FORMAT || !Array.isArray(state.inputs) || !Array.isArray(state.outputs)) return undefined;
    return state;
  } catch {
    return undefined;
  }
}

/**
 * Whether the recorded state still holds: same fwgen build and Node, every input the same bytes, every Service Tags
 * folder resolving to the same file, every output on disk the recorded bytes. `resolveFolder` is the same resolution
 * the render used.
 */
export function stateHolds(state: CheckState, projectFile: string, resolveFolder: (path: string) => string | undefined): boolean {
  const id = buildId();
  if (!id || state.build !== id || state.node !== process.version || state.project !== resolve(projectFile)) return false;
  for (const f of state.folders) if (resolveFolder(f.path) !== f.file) return false;
  for (const c of state.catalogs) if (compiledIsCurrent(c.yaml, c.compiled) !== c.current) return false;
  for (const input of state.inputs) if (!inputUnchanged(input)) return false;
  const dir = dirname(state.project);
  for (const o of state.outputs) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(dir, o.path));
    } catch {
      return false;
    }
    if (sha256(bytes) !== o.sha256) return false;
  }
  return true;
}

export interface StateRecord {
  projectFile: string;
  inputs: string[];
  folders: { path: string; file: string }[];
  catalogs: { yaml: string; compiled: string }[];
  outputs: { path: string; contents: string }[];
  serviceTags: { file: string; changeNumber: number; date?: string; outputs?: string[] }[];
  maxTagsAge?: number;
  feeds?: FeedInfo[];
  maxFeedAge?: number;
  diagnostics: Diagnostic[];
  /** When the render began (Date.now()): inputs changed after RACY_MS before it leave no state. */
  renderStart: number;
}

/**
 * Writes the state after a render whose outputs are the files on disk (a clean check, or a generate that wrote
 * them). Best effort: a cache that cannot be written only means the next check renders in full. Returns whether
 * it was written.
 */
export function writeState(env: NodeJS.ProcessEnv, r: StateRecord): boolean {
  const id = buildId();
  if (!id) return false;
  const inputs: StateInput[] = [];
  // A big input whose stat the last state recorded and which still has it keeps its hash, as check trusts it.
  const known = new Map((readState(env, r.projectFile)?.inputs ?? []).filter((i) => i.size !== undefined).map((i) => [i.path, i]));
  for (const path of [...new Set([resolve(r.projectFile), ...r.inputs.map((p) => resolve(p))])].sort()) {
    const st = statOf(path);
    // Changed around or after the start of the render: the render may have read other bytes than these.
    if (st && Math.max(st.mtimeMs, st.ctimeMs) >= r.renderStart - RACY_MS) return false;
    const memo = known.get(path);
    inputs.push(memo && st && sameStat(memo, st) ? memo : hashInput(path));
  }
  const dir = dirname(resolve(r.projectFile));
  const state: CheckState = {
    format: STATE_FORMAT,
    build: id,
    node: process.version,
    project: resolve(r.projectFile),
    inputs,
    folders: r.folders,
    catalogs: r.catalogs.map((c) => ({ ...c, current: compiledIsCurrent(c.yaml, c.compiled) })),
    outputs: r.outputs.map((o) => ({ path: relative(dir, o.path), sha256: textSha256(o.contents) })),
    serviceTags: r.serviceTags,
    ...(r.maxTagsAge !== undefined ? { maxTagsAge: r.maxTagsAge } : {}),
    ...(r.feeds?.length ? { feeds: r.feeds } : {}),
    ...(r.maxFeedAge !== undefined ? { maxFeedAge: r.maxFeedAge } : {}),
    diagnostics: r.diagnostics,
  };
  const file = stateFile(env, r.projectFile);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(temp, JSON.stringify(state));
    renameSync(temp, file);
    return true;
  } catch {
    rmSync(temp, { force: true });
    return false;
  }
}

/** Forgets the state, so the next check renders in full (after a render that failed or found drift). */
export function dropState(env: NodeJS.ProcessEnv, projectFile: string): void {
  try {
    rmSync(stateFile(env, projectFile), { force: true });
  } catch {
    // nothing to forget
  }
}
