import { readFile } from 'node:fs/promises';
import type { Diagnostic } from '../model/diagnostic.js';
import { FEED_PROVIDERS, type FeedData, type FeedProvider } from './feed-data.js';
import { parseAwsRanges } from './aws.js';
import { parseGoogleRanges } from './gcp.js';
import { parseGithubMeta } from './github.js';

export type { FeedData, FeedPrefix, FeedInfo, FeedProvider } from './feed-data.js';
export { FEED_PROVIDERS, feedProviders, isFeedProvider } from './feed-data.js';
export { selectFeedPrefixes, describeSelector, type FeedSelector, type FeedSelection } from './select.js';
export { feedAgeDiagnostic, parseMaxFeedAge, DEFAULT_MAX_FEED_AGE } from './freshness.js';

/** The loaded feeds a set is expanded with, by provider. */
export type FeedSources = Partial<Record<FeedProvider, FeedData>>;

const parsers = { aws: parseAwsRanges, gcp: parseGoogleRanges, github: parseGithubMeta } as const;

/** Parses a feed's text (structure and every prefix checked, problems at their JSON path and line:col). */
export function parseFeed(feed: FeedProvider, text: string, file: string): { data?: FeedData; diagnostics: Diagnostic[] } {
  return parsers[feed](text, file);
}

export async function loadFeedFile(feed: FeedProvider, file: string, shownAs = file): Promise<{ data?: FeedData; diagnostics: Diagnostic[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'a folder, not a file' : err.message;
    return {
      diagnostics: [
        { code: 'FEED_FILE', severity: 'error', message: `cannot read ${feed} feed file ${shownAs}: ${why}`, hint: `download ${FEED_PROVIDERS[feed].file} from ${FEED_PROVIDERS[feed].url}`, span: { file: shownAs, line: 1, col: 1 }, params: { feed, file: shownAs } },
      ],
    };
  }
  return parseFeed(feed, text, shownAs);
}
