// Loads and checks every built-in catalog and stores the result as JSON in dist/catalogs/, so the CLI can use a
// catalog without the YAML parser and the schema validator. A catalog with an error fails the build.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { loadRequirementSet } = await import('../dist/load/load-text.js');
const { formatDiagnostics } = await import('../dist/cli/report.js');
const { suffixKind } = await import('../dist/expand/check-broad.js');
const suffixKinds = {};
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
  for (const req of r.set.requirements) {
    for (const d of req.destinations) {
      if (d.kind === 'host' && d.match !== 'exact' && !d.name.includes('{')) suffixKinds[d.name] = suffixKind(d.name);
    }
  }
}
// Public-suffix answers for the catalogs' wildcards, so using a catalog need not load the public-suffix list.
mkdirSync(join(root, 'dist', 'data'), { recursive: true });
const sorted = Object.fromEntries(Object.entries(suffixKinds).sort(([a], [b]) => (a < b ? -1 : 1)));
writeFileSync(join(root, 'dist', 'data', 'suffix-kinds.json'), JSON.stringify(sorted, null, 1) + '\n');
if (failed) process.exit(1);
