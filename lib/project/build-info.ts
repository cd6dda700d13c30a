import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Whether this code runs from fwgen's build (dist/, or the CLI bundle in dist/cli-bundle/) rather than from lib/
 * sources through tsx. Data built from the code (the build id, the Service Tags index) describes the build only, so
 * it is trusted only when the build is what runs.
 */
export function runningFromBuild(): boolean {
  return /[\\/]dist[\\/](?:project|cli-bundle)[\\/][^\\/]+$/.test(fileURLToPath(import.meta.url));
}

/**
 * Whether this is the CLI bundle, which holds every dependency but those it requires at run time (see
 * renderProject's `read`). dist/ modules import theirs from node_modules, whose versions no build id covers.
 */
export function runningFromBundle(): boolean {
  return /[\\/]dist[\\/]cli-bundle[\\/][^\\/]+$/.test(fileURLToPath(import.meta.url));
}

let cached: string | null | undefined;

/**
 * A hash of everything fwgen's build holds (compiled code, bundle, templates, schemas, compiled catalogs, the
 * Service Tags snapshot and its index, package.json), written by scripts/build-id.mjs as the last build step.
 * Undefined when not running from the CLI bundle, or when the file is missing or malformed.
 */
export function buildId(): string | undefined {
  if (cached !== undefined) return cached ?? undefined;
  cached = null;
  if (!runningFromBundle()) return undefined;
  try {
    const file = new URL('../build-id.json', import.meta.url);
    // A bundle rebuilt after the id (scripts/bundle-cli.mjs run alone) is not the build the id describes.
    const bundle = statSync(new URL('../cli-bundle/cli.cjs', import.meta.url), { throwIfNoEntry: false });
    if (bundle && bundle.mtimeMs > statSync(file).mtimeMs) return undefined;
    const text = readFileSync(file, 'utf8');
    const id = (JSON.parse(text) as { id?: unknown }).id;
    if (typeof id === 'string' && /^[0-9a-f]{64}$/.test(id)) cached = id;
  } catch {
    // no build id: callers render in full
  }
  return cached ?? undefined;
}
