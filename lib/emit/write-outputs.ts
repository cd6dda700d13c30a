import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface PlannedFile {
  path: string;
  contents: string;
}

/**
 * Writes files only after all are rendered: each goes to a temp file in its own directory and is renamed into place,
 * so a failure never leaves a half-written file. Files whose bytes are unchanged are left alone, mtime included.
 * Returns the paths that were written.
 */
export async function writeOutputs(files: readonly PlannedFile[]): Promise<string[]> {
  const changed: PlannedFile[] = [];
  for (const f of files) {
    const current = await readFile(f.path, 'utf8').catch(() => undefined);
    if (current !== f.contents) changed.push(f);
  }
  const temps: { temp: string; path: string }[] = [];
  try {
    for (const f of changed) {
      await mkdir(dirname(f.path), { recursive: true });
      const temp = join(dirname(f.path), `.${basename(f.path)}.${process.pid}.${temps.length}.fwgen-tmp`);
      temps.push({ temp, path: f.path });
      await writeFile(temp, f.contents, { flag: 'wx' });
    }
    for (const t of temps) await rename(t.temp, t.path);
  } catch (e) {
    await Promise.all(temps.map((t) => rm(t.temp, { force: true })));
    throw e;
  }
  return changed.map((f) => f.path);
}
