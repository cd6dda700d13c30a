import { resolve } from 'node:path';
import type { CliIo, CommandArgs } from '../io.js';
import { EXIT } from '../io.js';
import { FwgenError, type Diagnostic } from '../../model/diagnostic.js';
import { nearest } from '../../model/nearest.js';
import { writeOutputs } from '../../emit/write-outputs.js';
import { placeDiagnostics } from '../../service-tags/service-tags.js';
import { ID_PATTERN } from '../../import/index.js';
import { formatDiagnostics } from '../report.js';
import { readFeedText } from './feed.js';
import { parseM365Endpoints } from '../../feeds/m365.js';
import { m365ToRequirementSet } from '../../feeds/m365-set.js';

const CATEGORIES = ['Optimize', 'Allow', 'Default'];

const csv = (v: unknown): string[] | undefined => (v === undefined ? undefined : String(v).split(',').map((x) => x.trim()).filter(Boolean));

/** `fwgen feed m365 FILE`: the endpoints JSON as a requirement set, YAML on stdout or --out. */
export async function runM365(spec: string, args: CommandArgs, io: CliIo): Promise<number> {
  const id = args.id === undefined ? undefined : String(args.id);
  if (id !== undefined && (!ID_PATTERN.test(id) || id.length > 64)) throw usage(`--id ${id}: an id is lowercase letters, digits and hyphens, starting with a letter or digit, at most 64 characters`, 'e.g. --id m365-exchange');
  const version = args['feed-version'] === undefined ? undefined : String(args['feed-version']);
  if (version !== undefined && !/^[0-9]{10}$/.test(version)) throw usage(`--feed-version ${version}: expected the 10 digits the version web method gives as "latest", e.g. 2025103000`, 'see https://endpoints.office.com/version/Worldwide?clientrequestid=<a GUID of yours>');
  const categories = csv(args.categories);
  const badCategory = categories?.find((c) => !CATEGORIES.some((k) => k.toLowerCase() === c.toLowerCase()));
  if (badCategory !== undefined) throw usage(`--categories ${badCategory}: not a category of the endpoints`, `use one or more of ${CATEGORIES.join(', ')}`);
  const text = await readFeedText(spec, io);
  const parsed = parseM365Endpoints(text, spec);
  if (!parsed.entries) throw new FwgenError(parsed.diagnostics);
  const areas = csv(args['service-areas']);
  const known = [...new Set(parsed.entries.map((e) => e.serviceArea))].sort();
  const unknown = areas?.filter((a) => !known.some((k) => k.toLowerCase() === a.toLowerCase())) ?? [];
  if (unknown.length) {
    throw new FwgenError(
      unknown.map((a): Diagnostic => {
        const near = nearest(a, known, 2);
        return { code: 'USAGE', severity: 'error', message: `--service-areas ${a}: no entry of ${spec} is in that service area`, hint: `${near.length ? `did you mean ${near.join(' or ')}? ` : ''}${spec} has: ${known.join(', ')}`, params: { serviceArea: a } };
      }),
    );
  }
  const warnings: Diagnostic[] = [];
  if (version === undefined) {
    warnings.push({ code: 'FEED_REVIEW', severity: 'warning', message: `no --feed-version: the set cannot name which publication of the endpoints it was written from`, hint: 'pass --feed-version with the `latest` of https://endpoints.office.com/version/Worldwide?clientrequestid=<GUID>', params: {} });
  }
  const r = m365ToRequirementSet(parsed.entries, {
    file: spec,
    ...(id !== undefined ? { id } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(args.instance !== undefined ? { instance: String(args.instance) } : {}),
    ...(areas ? { serviceAreas: areas } : {}),
    ...(categories ? { categories } : {}),
    ...(args['required-only'] ? { requiredOnly: true } : {}),
  });
  io.stderr.write(formatDiagnostics([...placeDiagnostics(text, r.diagnostics), ...warnings]));
  if (args.out === undefined) io.stdout.write(r.yaml);
  else await writeOutputs([{ path: resolve(io.cwd, String(args.out)), contents: r.yaml }]);
  const c = r.counts;
  io.stderr.write(`feed m365: ${c.requirements} requirement${c.requirements === 1 ? '' : 's'} from ${c.kept} of ${c.entries} entries; ${c.names} names (${c.reviewed} to review), ${c.prefixes} IP ranges (${c.aggregated} after aggregation)\n`);
  return EXIT.ok;
}

function usage(message: string, hint: string): FwgenError {
  return new FwgenError([{ code: 'USAGE', severity: 'error', message, hint, params: {} }]);
}
