import { chmod, chown, copyFile, link, lstat, mkdir, open, readdir, readFile, readlink, rename, rm, stat, symlink } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';

export interface PlannedFile {
  path: string;
  contents: string;
  /**
   * The folder of a multi-file output (iptables.rules, ip6tables.rules and ipset.restore): its files are replaced
   * together, by swapping the folder, so that no reader ever finds new files beside old ones.
   */
  group?: string;
}

/**
 * Writes files only after all are rendered, so that a failure (a full disk, a read-only folder) or a kill at any
 * moment leaves each output either complete and old or complete and new, never half-written or mixed:
 * - a single file goes to a temp file in its own directory, which is renamed into place;
 * - a multi-file output (files with the same `group`) is written in full to a staging folder beside its folder
 *   (with hard links to whatever else the folder holds), and the two are swapped by two renames: for the instant
 *   between them the folder is absent, never mixed. A kill in that instant leaves the staging folder, which the next
 *   write of the same output (any `fwgen generate`) puts in place before it does anything else.
 * Files whose bytes are unchanged are left alone, mtime included. Returns the paths that were written.
 */
export async function writeOutputs(files: readonly PlannedFile[]): Promise<string[]> {
  const singles: PlannedFile[] = [];
  const groups = new Map<string, PlannedFile[]>();
  for (const f of files) {
    if (f.group === undefined) singles.push(f);
    else if (groups.has(f.group)) groups.get(f.group)!.push(f);
    else groups.set(f.group, [f]);
  }
  for (const dir of groups.keys()) await recoverGroup(dir);
  for (const f of singles) await removeStaleTemps(f.path);
  const changed: PlannedFile[] = [];
  for (const f of singles) if ((await readFile(f.path, 'utf8').catch(() => undefined)) !== f.contents) changed.push(f);
  const changedGroups: { dir: string; list: PlannedFile[]; changed: PlannedFile[] }[] = [];
  for (const [dir, list] of groups) {
    const differ: PlannedFile[] = [];
    for (const f of list) if ((await readFile(f.path, 'utf8').catch(() => undefined)) !== f.contents) differ.push(f);
    if (differ.length) changedGroups.push({ dir, list, changed: differ });
  }
  const temps: { temp: string; path: string }[] = [];
  const staged: { dir: string; staging: string; old: string }[] = [];
  try {
    for (const f of changed) {
      // A folder in the way would only fail at the rename, after every other output was written.
      if ((await stat(f.path).catch(() => undefined))?.isDirectory()) throw fsError('EISDIR', 'illegal operation on a directory', 'rename', f.path);
      await mkdir(dirname(f.path), { recursive: true });
      const temp = join(dirname(f.path), `.${basename(f.path)}.${process.pid}.${temps.length}.fwgen-tmp`);
      temps.push({ temp, path: f.path });
      await writeText(temp, f.contents).catch((e: unknown) => Promise.reject(withPath(e, f.path)));
    }
    for (const g of changedGroups) {
      const base = join(dirname(g.dir), `.${basename(g.dir)}.fwgen-${process.pid}-${staged.length}`);
      const s = { dir: g.dir, staging: `${base}.new`, old: `${base}.old` };
      staged.push(s);
      await stageGroup(g.dir, s.staging, g.list, new Set(g.changed));
    }
  } catch (e) {
    await Promise.all([...temps.map((t) => rm(t.temp, { force: true })), ...staged.map((s) => rm(s.staging, { recursive: true, force: true }))]);
    throw e;
  }
  // Everything is on disk in full; from here on only renames. One that fails leaves the outputs renamed before it
  // complete and new, the rest complete and old.
  let done = 0;
  let swapped = 0;
  try {
    for (; done < temps.length; done++) await rename(temps[done]!.temp, temps[done]!.path);
    for (; swapped < staged.length; swapped++) await swap(staged[swapped]!);
  } catch (e) {
    await Promise.all([...temps.slice(done).map((t) => rm(t.temp, { force: true })), ...staged.slice(swapped).map((x) => rm(x.staging, { recursive: true, force: true }))]);
    throw e;
  }
  return [...changed.map((f) => f.path), ...changedGroups.flatMap((g) => g.changed.map((f) => f.path))];
}

const CHUNK = 1 << 20;

/**
 * Writes text to a new file (`wx`) a megabyte at a time: writeFile turns the whole text into one buffer first, and
 * the outputs of 100,000 prefixes are 24 MB. A chunk never ends between the two halves of a surrogate pair, so the
 * UTF-8 is the same as writeFile's.
 */
async function writeText(path: string, text: string): Promise<void> {
  const file = await open(path, 'wx');
  try {
    for (let at = 0; at < text.length; ) {
      let end = Math.min(text.length, at + CHUNK);
      const last = text.charCodeAt(end - 1);
      if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
      await file.write(text.slice(at, end));
      at = end;
    }
  } finally {
    await file.close();
  }
}

/** An error as the file system gives it, naming the path. */
function fsError(code: string, message: string, syscall: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${message}, ${syscall} '${path}'`), { code, syscall, path });
}

function notADirectory(path: string): Error {
  return fsError('ENOTDIR', 'not a directory', 'mkdir', path);
}

/** A write error names no path (`ENOSPC: no space left on device, write`): give it the output's. */
function withPath(e: unknown, path: string): unknown {
  const x = e as NodeJS.ErrnoException;
  if (x && typeof x === 'object' && x.code && !x.path) x.path = path;
  return e;
}

/**
 * The staging folder: the group's changed files, links to its unchanged ones (mtime kept) and to every other file
 * the folder holds now, with the folder's mode.
 */
async function stageGroup(dir: string, staging: string, list: readonly PlannedFile[], changed: ReadonlySet<PlannedFile>): Promise<void> {
  const current = await stat(dir).catch(() => undefined);
  if (current && !current.isDirectory()) throw notADirectory(dir);
  await mkdir(dirname(dir), { recursive: true });
  await mkdir(staging);
  const planned = new Set(list.filter((f) => changed.has(f)).map((f) => relative(dir, f.path)));
  if (current) {
    await carryOver(dir, staging, '', planned);
    await chmod(staging, current.mode & 0o7777);
    await chown(staging, current.uid, current.gid).catch(() => {});
  }
  for (const f of list) {
    if (!changed.has(f)) continue;
    const target = join(staging, relative(dir, f.path));
    await mkdir(dirname(target), { recursive: true });
    await writeText(target, f.contents).catch((e: unknown) => Promise.reject(withPath(e, f.path)));
  }
}

/** Everything under `from` that fwgen does not write now, linked (or copied) into `to` at the same place. */
async function carryOver(from: string, to: string, rel: string, planned: ReadonlySet<string>): Promise<void> {
  for (const e of await readdir(join(from, rel), { withFileTypes: true })) {
    const r = join(rel, e.name);
    if (planned.has(r)) continue;
    const src = join(from, r);
    const dst = join(to, r);
    if (e.isDirectory()) {
      await mkdir(dst, { recursive: true });
      await chmod(dst, (await stat(src)).mode & 0o7777);
      await carryOver(from, to, r, planned);
    } else if (e.isSymbolicLink()) await symlink(await readlink(src), dst);
    else if (e.isFile()) await link(src, dst).catch(() => copyFile(src, dst));
  }
}

/** Old folder aside, staging folder in, old folder removed; a concurrent writer's complete folder wins over ours. */
async function swap(s: { dir: string; staging: string; old: string }): Promise<void> {
  const moved = await rename(s.dir, s.old).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return false;
      throw e;
    },
  );
  try {
    await rename(s.staging, s.dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Another fwgen put its complete folder in place between our two renames: keep it, drop ours.
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') {
      if (moved) await rename(s.old, s.dir).catch(() => {});
      throw e;
    }
    await rm(s.staging, { recursive: true, force: true });
  }
  if (moved) await rm(s.old, { recursive: true, force: true });
}

const STAGING = /^\.(.+)\.fwgen-(\d+)-(\d+)\.(new|old)$/;

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Finishes what a killed writer of this folder left: a staging folder whose old folder was already moved aside is
 * complete, so it goes in place; anything else of a writer no longer running is removed.
 */
export async function recoverGroup(dir: string): Promise<void> {
  const parent = dirname(dir);
  const name = basename(dir);
  const entries = await readdir(parent).catch(() => [] as string[]);
  const left = new Map<string, { new?: string; old?: string }>();
  for (const e of entries) {
    const m = STAGING.exec(e);
    if (!m || m[1] !== name || alive(Number(m[2]))) continue;
    const key = `${m[2]}-${m[3]}`;
    const entry = left.get(key) ?? {};
    entry[m[4] as 'new' | 'old'] = join(parent, e);
    left.set(key, entry);
  }
  for (const { new: staged, old } of left.values()) {
    const present = await lstat(dir).then(
      () => true,
      () => false,
    );
    if (!present && old && staged) await rename(staged, dir);
    else if (!present && old) await rename(old, dir);
    if (staged) await rm(staged, { recursive: true, force: true });
    if (old) await rm(old, { recursive: true, force: true });
  }
}

/** Temp files of a single-file write whose writer was killed before its rename. */
async function removeStaleTemps(path: string): Promise<void> {
  const prefix = `.${basename(path)}.`;
  for (const e of await readdir(dirname(path)).catch(() => [] as string[])) {
    if (!e.startsWith(prefix) || !e.endsWith('.fwgen-tmp')) continue;
    const pid = Number(e.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(pid) && !alive(pid)) await rm(join(dirname(path), e), { force: true });
  }
}
