/**
 * From blocks to a draft: each table row becomes a requirement (columns by header words), each line of prose or of a
 * bullet list that names endpoints becomes one, and so does each line of a code block that lists endpoints. What is
 * found but cannot be modelled (examples, service tags in prose, addresses in sample output, words that name
 * nothing) is kept as a finding. Headings give sections and scenarios; Inbound/Outbound headings give directions.
 */
import type { Direction } from '../model/requirement-set.js';
import type { Block, SourceLine, Table, TableRow } from './blocks.js';
import { MACHINE_WORDS as MACHINES, tableRoles, type Role } from './columns.js';
import { flowOf, groupEndpoint, readPortMatrix, subjectOf } from './port-matrix.js';
import { Draft, idText, type DraftRequirement, type YamlEndpoint } from './draft.js';
import { normalizeInline } from './inline.js';
import { defineParameters, parameterFromWords, type ProseUnit } from './parameters.js';
import { parsePortCell, portsInProse } from './ports.js';
import { alternativeSentence, asksForAccess, conditionIn, isExample, portStatement, saysEachOther, sentenceAt, sentencesOf, statementFor, type PortStatement } from './prose.js';
import { leftoverWords, scanTokens, schemePort, type HostToken, type Token } from './tokens.js';
import { hostEndpoint } from './host-endpoint.js';
import { serviceTagNames } from './service-tag-names.js';

interface Context {
  /** Heading path below the title, joined with " > " (or the title when there is nothing below it). */
  section?: string;
  scenario?: string;
  direction?: Direction;
}

/** Words a heading holds besides its direction when it only says which way ("Inbound rules", "Outbound traffic"). */
const DIRECTION_FILLER = /\b(rules?|traffic|connections?|connectivity|ports?|access|requirements?|network|networking|firewall|endpoints?|the|and|for|urls?|fqdns?)\b/gi;

function headingDirection(text: string): { direction?: Direction; pure: boolean } {
  const t = text.toLowerCase();
  const direction: Direction | undefined = /\b(inbound|ingress|incoming)\b/.test(t)
    ? 'inbound'
    : /\b(outbound|egress|outgoing)\b/.test(t)
      ? 'outbound'
      : /\b(internal|east-west|node-to-node|intra-cluster)\b/.test(t)
        ? 'internal'
        : undefined;
  if (!direction) return { pure: false };
  const rest = t.replace(/\b(inbound|ingress|incoming|outbound|egress|outgoing|internal|east-west|node-to-node|intra-cluster)\b/g, '').replace(DIRECTION_FILLER, '').replace(/[^a-z0-9]+/g, '');
  return { direction, pure: rest === '' && direction !== 'internal' };
}

function cellDirection(text: string): Direction | undefined {
  const t = text.toLowerCase();
  if (/\b(in|inbound|ingress|incoming)\b/.test(t) && !/\b(out|outbound|egress|outgoing|both|bidirectional)\b/.test(t)) return 'inbound';
  if (/\b(out|outbound|egress|outgoing)\b/.test(t) && !/\b(in|inbound|ingress|incoming|both|bidirectional)\b/.test(t)) return 'outbound';
  if (/\b(internal|east-west)\b/.test(t)) return 'internal';
  return undefined;
}

/** Plain text of a heading or cell for display (markup and placeholders' braces as the document wrote them). */
function plain(text: string): string {
  return text
    .replace(/\s*\{#[\w-]+\}\s*$/, '')
    .replace(/\*\*|__|`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Words saying "any address" in a source or destination cell. */
const ANY_WORDS = /^(?:any|all|\*|anywhere|everywhere|(?:the\s+)?(?:public\s+)?internet|any\s+(?:source|ip|address|host)|all\s+(?:sources|addresses|ips))$/i;

export interface InterpretResult {
  title?: string;
  sections: string[];
}

export function interpret(blocks: readonly Block[], draft: Draft): InterpretResult {
  // ---- Headings: title, sections, and each block's context ----
  const headings = blocks.filter((b): b is Extract<Block, { kind: 'heading' }> => b.kind === 'heading');
  const minLevel = Math.min(...headings.map((h) => h.level));
  const atMin = headings.filter((h) => h.level === minLevel);
  const titleHeading = atMin.length === 1 && headings[0] === atMin[0] ? headings[0] : undefined;
  const title = titleHeading ? plain(titleHeading.text) : undefined;
  const sections: string[] = title ? [title] : [];
  const contexts = new Map<Block, Context>();
  const stack: { level: number; text: string; direction?: Direction; pure: boolean }[] = [];
  let ctx: Context = title ? { section: title, scenario: title } : {};
  for (const b of blocks) {
    if (b.kind === 'heading') {
      if (b === titleHeading) continue;
      while (stack.length && stack[stack.length - 1]!.level >= b.level) stack.pop();
      const text = plain(b.text);
      stack.push({ level: b.level, text, ...headingDirection(text) });
      const section = stack.map((s) => s.text).join(' > ');
      if (!sections.includes(section)) sections.push(section);
      const scenario = [...stack].reverse().find((s) => !s.pure)?.text ?? title ?? section;
      const direction = [...stack].reverse().find((s) => s.direction)?.direction;
      ctx = { section, scenario, ...(direction ? { direction } : {}) };
    }
    contexts.set(b, ctx);
  }
  const ctxOf = (b: Block) => contexts.get(b) ?? {};

  // ---- Tables ----
  const candidateTables: { table: Table; used: boolean; ctx: Context }[] = [];
  blocks.forEach((b, k) => {
    if (b.kind !== 'table') return;
    const before = blocks[k - 1];
    const intro = before && (before.kind === 'paragraph' || before.kind === 'item') && ctxOf(before) === ctxOf(b) ? before : undefined;
    if (readTable(b.table, ctxOf(b), draft, intro, footnotesAfter(blocks, k))) return;
    if (readMatrix(b.table, ctxOf(b), draft, intro)) return;
    candidateTables.push({ table: b.table, used: false, ctx: ctxOf(b) });
  });

  // ---- Prose: port statements, then the names each line asks for ----
  const statements: PortStatement[] = [];
  const units: ProseUnit[] = [];
  blocks.forEach((b, k) => {
    if (b.kind !== 'paragraph' && b.kind !== 'item') return;
    const whole = normalizeInline(b.lines.map((l) => l.text).join(' '), 'prose').text;
    const s = portStatement(whole, b.line, ctxOf(b).section);
    const names = scanTokens(whole, { prose: true }).some((t) => t.kind === 'host' || t.kind === 'cidr');
    // An item that states only ports ("Protocol and ports: TCP 30000 - 32767") speaks for the items of its list;
    // a statement before the first section (under the title) speaks for the whole document.
    if (s && b.kind === 'item' && !names) statements.push({ ...s, scope: listLines(blocks, k) });
    else if (s) statements.push(ctxOf(b).section === title ? { ...s, all: true } : s);
    for (const l of b.lines) {
      const raw = b.kind === 'item' ? (b.raw.find((r) => r.n === l.n)?.text ?? l.text) : l.text;
      const norm = normalizeInline(l.text, 'prose');
      units.push({ line: l.n, text: norm.text, placeholders: norm.placeholders, raw, item: b.kind === 'item' });
    }
  });
  const fromTables = new Set(draft.requirements.flatMap((r) => r.destinations.map(endpointKey)));
  const imported = () => new Set(draft.requirements.flatMap((r) => r.destinations.map(endpointKey)));
  // What a list item or paragraph is read with: its section's heading, and for an item the paragraph that introduces its list.
  let intro: string | undefined;
  blocks.forEach((b, k) => {
    if (b.kind === 'heading') intro = undefined;
    if (b.kind === 'paragraph' || b.kind === 'item') {
      const leaf = ctxOf(b).section?.split(' > ').pop() ?? '';
      readProse(b, ctxOf(b), draft, statements, fromTables, imported, `${leaf} ${b.kind === 'item' ? (intro ?? '') : ''}`);
      if (b.kind === 'paragraph') intro = b.lines.map((l) => l.text).join(' ');
    } else if (b.kind === 'code') {
      const before = blocks[k - 1];
      readCode(b.lines, b.line, ctxOf(b), draft, statements, imported(), before && (before.kind === 'paragraph' || before.kind === 'item') ? before.lines.map((l) => l.text).join(' ') : undefined);
    } else if (b.kind === 'skipped' && b.what === 'external-table') {
      draft.findings.push({ line: b.line, severity: 'warning', code: 'IMPORT_NOT_IMPORTED', message: 'a table read from another file is not imported', hint: 'import that file on its own' });
    } else if (b.kind === 'skipped' && b.what === 'link-definition') {
      draft.links += b.lines.length;
      for (const l of b.lines) draft.linkLines.add(l.n);
    }
  });
  readGroupStatements(blocks, contexts, draft);
  readPortLists(blocks, contexts, draft);

  // ---- Tables that hold no destinations: a parameter's mapping, or nothing the model can use ----
  defineParameters(draft, units, candidateTables);
  for (const t of candidateTables) {
    if (t.used) continue;
    const header = t.table.header ? ` (${t.table.header.map(plain).join(' | ')})` : '';
    const fqdnTag = t.table.header?.findIndex((h) => /\bfqdn[\s-]*tags?\b/i.test(plain(h))) ?? -1;
    if (fqdnTag >= 0) {
      const named = t.table.rows.map((r) => plain(r.cells[fqdnTag] ?? '')).filter(Boolean);
      draft.findings.push({ line: t.table.line, severity: 'warning', code: 'IMPORT_NOT_IMPORTED', message: `table${header} names Azure Firewall FQDN tags (${named.join('; ')}), which stand for name lists the model does not have; not imported`, hint: 'add the names such a tag stands for, from the vendor\'s list' });
      continue;
    }
    draft.findings.push({
      line: t.table.line,
      severity: 'warning',
      code: 'IMPORT_NOT_IMPORTED',
      message: `table${header} has no column of destinations and names no host or address; not imported`,
      hint: 'if it lists endpoints, give the column a header such as "Destination" or "FQDN"',
    });
  }
  return { ...(title ? { title } : {}), sections };
}

// ------------------------------------------------------------------------------------------------
// Tables
// ------------------------------------------------------------------------------------------------

interface Entry {
  endpoint: YamlEndpoint;
  /** Port of this endpoint alone (host:port, a URL's scheme). */
  port?: string;
}

/** Reads a table with a destination (or service-tag) column into requirements; false when it has neither. */
function readTable(table: Table, ctx: Context, draft: Draft, intro: Extract<Block, { kind: 'paragraph' | 'item' }> | undefined, footnotes: ReadonlyMap<string, { line: number; text: string }> = new Map()): boolean {
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
        if (tok.kind === 'service-tag' && dest.length && !tok.known) {
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

/**
 * A table of ports between roles, without names (see port-matrix.ts): each row a requirement whose destination is
 * an endpoint group; false when the table is not one.
 */
function readMatrix(table: Table, ctx: Context, draft: Draft, intro: Extract<Block, { kind: 'paragraph' | 'item' }> | undefined): boolean {
  const introText = intro?.lines.map((l) => l.text).join(' ');
  const headings = (ctx.section ?? '').split(' > ').reverse();
  // ".Ports used for all-machine to control plane communications": the title says who talks to whom.
  const flow = table.caption !== undefined ? flowOf(plain(table.caption)) : undefined;
  const subject = flow?.destination ?? (introText !== undefined ? subjectOf(introText) : undefined) ?? headings.map(subjectOf).find((s) => s !== undefined);
  const reading = readPortMatrix(table, subject, [introText ?? '', headings[0] ?? '', table.caption ?? ''].join(' '), flow?.source);
  if (!reading || (reading.rows.length === 0 && reading.skipped.length === 0)) return false;
  for (const s of reading.skipped) {
    draft.findings.push({ line: s.row.line, severity: 'warning', code: 'IMPORT_NOT_IMPORTED', message: `row ${s.n} (line ${s.row.line}) ${s.why}; not imported` });
  }
  const first = draft.requirements.length;
  for (const r of reading.rows) {
    const destination = groupEndpoint(draft, r.destination, r.row.line);
    const sources: YamlEndpoint[] = [];
    for (const s of [...(r.self ? [destination] : []), ...r.sources.map((x) => groupEndpoint(draft, x, r.row.line))]) {
      if (!sources.some((x) => endpointKey(x) === endpointKey(s))) sources.push(s);
    }
    const review = r.unparsed.length ? [`port cell: could not read ${r.unparsed.map((u) => `"${u}"`).join(', ')}`] : [];
    const others = r.sources.filter((s) => endpointKey(groupEndpoint(draft, s, r.row.line)) !== endpointKey(destination));
    if (others.length) review.push(`peers ${others.map((s) => `"${s}"`).join(', ')} read as endpoint groups: bind them, or delete the ones that are components on the same machine`);
    draft.requirements.push({
      line: r.row.line,
      idScope: ctx.section ?? 'requirement',
      idName: `${r.destination}-${r.n}`,
      ...(ctx.scenario ? { scenario: ctx.scenario } : {}),
      direction: sources.length ? 'internal' : (ctx.direction ?? 'inbound'),
      ...(sources.length ? { sources } : {}),
      destinations: [destination],
      ports: r.ports,
      ...(r.purpose ? { purpose: r.purpose } : {}),
      provenance: { ...(ctx.section ? { section: ctx.section } : {}), line: r.row.line, row: r.n, text: r.row.text },
      comments: [],
      review,
      origin: 'table',
    });
  }
  const head = draft.requirements[first];
  if (head) head.comments.unshift(`table, lines ${table.line}-${table.endLine}: ${reading.how}`);
  return true;
}

/** First and last line of the run of list items (same depth, nothing between them) that blocks[k] belongs to. */
function listLines(blocks: readonly Block[], k: number): [number, number] {
  const b = blocks[k] as Extract<Block, { kind: 'item' }>;
  const same = (j: number) => {
    const x = blocks[j];
    return x?.kind === 'item' && x.depth === b.depth;
  };
  let from = k;
  let to = k;
  while (same(from - 1)) from--;
  while (same(to + 1)) to++;
  const last = blocks[to] as Extract<Block, { kind: 'item' }>;
  return [blocks[from]!.line, last.lines[last.lines.length - 1]!.n];
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
function footnotesAfter(blocks: readonly Block[], k: number): Map<string, { line: number; text: string }> {
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

function tagEndpoint(tok: Extract<Token, { kind: 'service-tag' }>, line: number, draft: Draft): YamlEndpoint {
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

export function endpointKey(e: YamlEndpoint): string {
  if (typeof e === 'string') return e.toLowerCase();
  if ('host' in e) return `.${e.host}`;
  if ('serviceTag' in e) return e.region ? `${e.serviceTag}.${e.region}` : e.serviceTag;
  return `group:${e.group}`;
}

function describe(e: YamlEndpoint): string {
  return endpointKey(e);
}

// ------------------------------------------------------------------------------------------------
// Prose, lists and code
// ------------------------------------------------------------------------------------------------

function fallbackPorts(statements: readonly PortStatement[], line: number, ctx: Context, comments: string[], review: string[]): string[] {
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

function readProse(
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
        if (t.known && named && TAG_ASK.test(said) && alternativeSentence(norm.text, t) === undefined && !isExample(norm.text, t)) {
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

function proseEndpoints(t: Token, line: number, placeholders: readonly { raw: string; slug: string }[], draft: Draft): YamlEndpoint[] {
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
 * A code or literal block: when every line names endpoints and nothing else, each line is a requirement (a literal
 * list); otherwise what it names is reported, not imported (sample output, a command, a JSON excerpt).
 */
function readCode(lines: readonly SourceLine[], at: number, ctx: Context, draft: Draft, statements: readonly PortStatement[], imported: ReadonlySet<string>, intro: string | undefined): void {
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

/** A list item that starts with a port number (`` ``4567`` For replication traffic``, `33060 (X Protocol)`). */
function leadPort(text: string): { port: number; rest: string } | undefined {
  // "HTTP API (Default 4646). This is used by ...": a short name, then the port in parentheses.
  const named = /^\s*([A-Za-z][\w /.-]{0,40}?)\s*\((?:default|port|tcp|udp)?\s*:?\s*(\d{1,5})\)\s*[.:,–—-]?\s*(.*)$/i.exec(text);
  if (named && Number(named[2]) >= 1 && Number(named[2]) <= 65535) return { port: Number(named[2]), rest: `${named[1]}. ${named[3]}` };
  const m = /^\s*(?:``?)?(\d{1,5})(?:``?)?(?=\s|$|[:,(–—-])\s*(.*)$/.exec(text);
  const port = m ? Number(m[1]) : NaN;
  return m && port >= 1 && port <= 65535 ? { port, rest: m[2]! } : undefined;
}

/**
 * Lists of ports with no names ("ports on each node in the cluster: - ``3306`` For MySQL client connections"):
 * requirements to the endpoint group the intro or a heading names, or, when none is named, to the machines the
 * document is about (a group to rename). Two or more such items in a run of the list are needed, and the text around
 * must speak of ports or a firewall.
 */
function readPortLists(blocks: readonly Block[], contexts: ReadonlyMap<Block, Context>, draft: Draft): void {
  for (let k = 0; k < blocks.length; k++) {
    if (blocks[k]!.kind !== 'item') continue;
    let end = k;
    while (blocks[end + 1]?.kind === 'item') end++;
    const run = blocks.slice(k, end + 1) as Extract<Block, { kind: 'item' }>[];
    const ported = run.filter((b) => leadPort(plain(b.lines.map((l) => l.text).join(' '))) !== undefined);
    const introBlock = blocks[k - 1];
    const intro = introBlock?.kind === 'paragraph' ? introBlock.lines.map((l) => l.text).join(' ') : '';
    const ctx = contexts.get(run[0]!) ?? {};
    const headings = (ctx.section ?? '').split(' > ').reverse();
    k = end;
    if (ported.length < 2 || !/\bports?\b|\bfirewall\b/i.test(`${intro} ${headings.join(' ')}`)) continue;
    const subject = subjectOf(intro) ?? headings.map(subjectOf).find((s) => s !== undefined);
    const title = subject ?? 'hosts';
    for (const b of ported) {
      const text = plain(b.lines.map((l) => l.text).join(' '));
      const lead = leadPort(text)!;
      // "multicast replication uses both UDP transport and TCP on this port"
      const tcp = /\btcp\b/i.test(lead.rest);
      const udp = /\budp\b/i.test(lead.rest);
      const ports = udp && tcp ? [`tcp:${lead.port}`, `udp:${lead.port}`] : udp ? [`udp:${lead.port}`] : [`tcp:${lead.port}`];
      // A parent item names what the port is for ("InnoDB Ports (From Morpheus)").
      const parent = [...run.slice(0, run.indexOf(b))].reverse().find((p) => p.depth < b.depth);
      const purpose = [parent ? plain(parent.lines.map((l) => l.text).join(' ')) : '', lead.rest.replace(/^[-–—:(\s]+|[)\s.]+$/g, '')].filter(Boolean).join(': ');
      const review = subject === undefined ? [`the text names no role for these ports: read as the group "${title}" (the machines the document is about); rename it, and bind it`] : [];
      if (!udp && !tcp) review.push(`port ${lead.port}: no transport stated; tcp assumed`);
      const c = contexts.get(b) ?? {};
      draft.requirements.push({
        line: b.line,
        idScope: c.section ?? 'requirement',
        idName: `port-${lead.port}`,
        ...(c.scenario ? { scenario: c.scenario } : {}),
        direction: c.direction ?? 'inbound',
        destinations: [groupEndpoint(draft, title, b.line)],
        ports,
        ...(purpose ? { purpose } : {}),
        provenance: { ...(c.section ? { section: c.section } : {}), line: b.line, text: b.raw[0]?.text ?? text },
        comments: ['read from a list of ports'],
        review,
        origin: 'list',
      });
    }
  }
}

/** "All Kubernetes nodes can communicate with each other across all necessary ports": a group to itself. */
function readGroupStatements(blocks: readonly Block[], contexts: ReadonlyMap<Block, Context>, draft: Draft): void {
  if (draft.groups.size === 0) return;
  for (const b of blocks) {
    if (b.kind !== 'paragraph' && b.kind !== 'item') continue;
    const ctx = contexts.get(b) ?? {};
    for (const l of b.lines) {
      const text = plain(l.text).toLowerCase();
      if (!saysEachOther(text)) continue;
      for (const g of draft.groups.values()) {
        if (!text.includes(g.title.toLowerCase())) continue;
        g.lines.add(l.n);
        const ports = portsInProse(text);
        const review = [`read from prose: ${g.id} to itself; check the sources, destinations and ports`];
        if (ports.length === 0) review.push('no port stated; any assumed');
        draft.requirements.push({
          line: l.n,
          idScope: ctx.section ?? 'requirement',
          idName: g.id,
          ...(ctx.scenario ? { scenario: ctx.scenario } : {}),
          direction: 'internal',
          sources: [{ group: g.id }],
          destinations: [{ group: g.id }],
          ports: ports.length ? ports : ['any'],
          purpose: sentenceWith(plain(l.text), g.title),
          provenance: { ...(ctx.section ? { section: ctx.section } : {}), line: l.n, text: l.text },
          comments: ['read from prose about an endpoint group'],
          review,
          origin: 'prose',
        });
      }
    }
  }
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

function sentenceWith(text: string, words: string): string {
  const parts = text.split(/(?<=[.!?])\s+/);
  return parts.find((p) => p.toLowerCase().includes(words.toLowerCase())) ?? text;
}

/** A requirement id: scope and name slugged, at most 64 characters. */
export function requirementId(r: DraftRequirement): string {
  const scope = idText(r.idScope, 36);
  const name = idText(r.idName, 26) || 'row';
  const id = [scope, name].filter(Boolean).join('-');
  return /^[a-z0-9]/.test(id) ? id : `r-${id}`.slice(0, 64);
}
