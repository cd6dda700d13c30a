// Bundles the CLI (dist/cli/main.js and everything it imports, lazily loaded commands and emitters as their own
// chunks) into dist/cli-bundle/, so a start-up resolves a handful of files instead of dozens of modules. The library
// entry (dist/index.js) stays unbundled. Modules loaded with createRequire (tldts, the Handlebars runtime) stay
// external and load only when needed.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'cli-bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: join(root, 'dist', 'cli', 'main.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Deterministic chunk names and no comments about build paths.
  chunkNames: 'chunk-[hash]',
  legalComments: 'none',
  logLevel: 'warning',
  // Some dependencies are CommonJS and call require(); give the bundle one.
  banner: { js: "import { createRequire as __fwgenCreateRequire } from 'node:module'; const require = __fwgenCreateRequire(import.meta.url);" },
});
