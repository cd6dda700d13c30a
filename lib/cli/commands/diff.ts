import type { CliIo, CommandArgs } from '../io.js';
import { EXIT } from '../io.js';
import { expand } from '../../expand/index.js';
import { diffRules, type FlatRule } from '../../expand/flatten.js';
import { FwgenError, hasErrors } from '../../model/diagnostic.js';
import type { ResolvedRequirementSet } from '../../model/resolved.js';
import { describeProvenance } from '../../model/describe.js';
import { formatDiagnostics } from '../report.js';
import { loadSets, parsePairs, sourceFile } from '../inputs.js';
import { expandInputWithFeeds } from '../feeds.js';

/** Compares two requirement sets by what they allow; exit 0 when equal, 1 when they differ (as diff(1)). */
export async function run(args: CommandArgs, io: CliIo): Promise<number> {
  const side = async (which: 'old' | 'new'): Promise<ResolvedRequirementSet> => {
    const file = sourceFile(String(args[which]), io.cwd);
    const loaded = await loadSets([file], io);
    const input = await expandInputWithFeeds(args, io);
    const own = { params: parsePairs(`${which}-param`, args[`${which}-param`]), options: parsePairs(`${which}-option`, args[`${which}-option`], true) };
    const r = expand(loaded.sets, { ...input, params: { ...input.params, ...own.params }, options: { ...input.options, ...own.options } });
    const diagnostics = [...loaded.diagnostics, ...r.diagnostics];
    if (hasErrors(diagnostics) || !r.set) throw new FwgenError(diagnostics);
    io.stderr.write(formatDiagnostics(diagnostics.filter((d) => d.severity === 'error')));
    return r.set;
  };
  const before = await side('old');
  const after = await side('new');
  const { added, removed } = diffRules(before, after);
  const line = (sign: string, r: FlatRule) => {
    const where = r.direction === 'outbound' ? '' : ` ${r.direction}`;
    const from = r.source === '*' ? '' : ` from ${r.source}`;
    const prov = r.provenance.map((p) => describeProvenance(p) + (p.section ? ` (${p.section})` : '')).join('; ');
    return `${sign} ${hostPort(r.destination, r.port)}${where}${from}  [${r.requirement}; ${prov}]\n`;
  };
  for (const r of removed) io.stdout.write(line('-', r));
  for (const r of added) io.stdout.write(line('+', r));
  io.stderr.write(`fwgen diff: ${added.length} added, ${removed.length} removed\n`);
  return added.length || removed.length ? EXIT.failed : EXIT.ok;
}

/** `mcr.microsoft.com:443 (https)`, `10.0.0.0/8 (all traffic)`, as a reviewer reads them. */
function hostPort(destination: string, port: string): string {
  if (port === 'any') return `${destination} (all traffic)`;
  const [protocol, range] = port.split(':') as [string, string];
  return `${destination}:${range === '*' ? '1-65535' : range} (${protocol})`;
}
