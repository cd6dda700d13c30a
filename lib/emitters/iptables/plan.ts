import type { Diagnostic } from '../../model/diagnostic.js';
import { InternalError } from '../../model/diagnostic.js';
import type { PortSpec } from '../../model/requirement-set.js';
import type { ResolvedRequirement } from '../../model/resolved.js';
import { describeEndpoint } from '../../model/describe.js';
import { aggregateDestinations, endpointAddresses, sourceAddresses, type AddressList } from '../../emit/addresses.js';
import { iptToken, lineComment, ruleComment, setName } from './escape.js';
import { groupByPorts, provenanceTexts, summarizeList } from '../../emit/text.js';

export type Family = 4 | 6;
export type ChainRole = 'egress' | 'ingress';

/** What the plan needs from the options. */
export interface PlanOptions {
  /** A list of more than this many prefixes becomes an ipset set. */
  threshold: number;
  /** Lowercase prefix of set names. */
  prefix: string;
}

/** The rules of one requirement in one chain of one family's file, with the comment lines above them. */
export interface Block {
  title: string;
  provenance: string[];
  /** Everything after `-A CHAIN `. */
  rules: string[];
}

export interface IpSet {
  name: string;
  family: Family;
  cidrs: string[];
  /** Requirement ids that use the set, in order of first use. */
  usedBy: string[];
}

export interface Plan {
  blocks: Record<Family, Record<ChainRole, Block[]>>;
  /** Which chains exist: a direction with no requirement left has none. */
  chains: Record<ChainRole, boolean>;
  sets: IpSet[];
  diagnostics: Diagnostic[];
}

/** Which chains a requirement's rules go in: internal traffic leaves one member and enters another. */
const CHAINS: Record<ResolvedRequirement['direction'], ChainRole[]> = { outbound: ['egress'], inbound: ['ingress'], internal: ['egress', 'ingress'] };

/** How an address list is matched: not at all (any address), one rule per prefix, or one ipset set. */
type AddressMatch = { any: true } | { cidrs: string[] } | { set: string };

/** Sets by content, so two requirements with the same addresses share one set; names are unique. */
class SetRegistry {
  readonly sets: IpSet[] = [];
  private readonly byKey = new Map<string, IpSet>();
  private readonly names = new Set<string>();

  constructor(private readonly prefix: string) {}

  use(family: Family, cidrs: string[], id: string, role: 'd' | 's'): string {
    const key = `${family}|${cidrs.join(',')}`;
    const hit = this.byKey.get(key);
    if (hit) {
      if (!hit.usedBy.includes(id)) hit.usedBy.push(id);
      return hit.name;
    }
    let name = setName(this.prefix, id, `${role}${family}`);
    for (let n = 2; this.names.has(name); n++) {
      if (n > 1000) throw new InternalError(`no free set name for ${id}`);
      name = setName(this.prefix, id, `${role}${family}-${n}`);
    }
    this.names.add(name);
    const set: IpSet = { name, family, cidrs, usedBy: [id] };
    this.sets.push(set);
    this.byKey.set(key, set);
    return name;
  }
}

/**
 * Turns the requirements (already filtered by the fidelity table, service tags resolved to prefixes) into rule blocks
 * per family and chain, and the ipset sets they use. Pure.
 */
export function planRules(requirements: readonly ResolvedRequirement[], options: PlanOptions): Plan {
  const sets = new SetRegistry(options.prefix);
  const blocks: Plan['blocks'] = { 4: { egress: [], ingress: [] }, 6: { egress: [], ingress: [] } };
  const chains: Plan['chains'] = { egress: false, ingress: false };
  const diagnostics: Diagnostic[] = [];
  for (const req of requirements) {
    const unmatchable = (req.sources ?? []).find((s) => s.kind === 'host' || (s.kind === 'service-tag' && !s.prefixes));
    if (unmatchable) {
      diagnostics.push(dropped(req, `its source ${describeEndpoint(unmatchable)} is ${unmatchable.kind === 'host' ? 'a host name, which iptables cannot match' : 'a service tag without addresses'}`, unmatchable.kind === 'host' ? 'source-cidr' : 'service-tag'));
      continue;
    }
    const perFamily = ([4, 6] as const).map((family) => ({ family, rules: familyRules(req, family, options.threshold, sets) }));
    if (perFamily.every((f) => f.rules.length === 0)) {
      diagnostics.push(dropped(req, noRulesReason(req), 'cidr'));
      continue;
    }
    const title = lineComment(`${req.id}${req.purpose ? `: ${req.purpose}` : ''}`);
    const provenance = provenanceLines(req);
    for (const { family, rules } of perFamily) {
      if (rules.length === 0) continue;
      for (const role of CHAINS[req.direction]) blocks[family][role].push({ title, provenance, rules });
    }
    for (const role of CHAINS[req.direction]) chains[role] = true;
  }
  return { blocks, chains, sets: sets.sets, diagnostics };
}

function familyRules(req: ResolvedRequirement, family: Family, threshold: number, sets: SetRegistry): string[] {
  const source = sourceMatch(req, family, threshold, sets);
  if (!source) return [];
  const rules: string[] = [];
  // Matched on first use: a source set is written only when some destination of this family needs it.
  let src: AddressMatch | undefined;
  for (const group of groupByPorts(req.destinations)) {
    const cidrs = pick(aggregateDestinations(group), family);
    if (cidrs.length === 0) continue;
    src ??= source();
    const dst = addressMatch(cidrs, threshold, () => sets.use(family, cidrs, req.id, 'd'));
    for (const s of matchArgs(src, '-s', 'src')) {
      for (const d of matchArgs(dst, '-d', 'dst')) {
        for (const p of portMatches(group[0]!.ports)) {
          const args = [...s, ...d, ...p].map(iptToken);
          rules.push([...args, '-m', 'comment', '--comment', ruleComment(req.id), '-j', 'ACCEPT'].join(' '));
        }
      }
    }
  }
  return rules;
}

/**
 * The source match for one family, made (and its set registered) when called; `undefined` when the requirement has
 * sources but none of this family.
 */
function sourceMatch(req: ResolvedRequirement, family: Family, threshold: number, sets: SetRegistry): (() => AddressMatch) | undefined {
  const all = sourceAddresses(req);
  if (!all) return () => ({ any: true });
  const cidrs = pick(all, family);
  if (cidrs.length === 0) return undefined;
  return () => addressMatch(cidrs, threshold, () => sets.use(family, cidrs, req.id, 's'));
}

function addressMatch(cidrs: string[], threshold: number, set: () => string): AddressMatch {
  // After aggregation a list holding a /0 is that /0 alone: every address, which needs no match (and hash:net
  // refuses a /0).
  if (cidrs.some((c) => c.endsWith('/0'))) return { any: true };
  return cidrs.length > threshold ? { set: set() } : { cidrs };
}

function matchArgs(m: AddressMatch, flag: '-s' | '-d', dir: 'src' | 'dst'): string[][] {
  if ('any' in m) return [[]];
  if ('set' in m) return [['-m', 'set', '--match-set', m.set, dir]];
  return m.cidrs.map((c) => [flag, c]);
}

/** Most ports one multiport match takes; a range counts as two (XT_MULTI_PORTS). */
const MULTIPORT_SLOTS = 15;

/**
 * Port matches for a port list: nothing for all traffic, else per transport the merged ranges, one `--dport` when
 * there is one, else `-m multiport --dports` lists of up to 15 slots.
 */
export function portMatches(ports: readonly PortSpec[]): string[][] {
  if (ports.some((p) => p.transport === 'any')) return [[]];
  const out: string[][] = [];
  for (const transport of ['tcp', 'udp'] as const) {
    const ranges = mergeRanges(ports.filter((p) => p.transport === transport).map((p) => [p.from, p.to] as const));
    if (ranges.length === 1) {
      out.push(['-p', transport, '-m', transport, '--dport', portText(ranges[0]!)]);
      continue;
    }
    let chunk: string[] = [];
    let slots = 0;
    const flush = () => {
      if (chunk.length) out.push(['-p', transport, '-m', 'multiport', '--dports', chunk.join(',')]);
      chunk = [];
      slots = 0;
    };
    for (const r of ranges) {
      const n = r[0] === r[1] ? 1 : 2;
      if (slots + n > MULTIPORT_SLOTS) flush();
      chunk.push(portText(r));
      slots += n;
    }
    flush();
  }
  return out;
}

function portText([from, to]: readonly [number, number]): string {
  return from === to ? String(from) : `${from}:${to}`;
}

function mergeRanges(ranges: (readonly [number, number])[]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: [number, number][] = [];
  for (const [from, to] of sorted) {
    const last = out[out.length - 1];
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}


function pick(list: AddressList, family: Family): string[] {
  return family === 4 ? list.v4 : list.v6;
}

function noRulesReason(req: ResolvedRequirement): string {
  const dst = req.destinations.map((d) => endpointAddresses(d.endpoint));
  const src = sourceAddresses(req);
  const has = (lists: AddressList[], f: Family) => lists.some((l) => pick(l, f).length > 0);
  if (!has(dst, 4) && !has(dst, 6)) return `its destinations (${summarizeList(req.destinations, (d) => describeEndpoint(d.endpoint))}) have no addresses`;
  const fam = (lists: AddressList[]) => [has(lists, 4) ? 'IPv4' : '', has(lists, 6) ? 'IPv6' : ''].filter(Boolean).join(' and ') || 'no';
  return `its sources have ${fam(src ? [src] : [])} addresses and its destinations ${fam(dst)} addresses, so no packet can match`;
}

function dropped(req: ResolvedRequirement, why: string, feature: string): Diagnostic {
  return {
    code: 'FIDELITY_DROPPED',
    severity: 'warning',
    message: `${req.id}: requirement dropped: ${why}`,
    hint: 'give sources and destinations as CIDRs, bound endpoint groups (--bind GROUP=CIDR,...) or service tags of one address family',
    span: req.span,
    target: 'iptables',
    requirement: req.id,
    provenance: req.provenance,
    params: { feature, level: 'drop', subject: 'requirement' },
  };
}

function provenanceLines(req: ResolvedRequirement): string[] {
  return [...new Set(provenanceTexts(req, false).map(lineComment))];
}
