import type { Diagnostic } from '../model/diagnostic.js';
import { daysBetween, parseMaxAge } from '../service-tags/freshness.js';
import { FEED_PROVIDERS, type FeedInfo } from './feed-data.js';

/** Days an address feed may be old before fwgen warns; AWS and Google publish changes several times a week. */
export const DEFAULT_MAX_FEED_AGE = 30;

/**
 * A warning when a feed file is older than `maxAgeDays` by the date it carries (0 turns the check off); a note when it
 * carries none (GitHub's meta), since neither its name nor its mtime says when GitHub published it. Never an error,
 * never counted by --strict, and only on stderr: outputs stay the same bytes whatever today is.
 */
export function feedAgeDiagnostic(info: FeedInfo, maxAgeDays: number, now: string, usedBy = ''): Diagnostic | undefined {
  if (!(maxAgeDays > 0)) return undefined;
  const by = usedBy ? `, used by ${usedBy},` : '';
  const where = FEED_PROVIDERS[info.feed].url;
  if (!info.date) {
    return {
      code: 'FEED_UNDATED',
      severity: 'note',
      message: `${info.file} (${info.feed}, ${info.idName} ${info.id})${by} carries no publication date, so its age is not checked`,
      hint: `download it again from ${where} before each release; --max-feed-age 0 turns age checks off`,
      params: { feed: info.feed, file: info.file, id: info.id },
    };
  }
  const age = daysBetween(info.date, now);
  if (age <= maxAgeDays) return undefined;
  return {
    code: 'FEED_STALE',
    severity: 'warning',
    message: `${info.file} (${info.feed}, ${info.idName} ${info.id}, published ${info.date})${by} is ${age} days old, older than ${maxAgeDays} days: its prefixes may have changed since`,
    hint: `download a newer file from ${where}, or pass --max-feed-age DAYS (0 turns this check off)`,
    params: { feed: info.feed, file: info.file, id: info.id, date: info.date, ageDays: age, maxAgeDays },
  };
}

/** `--max-feed-age DAYS` as a whole number of days, or a usage diagnostic. */
export function parseMaxFeedAge(value: unknown): { days?: number; diagnostic?: Diagnostic } {
  return parseMaxAge('max-feed-age', value);
}
