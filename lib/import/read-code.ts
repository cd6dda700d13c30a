/** Code and literal blocks: a list of names (possibly with sentences between them) is read; anything else is reported. */
import type { SourceLine } from './blocks.js';
import type { Context } from './context.js';
import type { Draft, YamlEndpoint } from './draft.js';
import { normalizeInline } from './inline.js';
import { portsInProse } from './ports.js';
import { asksForAccess, conditionIn, type PortStatement } from './prose.js';
import { fallbackPorts, proseEndpoints } from './read-prose.js';
import { type HostToken, leftoverWords, scanTokens, schemePort, type Token } from './tokens.js';

/**
 * A code or literal block: when every line names endpoints and nothing else, each line is a requirement (a literal
 * list); otherwise what it names is reported, not imported (sample output, a command, a JSON excerpt).
 */
export function readCode(lines: readonly SourceLine[], at: number, ctx: Context, draft: Draft, statements: readonly PortStatement[], imported: ReadonlySet<string>, intro: string | undefined): void {
  const content = lines.filter((l) => l.text.trim() !== '' && !/^\s*(#|\/\/)/.test(l.text));
  const read = content.map((l) => {
    const text = normalizeInline(l.text.replace(/\s(#|\/\/)\s.*$/, ''), 'cell');
    const tokens = scanTokens(text.text);
    return { l, text, tokens, words: leftoverWords(text.text, tokens) };
  });
  const kinds = read.map(codeLineKind);
  const names = kinds.filter((k) => k === 'names' || k === 'pending').length;
  const sentences = kinds.filter((k) => k === 'sentence').length;
  // A list of names, possibly with a sentence or two between them ("The following URLs are part of that.").
  const isList = read.length > 0 && names > 0 && names + sentences === read.length && (sentences === 0 || names >= 2 * sentences);
  if (isList) {
    let introText = intro;
    for (const [k, r] of read.entries()) {
      if (kinds[k] === 'sentence') {
        introText = r.text.text;
        continue;
      }
      if (kinds[k] === 'pending') {
        for (const tok of r.tokens) if (tok.kind === 'invalid') draft.findings.push({ line: r.l.n, severity: 'warning', code: 'IMPORT_REVIEW', message: tok.reason });
        if (!r.tokens.some((tok) => tok.kind === 'host' || tok.kind === 'cidr')) continue;
      }
      const asks = introText !== undefined && asksForAccess(introText);
      const introPorts = introText ? portsInProse(normalizeInline(introText, 'prose').text) : [];
      const destinations: YamlEndpoint[] = [];
      const own = new Set<string>();
      for (const t of r.tokens) {
        if (t.kind === 'invalid') continue;
        destinations.push(...proseEndpoints(t, r.l.n, r.text.placeholders, draft));
        const p = t.kind === 'host' ? schemePort(t.scheme, t.port) : t.kind === 'cidr' && t.port ? `tcp:${t.port}` : undefined;
        if (p) own.add(p);
      }
      const comments = [`read from a list in a code block (lines ${at}-${lines[lines.length - 1]?.n ?? at})`];
      const review: string[] = [];
      const ports = own.size ? [...own] : introPorts.length ? introPorts : fallbackPorts(statements, r.l.n, ctx, comments, review);
      if (!asks) review.push('listed in a code block without a sentence before it asking for access; check that it is a requirement');
      const condition = introText === undefined ? undefined : conditionIn(introText);
      if (condition) review.push(`the text before the block makes it conditional ("${condition}"): consider an option (\`options:\` and \`when:\`)`);
      if (ctx.direction === 'inbound') review.push('the section is about inbound traffic: check whether these are the sources rather than the destinations');
      draft.requirements.push({
        line: r.l.n,
        idScope: ctx.section ?? 'requirement',
        idName: `line-${r.l.n}`,
        ...(ctx.scenario ? { scenario: ctx.scenario } : {}),
        ...(ctx.direction && ctx.direction !== 'outbound' ? { direction: ctx.direction } : {}),
        destinations,
        ports,
        provenance: { ...(ctx.section ? { section: ctx.section } : {}), line: r.l.n, text: r.l.text },
        comments,
        review,
        origin: 'code',
      });
    }
    return;
  }
  const named: string[] = [];
  for (const r of read) {
    for (const t of r.tokens) {
      if (t.kind === 'service-tag') draft.tag(t.tag, r.l.n, t.known);
      else if (t.kind === 'host' || t.kind === 'cidr') {
        const shown = t.kind === 'host' ? (t as HostToken).raw : t.raw;
        const keys = t.kind === 'cidr' ? t.cidrs : [t.match === 'subdomains' ? `*.${t.name}` : t.name];
        if (keys.every((k) => imported.has(k.toLowerCase()))) continue;
        if (!named.includes(shown)) named.push(shown);
      }
    }
  }
  if (named.length) {
    const end = lines[lines.length - 1]?.n ?? at;
    const list = named.length > 6 ? `${named.slice(0, 6).join(', ')} and ${named.length - 6} more` : named.join(', ');
    draft.findings.push({ line: lines[0]?.n ?? at, severity: 'warning', code: 'IMPORT_NOT_IMPORTED', message: `code block at lines ${lines[0]?.n ?? at}-${end} names ${list}; not imported (sample text, not a list of endpoints)`, hint: 'add what the document asks for by hand' });
  }
}

/**
 * One line of a code block: names only (`names`), names of a form the model lacks yet with nothing else
 * (`pending`), a sentence of prose between them (`sentence`: four words or more, ending like a sentence), or
 * anything else (a command, a setting, sample output).
 */
function codeLineKind(r: { tokens: readonly Token[]; words: string; text: { text: string } }): 'names' | 'pending' | 'sentence' | 'other' {
  const wordy = /[A-Za-z]{2,}/.test(r.words);
  if (r.tokens.length && !wordy) {
    if (r.tokens.every((t) => t.kind === 'host' || t.kind === 'cidr')) return 'names';
    if (r.tokens.every((t) => t.kind === 'host' || t.kind === 'cidr' || (t.kind === 'invalid' && t.reason.startsWith('review: ')))) return 'pending';
  }
  const plainText = r.text.text.trim();
  if (r.tokens.length === 0 && /^[A-Z]/.test(plainText) && /[.:]$/.test(plainText) && plainText.split(/\s+/).length >= 4 && !/[=;{}<>$]|^\w+:\s*\S/.test(plainText.slice(0, -1))) return 'sentence';
  return 'other';
}
