import type { Diagnostic } from '../model/diagnostic.js';
import { isCalendarDate } from '../service-tags/freshness.js';
import type { FeedData, FeedPrefix } from './feed-data.js';
import { baseName, feedCidr, feedProblem, isRecord, parseFeedJson, placeFeedProblems } from './parse-json.js';

const CREATE_DATE = /^(\d{4}-\d{2}-\d{2})-\d{2}-\d{2}-\d{2}$/;

/**
 * Reads AWS `ip-ranges.json`: `syncToken` (the publication time, epoch seconds, as a string), `createDate`
 * (`YYYY-MM-DD-hh-mm-ss`, UTC), `prefixes[]` with `ip_prefix` and `ipv6_prefixes[]` with `ipv6_prefix`, each with
 * `region`, `service` and `network_border_group`. Every prefix is checked; problems carry the JSON path and position.
 */
export function parseAwsRanges(text: string, file: string): { data?: FeedData; diagnostics: Diagnostic[] } {
  const parsed = parseFeedJson('aws', text, file);
  if (parsed.json === undefined) return { diagnostics: parsed.diagnostics };
  const problems: Diagnostic[] = [];
  const fail = (path: string, message: string) => problems.push(feedProblem('aws', file, path, message));
  const root = parsed.json;
  if (!isRecord(root)) return { diagnostics: [feedProblem('aws', file, '$', 'expected an object with syncToken, createDate, prefixes and ipv6_prefixes')] };
  if (typeof root.syncToken !== 'string' || !/^[0-9]+$/.test(root.syncToken)) fail('$.syncToken', 'missing or not a string of digits (the publication time in Unix epoch seconds)');
  const date = typeof root.createDate === 'string' ? CREATE_DATE.exec(root.createDate)?.[1] : undefined;
  if (!date || !isCalendarDate(date)) fail('$.createDate', 'missing or not a date written YYYY-MM-DD-hh-mm-ss');
  const prefixes: FeedPrefix[] = [];
  for (const [list, field, family] of [['prefixes', 'ip_prefix', 4], ['ipv6_prefixes', 'ipv6_prefix', 6]] as const) {
    const items = root[list];
    if (!Array.isArray(items)) {
      fail(`$.${list}`, 'missing or not an array');
      continue;
    }
    items.forEach((item, i) => {
      const path = `$.${list}[${i}]`;
      if (!isRecord(item)) return void fail(path, 'expected an object');
      for (const key of ['region', 'service'] as const) if (typeof item[key] !== 'string' || item[key] === '') fail(`${path}.${key}`, 'missing or not a string');
      if (item.network_border_group !== undefined && typeof item.network_border_group !== 'string') fail(`${path}.network_border_group`, 'not a string');
      const cidr = feedCidr('aws', file, `${path}.${field}`, item[field], problems);
      if (cidr && (cidr.includes(':') ? 6 : 4) !== family) return void fail(`${path}.${field}`, `"${cidr}" is not an IPv${family} prefix, as ${list} holds`);
      if (cidr && typeof item.service === 'string' && typeof item.region === 'string') prefixes.push({ cidr, service: item.service, region: item.region });
    });
  }
  if (problems.length) return { diagnostics: placeFeedProblems('aws', text, file, problems) };
  return { data: { info: { feed: 'aws', file: baseName(file), idName: 'syncToken', id: root.syncToken as string, date: date! }, prefixes }, diagnostics: [] };
}
