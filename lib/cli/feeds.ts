import { resolve } from 'node:path';
import type { Diagnostic } from '../model/diagnostic.js';
import { FwgenError } from '../model/diagnostic.js';
import type { FeedInfo } from '../model/resolved.js';
import type { ExpandInput } from '../expand/index.js';
import { today } from '../service-tags/freshness.js';
import type { FeedProvider, FeedSources } from '../feeds/index.js';
import type { CliIo, CommandArgs } from './io.js';
import { expandInput, parsePairs } from './inputs.js';

/** Feed files by provider: absolute path and the name diagnostics show (as the user wrote it). */
export type FeedFiles = Partial<Record<FeedProvider, { path: string; shown: string }>>;

/** `--feed aws=FILE` (repeatable), relative to the working directory. */
export function feedArgs(args: CommandArgs, cwd: string): FeedFiles {
  const pairs = parsePairs('feed', args.feed);
  return feedFiles(pairs, cwd);
}

/** Provider names checked, paths made absolute against `dir`. */
export function feedFiles(pairs: Record<string, string>, dir: string): FeedFiles {
  const bad: Diagnostic[] = [];
  const out: FeedFiles = {};
  for (const [name, file] of Object.entries(pairs)) {
    if (name !== 'aws' && name !== 'gcp' && name !== 'github') {
      bad.push({ code: 'USAGE', severity: 'error', message: `--feed ${name}: no address feed of that name`, hint: 'feeds: aws, gcp, github, e.g. --feed aws=ip-ranges.json', params: { feed: name } });
      continue;
    }
    out[name] = { path: resolve(dir, file), shown: file };
  }
  if (bad.length) throw new FwgenError(bad);
  return out;
}

/** Reads each feed file (only when some are given, so commands without feeds never load the feed code). */
export async function loadFeeds(files: FeedFiles): Promise<FeedSources> {
  const entries = Object.entries(files) as [FeedProvider, { path: string; shown: string }][];
  if (entries.length === 0) return {};
  const { loadFeedFile } = await import('../feeds/index.js');
  const results = await Promise.all(entries.map(([feed, f]) => loadFeedFile(feed, f.path, f.shown)));
  const problems = results.flatMap((r) => r.diagnostics);
  if (problems.length) throw new FwgenError(problems);
  const out: FeedSources = {};
  entries.forEach(([feed], i) => (out[feed] = results[i]!.data!));
  return out;
}

/** `expandInput` and the feeds `--feed` names, loaded. */
export async function expandInputWithFeeds(args: CommandArgs, io: Pick<CliIo, 'cwd'>, fromProject: FeedFiles = {}): Promise<ExpandInput> {
  const feeds = await loadFeeds({ ...fromProject, ...feedArgs(args, io.cwd) });
  return { ...expandInput(args), ...(Object.keys(feeds).length ? { feeds } : {}) };
}

/** --max-feed-age DAYS, else the project's, else 30. */
export async function maxFeedAge(args: CommandArgs, fromProject?: number): Promise<number> {
  const { parseMaxFeedAge, DEFAULT_MAX_FEED_AGE } = await import('../feeds/freshness.js');
  const r = parseMaxFeedAge(args['max-feed-age']);
  if (r.diagnostic) throw new FwgenError([r.diagnostic]);
  return r.days ?? fromProject ?? DEFAULT_MAX_FEED_AGE;
}

/** One warning (or note, for an undated feed) per feed file a set used. */
export async function feedAgeWarnings(used: readonly FeedInfo[] | undefined, maxAge: number, env: NodeJS.ProcessEnv, usedBy: (f: FeedInfo) => string = () => ''): Promise<Diagnostic[]> {
  if (!used?.length) return [];
  const { feedAgeDiagnostic } = await import('../feeds/freshness.js');
  const now = today(env);
  return used.map((f) => feedAgeDiagnostic(f, maxAge, now, usedBy(f))).filter((d): d is Diagnostic => d !== undefined);
}
