import { createHash } from 'node:crypto';
import type { Diagnostic } from '../model/diagnostic.js';
import { checkCidr } from '../model/cidr.js';
import { placeDiagnostics } from '../service-tags/service-tags.js';
import { FEED_PROVIDERS, type FeedProvider } from './feed-data.js';

/** A problem in a feed file at a JSON path; `placeDiagnostics` later gives it the line and column of that value. */
export function feedProblem(feed: FeedProvider, file: string, path: string, message: string, hint?: string, line = 1, col = 1): Diagnostic {
  return {
    code: 'FEED_FILE',
    severity: 'error',
    message: `${path}: ${message}`,
    hint: hint ?? `this is not ${FEED_PROVIDERS[feed].title} as published: download it again from ${FEED_PROVIDERS[feed].url}`,
    span: { file, line, col },
    params: { path, feed },
  };
}

/** JSON.parse with the line and column of a syntax error; a BOM is allowed. */
export function parseFeedJson(feed: FeedProvider, text: string, file: string): { json?: unknown; diagnostics: Diagnostic[] } {
  try {
    return { json: JSON.parse(text.replace(/^\uFEFF/, '')), diagnostics: [] };
  } catch (e) {
    const message = (e as Error).message;
    const m = /position (\d+)/.exec(message);
    const offset = m ? Number(m[1]) + (text.charCodeAt(0) === 0xfeff ? 1 : 0) : /end of JSON/i.test(message) ? text.length : 0;
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const col = offset - before.lastIndexOf('\n');
    return { diagnostics: [feedProblem(feed, file, '$', `not valid JSON: ${message}`, undefined, line, col)] };
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A prefix as written in a feed, checked; problems name its JSON path. */
export function feedCidr(feed: FeedProvider, file: string, path: string, value: unknown, problems: Diagnostic[]): string | undefined {
  if (typeof value !== 'string') {
    problems.push(feedProblem(feed, file, path, 'missing or not a string'));
    return undefined;
  }
  const r = checkCidr(value);
  if (!r.cidr || !value.includes('/')) {
    problems.push(feedProblem(feed, file, path, `"${value}" is not a valid prefix${r.problems[0] ? `: ${r.problems[0].message}` : ''}`));
    return undefined;
  }
  return r.cidr;
}

/** More problems than this are summed up in one line: the file is not what it should be. */
const SHOWN = 20;

/** Positions for the first problems (one scan of the text), and a count of the rest. */
export function placeFeedProblems(feed: FeedProvider, text: string, file: string, problems: Diagnostic[]): Diagnostic[] {
  const shown = placeDiagnostics(text, problems.slice(0, SHOWN));
  if (problems.length <= SHOWN) return shown;
  return [...shown, { ...feedProblem(feed, file, '$', `and ${problems.length - SHOWN} more problems`), message: `and ${problems.length - SHOWN} more problems` }];
}

/** The first 16 hex digits of the file's SHA-256: what names a publication that carries no id of its own. */
export function contentId(text: string): string {
  return createHash('sha256').update(text.replace(/^\uFEFF/, '')).digest('hex').slice(0, 16);
}

export function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
