// Writes V8's code cache for the CLI bundle (dist/cli-bundle/cli.cjs.cache, see scripts/bundle-cli.mjs): runs the
// commands a user runs most, in this process, then saves everything V8 compiled for them. Runs after
// scripts/build-id.mjs, so `check` takes the path it takes for a user: a first check in a child process leaves the
// state (in a temporary cache folder), and the check here takes the fast path.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable, Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const example = join(root, 'examples', 'all-targets');
const cache = mkdtempSync(join(tmpdir(), 'fwgen-warm-'));
const env = { ...process.env, FWGEN_CACHE_DIR: cache };
try {
  spawnSync(process.execPath, [join(root, 'bin', 'fwgen.js'), 'check'], { cwd: example, env, stdio: 'ignore', timeout: 300_000 });
  const loader = await import(pathToFileURL(join(root, 'dist', 'cli-bundle', 'main.js')).href);
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  const run = (argv, cwd = root) => loader.main(argv, { stdout: sink(), stderr: sink(), stdin: Readable.from([]), cwd, env });
  await run(['--version']);
  await run(['show', 'mcr']);
  await run(['emit', '--catalog', 'mcr', '--target', 'squid']);
  await run(['emit', '--catalog', 'acr', '--param', 'registry=myregistry', '--param', 'region=eastus', '--target', 'azure-nsg']);
  await run(['check'], example);
  writeFileSync(join(root, 'dist', 'cli-bundle', 'cli.cjs.cache'), loader.codeCache());
} finally {
  rmSync(cache, { recursive: true, force: true });
}
