import type { FeedInfo, FeedProvider } from '../model/resolved.js';

export type { FeedInfo, FeedProvider };

/** The providers whose address feeds fwgen reads, with the file each publishes and where to get it. */
export const FEED_PROVIDERS = {
  aws: { file: 'ip-ranges.json', url: 'https://ip-ranges.amazonaws.com/ip-ranges.json', title: 'AWS IP address ranges' },
  gcp: { file: 'cloud.json', url: 'https://www.gstatic.com/ipranges/cloud.json', title: 'Google Cloud external IP ranges' },
  github: { file: 'meta.json', url: 'https://api.github.com/meta', title: 'GitHub meta (REST API GET /meta)' },
} as const satisfies Record<FeedProvider, { file: string; url: string; title: string }>;

export const feedProviders = Object.keys(FEED_PROVIDERS) as FeedProvider[];

export function isFeedProvider(name: string): name is FeedProvider {
  return Object.hasOwn(FEED_PROVIDERS, name);
}

/** One prefix of a feed with what it is published for. */
export interface FeedPrefix {
  /** Canonical CIDR (checked when the file is read). */
  cidr: string;
  /** AWS `service`, Google `service`, GitHub: the key of the list (`hooks`, `actions`). */
  service: string;
  /** AWS `region`, Google `scope`; `''` when the feed has none (GitHub). */
  region: string;
}

/** A feed file, checked: every prefix valid, in file order. */
export interface FeedData {
  info: FeedInfo;
  prefixes: FeedPrefix[];
}
