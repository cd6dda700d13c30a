import type { Diagnostic } from '../model/diagnostic.js';
import type { FeedData, FeedPrefix } from './feed-data.js';
import { baseName, contentId, feedCidr, feedProblem, isRecord, parseFeedJson, placeFeedProblems } from './parse-json.js';

/** Lists in GitHub's meta that hold other things than prefixes. */
const NOT_ADDRESSES = new Set(['ssh_keys']);

/**
 * Reads the response of GitHub's `GET /meta`: an object whose arrays of CIDRs (`hooks`, `web`, `api`, `git`,
 * `packages`, `pages`, `importer`, `actions`, `dependabot`, `copilot`, ...) are the address lists, next to `ssh_keys`,
 * `ssh_key_fingerprints`, `domains` and flags, which are not. It carries no date and no version: the publication is
 * named by the file's SHA-256, and its age cannot be told.
 */
export function parseGithubMeta(text: string, file: string): { data?: FeedData; diagnostics: Diagnostic[] } {
  const parsed = parseFeedJson('github', text, file);
  if (parsed.json === undefined) return { diagnostics: parsed.diagnostics };
  const root = parsed.json;
  if (!isRecord(root)) return { diagnostics: [feedProblem('github', file, '$', 'expected an object with address lists such as hooks, web, api and git')] };
  const problems: Diagnostic[] = [];
  const prefixes: FeedPrefix[] = [];
  let lists = 0;
  for (const [key, value] of Object.entries(root)) {
    if (!Array.isArray(value) || NOT_ADDRESSES.has(key)) continue;
    lists++;
    value.forEach((item, i) => {
      const cidr = feedCidr('github', file, `$.${key}[${i}]`, item, problems);
      if (cidr) prefixes.push({ cidr, service: key, region: '' });
    });
  }
  if (lists === 0) problems.push(feedProblem('github', file, '$', 'has no address lists (hooks, web, api, git, ...): is this the response of GET https://api.github.com/meta?'));
  if (problems.length) return { diagnostics: placeFeedProblems('github', text, file, problems) };
  return { data: { info: { feed: 'github', file: baseName(file), idName: 'sha256', id: contentId(text) }, prefixes }, diagnostics: [] };
}
