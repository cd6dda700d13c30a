import { aggregatePrefixes } from '../model/aggregate.js';
import { nearest } from '../model/nearest.js';
import type { FeedData, FeedProvider } from './feed-data.js';

/** What a requirement asks of a feed: AWS service (+ region), Google scope (+ service), GitHub key (as `service`). */
export interface FeedSelector {
  feed: FeedProvider;
  service?: string;
  /** AWS `region`, Google `scope`. */
  region?: string;
}

export type FeedSelection =
  | { cidrs: string[]; matched: number }
  | { problem: 'FEED_UNKNOWN' | 'FEED_NO_REGION'; message: string; hint: string };

const selections = new WeakMap<FeedData, Map<string, FeedSelection>>();

/** How a selector is written in a requirement file, for messages: `aws service S3 region us-east-1`. */
export function describeSelector(s: FeedSelector): string {
  const parts: string[] = [`addressFeed ${s.feed}`];
  if (s.service !== undefined) parts.push(`${s.feed === 'github' ? 'key' : 'service'} ${s.service}`);
  if (s.region !== undefined) parts.push(`${s.feed === 'gcp' ? 'scope' : 'region'} ${s.region}`);
  return parts.join(' ');
}

/**
 * The prefixes a selector names, aggregated (the shared aggregation, so the same addresses give the same prefixes
 * as everywhere else), or why none match. Names are compared without case (AWS writes `S3` and `us-east-1`), and a
 * name not in the file is answered with the nearest ones that are. Kept per file and selector.
 */
export function selectFeedPrefixes(data: FeedData, s: FeedSelector): FeedSelection {
  let cache = selections.get(data);
  if (!cache) selections.set(data, (cache = new Map()));
  const key = `${s.service ?? ''}\0${s.region ?? ''}`;
  let hit = cache.get(key);
  if (!hit) cache.set(key, (hit = select(data, s)));
  return hit;
}

function select(data: FeedData, s: FeedSelector): FeedSelection {
  const lower = (x: string) => x.toLowerCase();
  const serviceWord = s.feed === 'github' ? 'key' : 'service';
  const regionWord = s.feed === 'gcp' ? 'scope' : 'region';
  const file = data.info.file;
  let pool = data.prefixes;
  if (s.service !== undefined) {
    const want = lower(s.service);
    pool = pool.filter((p) => lower(p.service) === want);
    if (pool.length === 0) {
      const names = distinct(data.prefixes.map((p) => p.service));
      const near = nearest(s.service, names, 3);
      return {
        problem: 'FEED_UNKNOWN',
        message: `${serviceWord} "${s.service}" is not in ${file}`,
        hint: near.length ? `did you mean ${near.join(' or ')}?` : names.length ? `${file} has: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', ...' : ''}` : `${file} names no ${serviceWord}s`,
      };
    }
  }
  if (s.region !== undefined) {
    const want = lower(s.region);
    const inRegion = pool.filter((p) => lower(p.region) === want);
    if (inRegion.length === 0) {
      const regions = distinct(pool.map((p) => p.region).filter(Boolean));
      const near = nearest(s.region, regions, 3);
      const of = s.service !== undefined ? `${serviceWord} ${s.service} has no prefixes in ${regionWord} "${s.region}"` : `no prefixes in ${regionWord} "${s.region}"`;
      return {
        problem: 'FEED_NO_REGION',
        message: `${of} in ${file}`,
        hint: regions.length ? `${near.length ? `did you mean ${near.join(' or ')}? ` : ''}${regionWord}s: ${regions.slice(0, 12).join(', ')}${regions.length > 12 ? ', ...' : ''}` : `${file} gives no ${regionWord}s${s.service !== undefined ? ` for ${s.service}` : ''}: leave out \`${regionWord}:\``,
      };
    }
    pool = inRegion;
  }
  return { cidrs: aggregatePrefixes(pool.map((p) => p.cidr)), matched: pool.length };
}

function distinct(list: string[]): string[] {
  return [...new Set(list)].sort();
}
