/**
 * What a table column means, from the words of its header (never from its position): destination, port, protocol,
 * source, direction, purpose, name, service tag. A table without a header gets its columns from their content.
 */
import type { Table } from './blocks.js';
import { normalizeInline } from './inline.js';
import { scanTokens } from './tokens.js';
import { parsePortCell } from './ports.js';

export type Role = 'destination' | 'port' | 'protocol' | 'source' | 'direction' | 'purpose' | 'name' | 'service-tag';

const RULES: [Role, RegExp][] = [
  // Azure Firewall FQDN tags ("WindowsUpdate", "HDInsight") stand for name lists the model does not have.
  ['purpose', /\bfqdn[\s-]*tags?\b/],
  ['service-tag', /\bservice[\s-]*tags?\b/],
  ['port', /\bports?\b|\bport\(s\)/],
  ['protocol', /\bprotocols?\b|\btransport\b|\bscheme\b/],
  ['source', /\bsource|\bfrom\b|\borigin|\bclient\b|\bcaller\b/],
  ['direction', /\bdirection\b|\bin\s*\/\s*out\b|\bflow\b/],
  ['destination', /\bdest|\bendpoints?\b|\bfqdns?\b|\burls?\b|\bhosts?\b|\bhostnames?\b|\bdomains?\b|\baddress|\bip\b|\bips\b|\btarget|\bremote|\bserver\b|\bcidr|\branges?\b|\bnetworks?\b|\bwildcard/],
  ['purpose', /\bpurpose|\buse\b|\busage|\bused\b|\bdescription|\bnotes?\b|\bcomments?\b|\breason|\bdetails?\b|\bwhy\b|\bfunction|\brequired\s+for|\bexplanation|\bremarks?\b/],
  ['name', /\bname\b|\bservice\b|\bcomponent|\bfeature|\bscenario|\bcategory|\brule\b|\btype\b|\bapplication\b|\bproduct\b|\bitem\b/],
];

/** The role of one header cell, or undefined when its words say nothing the importer knows. */
export function headerRole(cell: string): Role | undefined {
  const words = normalizeInline(cell, 'cell').text.toLowerCase().replace(/[_*`]/g, ' ');
  return RULES.find(([, re]) => re.test(words))?.[0];
}

export interface ColumnReading {
  roles: (Role | undefined)[];
  /** The destination column was found from cell content: no header word named it, or the one named holds no names. */
  byContent: boolean;
  /** Why a column was taken (or left) when its header alone would have said otherwise, for the draft's comments. */
  notes: string[];
}

/** What one column's cells hold: how many are names (hosts, wildcards, placeholders, CIDRs), machine words, ports. */
export interface ColumnContent {
  cells: number;
  names: number;
  /** Cells of words that name machines or any address ("Servers", "All nodes", "Any"): endpoint groups. */
  groups: number;
  ports: number;
}

/** Cells read per column to decide its role: a role is a share, and a long table says it in its first rows. */
const SAMPLE = 40;

const contentCache = new WeakMap<Table, ColumnContent[]>();

/** Counts, per column, the non-empty cells (the first {@link SAMPLE}) that read as names, machine words and ports. */
export function columnContents(table: Table): ColumnContent[] {
  const cached = contentCache.get(table);
  if (cached) return cached;
  let width = table.header?.length ?? 0;
  for (const r of table.rows) width = Math.max(width, r.cells.length);
  const out: ColumnContent[] = [];
  for (let c = 0; c < width; c++) {
    const content = { cells: 0, names: 0, groups: 0, ports: 0 };
    for (const r of table.rows) {
      const raw = r.cells[c] ?? '';
      if (raw.trim() === '') continue;
      if (content.cells === SAMPLE) break;
      content.cells++;
      const text = normalizeInline(raw, 'cell').text;
      // A name has a dot, a colon (IPv6) or a placeholder; a cell without one needs no scan for names.
      if (/[.:{]/.test(text) && namesCell(text)) content.names++;
      else if (GROUP_WORDS.test(text.replace(/[*_`]/g, ''))) content.groups++;
      if (/\d|\b(?:https?|ssh|any)\b/i.test(text)) {
        const p = parsePortCell(text);
        if (p.ports.length > 0 && p.unparsed.length === 0) content.ports++;
      }
    }
    out.push(content);
  }
  contentCache.set(table, out);
  return out;
}

/** Mostly names: the host, CIDR and placeholder tokens cover at least half the cell (a purpose cell names one now and then). */
function namesCell(text: string): boolean {
  // A link with a path among words ("a valid password from a Static Password File https://...") is a page to read.
  const wordy = text.replace(/\S*\/\S*/g, ' ').split(/\s+/).filter((w) => /[A-Za-z]{2,}/.test(w)).length >= 3;
  const tokens = scanTokens(text).filter((t) => t.kind === 'cidr' || (t.kind === 'host' && !(t.path && wordy)));
  const placeholders = [...text.matchAll(/\{[a-z0-9-]+\}/g)].filter((m) => !tokens.some((t) => m.index! >= t.start && m.index! < t.end));
  const covered = tokens.reduce((n, t) => n + t.raw.length, 0) + placeholders.reduce((n, m) => n + m[0].length, 0);
  return covered > 0 && covered >= text.trim().length / 2;
}

/** Words that name machines or any address: a cell of them is an endpoint group, not a description. */
export const MACHINE_WORDS = /\b(nodes?|headnodes?|machines?|servers?|hosts?|vms?|instances?|clients?|devices?|workers?|masters?|subnets?|clusters?|pods?|workstations?|computers?|appliances?|gateways?|agents?|controllers?|runners?|desktops?|laptops?|users?)\b/i;
const GROUP_WORDS = new RegExp(`^\\s*(?:any|all|\\*|anywhere|internet|.{0,40}${MACHINE_WORDS.source}.{0,40})\\s*$`, 'i');

/** Endpoints: names, or words naming machines (a destination column of endpoint groups). */
const isEndpointColumn = (c: ColumnContent | undefined) => c !== undefined && c.names + c.groups > 0 && (c.names + c.groups) * 2 >= c.cells;
const isNameColumn = (c: ColumnContent | undefined) => c !== undefined && c.names > 0 && c.names * 2 >= c.cells;

export function tableRoles(table: Table): ColumnReading {
  const contents = columnContents(table);
  const width = contents.length;
  const header = table.header?.map((h) => normalizeInline(h, 'cell').text.replace(/[*_`]/g, '').trim());
  const roles: (Role | undefined)[] = table.header ? table.header.map(headerRole) : new Array(width).fill(undefined);
  while (roles.length < width) roles.push(undefined);
  const notes: string[] = [];
  const label = (c: number) => `column ${c + 1}${header?.[c] ? ` ("${header[c]}")` : ''}`;
  const share = (c: number) => `${contents[c]!.names} of ${contents[c]!.cells} cells`;
  // A column headed like a destination whose cells are not names ("Endpoint used with private link": Public,
  // Private) gives way to a column whose cells are, whatever its header says ("Agent resource").
  const headed = roles.flatMap((r, i) => (r === 'destination' ? [i] : []));
  const named = headed.filter((c) => isEndpointColumn(contents[c]));
  let byContent = false;
  if (headed.length && named.length === 0) {
    const found = contentDestinationColumn(contents, roles, true);
    if (found !== undefined) {
      for (const c of headed) {
        roles[c] = 'purpose';
        notes.push(`${label(c)} is headed like a destination but holds names in ${share(c)}: read as a description`);
      }
      roles[found] = 'destination';
      notes.push(`${label(found)} holds names in ${share(found)}: read as the destinations`);
      byContent = true;
    }
  } else if (named.length && named.length < headed.length) {
    for (const c of headed) {
      if (named.includes(c)) continue;
      roles[c] = 'purpose';
      notes.push(`${label(c)} is headed like a destination but holds names in ${share(c)} (${named.map(label).join(', ')} holds them): read as a description`);
    }
  }
  if (roles.includes('destination') || roles.includes('service-tag')) return { roles, byContent, notes };
  // No column of destinations by its header: the column whose cells hold names, if one does.
  const dest = contentDestinationColumn(contents, roles, false);
  if (dest === undefined) return { roles, byContent: !table.header, notes };
  roles[dest] = 'destination';
  if (!table.header) {
    for (let c = 0; c < width; c++) {
      if (c === dest || !contents[c]!.cells) continue;
      if (contents[c]!.ports === contents[c]!.cells && !roles.includes('port')) roles[c] = 'port';
      else if (!roles.includes('purpose')) roles[c] = 'purpose';
    }
  }
  return { roles, byContent: true, notes };
}

/**
 * The column where most cells hold host names or addresses, if at least half of its cells do. Columns whose header
 * gave them a role other than name or purpose are left alone, unless `anyHeader` (the header's destination column
 * was found to hold no names, so the header is not trusted for this).
 */
function contentDestinationColumn(contents: readonly ColumnContent[], roles: readonly (Role | undefined)[], anyHeader: boolean): number | undefined {
  let best: number | undefined;
  for (let c = 0; c < contents.length; c++) {
    const r = roles[c];
    if (r !== undefined && r !== 'name' && r !== 'purpose' && !(anyHeader && r !== 'port' && r !== 'protocol' && r !== 'service-tag' && r !== 'source')) continue;
    if (!isNameColumn(contents[c])) continue;
    if (best === undefined || contents[c]!.names > contents[best]!.names) best = c;
  }
  return best;
}
