/**
 * Runs the fwgen CLI in-process (`main` from lib/cli/main.ts) and captures what it writes, or as a child process
 * (node + tsx on lib/, so no stale dist/ is involved) with an environment of the test's choosing.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../lib/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/**
 * `main(argv)` with cwd = `cwd`. The process's own cwd is changed for the call too (and restored), because the CLI
 * keeps a relative path as written only when it resolves the same from both: then diagnostics read `input.yaml:L:C`.
 */
export async function runCli(argv: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<CliResult> {
  const out = sink();
  const err = sink();
  const cwd = opts.cwd ?? process.cwd();
  const saved = process.cwd();
  process.chdir(cwd);
  try {
    const code = await main(argv, { stdout: out.stream, stderr: err.stream, stdin: Readable.from([opts.stdin ?? '']), cwd, env: opts.env ?? process.env });
    return { code, stdout: out.text(), stderr: err.text() };
  } finally {
    process.chdir(saved);
  }
}

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'cli-child.ts');

/** The CLI in a child process: `node --import tsx spec/helpers/cli-child.ts ARGV`, bounded in time. */
export function runCliChild(argv: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...argv], { cwd: opts.cwd ?? process.cwd(), env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === null) reject(new Error(`fwgen child ended by ${signal}: ${stderr}`));
      else resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
  });
}
