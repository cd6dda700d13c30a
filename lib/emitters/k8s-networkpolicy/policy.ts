import ipaddr from 'ipaddr.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import type { PortSpec, Provenance } from '../../model/requirement-set.js';
import type { ResolvedDestination, ResolvedEndpoint, ResolvedRequirement } from '../../model/resolved.js';
import { aggregateDestinations, aggregatePrefixes, endpointAddresses } from '../../emit/addresses.js';
import { InternalError } from '../../model/diagnostic.js';
import { describeEndpoint, describeProvenance } from '../../model/describe.js';
import { describeSelector } from './names.js';
import { groupByPorts } from '../../emit/text.js';
import { pushAll } from '../../model/array.js';

export const TARGET = 'k8s-networkpolicy';

/** A NetworkPolicyPort: `port` absent means every port of the protocol; `endPort` closes a range. */
export interface K8sPort {
  protocol: 'TCP' | 'UDP';
  port?: number;
  endPort?: number;
}

export interface K8sPeer {
  ipBlock?: { cidr: string };
  namespaceSelector?: { matchLabels: Record<string, string> };
  podSelector?: { matchLabels: Record<string, string> };
}

/**
 * One egress or ingress rule. `peers` absent means any peer and `ports` absent means all traffic; both are left out
 * on purpose only, never because a list came out empty (an empty list would allow everything too).
 */
export interface Rule {
  peers?: K8sPeer[];
  ports?: K8sPort[];
  /** Comment lines above the rule (plain text; escaped when rendered). */
  comment: string[];
}

export interface SetRules {
  egress: Rule[];
  ingress: Rule[];
}

/** What the rules of a requirement are built with. */
export interface RuleContext {
  podSelector: Record<string, string>;
  diagnostics: Diagnostic[];
}

/**
 * The rules of one requirement. Outbound: egress to its destinations. Inbound: ingress from its sources (any peer
 * when it names none) on its destinations' ports. Internal: both, ingress from the selected pods themselves when it
 * names no sources. Destinations are grouped by their ports, one rule per group.
 */
export function requirementRules(req: ResolvedRequirement, ctx: RuleContext, into: SetRules): void {
  const comment = ruleComment(req);
  const groups = groupByPorts(req.destinations);
  const before = into.egress.length + into.ingress.length;
  if (req.direction === 'outbound' || req.direction === 'internal') {
    for (const dests of groups) {
      const peers = ipBlocks(req, dests.map((d) => d.endpoint), 'destination', ctx.diagnostics, dests);
      if (!peers) continue;
      const ports = k8sPorts(dests[0]!.ports);
      into.egress.push({ peers, ...(ports ? { ports } : {}), comment: req.direction === 'internal' ? [...comment, 'egress side of an internal requirement'] : comment });
    }
  }
  if (req.direction === 'inbound' || req.direction === 'internal') {
    let peers: K8sPeer[] | undefined;
    if (req.sources?.length) {
      peers = ipBlocks(req, req.sources, 'source', ctx.diagnostics);
    } else if (req.direction === 'internal') {
      // The protected systems talking among themselves: the pods the policy selects, in its own namespace.
      peers = [{ podSelector: { matchLabels: { ...ctx.podSelector } } }];
    }
    for (const dests of peers || !req.sources?.length ? groups : []) {
      const ports = k8sPorts(dests[0]!.ports);
      into.ingress.push({ ...(peers ? { peers } : {}), ...(ports ? { ports } : {}), comment: req.direction === 'internal' ? [...comment, 'ingress side of an internal requirement'] : comment });
    }
  }
  if (into.egress.length + into.ingress.length === before) return;
  const standIn = standInDiagnostic(req, ctx.podSelector);
  if (standIn) ctx.diagnostics.push(standIn);
}

/** `ports` for a rule: absent for all traffic; a port range 1-65535 is the protocol alone. */
export function k8sPorts(ports: readonly PortSpec[]): K8sPort[] | undefined {
  if (ports.length === 0) throw new Error('a destination without ports');
  if (ports.some((p) => p.transport === 'any')) return undefined;
  const out: K8sPort[] = [];
  const seen = new Set<string>();
  for (const p of ports) {
    const protocol = p.transport === 'udp' ? 'UDP' : 'TCP';
    const k: K8sPort = p.from === 1 && p.to === 65535 ? { protocol } : p.from === p.to ? { protocol, port: p.from } : { protocol, port: p.from, endPort: p.to };
    const key = JSON.stringify(k);
    if (!seen.has(key)) out.push(k);
    seen.add(key);
  }
  return out;
}

/**
 * The ipBlocks of the endpoints: the minimal prefixes covering their addresses (aggregatePrefixes, as every address
 * target writes them), IPv4 then IPv6, each in address order. An address Kubernetes refuses in an ipBlock is left out
 * with a diagnostic before aggregating (no aggregate of accepted prefixes can be a refused one: it would lie inside
 * ::ffff:0:0/96 with a length of 96 or more, and so would every prefix it covers). `undefined` (with a diagnostic)
 * when none is left, since a rule with no peers would allow every peer.
 */
function ipBlocks(req: ResolvedRequirement, endpoints: readonly ResolvedEndpoint[], side: 'source' | 'destination', diagnostics: Diagnostic[], dests?: readonly ResolvedDestination[]): K8sPeer[] | undefined {
  if (dests && !endpoints.some(hasRefusedPrefix)) {
    // Nothing to leave out: the destinations' aggregate, computed once for every address target of the run.
    const a = aggregateDestinations(dests);
    if (a.v4.length + a.v6.length > 0) {
      const peers: K8sPeer[] = [];
      for (const cidr of a.v4) peers.push({ ipBlock: { cidr } });
      for (const cidr of a.v6) {
        if (ipBlockProblem(cidr)) throw new InternalError(`aggregation gave the refused ipBlock ${cidr}`);
        peers.push({ ipBlock: { cidr } });
      }
      return peers;
    }
  }
  const cidrs: string[] = [];
  let refusedAny = false;
  for (const e of endpoints) {
    const a = endpointAddresses(e);
    for (const c of a.v4) cidrs.push(c);
    let refused: string[] | undefined;
    for (const c of a.v6) {
      if (ipBlockProblem(c)) (refused ??= []).push(c);
      else cidrs.push(c);
    }
    if (refused) {
      refusedAny = true;
      const of = e.kind === 'cidr' ? '' : ` of ${describeEndpoint(e)}`;
      diagnostics.push(dropped(req, `${side} ${refused.join(', ')}${of}`, 'Kubernetes refuses IPv4-mapped IPv6 prefixes in an ipBlock', 'write the IPv4 prefix instead', { cidrs: refused, side }));
    }
  }
  if (cidrs.length === 0) {
    const subject = `${side}${endpoints.length > 1 ? 's' : ''} ${endpoints.map(describeEndpoint).join(', ')}`;
    if (!refusedAny) diagnostics.push(dropped(req, subject, 'no address is left for an ipBlock, and a rule without peers would allow every peer', 'check the Service Tags file or the --bind values', { cidrs: [], side }));
    return undefined;
  }
  return aggregatePrefixes(cidrs).map((cidr) => {
    if (ipBlockProblem(cidr)) throw new InternalError(`aggregation gave the refused ipBlock ${cidr}`);
    return { ipBlock: { cidr } };
  });
}

function hasRefusedPrefix(e: ResolvedEndpoint): boolean {
  if (e.kind === 'cidr') return e.family === 6 && ipBlockProblem(e.cidr) !== undefined;
  const list = e.kind === 'group' ? e.cidrs : e.kind === 'service-tag' ? e.prefixes : undefined;
  return list?.some((c) => c.includes(':') && ipBlockProblem(c) !== undefined) ?? false;
}

/** Why Kubernetes (1.33+, strict IP validation) would refuse this canonical prefix as an ipBlock, if it would. */
export function ipBlockProblem(cidr: string): string | undefined {
  if (!cidr.includes(':')) return undefined;
  const [addr, bits] = ipaddr.parseCIDR(cidr);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) return 'IPv4-mapped IPv6';
  return undefined;
}

function dropped(req: ResolvedRequirement, subject: string, note: string, hint: string, params: Record<string, unknown>): Diagnostic {
  return {
    code: 'FIDELITY_DROPPED',
    severity: 'warning',
    message: `${req.id}: ${subject} dropped: ${note}`,
    hint,
    span: req.span,
    target: TARGET,
    requirement: req.id,
    provenance: req.provenance,
    params: { feature: 'cidr', level: 'drop', subject, ...params },
  };
}

/**
 * A NetworkPolicy applies its rules to the pods its podSelector selects, and cannot tell them apart by address. So
 * when a requirement names the protected side itself (the sources of an outbound requirement, the destinations of an
 * inbound one, both sides of an internal one), every selected pod gets the rule, not only those systems: widened.
 */
function standInDiagnostic(req: ResolvedRequirement, podSelector: Record<string, string>): Diagnostic | undefined {
  const local: ResolvedEndpoint[] = [];
  if (req.direction !== 'inbound') pushAll(local, req.sources ?? []);
  if (req.direction !== 'outbound') pushAll(local, req.destinations.map((d) => d.endpoint));
  if (local.length === 0) return undefined;
  const names = [...new Set(local.map(describeEndpoint))];
  const subject = `protected side ${names.join(', ')}`;
  return {
    code: 'FIDELITY_WIDENED',
    severity: 'warning',
    message: `${req.id}: ${subject} widened: a NetworkPolicy applies to the pods its podSelector selects (${describeSelector(podSelector)}), so every selected pod gets this rule, not only ${names.join(', ')}`,
    hint: 'choose --set pod-selector=KEY=VALUE,... to select just those pods, or use --target iptables or nftables to match their addresses',
    span: req.span,
    target: TARGET,
    requirement: req.id,
    provenance: req.provenance,
    params: { feature: req.direction === 'inbound' ? 'group-destination' : 'source-group', level: 'widen', subject, local: names },
  };
}

function ruleComment(req: ResolvedRequirement): string[] {
  const lines = [req.purpose ? `${req.id}: ${req.purpose}` : req.id];
  // Destinations mostly share their row's provenance object: describe each object once, each line once.
  const objects = new Set<Provenance>([req.provenance]);
  for (const d of req.destinations) for (const p of d.provenance) objects.add(p);
  const seen = new Set<string>();
  for (const p of objects) {
    const line = `from ${describeProvenance(p)}${p.text ? `: ${p.text.trim()}` : ''}`;
    if (!seen.has(line)) lines.push(line);
    seen.add(line);
  }
  return lines;
}

