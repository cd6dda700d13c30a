import type { LoadResult } from './load-text.js';
import { readSource } from './read-source.js';
import { loadCompiledCatalog } from '../catalogs/index.js';

export type { LoadResult } from './load-text.js';

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
  const { loadRequirementSet } = await import('./load-text.js');
  return loadRequirementSet(source.text, source.file);
}
