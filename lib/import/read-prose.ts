/**
 * Prose and list items: each line that names endpoints and asks for access becomes a requirement; examples,
 * alternatives, commands, routes and names in passing are findings; service tags asked for or listed are destinations.
 */
import type { Block } from './blocks.js';
import { type Context, endpointKey, plain } from './context.js';
import type { Draft, YamlEndpoint } from './draft.js';
import { hostEndpoint } from './host-endpoint.js';
import { normalizeInline } from './inline.js';
import { portsInProse } from './ports.js';
import { alternativeSentence, asksForAccess, conditionIn, isExample, isNamingForm, type PortStatement, sentenceAt, sentencesOf, statementFor } from './prose.js';
import { tagEndpoint } from './read-table.js';
import { serviceTagNames } from './service-tag-names.js';
import { leftoverWords, scanTokens, schemePort, type Token } from './tokens.js';

export function fallbackPorts(statements: readonly PortStatement[], line: number, ctx: Context, comments: string[], review: string[]): string[] {
  const s = statementFor(statements, line, ctx.section);
  if (s) {
    const quote = s.text.length > 160 ? `${s.text.slice(0, 157)}...` : s.text;
    if (s.line === line) return s.ports;
    (s.all || s.section === ctx.section ? comments : review).push(`ports ${s.ports.join(', ')} from line ${s.line}: "${quote}"`);
    return s.ports;
  }
  review.push('no port stated for it; https:443 assumed');
  return ['https:443'];
}

export function readProse(
  b: Extract<Block, { kind: 'paragraph' | 'item' }>,
  ctx: Context,
  draft: Draft,
  statements: readonly PortStatement[],
  fromTables: ReadonlySet<string>,
  imported: () => ReadonlySet<string>,
  nearby: string,
): void {
  const whole = b.lines.map((l) => l.text).join(' ');
  const asks = asksForAccess(whole) || asksForAccess(nearby);
  for (const l of b.lines) {
    const norm = normalizeInline(l.text, 'prose');
    if (norm.links) {
      draft.links += norm.links;
      draft.linkLines.add(l.n);
    }
    const tokens = scanTokens(norm.text, { prose: true });
    const destinations: YamlEndpoint[] = [];
    const ports = new Set<string>();
    const review: string[] = [];
    const comments: string[] = [];
    const conditions = new Set<string>();
    let sentence: string | undefined;
    // A list of service tags ("Service tags" heading, or "the following Service Tags:" before the list): each item
    // that starts with a tag allows it.
    const listedTag = b.kind === 'item' && l === b.lines[0] ? leadingServiceTag(norm.text, nearby) : undefined;
    // The name an item starts with is its subject, whatever the item goes on to say about alternatives or other names.
    const isLead = (tok: Token) => b.kind === 'item' && l === b.lines[0] && !/[A-Za-z0-9]/.test(norm.text.slice(0, tok.start));
    if (listedTag) {
      destinations.push(tagEndpoint(listedTag, l.n, draft));
      if (!listedTag.known) review.push(`service tag "${listedTag.tag}" is not in the shipped Service Tags snapshot`);
      const condition = conditionIn(norm.text);
      if (condition) conditions.add(condition);
      comments.push('a service tag in a list of service tags');
    }
    // "the [Azure Resource Manager service tag](...) must be enabled": a tag named in words.
    for (const tag of tagsInWords(l.text)) {
      if (!TAG_ASK.test(sentenceAt(norm.text, 0) + l.text) || destinations.some((d) => endpointKey(d) === tag.toLowerCase())) continue;
      destinations.push({ serviceTag: tag });
      comments.push(`the service tag ${tag}, named in words`);
    }
    for (const t of tokens) {
      if (t.kind === 'service-tag') {
        if (listedTag && t.start === listedTag.start) continue;
        // `allow all IP addresses in the "name": "Storage.{region}" section`: a tag asked for, not only named.
        const said = sentenceAt(norm.text, t.start);
        const named = new RegExp(`"${t.raw.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"|\\bservice\\s+tags?\\b`, 'i').test(said);
        if (t.known && named && TAG_ASK.test(said) && alternativeSentence(norm.text, t) === undefined && !isExample(norm.text, t) && !isNamingForm(norm.text, t)) {
          destinations.push(tagEndpoint(t, l.n, draft));
          comments.push(`the service tag ${t.tag}, asked for in prose`);
          continue;
        }
        draft.tag(t.regionParam ? t.raw : t.tag, l.n, t.known);
        continue;
      }
      if (t.kind === 'invalid') {
        if (t.reason.startsWith('review: ')) draft.findings.push({ line: l.n, severity: 'warning', code: 'IMPORT_REVIEW', message: t.reason });
        else if (t.reason) draft.findings.push({ line: l.n, severity: 'warning', code: 'IMPORT_UNCLASSIFIED', message: `"${t.raw}" ${t.reason}; not imported` });
        continue;
      }
      if (t.kind === 'host' && t.path && !isLead(t)) {
        // A URL with a path in prose is a page to read or a call to make (`docker pull host/image`), not a rule,
        // unless a list item is about it (`- https://console.redhat.com/api/ingress: used by the insights operator`).
        if (!imported().has(t.match === 'subdomains' ? `*.${t.name}` : t.name)) {
          draft.findings.push({ line: l.n, severity: 'warning', code: 'IMPORT_NOT_IMPORTED', message: `"${t.raw}" is named with a path (a page, a command or an API call); not imported`, hint: `if ${t.name} must be reachable, add it by hand` });
        }
        continue;
      }
      const endpoints = proseEndpoints(t, l.n, norm.placeholders, draft);
      if (/\bnext[\s-]*hop\b/i.test(sentenceAt(norm.text, t.start))) {
        draft.findings.push({ line: l.n, severity: 'warning', code: 'IMPORT_NOT_IMPORTED', message: `"${t.raw}" is named for a route (a next hop), not a firewall rule; not imported` });
        continue;
      }
      const command = /\b(?:dig|curl|wget|nslookup|ping|telnet|traceroute|nc|host|openssl\s+s_client)\s+(?:-{1,2}\S+\s+)*$/i.exec(norm.text.slice(Math.max(0, t.start - 60), t.start));
      if (command) {
        draft.findings.push({ line: l.n, severity: 'warning', code: 'IMPORT_NOT_IMPORTED', message: `"${t.raw}" is an argument of a command (${command[0].trim().split(/\s+/)[0]}); not imported`, hint: 'if it must be reachable, add it by hand' });
        continue;
      }
      if (t.kind === 'host' && t.match === 'exact' && t.params.length === 0 && !isLead(t) && !ALLOW_WORDS.test(sentenceAt(norm.text, t.start))) {
        const longer = [...imported()].find((k) => k.endsWith(`.${t.name}`));
        if (longer !== undefined) {
          draft.findings.push({ line: l.n, severity: 'note', code: 'IMPORT_NOT_IMPORTED', message: `"${t.raw}" is named as the end of ${longer}, already imported; not a requirement of its own` });
          continue;
        }
      }
      const alternative = alternativeSentence(norm.text, t);
      if (alternative !== undefined && !isLead(t)) {
        const said = alternative.replace(/\s+/g, ' ').replace(/ ([.,;:])/g, '$1');
        const quote = said.length > 160 ? `${said.slice(0, 157)}...` : said;
        draft.findings.push({ line: l.n, severity: 'warning', code: 'IMPORT_REVIEW', message: `review: "${t.raw}" is offered as an alternative ("${quote}"): not a rule; if you choose it, add it as \`alternatives:\` of the requirements it replaces` });
        continue;
      }
      if (isExample(norm.text, t)) {
        draft.findings.push({ line: l.n, severity: 'warning', code: 'IMPORT_NOT_IMPORTED', message: `"${t.raw}" is given as an example; not imported`, hint: 'if it is a real endpoint, add it by hand' });
        continue;
      }
      const fresh = endpoints.filter((e) => !fromTables.has(endpointKey(e)));
      if (fresh.length === 0) continue;
      destinations.push(...fresh.filter((e) => !destinations.some((d) => endpointKey(d) === endpointKey(e))));
      sentence ??= sentenceAt(norm.text, t.start);
      const condition = conditionIn(sentenceAt(norm.text, t.start));
      if (condition) conditions.add(condition);
      const own = t.kind === 'host' ? schemePort(t.scheme, t.port) : t.port ? `tcp:${t.port}` : undefined;
      if (own) ports.add(own);
      if (t.kind === 'host' && t.match === 'apex-and-subdomains') review.push(`".${t.name}" (leading dot) read as the name and all its subdomains`);
      if (t.kind === 'cidr' && t.any) review.push(`"${t.raw}" is every address; if that is intended, say why with \`allowBroad:\``);
      if (/\bfrom\s+(?:\S+\s+){0,4}$/i.test(norm.text.slice(Math.max(0, t.start - 60), t.start))) {
        review.push(`"${t.raw}" follows "from": it may be a source, not a destination`);
      }
    }
    if (destinations.length === 0) continue;
    const raw = b.kind === 'item' ? (b.raw.find((r) => r.n === l.n)?.text ?? l.text) : l.text;
    const stated = ports.size ? [...ports] : portsInProse(norm.text);
    const finalPorts = stated.length ? stated : fallbackPorts(statements, l.n, ctx, comments, review);
    if (!asks) review.push('read from prose that does not ask for access in so many words; check that it is a requirement');
    if (ctx.direction === 'inbound') review.push('the section is about inbound traffic: check whether these are the sources rather than the destinations');
    for (const c of conditions) review.push(`the text makes it conditional ("${c}"): consider an option (\`options:\` and \`when:\`)`);
    comments.unshift(`read from ${b.kind === 'item' ? 'a list item' : 'prose'}`);
    // An item's lead-in ("REST endpoint - Allow access ...") names it; otherwise the sentence says what it is for.
    const said = /[A-Za-z]{3,}/.test(leftoverWords(norm.text, tokens).replace(/\b(https?|tcp|udp|ssh|port)\b/gi, ''));
    const purpose = (b.kind === 'item' && l === b.lines[0] ? itemPurpose(plain(l.text)) : undefined) ?? (sentence === undefined || !said ? undefined : asWritten(sentence, norm.text, l.text));
    draft.requirements.push({
      line: l.n,
      idScope: ctx.section ?? 'requirement',
      idName: `line-${l.n}`,
      ...(ctx.scenario ? { scenario: ctx.scenario } : {}),
      ...(ctx.direction && ctx.direction !== 'outbound' ? { direction: ctx.direction } : {}),
      destinations,
      ports: finalPorts,
      ...(purpose ? { purpose } : {}),
      provenance: { ...(ctx.section ? { section: ctx.section } : {}), line: l.n, text: raw },
      comments,
      review,
      origin: b.kind === 'item' ? 'list' : 'prose',
    });
  }
}

/** Words that ask for a name to be allowed in so many words (narrower than asksForAccess's "requires", "must"). */
const ALLOW_WORDS = /\b(allow|allowed|allowlist|allowlisted|whitelist|whitelisted|open|unblock|permit|access to|reach|reachable)\b/i;

/** Words that ask for a service tag to be allowed. */
const TAG_ASK = /\b(allow|allowed|allowing|enable|enabled|open)\b/i;

/** Service tags named in words before "service tag" ("Azure Resource Manager service tag"), when Azure has them. */
function tagsInWords(raw: string): string[] {
  const out: string[] = [];
  for (const m of raw.matchAll(/((?:[A-Z][A-Za-z0-9]*\s+){1,4})service\s+tags?\b/g)) {
    const words = m[1]!.trim().split(/\s+/);
    // The longest run of the words that is a tag ("the Azure Resource Manager" → AzureResourceManager).
    for (let s = 0; s < words.length; s++) {
      const name = words.slice(s).join('');
      if (words.length - s >= 2 && serviceTagNames().has(name)) {
        out.push(name);
        break;
      }
    }
  }
  return out;
}

const SERVICE_TAG_CONTEXT = /\bservice[\s-]*tags?\b/i;

/** The service tag an item of a service-tag list starts with (`Storage`, `AzureArcInfrastructure (if ...)`), if any. */
function leadingServiceTag(text: string, nearby: string): Extract<Token, { kind: 'service-tag' }> | undefined {
  if (!SERVICE_TAG_CONTEXT.test(nearby)) return undefined;
  const first = scanTokens(text, { tagsExpected: true })[0];
  if (first?.kind !== 'service-tag' || text.slice(0, first.start).trim() !== '') return undefined;
  // The tag is the item's subject: what follows is a condition or an explanation, not more names.
  const rest = text.slice(first.end).trim();
  return rest === '' || /^[(:,–—-]/.test(rest) ? first : undefined;
}

export function proseEndpoints(t: Token, line: number, placeholders: readonly { raw: string; slug: string }[], draft: Draft): YamlEndpoint[] {
  if (t.kind === 'cidr') return t.cidrs;
  if (t.kind !== 'host') return [];
  let name = t.name;
  for (const s of t.params) {
    const p = draft.parameter(s, placeholders.find((x) => x.slug === s)?.raw ?? `{${s}}`, line);
    name = name.replace(`{${s}}`, `{${p.name}}`);
  }
  const written = hostEndpoint(t, name);
  if ('problem' in written) {
    draft.findings.push({ line, severity: 'warning', code: 'IMPORT_REVIEW', message: written.problem });
    return [];
  }
  return [written.endpoint];
}

/**
 * What a list item says it is for: the lead-in before a dash or colon when that names no endpoint ("REST endpoint -
 * Allow access to ..."), or the words after it when the endpoint leads ("`sync.example.com`: file synchronisation").
 */
function itemPurpose(text: string): string | undefined {
  const m = /^(.{3,90}?)(?:\s+[-–—:]|:)\s+(.+)$/.exec(text);
  if (!m) return undefined;
  const names = scanTokens(normalizeInline(m[1]!, 'cell').text).some((t) => t.kind !== 'invalid');
  return names ? m[2]!.replace(/[.;]$/, '').trim() || undefined : m[1]!.trim();
}

/** The sentence of the line as written that matches `sentence` of its normalised text (same position). */
function asWritten(sentence: string, normalised: string, raw: string): string {
  const norm = sentencesOf(normalised).map((x) => x.trim());
  const written = sentencesOf(raw).map((x) => x.trim());
  const k = norm.indexOf(sentence);
  return plain(k >= 0 && norm.length === written.length ? written[k]! : sentence);
}
