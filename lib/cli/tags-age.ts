import type { Diagnostic } from '../model/diagnostic.js';
import { FwgenError } from '../model/diagnostic.js';
import { DEFAULT_MAX_TAGS_AGE, parseMaxTagsAge, tagsAgeDiagnostic, today } from '../service-tags/freshness.js';
import type { CommandArgs } from './io.js';

/** A Service Tags file a command used, as the age warning needs it. */
export interface UsedTags {
  file: string;
  changeNumber: number;
  date?: string;
  /** The outputs that used it, in a project. */
  outputs?: string[];
}

/** --max-tags-age DAYS, else the project's `maxTagsAge`, else 30 days. */
export function maxTagsAge(args: CommandArgs, fromProject?: number): number {
  const r = parseMaxTagsAge(args['max-tags-age']);
  if (r.diagnostic) throw new FwgenError([r.diagnostic]);
  return r.days ?? fromProject ?? DEFAULT_MAX_TAGS_AGE;
}

/** One warning per Service Tags file older than `maxAge` days (by today's date, FWGEN_TODAY in tests). */
export function tagsAgeWarnings(used: readonly UsedTags[], maxAge: number, env: NodeJS.ProcessEnv): Diagnostic[] {
  const now = today(env);
  const out: Diagnostic[] = [];
  for (const u of used) {
    const by = u.outputs?.length ? `${u.outputs.slice(0, 3).join(', ')}${u.outputs.length > 3 ? ` and ${u.outputs.length - 3} more` : ''}` : '';
    const d = tagsAgeDiagnostic({ file: u.file.split(/[\\/]/).pop() ?? u.file, changeNumber: u.changeNumber, ...(u.date ? { date: u.date } : {}) }, maxAge, now, undefined, by);
    if (d) out.push(d);
  }
  return out;
}
