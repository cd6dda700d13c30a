/** Ports on roles without names: port matrices (see port-matrix.ts) and lists of ports, as requirements to endpoint groups. */
import type { Block, Table } from './blocks.js';
import { type Context, endpointKey, plain } from './context.js';
import type { Draft, YamlEndpoint } from './draft.js';
import { flowOf, groupEndpoint, readPortMatrix, subjectOf } from './port-matrix.js';

/**
 * A table of ports between roles, without names (see port-matrix.ts): each row a requirement whose destination is
 * an endpoint group; false when the table is not one.
 */
export function readMatrix(table: Table, ctx: Context, draft: Draft, intro: Extract<Block, { kind: 'paragraph' | 'item' }> | undefined): boolean {
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
export function readPortLists(blocks: readonly Block[], contexts: ReadonlyMap<Block, Context>, draft: Draft): void {
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
