/**
 * Port matrices between roles: tables of ports with no host names ("Control plane | TCP | 6443 | Kubernetes API
 * server | All"), read as requirements between endpoint groups that the user binds to addresses later
 * (`--bind control-plane=10.0.0.0/24`). Each row's destination is the role that opens the port: a column naming
 * it per row ("Service": SSH Service), else the subject of the table (the paragraph before it, "Master Nodes
 * (`master-sg`) Rules:", or the nearest heading naming a role, "Proxy Service ports"). Its peers come from a
 * "Used By", "Source" or "Source/Destination" column; with an "Ingress/Egress" column, an egress row's peer is the
 * destination and the subject the source. Ports bound to the loopback interface need no rule and are reported.
 */
import type { Table, TableRow } from './blocks.js';
import { columnContents, headerRole, MACHINE_WORDS } from './columns.js';
import type { Draft, YamlEndpoint } from './draft.js';
import { normalizeInline } from './inline.js';
import { parsePortCell } from './ports.js';

export interface MatrixRow {
  row: TableRow;
  /** 1-based row number in the table. */
  n: number;
  destination: string;
  /** Peer group titles; empty for "All" or no peer column. */
  sources: string[];
  /** The row's peer is the destination itself ("Self"). */
  self: boolean;
  direction?: 'inbound' | 'outbound';
  ports: string[];
  unparsed: string[];
  purpose?: string;
}

export interface MatrixReading {
  rows: MatrixRow[];
  /** Rows not read, with why (loopback only, no port the model can express). */
  skipped: { row: TableRow; n: number; why: string }[];
  /** How the columns and the subject were read, for the draft's comments. */
  how: string;
}

/** Words that name a role a port can be opened on (besides machine words). */
const ROLE_WORDS = /\b(services?|plane|proxy|brokers?|controllers?|managers?|daemons?|components?|roles?|tiers?|databases?|db|etcd|api|kubelet|masters?|workers?)\b/i;
const LOOPBACK = /\b(localhost|loopback|127\.0\.0\.1|::1)\b/i;
const PEER_HEADER = /\bused\s+by\b|\bsources?\b|\bfrom\b|\bclients?\b|\bcallers?\b|\bpeers?\b|\bsource\s*\/\s*destination\b/i;
const ROW_ROLE_HEADER = /^\s*(?:service|component|role|node(?:\s+type)?|server|machine|host)s?\s*$/i;
const INGRESS_HEADER = /\bingress\s*\/\s*egress\b|\bdirection\b|\bin\s*\/\s*out\b/i;
/** Words of a heading or intro besides the role it names. */
const SUBJECT_FILLER = /\b(?:the|following|ports?|should|also|be|available|on|rules?|inbound|outbound|ingress|egress|requirements?|firewall|network(?:ing)?|open(?:ed)?|used|by|with|without|for|tls|routing|required|each|every|all)\b/gi;

const plainText = (s: string) => normalizeInline(s, 'cell').text.replace(/[*_`]/g, '').replace(/\{#[^}]*\}/g, '').replace(/\s+/g, ' ').trim();

/** The role a heading or an intro names, if it names one: "Proxy Service ports" → "Proxy Service". */
export function subjectOf(text: string): string | undefined {
  // A code span in parentheses is the document's own name for it: "Master Nodes (``master-sg``) Rules:".
  const id = /\(\s*``?([A-Za-z0-9][\w.-]*)``?\s*\)/.exec(text)?.[1];
  if (id) return id;
  const t = plainText(text).replace(/[:.]$/, '');
  if (!MACHINE_WORDS.test(t) && !ROLE_WORDS.test(t)) return undefined;
  // "available on each node" → "each node": from a quantifier or the start, through the role word.
  const each = /\b(each|every|all)\s+((?:[A-Za-z0-9-]+\s+){0,2}?)(nodes?|machines?|servers?|hosts?|instances?)\b/i.exec(t);
  if (each) return `${each[1]} ${each[2]}${each[3]}`.replace(/\s+/g, ' ').trim();
  if (t.split(/\s+/).length > 8) return undefined;
  const stripped = t.replace(SUBJECT_FILLER, ' ').replace(/\s+/g, ' ').trim();
  return stripped === '' ? undefined : stripped;
}

const ARROW = /<->|<=>|↔|=>|->|→/;
/** Peers a cell names in a flow that stand for every machine ("host `*`", "all"). */
const EVERY = /^(?:(?:any|every|all)\s+)?(?:hosts?|nodes?|machines?)?\s*\*?$|^(?:any|all|everyone)$/i;

/**
 * The flows a direction cell states: "worker, CLI => controller" (the peers before the arrow send to the role after
 * it), "controller <-> worker" (both ways), "controller, worker => host `*`" (every machine: "all hosts").
 */
export function arrowFlows(text: string): { sources: string[]; destination: string }[] | undefined {
  const m = /^(.*?)\s*(<->|<=>|↔|=>|->|→)\s*(.*)$/.exec(text);
  if (!m) return undefined;
  const names = (s: string) => s.split(/\s*(?:,|;|\band\b|&)\s*/).map((x) => x.replace(/[`*]/g, (c) => (c === '*' ? '*' : '')).trim()).filter(Boolean).map((x) => (EVERY.test(x) ? 'all hosts' : x));
  const left = names(m[1]!);
  const right = names(m[3]!);
  if (left.length === 0 || right.length === 0) return undefined;
  const out = right.map((destination) => ({ sources: left, destination }));
  if (m[2] === '<->' || m[2] === '<=>' || m[2] === '↔') for (const destination of left) if (!right.includes(destination)) out.push({ sources: right, destination });
  return out;
}

/** "Ports used for all-machine to control plane communications": the roles a title names as the two ends. */
export function flowOf(text: string): { source: string; destination: string } | undefined {
  const m = /\b(?:for|from|between)\s+(.{2,40}?)\s+(?:to|and)\s+(.{2,40}?)\s+(?:communications?|traffic|connections?|connectivity)\b/i.exec(text);
  return m ? { source: m[1]!.trim(), destination: m[2]!.trim() } : undefined;
}

/** Does this table read as ports on roles: a port column and no column of names? */
export function isPortMatrix(table: Table): boolean {
  const contents = columnContents(table);
  const roles = table.header?.map(headerRole) ?? [];
  return contents.some((c, i) => c.cells > 0 && (roles[i] === 'port' || c.ports * 2 > c.cells) && c.ports > 0) && !contents.some((c) => c.names * 2 >= c.cells && c.names > 0);
}

export function readPortMatrix(table: Table, subject: string | undefined, context: string, defaultPeer?: string): MatrixReading | undefined {
  if (!table.header || !isPortMatrix(table)) return undefined;
  const header = table.header.map(plainText);
  const roles = table.header.map(headerRole);
  const contents = columnContents(table);
  const find = (test: (h: string, i: number) => boolean) => header.findIndex(test);
  const portCol = find((h, i) => roles[i] === 'port' || (contents[i]!.ports * 2 > contents[i]!.cells && contents[i]!.ports > 0));
  const protoCol = find((_h, i) => roles[i] === 'protocol' && i !== portCol);
  const dirCol = find((h) => INGRESS_HEADER.test(h));
  const peerCol = find((h, i) => i !== portCol && PEER_HEADER.test(h));
  // "worker, CLI => controller", "controller <-> controller": a direction column that says who talks to whom.
  const arrows = dirCol >= 0 && table.rows.some((r) => ARROW.test(plainText(r.cells[dirCol] ?? '')));
  const roleCol = arrows ? -1 : find((h, i) => i !== portCol && i !== peerCol && ROW_ROLE_HEADER.test(h));
  const purposeCols = header.map((_, i) => i).filter((i) => ![portCol, protoCol, dirCol, peerCol, roleCol].includes(i));
  const loopbackTable = LOOPBACK.test(context);
  if (roleCol < 0 && subject === undefined && !loopbackTable && !arrows) return undefined;
  const rows: MatrixRow[] = [];
  const skipped: MatrixReading['skipped'] = [];
  table.rows.forEach((row, k) => {
    const cell = (i: number) => (i >= 0 ? plainText(row.cells[i] ?? '') : '');
    const purpose = purposeCols.map(cell).filter(Boolean).join(': ');
    if (loopbackTable || LOOPBACK.test(purpose)) {
      skipped.push({ row, n: k + 1, why: `listens on the loopback interface only ("${loopbackTable ? context.slice(0, 80) : purpose}"), which needs no firewall rule` });
      return;
    }
    const parsed = parsePortCell(cell(portCol), cell(protoCol));
    if (parsed.ports.length === 0) {
      skipped.push({ row, n: k + 1, why: `no port the model can express in "${[cell(protoCol), cell(portCol)].filter(Boolean).join(' ')}"` });
      return;
    }
    const flows = arrows ? arrowFlows(cell(dirCol)) : undefined;
    if (flows) {
      for (const f of flows) {
        const self = f.sources.includes(f.destination);
        rows.push({ row, n: k + 1, destination: f.destination, sources: f.sources.filter((s) => s !== f.destination), self, direction: 'inbound', ports: parsed.ports, unparsed: parsed.unparsed, ...(purpose ? { purpose } : {}) });
      }
      return;
    }
    const own = roleCol >= 0 ? cell(roleCol) : subject!;
    if (own === undefined) {
      skipped.push({ row, n: k + 1, why: 'no role named for the port' });
      return;
    }
    if (own === '') {
      skipped.push({ row, n: k + 1, why: 'no role named for the port' });
      return;
    }
    const dir = cell(dirCol).toLowerCase();
    const egress = /\b(egress|outbound|out)\b/.test(dir) && !/\b(ingress|inbound|in)\b/.test(dir);
    const peers = cell(peerCol)
      .replace(/\(self\)/gi, '')
      .split(/\s*(?:,|;|\band\b|&)\s*/)
      .map((p) => p.trim())
      .filter(Boolean);
    const selfPeer = peers.some((p) => /^self$/i.test(p)) || /\(self\)/i.test(row.cells[peerCol] ?? '');
    const namedPeers = peers.filter((p) => !/^(self|all|any|anywhere|everyone|everything|\*|-|n\/a)$/i.test(p));
    if (egress) {
      // An egress row of the subject's table: the peer receives the traffic.
      for (const peer of namedPeers.length ? namedPeers : [own]) {
        rows.push({ row, n: k + 1, destination: peer, sources: [own], self: false, direction: 'outbound', ports: parsed.ports, unparsed: parsed.unparsed, ...(purpose ? { purpose } : {}) });
      }
      return;
    }
    const peersOf = peerCol < 0 && defaultPeer !== undefined ? (defaultPeer === own ? [] : [defaultPeer]) : namedPeers;
    const selfOf = peerCol < 0 && defaultPeer !== undefined ? defaultPeer === own : selfPeer;
    rows.push({ row, n: k + 1, destination: own, sources: peersOf, self: selfOf, ...(dirCol >= 0 || peerCol >= 0 ? { direction: 'inbound' as const } : {}), ports: parsed.ports, unparsed: parsed.unparsed, ...(purpose ? { purpose } : {}) });
  });
  const label = (i: number) => `"${header[i]}"`;
  const how = [
    `port matrix: ${roleCol >= 0 ? `column ${label(roleCol)} names the role that opens each port` : `the ports are opened on "${subject}"`}${defaultPeer !== undefined && peerCol < 0 ? `, for "${defaultPeer}"` : ''}`,
    ...(peerCol >= 0 ? [`column ${label(peerCol)} names the peers${dirCol >= 0 ? `, column ${label(dirCol)} which way` : ''}`] : []),
  ].join('; ');
  return { rows, skipped, how };
}

/** The group endpoint for a role's title, created on first use. */
export function groupEndpoint(draft: Draft, title: string, line: number): YamlEndpoint {
  return { group: draft.group(title, line).group.id };
}
