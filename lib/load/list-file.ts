/** One entry of a list file: its text and where it starts (1-based). */
export interface ListEntry {
  text: string;
  line: number;
  col: number;
}

/** A list file as the loader read it: the name diagnostics use, and its text or why it could not be read. */
export type ListSource = { file: string; text: string } | { file: string; error: string };

/**
 * The entries of a list file: one CIDR or host name a line; blank lines and `#` comments (whole lines, or after a
 * space) are skipped. A line holding two words is a problem, not two entries, as it is more often a pasted table
 * than a list. Read line by line without a YAML parser, so 100,000 entries cost a few milliseconds.
 */
export function parseListText(text: string): { entries: ListEntry[]; problems: (ListEntry & { message: string; hint: string })[] } {
  const entries: ListEntry[] = [];
  const problems: (ListEntry & { message: string; hint: string })[] = [];
  let start = 0;
  for (let line = 1; start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let raw = text.slice(start, end);
    const hash = raw.search(/(^|[ \t])#/);
    if (hash >= 0) raw = raw.slice(0, hash);
    const lead = raw.length - raw.trimStart().length;
    const entry = raw.trim();
    if (entry !== '') {
      const word = /\s/.exec(entry);
      if (word) {
        problems.push({ text: entry, line, col: lead + 1, message: `line holds more than one entry: "${entry.slice(0, 60)}"`, hint: 'write one CIDR or host name a line; a comment starts with #' });
      } else entries.push({ text: entry, line, col: lead + 1 });
    }
    if (end === text.length) break;
    start = end + 1;
  }
  return { entries, problems };
}

/**
 * Why a list path may not be read, or undefined. Only files beside the requirement file or below it: a requirement
 * file from someone else must not make fwgen read (and quote in its errors) files elsewhere on the machine.
 */
export function listPathProblem(path: string): string | undefined {
  if (/[\0-\x1f\x7f]/.test(path)) return 'holds a control character';
  if (path === '-') return 'is standard input, which holds the requirement file or nothing';
  if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path)) return 'is an absolute path';
  if (path.split(/[\\/]/).includes('..')) return 'leaves the requirement file\'s folder (..)';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return 'is a URL';
  return undefined;
}

/** The list paths named by the endpoints of a parsed document's requirements, each once, in order. */
export function listReferences(data: unknown): string[] {
  const out = new Set<string>();
  const requirements = isObject(data) && Array.isArray(data.requirements) ? data.requirements : [];
  for (const req of requirements) {
    if (!isObject(req)) continue;
    for (const field of ['destinations', 'sources', 'alternatives']) {
      const list = req[field];
      if (!Array.isArray(list)) continue;
      for (const item of list) if (isObject(item) && typeof item.list === 'string' && listPathProblem(item.list) === undefined) out.add(item.list);
    }
  }
  return [...out];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
