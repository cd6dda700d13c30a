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
  /** The roles were found from cell content because the table has no header (or no header word matched). */
  byContent: boolean;
}

export function tableRoles(table: Table): ColumnReading {
  if (table.header) {
    const roles = table.header.map(headerRole);
    if (roles.includes('destination') || roles.includes('service-tag')) return { roles, byContent: false };
    // A header naming no destination column: find the column whose cells hold names.
    const dest = contentDestinationColumn(table, roles);
    if (dest !== undefined) {
      roles[dest] = 'destination';
      return { roles, byContent: true };
    }
    return { roles, byContent: false };
  }
  const width = Math.max(0, ...table.rows.map((r) => r.cells.length));
  const roles: (Role | undefined)[] = new Array(width).fill(undefined);
  const dest = contentDestinationColumn(table, roles);
  if (dest === undefined) return { roles, byContent: true };
  roles[dest] = 'destination';
  for (let c = 0; c < width; c++) {
    if (c === dest) continue;
    const cells = table.rows.map((r) => r.cells[c] ?? '').filter((x) => x.trim() !== '');
    if (cells.length && cells.every((x) => {
      const p = parsePortCell(x);
      return p.ports.length > 0 && p.unparsed.length === 0;
    })) {
      if (!roles.includes('port')) roles[c] = 'port';
    } else if (!roles.includes('purpose') && cells.length) roles[c] = 'purpose';
  }
  return { roles, byContent: true };
}

/** The column (not yet given a role) where most cells hold host names or addresses, if any cell does. */
function contentDestinationColumn(table: Table, roles: readonly (Role | undefined)[]): number | undefined {
  let best: number | undefined;
  let bestCount = 0;
  const width = Math.max(0, ...table.rows.map((r) => r.cells.length));
  for (let c = 0; c < width; c++) {
    if (roles[c] !== undefined && roles[c] !== 'name' && roles[c] !== 'purpose') continue;
    let count = 0;
    for (const r of table.rows) {
      const text = normalizeInline(r.cells[c] ?? '', 'cell').text;
      const cellTokens = scanTokens(text).filter((t) => t.kind === 'host' || t.kind === 'cidr');
      // A purpose column mentions a name now and then; a destination column is mostly names.
      if (cellTokens.length && cellTokens.reduce((n, t) => n + t.raw.length, 0) >= text.trim().length / 2) count++;
    }
    if (count > bestCount) {
      best = c;
      bestCount = count;
    }
  }
  return bestCount > 0 && bestCount * 2 >= table.rows.length ? best : undefined;
}
