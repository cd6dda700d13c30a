// Loads and checks every built-in catalog and stores the result as JSON in dist/catalogs/, so the CLI can use a
// catalog without the YAML parser and the schema validator. A catalog with an error fails the build.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { loadRequirementSet } = await import('../dist/load/load-text.js');
const { formatDiagnostics } = await import('../dist/cli/report.js');
const out = join(root, 'dist', 'catalogs');
mkdirSync(out, { recursive: true });
let failed = false;
for (const f of readdirSync(join(root, 'catalogs')).filter((x) => x.endsWith('.yaml')).sort()) {
  const file = `catalogs/${f}`;
  const r = loadRequirementSet(readFileSync(join(root, file), 'utf8'), file);
  if (!r.set) {
    process.stderr.write(formatDiagnostics(r.diagnostics));
    failed = true;
    continue;
  }
  writeFileSync(join(out, f.replace(/\.yaml$/, '.json')), JSON.stringify(r.set));
}
if (failed) process.exit(1);
