import type { PortSpec } from '../../model/requirement-set.js';
import type { ResolvedRequirement } from '../../model/resolved.js';
import type { AddressList } from '../../emit/addresses.js';
import { aggregateDestinations, sourceAddresses } from '../../emit/addresses.js';
import { aggregatePrefixes } from '../../model/aggregate.js';
import { describeEndpoint } from '../../model/describe.js';
import { nftPrefix, ruleComment, setName } from './escape.js';
import { groupByPorts, summarizeList } from '../../emit/text.js';

export type Family = 4 | 6;
export type Transport = 'tcp' | 'udp' | 'any';

/** One named interval set: the addresses of one side of one requirement, one family. */
export interface NftSet {
  name: string;
  family: Family;
  /** Aggregated prefixes, so an interval set never holds two that overlap (nft refuses those). */
  elements: string[];
  /** What the addresses stand for, as a reader would write it (unescaped). */
  /** What the set holds, for its comment: the first few endpoints and how many more. */
  describes: string;
}

/** One rule: the addresses on each side of one family, and one transport's ports. */
export interface NftRule {
  family: Family;
  source?: string;
  destination: string;
  transport: Transport;
  /** Merged, sorted `[from, to]` ranges; empty for `any`. */
  ports: [number, number][];
  comment: string;
}

/** What one requirement becomes: its sets, and its rules (empty when sources and destinations share no family). */
export interface RequirementPlan {
  requirement: ResolvedRequirement;
  sets: NftSet[];
  rules: NftRule[];
}

const FAMILIES: readonly Family[] = [4, 6];

/**
 * Sets and rules for one requirement: one destination set per family and port set (destinations that ask for the
 * same ports share one), one source set per family, and one rule per family and transport. A family is left out
 * where either side has no address of it: no such traffic was required.
 */
export function planRequirement(req: ResolvedRequirement): RequirementPlan {
  const sets: NftSet[] = [];
  const rules: NftRule[] = [];
  const comment = ruleComment(req.id);
  const src = sourceAddresses(req);
  const srcSets = new Map<Family, NftSet>();
  if (src) {
    for (const f of FAMILIES) {
      const elements = aggregated(src, f);
      if (elements.length) srcSets.set(f, { name: setName(`src${f}`, req.id), family: f, elements, describes: summarizeList(req.sources ?? [], describeEndpoint) });
    }
    sets.push(...srcSets.values());
  }
  const groups = groupByPorts(req.destinations);
  groups.forEach((dests, gi) => {
    const suffix = groups.length > 1 ? `_${gi + 1}` : '';
    const addrs = aggregateDestinations(dests);
    const portSets = portsByTransport(dests[0]!.ports);
    for (const f of FAMILIES) {
      const elements = (f === 4 ? addrs.v4 : addrs.v6).map((c) => nftPrefix(c, f));
      if (!elements.length || (src && !srcSets.has(f))) continue;
      const dst: NftSet = { name: setName(`dst${f}`, req.id, suffix), family: f, elements, describes: summarizeList(dests, (d) => describeEndpoint(d.endpoint)) };
      sets.push(dst);
      for (const [transport, ports] of portSets) {
        rules.push({ family: f, ...(src ? { source: srcSets.get(f)!.name } : {}), destination: dst.name, transport, ports, comment });
      }
    }
  });
  const used = new Set(rules.flatMap((r) => [r.source, r.destination]));
  return { requirement: req, sets: sets.filter((s) => used.has(s.name)), rules };
}

function aggregated(list: AddressList, f: Family): string[] {
  return aggregatePrefixes(f === 4 ? list.v4 : list.v6).map((c) => nftPrefix(c, f));
}


/**
 * Ports by transport, tcp before udp, each list sorted with overlapping and adjacent ranges merged (an anonymous
 * interval set refuses overlaps). `any` (all traffic) covers every other port, so it stands alone.
 */
export function portsByTransport(ports: readonly PortSpec[]): [Transport, [number, number][]][] {
  if (ports.some((p) => p.transport === 'any')) return [['any', []]];
  const out: [Transport, [number, number][]][] = [];
  for (const t of ['tcp', 'udp'] as const) {
    const ranges = ports.filter((p) => p.transport === t).map((p): [number, number] => [p.from, p.to]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const merged: [number, number][] = [];
    for (const r of ranges) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    if (merged.length) out.push([t, merged]);
  }
  return out;
}

/** One rule as nft text: `ip saddr @s ip daddr @d tcp dport { 443, 8000-8080 } accept comment "id"`. */
export function ruleText(r: NftRule, counters: boolean): string {
  const proto = r.family === 4 ? 'ip' : 'ip6';
  const parts: string[] = [];
  if (r.source) parts.push(`${proto} saddr @${r.source}`);
  parts.push(`${proto} daddr @${r.destination}`);
  if (r.transport !== 'any') {
    const items = r.ports.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`));
    parts.push(`${r.transport} dport ${items.length === 1 ? items[0] : `{ ${items.join(', ')} }`}`);
  }
  if (counters) parts.push('counter');
  parts.push(`accept comment "${r.comment}"`);
  return parts.join(' ');
}
