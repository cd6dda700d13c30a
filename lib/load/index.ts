import { dirname, join } from 'node:path';
import type { ListSource, LoadResult } from './load-text.js';
import { readSource } from './read-source.js';
import { loadCompiledCatalog } from '../catalogs/index.js';

export type { ListSource, LoadResult } from './load-text.js';

/** Where a relative path is read from, and what `-` reads; by default the process's own. */
export interface ReadOptions {
  cwd?: string;
  stdin?: NodeJS.ReadableStream;
}

/**
 * Reads and loads a requirement file; `-` reads standard input. Diagnostics name the file as given.
 * A built-in catalog comes from its form compiled at build time when that is current, so the CLI need not load the
 * YAML parser and schema validator to use one.
 */
export async function loadRequirementFile(file: string, options: ReadOptions = {}): Promise<LoadResult> {
  const compiled = file === '-' ? undefined : loadCompiledCatalog(file, options.cwd);
  if (compiled) return { set: compiled, diagnostics: [] };
  const source = await readSource(file, options.stdin, options.cwd);
  if ('code' in source) return { diagnostics: [source] };
  const { parseRequirementText, buildRequirementSet } = await import('./load-text.js');
  const parsed = parseRequirementText(source.text, source.file);
  const lists = new Map<string, ListSource>();
  await Promise.all(parsed.lists.map(async (path) => lists.set(path, await readList(source.file, path, options))));
  return buildRequirementSet(parsed, lists);
}

/** A list file, relative to the requirement file (to the working folder for standard input), named as it was found. */
async function readList(file: string, path: string, options: ReadOptions): Promise<ListSource> {
  const shown = file === '<stdin>' ? path : join(dirname(file), path);
  const read = await readSource(shown, undefined, options.cwd);
  return 'code' in read ? { file: shown, error: String(read.params?.errno === 'ENOENT' ? 'no such file' : read.message.replace(/^cannot read [^:]*: /, '')) } : { file: shown, text: read.text };
}
