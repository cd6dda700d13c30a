import type { Diagnostic } from '../../model/diagnostic.js';
import type { PortSpec } from '../../model/requirement-set.js';
import type { ResolvedEndpoint, ResolvedRequirement, ResolvedRequirementSet } from '../../model/resolved.js';
import { cidrFamily } from '../../model/cidr.js';
import { aggregateEndpoints } from '../../emit/addresses.js';
import { formatPort } from '../../model/port.js';
import { checkUnique, requirementRuleNames } from '../azure-common/names.js';
import { hostSourceDiagnostic, portText, provenanceLines, ruleDescription, sourceSide, tagName, unboundSourceDiagnostic, uniq } from '../azure-common/requirements.js';
import { pushAll } from '../../model/array.js';

export const TARGET = 'azure-nsg';

/** NSG rule descriptions are "restricted to 140 chars" (Microsoft.Network API). */
export const DESCRIPTION_MAX = 140;

/**
 * The NSG's own limits (Azure networking limits): security rules per NSG, and IP addresses and ranges given for
 * source or destination over all its rules, counted apart for source and destination (Azure's error names the
 * limit MaxSecurityRuleAddressesOrPortsPerSecurityGroup). No smaller limit for one rule is documented, so one rule's
 * side may take as many as the NSG.
 */
export const NSG_RULES_MAX = 1000;
export const NSG_PREFIXES_MAX = 4000;
/** Security rule priorities: 100 (first) to 4096. */
export const PRIORITY_MIN = 100;
export const PRIORITY_MAX = 4096;

export type NsgDirection = 'Outbound' | 'Inbound';
export type NsgProtocol = 'Tcp' | 'Udp' | '*';

/** One side of a rule: any address (`*`), one service tag (NSG takes one tag per rule), or address prefixes. */
export type Side = { kind: 'any' } | { kind: 'tag'; tag: string } | { kind: 'prefixes'; cidrs: string[] };

export interface NsgRule {
  name: string;
  direction: NsgDirection;
  protocol: NsgProtocol;
  /** `*`, or port numbers and ranges. */
  ports: string[];
  source: Side;
  destination: Side;
  description: string;
  requirement: ResolvedRequirement;
  provenance: string[];
  /** Why the rule allows more than the requirement names, when it does (a service tag for names). */
  note?: string;
  priority: number;
}

/** What the core said it substituted: the service tags that stand in for a requirement's names. */
export type Substitutions = Map<string, { from: string; to: string[] }[]>;

/**
 * The allow rules for a whole set, in the set's canonical order, each requirement's rules named from its id.
 * Priorities are left at 0; see allocatePriorities.
 */
export function buildRules(set: ResolvedRequirementSet, substitutions: Substitutions, maxRulePrefixes: number): { rules: NsgRule[]; diagnostics: Diagnostic[] } {
  const rules: NsgRule[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const req of set.requirements) {
    const r = requirementRules(req, substitutions.get(req.id) ?? [], maxRulePrefixes);
    pushAll(rules, r.rules);
    pushAll(diagnostics, r.diagnostics);
  }
  checkUnique(rules.map((r) => r.name), 'security rule');
  return { rules, diagnostics };
}

type Draft = Omit<NsgRule, 'name' | 'priority'> & { dims: string[] };

function requirementRules(req: ResolvedRequirement, substituted: { from: string; to: string[] }[], maxRulePrefixes: number): { rules: NsgRule[]; diagnostics: Diagnostic[] } {
  const src = sourceSide(req);
  if (src.hosts.length) return { rules: [], diagnostics: [hostSourceDiagnostic(TARGET, req, src.hosts[0]!)] };
  const diagnostics = src.unbound.length ? [unboundSourceDiagnostic(TARGET, req, src.unbound, 'sourceAddressPrefix')] : [];
  // Addresses as the minimal prefix set (the same aggregation every address target writes); tags stay tags.
  const sourceCidrs = src.any ? [] : prefixList(aggregateEndpoints((req.sources ?? []).filter((s) => s.kind !== 'service-tag')));
  const sources: Side[] = src.any ? [{ kind: 'any' }] : [...(sourceCidrs.length ? [{ kind: 'prefixes', cidrs: sourceCidrs } as Side] : []), ...uniq(src.tags.map(tagName)).map((tag): Side => ({ kind: 'tag', tag }))];
  const directions: NsgDirection[] = req.direction === 'outbound' ? ['Outbound'] : req.direction === 'inbound' ? ['Inbound'] : ['Outbound', 'Inbound'];
  const description = ruleDescription(req, DESCRIPTION_MAX);
  const provenance = provenanceLines(req);

  // Destinations on the same protocol and ports share rules: their prefixes in one list, each tag in a rule of its
  // own. Keyed by protocol and ports, not by a destination's whole port list: after the core's merge two
  // destinations of one requirement can have different lists (udp:53,https:443 and udp:53) that share a protocol,
  // and two rules for udp-53 to prefixes would have one name. Rules come in the order of the port lists as the
  // destinations give them, then prefixes before tags, then TCP before UDP.
  const lists: string[] = [];
  const byPorts = new Map<string, { protocol: NsgProtocol; ports: string[]; list: number; addresses: ResolvedEndpoint[]; tags: string[] }>();
  for (const d of req.destinations) {
    const e = d.endpoint;
    if (e.kind !== 'cidr' && e.kind !== 'group' && e.kind !== 'service-tag') continue;
    const listKey = d.ports.map(formatPort).join(',');
    if (!lists.includes(listKey)) lists.push(listKey);
    for (const { protocol, ports } of byProtocol(d.ports)) {
      const key = `${protocol} ${ports.join(',')}`;
      let entry = byPorts.get(key);
      if (!entry) byPorts.set(key, (entry = { protocol, ports, list: lists.indexOf(listKey), addresses: [], tags: [] }));
      if (e.kind === 'service-tag') entry.tags.push(tagName(e));
      else entry.addresses.push(e);
    }
  }

  // Aggregated once per protocol and ports, not once per direction and source.
  const sides = [...byPorts.values()].map((entry) => {
    const cidrs = prefixList(aggregateEndpoints(entry.addresses));
    return { ...entry, cidrs, tags: uniq(entry.tags) };
  });
  const destinationSides: { protocol: NsgProtocol; portList: string[]; destination: Side }[] = [];
  for (let list = 0; list < lists.length; list++) {
    const home = sides.filter((x) => x.list === list);
    const slots = [...(home.some((x) => x.cidrs.length) ? ['prefixes'] : []), ...uniq(home.flatMap((x) => x.tags))];
    for (const slot of slots) {
      for (const x of home) {
        if (slot === 'prefixes' && x.cidrs.length) destinationSides.push({ protocol: x.protocol, portList: x.ports, destination: { kind: 'prefixes', cidrs: x.cidrs } });
        else if (slot !== 'prefixes' && x.tags.includes(slot)) destinationSides.push({ protocol: x.protocol, portList: x.ports, destination: { kind: 'tag', tag: slot } });
      }
    }
  }
  const drafts: Draft[] = [];
  for (const direction of directions) {
    for (const source of sources) {
      for (const { protocol, portList, destination } of destinationSides) {
        for (const [family, s, d] of byFamily(source, destination)) {
          const note = noteFor(destination, substituted);
          drafts.push({
            dims: [direction === 'Outbound' ? 'out' : 'in', sideDim(s, 'src'), sideDim(d, 'dst'), protocol === '*' ? 'any' : `${protocol.toLowerCase()}-${portList.join('_').replace('*', 'all')}`, family],
            direction,
            protocol,
            ports: portList,
            source: s,
            destination: d,
            description,
            requirement: req,
            provenance,
            ...(note ? { note } : {}),
          });
        }
      }
    }
  }
  const split = drafts.flatMap((d) => splitDraft(d, maxRulePrefixes));
  const names = requirementRuleNames(req.id, split.map((d) => d.dims));
  return { rules: split.map(({ dims: _dims, ...rest }, i) => ({ ...rest, name: names[i]!, priority: 0 })), diagnostics };
}

/**
 * A rule whose source or destination holds more prefixes than one rule may, as several rules over consecutive
 * slices (every pair of a source slice and a destination slice), which together allow exactly the same flows.
 */
function splitDraft(d: Draft, max: number): Draft[] {
  const slices = (s: Side): Side[] => {
    if (s.kind !== 'prefixes' || s.cidrs.length <= max) return [s];
    const out: Side[] = [];
    for (let i = 0; i < s.cidrs.length; i += max) out.push({ kind: 'prefixes', cidrs: s.cidrs.slice(i, i + max) });
    return out;
  };
  const sources = slices(d.source);
  const destinations = slices(d.destination);
  if (sources.length === 1 && destinations.length === 1) return [d];
  const out: Draft[] = [];
  for (const source of sources) for (const destination of destinations) out.push({ ...d, source, destination, dims: [...d.dims, `part${out.length + 1}`] });
  return out;
}

function prefixList(list: { v4: string[]; v6: string[] }): string[] {
  return list.v6.length ? [...list.v4, ...list.v6] : list.v4;
}

function sideDim(s: Side, role: 'src' | 'dst'): string {
  return s.kind === 'any' ? 'any' : s.kind === 'tag' ? s.tag : `${role}-ips`;
}

/** One rule a transport: TCP ports, UDP ports; all traffic is protocol `*` on every port and stands alone. */
function byProtocol(ports: readonly PortSpec[]): { protocol: NsgProtocol; ports: string[] }[] {
  if (ports.some((p) => p.transport === 'any')) return [{ protocol: '*', ports: ['*'] }];
  const out: { protocol: NsgProtocol; ports: string[] }[] = [];
  const tcp = ports.filter((p) => p.transport === 'tcp');
  const udp = ports.filter((p) => p.transport === 'udp');
  if (tcp.length) out.push({ protocol: 'Tcp', ports: collapse(uniq(tcp.map(portText))) });
  if (udp.length) out.push({ protocol: 'Udp', ports: collapse(uniq(udp.map(portText))) });
  return out;
}

/** Every port (`*`) makes the others redundant. */
function collapse(ports: string[]): string[] {
  return ports.includes('*') ? ['*'] : ports;
}

/**
 * IPv4 and IPv6 prefixes go in separate rules: a rule's prefixes are of one family, and a rule between an IPv4 and an
 * IPv6 prefix could never match. `*` and service tags stand for both families.
 */
function byFamily(source: Side, destination: Side): [string, Side, Side][] {
  const families: (4 | 6)[] = [4, 6];
  const pick = (s: Side, f: 4 | 6): Side | undefined => {
    if (s.kind !== 'prefixes') return s;
    const cidrs = s.cidrs.filter((c) => cidrFamily(c) === f);
    return cidrs.length ? { kind: 'prefixes', cidrs } : undefined;
  };
  if (source.kind !== 'prefixes' && destination.kind !== 'prefixes') return [['', source, destination]];
  const out: [string, Side, Side][] = [];
  for (const f of families) {
    const s = pick(source, f);
    const d = pick(destination, f);
    if (s && d) out.push([`ipv${f}`, s, d]);
  }
  return out;
}

function noteFor(destination: Side, substituted: { from: string; to: string[] }[]): string | undefined {
  if (destination.kind !== 'tag') return undefined;
  const names = substituted.filter((s) => s.to.includes(destination.tag)).map((s) => s.from);
  if (!names.length) return undefined;
  return `The service tag ${destination.tag} stands in for ${names.join(', ')}: it allows every address of the service, more than the names.`;
}

/** Priorities from `start` by `step`, in rule order, each direction counted on its own. Returns the highest used. */
export function allocatePriorities(rules: NsgRule[], start: number, step: number): Record<NsgDirection, number> {
  const next: Record<NsgDirection, number> = { Outbound: start, Inbound: start };
  const last: Record<NsgDirection, number> = { Outbound: 0, Inbound: 0 };
  for (const r of rules) {
    r.priority = next[r.direction];
    last[r.direction] = r.priority;
    next[r.direction] += step;
  }
  return last;
}
