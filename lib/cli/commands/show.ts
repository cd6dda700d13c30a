import type { CliIo, CommandArgs } from '../io.js';
import { EXIT } from '../io.js';
import { expand } from '../../expand/index.js';
import { FwgenError, hasErrors } from '../../model/diagnostic.js';
import type { ResolvedRequirementSet } from '../../model/resolved.js';
import { describeEndpoint, describeProvenance } from '../../model/describe.js';
import { formatPort } from '../../model/port.js';
import { formatDiagnostics } from '../report.js';
import { loadSets, sourceFile } from '../inputs.js';
import { expandInputWithFeeds } from '../feeds.js';

export async function run(args: CommandArgs, io: CliIo): Promise<number> {
  const file = sourceFile(String(args.source), io.cwd);
  const loaded = await loadSets([file], io);
  const expanded = expand(loaded.sets, await expandInputWithFeeds(args, io));
  const diagnostics = [...loaded.diagnostics, ...expanded.diagnostics];
  if (hasErrors(diagnostics) || !expanded.set) throw new FwgenError(diagnostics);
  io.stderr.write(formatDiagnostics(diagnostics));
  const format = String(args.format ?? 'table');
  if (format === 'json') io.stdout.write(JSON.stringify(expanded.set, null, 2) + '\n');
  else if (format === 'yaml') io.stdout.write((await import('yaml')).stringify(expanded.set, { lineWidth: 0 }));
  else io.stdout.write(formatTable(expanded.set));
  return EXIT.ok;
}

/** One line per destination, columns aligned; provenance last. */
export function formatTable(set: ResolvedRequirementSet): string {
  const out: string[] = [];
  for (const info of set.sets) {
    out.push(`# ${info.id}: ${info.title}`);
    const params = Object.entries(info.parameters).map(([k, v]) => `${k}=${Array.isArray(v) ? (v.length ? v.join(',') : '(empty list)') : v}`);
    const options = Object.entries(info.options).map(([k, v]) => `${k}=${v}`);
    out.push(`# source: ${info.source.document}`);
    if (params.length) out.push(`# parameters: ${params.join(' ')}`);
    if (options.length) out.push(`# options: ${options.join(' ')}`);
  }
  const rows: string[][] = [['REQUIREMENT', 'DIRECTION', 'SOURCE', 'DESTINATION', 'PORTS', 'FROM']];
  for (const r of set.requirements) {
    const sources = r.sources ? r.sources.map(describeEndpoint).join(', ') : '-';
    for (const d of r.destinations) {
      rows.push([r.id, r.direction, sources, describeEndpoint(d.endpoint), d.ports.map(formatPort).join(','), d.provenance.map(describeProvenance).join('; ')]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) out.push(row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
  return out.join('\n') + '\n';
}
