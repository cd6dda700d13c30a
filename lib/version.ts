import { createRequire } from 'node:module';

let cached: string | undefined;

/** fwgen's own version, from package.json. */
export function version(): string {
  cached ??= (createRequire(import.meta.url)('../package.json') as { version: string }).version;
  return cached;
}
