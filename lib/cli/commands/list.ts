import type { CliIo, CommandArgs } from '../io.js';
import { EXIT } from '../io.js';
import { catalogFile, catalogIds } from '../../catalogs/index.js';
import { loadRequirementFile } from '../../load/index.js';
import { InternalError } from '../../model/diagnostic.js';
import { getEmitter, listTargets } from '../../emit/registry.js';
import { resolveFidelity } from '../../emit/fidelity.js';
import { features } from '../../emit/emitter.js';

export async function run(args: CommandArgs, io: CliIo): Promise<number> {
  if (args.target !== undefined) return describeTarget(String(args.target), io);
  const catalogs = [];
  for (const id of catalogIds()) {
    const r = await loadRequirementFile(catalogFile(id)!);
    if (!r.set) throw new InternalError(`built-in catalog ${id} does not load: ${r.diagnostics[0]?.message ?? ''}`);
    const required = r.set.parameters.filter((p) => p.default === undefined).map((p) => p.name);
    catalogs.push({ id, title: r.set.title, requirements: r.set.requirements.length, requiredParameters: required });
  }
  const targets = listTargets();
  if (args.format === 'json') {
    io.stdout.write(JSON.stringify({ catalogs, targets }, null, 2) + '\n');
    return EXIT.ok;
  }
  const w = Math.max(...catalogs.map((c) => c.id.length));
  io.stdout.write('Catalogs (fwgen show ID):\n');
  for (const c of catalogs) {
    const params = c.requiredParameters.length ? `  [needs ${c.requiredParameters.map((p) => `--param ${p}=…`).join(' ')}]` : '';
    io.stdout.write(`  ${c.id.padEnd(w)}  ${c.title}${params}\n`);
  }
  const t = Math.max(...targets.map((x) => x.id.length));
  io.stdout.write('\nTargets (fwgen emit --target ID):\n');
  for (const x of targets) io.stdout.write(`  ${x.id.padEnd(t)}  ${x.describe}${x.origin === 'built-in' ? '' : ` [${x.origin}]`}\n`);
  return EXIT.ok;
}

/** One target: its options with defaults, and what it does not express exactly (with default options). */
async function describeTarget(id: string, io: CliIo): Promise<number> {
  const emitter = await getEmitter(id);
  const out = [`${emitter.id}: ${emitter.describe}`, `  default file: ${emitter.defaultFile}`, '', 'Options (--set NAME=VALUE):'];
  const options = Object.entries(emitter.options ?? {});
  if (!options.length) out.push('  none');
  for (const [name, o] of options) {
    const kind = o.choices ? o.choices.join('|') : o.type;
    out.push(`  ${name} (${kind}, default ${String(o.default)}): ${o.describe}`);
  }
  const defaults = Object.fromEntries(options.map(([k, o]) => [k, o.default]));
  const table = resolveFidelity(emitter, defaults);
  out.push('', 'Not expressed exactly (with the default options):');
  for (const f of features) {
    const x = table[f];
    if (x.level !== 'exact') out.push(`  ${f}: ${x.level} - ${x.note}`);
  }
  if (emitter.usesAlternatives) out.push('', "Host names with the vendor's address form (alternatives) use it, with a widened warning.");
  io.stdout.write(out.join('\n') + '\n');
  return EXIT.ok;
}
