import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The folder that holds the built-in catalogs, shipped with the package. */
export function catalogDir(): string {
  return fileURLToPath(new URL('../../catalogs/', import.meta.url));
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
