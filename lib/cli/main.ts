import { parseArgs } from 'node:util';
import { commands, type CommandSpec } from './commands.js';
import { EXIT, type CliIo, type CommandArgs } from './io.js';
import { FwgenError, InternalError } from '../model/diagnostic.js';
import { formatDiagnostics } from './report.js';
import { version } from '../version.js';


/**
 * Runs the CLI and returns its exit code: 0 ok, 1 failed check or strict fidelity, 2 bad input or usage, 3 internal error.
 * A well-formed command line is parsed with node's own parseArgs; help, version and anything it rejects go to yargs,
 * which is loaded only then, so the common path starts fast.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.length === 1 && argv[0] === '--version') {
    io.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  const fast = fastParse(argv);
  if (!fast) return runYargs(argv, io).catch((e: unknown) => reportThrown(e, io));
  return runCommand(fast.spec, fast.args, io);
}

async function runCommand(spec: CommandSpec, args: CommandArgs, io: CliIo): Promise<number> {
  try {
    if (args.emitter !== undefined) {
      const { loadEmitterModule } = await import('../emit/load-plugin.js');
      for (const e of Array.isArray(args.emitter) ? args.emitter : [args.emitter]) await loadEmitterModule(String(e), io.cwd);
    }
    const mod = await spec.load();
    return await mod.run(args, io);
  } catch (e) {
    return reportThrown(e, io);
  }
}

export function reportThrown(e: unknown, io: CliIo): number {
  if (e instanceof FwgenError) {
    io.stderr.write(formatDiagnostics(e.diagnostics));
    return EXIT.input;
  }
  const sys = fileSystemError(e);
  if (sys) {
    io.stderr.write(`fwgen: ${sys}\n`);
    return EXIT.input;
  }
  const err = e as Error;
  const where = e instanceof InternalError ? 'internal error' : 'unexpected error';
  io.stderr.write(`fwgen: ${where}: ${err?.message ?? String(e)}\nThis is a bug in fwgen; please report it with the command you ran.\n`);
  if (io.env.FWGEN_DEBUG) io.stderr.write(`${err?.stack ?? ''}\n`);
  return EXIT.internal;
}

/** Why the system refused a read or write (a full disk, a read-only or missing folder), as one line; else undefined. */
function fileSystemError(e: unknown): string | undefined {
  const x = e as (NodeJS.ErrnoException & { dest?: string }) | undefined;
  if (!x || typeof x.code !== 'string' || typeof x.syscall !== 'string' || !/^E[A-Z]+$/.test(x.code)) return undefined;
  const why = x.message.replace(/^[A-Z]+: /, '').replace(/, [a-z]+(?: '.*')?$/s, '');
  return `cannot ${x.syscall} ${x.path ?? ''}${x.dest ? ` -> ${x.dest}` : ''}: ${why} (${x.code}); every output is as it was before, or complete`;
}

function fastParse(argv: readonly string[]): { spec: CommandSpec; args: CommandArgs } | undefined {
  const [name, ...rest] = argv;
  const spec = commands.find((c) => c.name === name);
  if (!spec || rest.some((a) => a === '--help' || a === '-h' || a === '--version')) return undefined;
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  for (const [key, o] of Object.entries(spec.options)) options[key] = { type: o.type, ...(o.array ? { multiple: true } : {}) };
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options, allowPositionals: true, strict: true });
  } catch {
    return undefined;
  }
  const args: CommandArgs = { ...parsed.values };
  for (const [key, o] of Object.entries(spec.options)) {
    const v = args[key];
    if (v === undefined && o.default !== undefined) args[key] = o.default;
    if (o.choices && args[key] !== undefined && !o.choices.includes(String(args[key]))) return undefined;
    if (o.type === 'string' && (Array.isArray(v) ? v : [v]).some((x) => x === '')) return undefined;
  }
  if (Object.entries(spec.options).some(([key, o]) => o.demand && args[key] === undefined)) return undefined;
  const pos = parsed.positionals;
  const required = spec.positionals.filter((p) => !p.optional).length;
  const variadic = spec.positionals.some((p) => p.array);
  if (pos.length < required || (!variadic && pos.length > spec.positionals.length)) return undefined;
  spec.positionals.forEach((p, i) => {
    args[p.name] = p.array ? pos.slice(i) : pos[i];
  });
  return { spec, args };
}

async function runYargs(argv: readonly string[], io: CliIo): Promise<number> {
  const { default: yargs } = await import('yargs');
  let code: number = EXIT.ok;
  let pending: Promise<number> | undefined;
  const cli = yargs([...argv])
    .scriptName('fwgen')
    .version(version())
    .strict()
    .demandCommand(1, 'name a command (see the list above)')
    .recommendCommands()
    .wrap(Math.min(100, (io.stdout as { columns?: number }).columns ?? 100))
    .exitProcess(false)
    .fail((msg, err) => {
      // yargs reports its own parse errors (`--param` with no value) as a YError: usage, not a crash.
      if (err && err.name !== 'YError') throw err;
      // yargs may call this several times for one command line; the first problem is the one to fix.
      if (code !== EXIT.ok) return;
      const spec = commands.find((c) => c.name === argv[0]);
      const hint = spec ? `usage: fwgen ${usageLine(spec)}; see \`fwgen ${spec.name} --help\`` : 'run `fwgen --help` or `fwgen COMMAND --help`';
      const text = msg || err?.message || 'bad usage';
      // yargs's suggestion alone ("Did you mean emit?") does not say what was wrong.
      const what = /^Did you mean/.test(text) && argv[0] ? `unknown command "${argv[0]}": ${text}` : text;
      io.stderr.write(`fwgen: error[USAGE]: ${what}\n  hint: ${hint}\n`);
      code = EXIT.input;
    });
  for (const spec of commands) {
    cli.command(
      usageLine(spec),
      spec.describe,
      (y) => {
        for (const p of spec.positionals) y.positional(p.name, { describe: p.describe, type: 'string', ...(p.array ? { array: true } : {}) });
        for (const [key, o] of Object.entries(spec.options)) {
          y.option(key, { type: o.type, describe: o.describe, ...(o.array ? { array: true } : {}), ...(o.choices ? { choices: o.choices } : {}), ...(o.default !== undefined ? { default: o.default } : {}), ...(o.requiresArg ? { requiresArg: true } : {}), ...(o.demand ? { demandOption: true } : {}) });
        }
        for (const [cmd, text] of spec.examples) y.example(cmd, text);
        return y;
      },
      (args) => {
        // After a usage error yargs still calls the handler, with the missing arguments undefined.
        if (code === EXIT.ok) pending = runCommand(spec, args as CommandArgs, io);
      },
    );
  }
  await new Promise<void>((resolve) => {
    cli.parse([...argv], {}, (err, _argv, output) => {
      if (output) (err || code !== EXIT.ok ? io.stderr : io.stdout).write(output + '\n');
      resolve();
    });
  });
  if (pending) return pending;
  return code;
}

/** `show <source>`, `validate <files..>`: a command with its positionals, as yargs and usage hints write it. */
function usageLine(spec: CommandSpec): string {
  return [spec.name, ...spec.positionals.map((p) => (p.optional ? `[${p.name}${p.array ? '..' : ''}]` : `<${p.name}${p.array ? '..' : ''}>`))].join(' ');
}
