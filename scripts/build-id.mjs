// Writes dist/build-id.json: one hash of everything this build of fwgen consists of (every file in dist/ but the
// code cache, and catalogs/, data/, templates/, schemas/, package.json). `fwgen check` records it and renders in full
// under any other build, so a state left by one fwgen is never trusted by another (lib/project/check-state.ts).
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'build-id.json');
// The code cache is V8's compiled form of the bundle, made after this id (scripts/warm-cli.mjs); V8 checks it.
const skip = new Set([out, join(root, 'dist', 'cli-bundle', 'cli.cjs.cache')]);

function walk(dir, files) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, files);
    else if (e.isFile() && !skip.has(p)) files.push(p);
  }
  return files;
}

const files = [join(root, 'package.json')];
for (const d of ['dist', 'catalogs', 'data', 'templates', 'schemas']) walk(join(root, d), files);
const hash = createHash('sha256');
for (const f of files.map((p) => relative(root, p).split('\\').join('/')).sort()) {
  hash.update(`${f}\0`);
  hash.update(readFileSync(join(root, f)));
  hash.update('\0');
}
writeFileSync(out, JSON.stringify({ id: hash.digest('hex') }) + '\n');
