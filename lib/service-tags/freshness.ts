import type { Diagnostic } from '../model/diagnostic.js';
import type { SourceSpan } from '../model/requirement-set.js';
import type { ServiceTagsInfo } from '../model/resolved.js';

/** Days a Service Tags file may be old before fwgen warns; Microsoft publishes a new one every week. */
export const DEFAULT_MAX_TAGS_AGE = 30;

const DATED_NAME = /_(\d{4})(\d{2})(\d{2})\.json$/i;

/**
 * The date a Service Tags file carries in its name (`ServiceTags_Public_20251028.json` is 2025-10-28), as
 * YYYY-MM-DD; undefined when the name carries none or it is not a calendar date. The name is the only source:
 * the JSON holds a changeNumber but no date, and a file's mtime is when it was copied or checked out.
 */
export function serviceTagsDate(fileName: string): string | undefined {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const m = DATED_NAME.exec(base);
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  return isCalendarDate(iso) ? iso : undefined;
}

export function isCalendarDate(iso: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return false;
  const t = Date.parse(`${iso}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === iso;
}

/** Today's date in UTC as YYYY-MM-DD; `FWGEN_TODAY=YYYY-MM-DD` pins it (for tests and reproducing a warning). */
export function today(env: NodeJS.ProcessEnv = process.env): string {
  const pinned = env.FWGEN_TODAY;
  if (pinned && isCalendarDate(pinned)) return pinned;
  return new Date().toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * A warning when a Service Tags file is older than `maxAgeDays` (0 turns the check off), or when its age cannot be
 * told because its name carries no date. Never an error and never counted by --strict: the rules are as correct as
 * the file, and this only says that a newer file exists. It goes to stderr only, so outputs stay the same bytes.
 */
export function tagsAgeDiagnostic(info: Pick<ServiceTagsInfo, 'file' | 'changeNumber' | 'date'>, maxAgeDays: number, now: string, span?: SourceSpan, usedBy = ''): Diagnostic | undefined {
  if (!(maxAgeDays > 0)) return undefined;
  const by = usedBy ? `, used by ${usedBy},` : '';
  const hint = `install a newer file with \`fwgen service-tags update --from FILE|URL\` (Microsoft publishes one a week), or pass --max-tags-age DAYS (0 turns this check off)`;
  if (!info.date) {
    return {
      code: 'TAGS_STALE',
      severity: 'warning',
      message: `cannot tell how old ${info.file} (changeNumber ${info.changeNumber})${by} is: its name carries no date, as Microsoft's ServiceTags_Public_YYYYMMDD.json does`,
      hint: `keep Microsoft's file name, or ${hint.replace(/^install/, 'install it')}`,
      ...(span ? { span } : {}),
      params: { file: info.file, changeNumber: info.changeNumber, maxAgeDays },
    };
  }
  const age = daysBetween(info.date, now);
  if (age <= maxAgeDays) return undefined;
  return {
    code: 'TAGS_STALE',
    severity: 'warning',
    message: `${info.file} (changeNumber ${info.changeNumber}, published ${info.date})${by} is ${age} days old, older than ${maxAgeDays} days: the addresses of its service tags may have changed since`,
    hint,
    ...(span ? { span } : {}),
    params: { file: info.file, changeNumber: info.changeNumber, date: info.date, ageDays: age, maxAgeDays },
  };
}

/** `--max-tags-age DAYS` as a whole number of days, or a usage diagnostic. */
export function parseMaxTagsAge(value: unknown): { days?: number; diagnostic?: Diagnostic } {
  return parseMaxAge('max-tags-age', value);
}

/** An age option (`--max-tags-age`, `--max-feed-age`) as a whole number of days, or a usage diagnostic naming it. */
export function parseMaxAge(option: string, value: unknown): { days?: number; diagnostic?: Diagnostic } {
  if (value === undefined) return {};
  const s = String(value);
  if (!/^[0-9]+$/.test(s)) {
    return { diagnostic: { code: 'USAGE', severity: 'error', message: `--${option} ${s}: expected a whole number of days`, hint: `e.g. --${option} 30, or 0 to turn the check off`, params: { value: s } } };
  }
  return { days: Number(s) };
}
