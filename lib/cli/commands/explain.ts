import type { CliIo, CommandArgs } from '../io.js';
import { EXIT } from '../io.js';
import { expand } from '../../expand/index.js';
import { FwgenError, hasErrors } from '../../model/diagnostic.js';
import { getEmitter, listTargets } from '../../emit/registry.js';
import { explain } from '../../explain/explain.js';
import type { Emitter, EmitterOptions } from '../../emit/emitter.js';
import { checkFqdn } from '../../model/fqdn.js';
import { loadSets, parsePairs, sourceFile } from '../inputs.js';
import { expandInputWithFeeds } from '../feeds.js';

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

/** Exit 0 when some requirement allows HOST[:PORT], 1 when none does. */
export async function run(args: CommandArgs, io: CliIo): Promise<number> {
  const [host, port] = parseHostPort(String(args.destination));
  const sources = [...list(args.catalog).map((c) => sourceFile(c, io.cwd, 'catalog')), ...list(args.file).map((f) => sourceFile(f, io.cwd, 'file'))];
  if (sources.length === 0) throw usage('name at least one --catalog ID or --file PATH', 'e.g. fwgen explain mcr.microsoft.com:443 --catalog mcr');
  const loaded = await loadSets(sources, io);
  const expanded = expand(loaded.sets, await expandInputWithFeeds(args, io));
  const diagnostics = [...loaded.diagnostics, ...expanded.diagnostics];
  if (hasErrors(diagnostics) || !expanded.set) throw new FwgenError(diagnostics);
  const ids = list(args.target).length ? list(args.target) : listTargets().map((t) => t.id);
  const settings = parsePairs('set', args.set);
  const targets: { emitter: Emitter; options: EmitterOptions }[] = [];
  for (const id of ids) {
    const emitter = await getEmitter(id);
    const options: EmitterOptions = {};
    for (const [k, o] of Object.entries(emitter.options ?? {})) {
      const v = settings[k];
      options[k] = v === undefined ? o.default : o.type === 'boolean' ? v === 'true' : o.type === 'integer' ? Number(v) : v;
    }
    targets.push({ emitter, options });
  }
  const e = explain(expanded.set, host, port, targets);
  const out: string[] = [`${e.host}${e.port !== undefined ? `:${e.port}` : ''}`];
  if (e.requirements.length === 0) out.push('  required by: none of the given requirements');
  for (const r of e.requirements) out.push(`  required by ${r.requirement}: ${r.destination} ${r.ports} (${r.provenance.join('; ')})`);
  const w = Math.max(...e.targets.map((t) => t.target.length));
  for (const t of e.targets) out.push(`  ${(t.target + ':').padEnd(w + 1)} ${t.detail}`);
  io.stdout.write(out.join('\n') + '\n');
  return e.requirements.length ? EXIT.ok : EXIT.failed;
}

function parseHostPort(text: string): [string, number | undefined] {
  const m = /^(.*?)(?::([0-9]{1,5}))?$/.exec(text.trim())!;
  const r = checkFqdn(m[1]!);
  if (!r.name || r.wildcard) throw usage(`"${text}" is not HOST or HOST:PORT`, 'e.g. fwgen explain a.data.mcr.microsoft.com:443 --catalog mcr');
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && (port < 1 || port > 65535)) throw usage(`port ${port} is out of range`, 'ports are 1 to 65535');
  return [r.name, port];
}

function usage(message: string, hint: string): FwgenError {
  return new FwgenError([{ code: 'USAGE', severity: 'error', message, hint, params: {} }]);
}

