import { readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import type { RequirementSet } from '../model/requirement-set.js';

/** The folder that holds the built-in catalogs, shipped with the package. */
export function catalogDir(): string {
  return fileURLToPath(new URL('../../catalogs/', import.meta.url));
}

/** Where scripts/build-catalogs.mjs writes each catalog, already loaded and checked. */
function compiledDir(): string {
  return fileURLToPath(new URL('../../dist/catalogs/', import.meta.url));
}

/** Ids of the built-in catalogs, sorted. */
export function catalogIds(): string[] {
  return readdirSync(catalogDir())
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** The file of a built-in catalog, or undefined when there is no catalog with that id. */
export function catalogFile(id: string): string | undefined {
  return catalogIds().includes(id) ? join(catalogDir(), `${id}.yaml`) : undefined;
}

/**
 * A built-in catalog in the form compiled at build time, when `file` is one and the compiled form is newer than its
 * YAML; otherwise undefined and the caller parses the YAML. Spans name `file` as given.
 */
export function loadCompiledCatalog(file: string, cwd = process.cwd()): RequirementSet | undefined {
  const path = resolve(cwd, file);
  const dir = catalogDir();
  if (!path.startsWith(dir) || !path.endsWith('.yaml')) return undefined;
  const id = path.slice(dir.length, -'.yaml'.length);
  const json = join(compiledDir(), `${id}.json`);
  try {
    if (statSync(json).mtimeMs < statSync(path).mtimeMs) return undefined;
    const stored = `catalogs/${id}.yaml`;
    return JSON.parse(readFileSync(json, 'utf8'), (key, value: unknown) => ((key === 'file') && value === stored ? file : value)) as RequirementSet;
  } catch {
    return undefined;
  }
}
