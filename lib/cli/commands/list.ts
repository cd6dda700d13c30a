import type { CliIo, CommandArgs } from '../io.js';
import { EXIT } from '../io.js';
import { catalogFile, catalogIds } from '../../catalogs/index.js';
import { loadRequirementFile } from '../../load/index.js';
import { InternalError } from '../../model/diagnostic.js';
import { listTargets } from '../../emit/registry.js';

export async function run(args: CommandArgs, io: CliIo): Promise<number> {
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
