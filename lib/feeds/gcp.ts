import type { Diagnostic } from '../model/diagnostic.js';
import { isCalendarDate } from '../service-tags/freshness.js';
import type { FeedData, FeedPrefix } from './feed-data.js';
import { baseName, feedCidr, feedProblem, isRecord, parseFeedJson, placeFeedProblems } from './parse-json.js';

/**
 * Reads Google's `cloud.json` (external ranges of Google Cloud, by `scope` and `service`) or `goog.json` (all of
 * Google's, with neither): `syncToken` (epoch milliseconds, as a string), `creationTime` (`YYYY-MM-DDThh:mm:ss.ffffff`),
 * `prefixes[]` each with one of `ipv4Prefix` and `ipv6Prefix`. Every prefix is checked, with its JSON path and position.
 */
export function parseGoogleRanges(text: string, file: string): { data?: FeedData; diagnostics: Diagnostic[] } {
  const parsed = parseFeedJson('gcp', text, file);
  if (parsed.json === undefined) return { diagnostics: parsed.diagnostics };
  const problems: Diagnostic[] = [];
  const fail = (path: string, message: string) => problems.push(feedProblem('gcp', file, path, message));
  const root = parsed.json;
  if (!isRecord(root)) return { diagnostics: [feedProblem('gcp', file, '$', 'expected an object with syncToken, creationTime and prefixes')] };
  if (typeof root.syncToken !== 'string' || !/^[0-9]+$/.test(root.syncToken)) fail('$.syncToken', 'missing or not a string of digits (the publication time in Unix epoch milliseconds)');
  const date = typeof root.creationTime === 'string' ? /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}:\d{2}/.exec(root.creationTime)?.[1] : undefined;
  if (!date || !isCalendarDate(date)) fail('$.creationTime', 'missing or not a time written YYYY-MM-DDThh:mm:ss');
  const prefixes: FeedPrefix[] = [];
  if (!Array.isArray(root.prefixes)) fail('$.prefixes', 'missing or not an array');
  else {
    root.prefixes.forEach((item, i) => {
      const path = `$.prefixes[${i}]`;
      if (!isRecord(item)) return void fail(path, 'expected an object');
      const has4 = item.ipv4Prefix !== undefined;
      if (has4 === (item.ipv6Prefix !== undefined)) return void fail(path, 'expected exactly one of ipv4Prefix and ipv6Prefix');
      for (const key of ['service', 'scope'] as const) if (item[key] !== undefined && typeof item[key] !== 'string') fail(`${path}.${key}`, 'not a string');
      const field = has4 ? 'ipv4Prefix' : 'ipv6Prefix';
      const cidr = feedCidr('gcp', file, `${path}.${field}`, item[field], problems);
      if (cidr && cidr.includes(':') === has4) return void fail(`${path}.${field}`, `"${cidr}" is not an IPv${has4 ? 4 : 6} prefix`);
      if (cidr) prefixes.push({ cidr, service: typeof item.service === 'string' ? item.service : '', region: typeof item.scope === 'string' ? item.scope : '' });
    });
  }
  if (problems.length) return { diagnostics: placeFeedProblems('gcp', text, file, problems) };
  return { data: { info: { feed: 'gcp', file: baseName(file), idName: 'syncToken', id: root.syncToken as string, date: date! }, prefixes }, diagnostics: [] };
}
