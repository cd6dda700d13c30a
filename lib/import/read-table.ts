/**
 * Tables with a destination (or service-tag) column: one requirement per row, or per port when the names of a row
 * have ports of their own; sources, direction, alternatives, footnoted ports and what was not understood.
 */
import type { Direction } from '../model/requirement-set.js';
import type { Block, Table, TableRow } from './blocks.js';
import { MACHINE_WORDS as MACHINES, type Role, tableRoles } from './columns.js';
import { type Context, describe, endpointKey, plain } from './context.js';
import type { Draft, YamlEndpoint } from './draft.js';
import { hostEndpoint } from './host-endpoint.js';
import { normalizeInline } from './inline.js';
import { parameterFromWords } from './parameters.js';
import { parsePortCell, portsInProse } from './ports.js';
import { leftoverWords, scanTokens, schemePort, type Token } from './tokens.js';

/** Words saying "any address" in a source or destination cell. */
export const ANY_WORDS = /^(?:any|all|\*|anywhere|everywhere|(?:the\s+)?(?:public\s+)?internet|any\s+(?:source|ip|address|host)|all\s+(?:sources|addresses|ips))$/i;

function cellDirection(text: string): Direction | undefined {
  const t = text.toLowerCase();
  if (/\b(in|inbound|ingress|incoming)\b/.test(t) && !/\b(out|outbound|egress|outgoing|both|bidirectional)\b/.test(t)) return 'inbound';
  if (/\b(out|outbound|egress|outgoing)\b/.test(t) && !/\b(in|inbound|ingress|incoming|both|bidirectional)\b/.test(t)) return 'outbound';
  if (/\b(internal|east-west)\b/.test(t)) return 'internal';
  return undefined;
}

interface Entry {
  endpoint: YamlEndpoint;
  /** Port of this endpoint alone (host:port, a URL's scheme). */
  port?: string;
}

/** Reads a table with a destination (or service-tag) column into requirements; false when it has neither. */
export function readTable(table: Table, ctx: Context, draft: Draft, intro: Extract<Block, { kind: 'paragraph' | 'item' }> | undefined, footnotes: ReadonlyMap<string, { line: number; text: string }> = new Map()): boolean {
  if (table.header?.some((h) => /\bnext[\s-]*hop\b/i.test(plain(h)))) {
    draft.findings.push({ line: table.line, severity: 'warning', code: 'IMPORT_NOT_IMPORTED', message: `table (${table.header.map(plain).join(' | ')}) is a route table (a next hop for each prefix): routes, not firewall rules; not imported` });
    return true;
  }
  const { roles, byContent, notes: columnNotes } = tableRoles(table);
  const byRole = new Map<Role | undefined, number[]>();
  roles.forEach((r, i) => byRole.set(r, [...(byRole.get(r) ?? []), i]));
  const cols = (role: Role) => byRole.get(role) ?? [];
  const dest = cols('destination');
  const tags = cols('service-tag');
  if (dest.length === 0 && tags.length === 0) return false;
  const tableReview: string[] = [];
  const header = table.header?.map(plain);
  if (columnNotes.length) tableReview.push(...columnNotes);
  else if (byContent) {
    const c = dest[0]!;
    tableReview.push(header ? `no header word names the destination column; column ${c + 1} ("${header[c]}") holds names and is read as the destinations` : `the table has no header; column ${c + 1} holds names and is read as the destinations, the other columns by their content`);
  }
  const unknown = header ? header.flatMap((h, i) => (roles[i] === undefined && h !== '' ? [`"${h}"`] : [])) : [];
  if (unknown.length) tableReview.push(`column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} not understood: kept only in the provenance text (a condition?)`);
  const introText = intro?.lines.map((l) => l.text).join(' ');
  if (introText && /\boptional(ly)?\b/i.test(introText)) {
    tableReview.push(`the text before this table (line ${intro!.line}) says its rows are optional: consider an option (\`options:\` and \`when:\`)`);
  }
  const first = draft.requirements.length;
  const join = (idx: number[], row: TableRow) => idx.map((i) => row.cells[i] ?? '').filter((c) => c.trim() !== '').join(' , ');
  table.rows.forEach((row, n) => {
    const rowLabel = `row ${n + 1} (line ${row.line})`;
    const review = [...row.notes];
    const comments: string[] = [];
    // "Replace `storage_account_name` with your actual storage account name": that label is a placeholder.
    const replaced = /replace/i.test(row.text) ? [...row.text.matchAll(/\breplace\s+`?([A-Za-z][\w-]{2,40})`?\s+with\b/gi)].map((m) => m[1]!) : [];
    const destText = replaced.reduce((s, w) => s.replace(new RegExp(`(?<![\\w{-])${w}(?=\\.)`, 'g'), `{${w}}`), join(dest, row));
    const { entries, problems, notes, broad } = readEndpoints(destText, row.line, draft, 'destination');
    review.push(...problems.map((p) => p.replace(/^review: /, '')));
    comments.push(...notes);
    const tagText = join(tags, row);
    const alternatives: YamlEndpoint[] = [];
    // "N/A", "-", "None": no tag for this row.
    if (tagText && !/^\s*(?:n\/?a|none|-|—|–)\s*$/i.test(plain(tagText))) {
      const t = normalizeInline(tagText, 'cell');
      for (const tok of scanTokens(t.text, { tagsExpected: true })) {
        if (tok.kind === 'service-tag' && !dest.length && !tok.known) {
          // A destination no target can resolve would make the draft fail to compile: said, not written.
          const note = `service tag "${tok.tag}" is not in the shipped Service Tags snapshot: not written, since no target could resolve it; add it once your Service Tags file has it`;
          review.push(note);
          problems.push(`review: ${note}`);
        } else if (tok.kind === 'service-tag' && dest.length && !tok.known) {
          // An alternative no target can resolve ("Internet" is an NSG keyword, not a tag of the Service Tags file).
          review.push(`service tag "${tok.tag}" is not in the shipped Service Tags snapshot: not written as an alternative`);
        } else if (tok.kind === 'service-tag') {
          // Beside a destination column the tags are the address form of the same need; alone, they are the destinations.
          if (dest.length) alternatives.push(tagEndpoint(tok, row.line, draft));
          else entries.push({ endpoint: tagEndpoint(tok, row.line, draft) });
          if (!tok.known) review.push(`service tag "${tok.tag}" is not in the shipped Service Tags snapshot`);
        } else if (tok.kind === 'cidr') alternatives.push(...tok.cidrs);
        else review.push(`"${tok.raw}" in the service tag column is not a service tag; not imported`);
      }
    }
    if (entries.length === 0 && problems.length) {
      for (const p of problems) draft.findings.push({ line: row.line, severity: 'warning', code: 'IMPORT_REVIEW', message: p.startsWith('review: ') ? `review: ${rowLabel}: ${p.slice(8)}` : `${rowLabel}: ${p}` });
      return;
    }
    if (entries.length === 0) {
      const what = destText.trim() === '' ? 'an empty destination' : `no destination fwgen can read in "${plain(destText)}"`;
      draft.findings.push({ line: row.line, severity: 'warning', code: 'IMPORT_UNCLASSIFIED', message: `${rowLabel} has ${what}; not imported`, hint: 'add it by hand if it is a requirement' });
      return;
    }
    // Ports: the port column (with the protocol column), else the destinations' own, else the prose around.
    const portCellRaw = join(cols('port'), row);
    const marks = footnoteMarks(portCellRaw);
    const portCell = stripFootnoteMarks(portCellRaw);
    const protoCell = join(cols('protocol'), row);
    const parsed = parsePortCell(plain(portCell), plain(protoCell));
    // "123 ^[3]^" with footnote 3 "Both TCP and UDP ports.": the footnote says which transports the numbers are.
    for (const mark of marks) {
      const note = footnotes.get(mark);
      const transports = note ? footnoteTransports(note.text) : undefined;
      if (!note || !transports) continue;
      const numbers = [...new Set(parsed.ports.map((p) => p.replace(/^[a-z]+:/, '')))];
      parsed.ports.splice(0, parsed.ports.length, ...transports.flatMap((tr) => numbers.map((n) => `${tr}:${n}`)));
      comments.push(`ports ${parsed.ports.join(', ')}: footnote ${mark} (line ${note.line}) says "${note.text}"`);
    }
    const portWords = plain([portCell, protoCell].filter(Boolean).join(' / '));
    if (parsed.ports.length === 0 && parsed.unparsed.length) {
      // "ICMP", "GRE", "TCP" without a number: nothing the model can say, and no port is better than a wrong one.
      draft.findings.push({ line: row.line, severity: 'warning', code: 'IMPORT_UNCLASSIFIED', message: `${rowLabel}: no port the model can express in "${portWords}"; not imported`, hint: 'the model has tcp, udp, http, https, ssh ports and any; add the rule by hand if it matters' });
      return;
    }
    if (parsed.unparsed.length) review.push(`port${cols('port').length ? '' : '/protocol'} cell "${portWords}": could not read ${parsed.unparsed.map((u) => `"${u}"`).join(', ')}`);
    let rowPorts = parsed.ports;
    if (rowPorts.length === 0 && !portCell && !protoCell) {
      // No port column: a cell of the row may say them ("note: uses HTTP/TCP 80 and HTTPS/TCP 443").
      const said = row.cells.flatMap((c, i) => (dest.includes(i) || tags.includes(i) ? [] : [normalizeInline(c, 'prose').text])).filter((c) => /\d/.test(c));
      const ports = [...new Set(said.flatMap((c) => portsInProse(c)))];
      if (ports.length && !ports.includes('any')) {
        rowPorts = ports;
        comments.push(`ports ${ports.join(', ')} as the row's own text states them`);
      }
    }
    if (rowPorts.length === 0 && entries.some((e) => e.port === undefined)) {
      rowPorts = ['https:443'];
      review.push(portCell || protoCell ? `no port read from "${plain(portCell || protoCell)}"; https:443 assumed` : 'the row gives no port; https:443 assumed');
    }
    // Sources and direction.
    const srcText = join(cols('source'), row);
    let sources: YamlEndpoint[] | undefined;
    if (srcText.trim() !== '') {
      const s = readEndpoints(srcText, row.line, draft, 'source');
      review.push(...s.problems);
      comments.push(...s.notes);
      if (s.entries.length) sources = s.entries.map((e) => e.endpoint);
    }
    const dirText = join(cols('direction'), row);
    let direction = ctx.direction;
    if (dirText.trim() !== '') {
      const d = cellDirection(dirText);
      if (d) direction = d;
      else review.push(`direction "${plain(dirText)}" not understood; ${direction ?? 'outbound'} assumed`);
    }
    const name = join(cols('name'), row);
    const purposeText = [plain(name), plain(join(cols('purpose'), row))].filter(Boolean).join(': ');
    // Destinations with a port of their own that differs from the row's get a requirement of their own.
    const groups = new Map<string, { ports: string[]; endpoints: YamlEndpoint[] }>();
    for (const e of entries) {
      const ports = e.port !== undefined && parsed.ports.length === 0 ? [e.port] : e.port !== undefined && !parsed.ports.includes(e.port) ? [e.port] : rowPorts;
      if (e.port !== undefined && parsed.ports.length && !parsed.ports.includes(e.port)) {
        review.push(`"${describe(e.endpoint)}" is written with port ${e.port}, the port column says ${parsed.ports.join(', ')}; the name's own port is used`);
      }
      const key = ports.join(',');
      const g = groups.get(key) ?? { ports, endpoints: [] };
      g.endpoints.push(e.endpoint);
      groups.set(key, g);
    }
    const multiple = groups.size > 1;
    let k = 0;
    for (const g of groups.values()) {
      k++;
      draft.requirements.push({
        line: row.line,
        idScope: ctx.section ?? 'requirement',
        idName: (name ? plain(name) : `${table.caption ? `${plain(table.caption)}-` : ''}${n + 1}`) + (multiple ? `-${k}` : ''),
        ...(ctx.scenario ? { scenario: ctx.scenario } : {}),
        ...(direction && direction !== 'outbound' ? { direction } : {}),
        ...(sources ? { sources } : {}),
        destinations: g.endpoints,
        ports: g.ports,
        ...(purposeText ? { purpose: purposeText } : {}),
        ...(alternatives.length ? { alternatives } : {}),
        ...(broad ? { allowBroad: `the document gives every address ("${plain(destText)}") as the destination (line ${row.line})` } : {}),
        provenance: { ...(ctx.section ? { section: ctx.section } : {}), line: row.line, row: n + 1, text: row.text },
        comments: [...comments, ...(multiple ? [`the row's names have different ports: requirement ${k} of ${groups.size} from this row`] : [])],
        review: k === 1 ? review : [],
        origin: 'table',
      });
    }
  });
  const head = draft.requirements[first];
  if (head) {
    const kind = { markdown: 'Markdown', asciidoc: 'AsciiDoc', 'rst-grid': 'RST grid', 'rst-simple': 'RST simple', 'rst-list-table': 'RST list-table', 'rst-csv-table': 'RST csv-table' }[table.kind];
    head.comments.unshift(`${kind} table, lines ${table.line}-${table.endLine}${table.caption ? ` ("${plain(table.caption)}")` : ''}; columns: ${(header ?? roles.map((_, i) => `column ${i + 1}`)).map((h, i) => `${h || '(blank)'} → ${roles[i] ?? 'not read'}`).join(', ')}`);
    head.review.unshift(...tableReview);
  } else if (tableReview.length) {
    for (const r of tableReview) draft.findings.push({ line: table.line, severity: 'warning', code: 'IMPORT_REVIEW', message: r });
  }
  return true;
}

/** Footnote marks in a cell: AsciiDoc `^[3]^` or `^3^`, Markdown `[^3]`, HTML `<sup>3</sup>`. */
const FOOTNOTE_MARK = /\^\[?(\w{1,3})\]?\^|\[\^(\w{1,10})\]|<sup>\s*\[?(\w{1,3})\]?\s*<\/sup>/g;

const mayHoldMark = (cell: string) => cell.includes('^') || cell.includes('<sup');

function footnoteMarks(cell: string): string[] {
  return mayHoldMark(cell) ? [...cell.matchAll(FOOTNOTE_MARK)].map((m) => m[1] ?? m[2] ?? m[3]!) : [];
}

function stripFootnoteMarks(cell: string): string {
  return mayHoldMark(cell) ? cell.replace(FOOTNOTE_MARK, ' ') : cell;
}

/** The transports a footnote names for a row's port numbers ("Both TCP and UDP ports."), if it names any. */
function footnoteTransports(text: string): ('tcp' | 'udp')[] | undefined {
  const tcp = /\btcp\b/i.test(text);
  const udp = /\budp\b/i.test(text);
  return tcp && udp ? ['tcp', 'udp'] : udp ? ['udp'] : tcp ? ['tcp'] : undefined;
}

/** The numbered notes right after a table (`1. ...`, `[^1]: ...`), by their number. */
export function footnotesAfter(blocks: readonly Block[], k: number): Map<string, { line: number; text: string }> {
  const out = new Map<string, { line: number; text: string }>();
  for (let j = k + 1; j < blocks.length && j <= k + 8; j++) {
    const b = blocks[j]!;
    if (b.kind === 'heading' || b.kind === 'table') break;
    if (b.kind !== 'item' && b.kind !== 'paragraph') continue;
    const first = b.kind === 'item' ? b.raw[0]!.text : b.lines[0]!.text;
    const m = /^\s*(?:(\d{1,3})\.|\[\^(\w{1,10})\]:)\s+(.*)$/.exec(first);
    if (m) out.set(m[1] ?? m[2]!, { line: b.line, text: plain([m[3]!, ...b.lines.slice(1).map((l) => l.text)].join(' ')) });
  }
  return out;
}

export function tagEndpoint(tok: Extract<Token, { kind: 'service-tag' }>, line: number, draft: Draft): YamlEndpoint {
  if (tok.regionParam === undefined) return { serviceTag: tok.tag };
  const p = draft.parameter(tok.regionParam, tok.raw, line);
  return { serviceTag: tok.tag, region: `{${p.name}}` };
}

/** The endpoints of a destination or source cell, with what to say about them. */
function readEndpoints(text: string, line: number, draft: Draft, role: 'destination' | 'source'): { entries: Entry[]; problems: string[]; notes: string[]; broad?: boolean } {
  const entries: Entry[] = [];
  const problems: string[] = [];
  const notes: string[] = [];
  const norm = normalizeInline(text, 'cell');
  const tokens = scanTokens(norm.text);
  // "*" or "*:123" alone: every address (on that port), as a firewall rule writes it.
  const star = role === 'destination' && tokens.length === 0 ? /^\s*\*(?::(\d{1,5}))?\s*$/.exec(norm.text.replace(/\s+for\s.*$/i, '')) : null;
  if (star) {
    problems.push(`destination "${norm.text.trim()}" is every address: allowBroad says the document asks for it; check that it does`);
    return { entries: ['0.0.0.0/0', '::/0'].map((c) => ({ endpoint: c, ...(star[1] ? { port: `tcp:${star[1]}` } : {}) })), problems, notes, broad: true };
  }
  const placeholderFor = (s: string, raw: string, whole: boolean) => draft.parameter(s, norm.placeholders.find((p) => p.slug === s)?.raw ?? raw, line, whole).name;
  const seen = new Set<string>();
  const push = (e: Entry) => {
    const key = endpointKey(e.endpoint) + '|' + (e.port ?? '');
    if (seen.has(key)) return;
    seen.add(key);
    entries.push(e);
  };
  for (const t of tokens) {
    if (t.kind === 'host') {
      if (role === 'source') {
        problems.push(`source "${t.raw}" is a host name; a source must be a CIDR, a service tag or an endpoint group: not imported`);
        continue;
      }
      let name = t.name;
      for (const s of t.params) name = name.replace(`{${s}}`, `{${placeholderFor(s, `{${s}}`, false)}}`);
      const written = hostEndpoint(t, name);
      if ('problem' in written) {
        problems.push(written.problem);
        continue;
      }
      const endpoint = written.endpoint;
      if (t.match === 'apex-and-subdomains') problems.push(`".${t.name}" (leading dot) read as the name and all its subdomains`);
      if (t.privateSuffix && t.params.length === 0) problems.push(`"${t.name}" is not under a public top-level domain (an internal name?)`);
      if (t.path) notes.push(`"${t.raw}": the path ${t.path} is kept; targets that cannot match a path widen it to the host, with a warning`);
      const port = schemePort(t.scheme, t.port);
      if (t.scheme && port === undefined) problems.push(`"${t.raw}": no port known for scheme ${t.scheme}://`);
      push({ endpoint, ...(port ? { port } : {}) });
    } else if (t.kind === 'cidr') {
      if (t.range) notes.push(`range "${t.raw}" written as ${t.cidrs.join(', ')}`);
      if (t.any) {
        if (role === 'source') problems.push(`source "${t.raw}" read as every address (${t.cidrs.join(', ')}); if that is intended, say why with \`allowBroad:\``);
        else problems.push(`destination "${t.raw}" is every address; if that is intended, say why with \`allowBroad:\``);
      }
      for (const c of t.cidrs) push({ endpoint: c, ...(t.port ? { port: `tcp:${t.port}` } : {}) });
    } else if (t.kind === 'service-tag') {
      push({ endpoint: tagEndpoint(t, line, draft) });
      if (!t.known) problems.push(`service tag "${t.tag}" is not in the shipped Service Tags snapshot`);
    } else {
      problems.push(t.reason.startsWith('review: ') ? t.reason : `"${t.raw}" not imported: ${t.reason}`);
    }
  }
  // A placeholder standing alone is a whole host name ({control-plane-fqdn}).
  const rest = leftoverText(norm.text, tokens);
  for (const m of rest.matchAll(/\{([a-z0-9-]+)\}/g)) {
    if (role === 'source') {
      problems.push(`source "${m[0]}" is a placeholder for a host name; a source must be a CIDR or a group: not imported`);
      continue;
    }
    push({ endpoint: `{${placeholderFor(m[1]!, m[0], true)}}` });
  }
  const words = leftoverWords(rest.replace(/\{[a-z0-9-]+\}/g, ' '), []);
  if (entries.length === 0 && problems.length === 0 && words !== '') {
    const phrase = plain(text);
    const param = role === 'destination' ? parameterFromWords(phrase) : undefined;
    if (param) {
      const p = draft.parameter(param, phrase, line, true);
      p.fromWords = true;
      if (!p.review.length) p.review.push(`"${phrase}" names a host in words, not a placeholder: read as parameter ${p.name}; check the name`);
      if (draft.firstMention(`param:${p.name}`)) notes.push(`"${phrase}" is the parameter {${p.name}}`);
      entries.push({ endpoint: `{${p.name}}` });
    } else if (ANY_WORDS.test(phrase)) {
      if (role === 'source') notes.push(`source "${phrase}": any peer, so no \`sources:\``);
      else {
        problems.push(`destination "${phrase}" read as every address; if that is intended, say why with \`allowBroad:\``);
        entries.push({ endpoint: '0.0.0.0/0' }, { endpoint: '::/0' });
      }
    } else if (role === 'source' || MACHINES.test(phrase)) {
      const { group } = draft.group(phrase, line);
      entries.push({ endpoint: { group: group.id } });
      if (draft.firstMention(`group:${group.id}`)) notes.push(`"${phrase}" is the endpoint group ${group.id}`);
    }
    // Otherwise nothing: the caller reports the row.
  } else if (words !== '' && /[A-Za-z]{3,}/.test(words)) {
    problems.push(`${role} cell has words besides the names: "${words}"; check they add no condition`);
  }
  return { entries, problems, notes };
}

/** The text with the tokens cut out. */
function leftoverText(text: string, tokens: readonly Token[]): string {
  let out = '';
  let at = 0;
  for (const t of tokens) {
    out += text.slice(at, t.start) + ' ';
    at = t.end;
  }
  return out + text.slice(at);
}
