import { createRequire } from 'node:module';

let cached: string | undefined;

/** fwgen's own version, from package.json (one folder up from dist/, or two from a bundled chunk). */
export function version(): string {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const pkg = require(candidate) as { name?: string; version?: string };
      if (pkg.name === 'fwgen' && pkg.version) return (cached = pkg.version);
    } catch {
      // not at this depth
    }
  }
  return (cached = '0.0.0');
}
