import { diffPrefixLists } from '../service-tags/diff.js';
import { compareStrings } from '../model/order.js';
import type { FeedData, FeedProvider } from './feed-data.js';

/** What one service (in one region or scope) allows in the new file and not the old, and the reverse. */
export interface FeedChange {
  service: string;
  region: string;
  status: 'added' | 'removed' | 'changed';
  gained: string[];
  lost: string[];
}

export interface FeedDiff {
  changes: FeedChange[];
  unchanged: number;
}

/**
 * Compares two files of one feed per (service, region) as address sets, so prefixes that were only split or merged
 * are no change; `service` and `region` (compared without case) keep only those groups. Ordered by service, region.
 */
export function diffFeeds(before: FeedData, after: FeedData, only: { service?: readonly string[]; region?: string } = {}): FeedDiff {
  const groups = new Map<string, { service: string; region: string; a: string[]; b: string[] }>();
  const wantService = only.service?.map((s) => s.toLowerCase());
  const wantRegion = only.region?.toLowerCase();
  const add = (data: FeedData, side: 'a' | 'b') => {
    for (const p of data.prefixes) {
      if (wantService && !wantService.includes(p.service.toLowerCase())) continue;
      if (wantRegion !== undefined && p.region.toLowerCase() !== wantRegion) continue;
      const key = `${p.service}\0${p.region}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { service: p.service, region: p.region, a: [], b: [] }));
      g[side].push(p.cidr);
    }
  };
  add(before, 'a');
  add(after, 'b');
  const changes: FeedChange[] = [];
  let unchanged = 0;
  const ordered = [...groups.values()].sort((x, y) => compareStrings(x.service, y.service) || compareStrings(x.region, y.region));
  for (const g of ordered) {
    const { gained, lost } = diffPrefixLists(g.a, g.b);
    if (gained.length === 0 && lost.length === 0) {
      unchanged++;
      continue;
    }
    changes.push({ service: g.service, region: g.region, status: g.a.length === 0 ? 'added' : g.b.length === 0 ? 'removed' : 'changed', gained, lost });
  }
  return { changes, unchanged };
}

/** Which feed a JSON text is, by the keys each publishes: AWS `createDate`, Google `creationTime`, else GitHub's meta. */
export function detectFeed(json: unknown): FeedProvider | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  if ('createDate' in json || 'ipv6_prefixes' in json) return 'aws';
  if ('creationTime' in json) return 'gcp';
  if ('hooks' in json || 'web' in json || 'git' in json) return 'github';
  return undefined;
}
