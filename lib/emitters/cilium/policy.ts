import type { Diagnostic } from '../../model/diagnostic.js';
import { InternalError } from '../../model/diagnostic.js';
import type { PortSpec } from '../../model/requirement-set.js';
import type { ResolvedDestination, ResolvedEndpoint, ResolvedRequirement, ResolvedRequirementSet } from '../../model/resolved.js';
import { describeEndpoint, describeProvenance } from '../../model/describe.js';
import { aggregateEndpoints } from '../../emit/addresses.js';
import { groupByPorts } from '../../emit/text.js';
import { compareHosts, compareStrings } from '../../model/order.js';
import { formatPort } from '../../model/port.js';
import { cidrValue, descriptionText, labelKey, labelPattern, labelValue, matchName, matchPattern } from './values.js';

export interface PolicyOptions {
  clusterwide: boolean;
  namespace: string;
  /** metadata.name; empty: derived from the set ids. */
  name: string;
  selector: Record<string, string>;
  dnsSelector: Record<string, string>;
  /** Label key naming endpoint groups; empty: groups are addresses only. */
  groupLabel: string;
  dnsLookups: 'required' | 'all';
  doubleStar: boolean;
}

export interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In'; values: string[] }[];
}

/** One entry of toFQDNs or of a DNS rule. */
export type FqdnSelector = { matchName: string } | { matchPattern: string };

export interface PortEntry {
  port: string;
  endPort?: number;
  protocol: 'TCP' | 'UDP';
}

export interface Rule {
  toFQDNs?: FqdnSelector[];
  toCIDRSet?: { cidr: string }[];
  toEndpoints?: Selector[];
  fromCIDRSet?: { cidr: string }[];
  fromEndpoints?: Selector[];
  fromEntities?: 'all'[];
  toPorts?: { ports: PortEntry[]; rules?: { dns: FqdnSelector[] } }[];
}

export interface Spec {
  description: string;
  endpointSelector: Selector;
  egress?: Rule[];
  ingress?: Rule[];
}

export interface Policy {
  apiVersion: 'cilium.io/v2';
  kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  specs: Spec[];
}

/** Cilium refuses more than 40 ports in one toPorts entry (the CRD's maxItems). */
export const MAX_PORTS = 40;

/** Longest name that can still have a subdomain within DNS's 253 characters (`a.` + name). */
const MAX_NAME_WITH_SUBDOMAINS = 251;

interface Context {
  o: PolicyOptions;
  diagnostics: Diagnostic[];
  /** FQDN selectors used under each endpoint selector, for the DNS rules (key: JSON of the selector). */
  lookups: Map<string, { selector: Selector; names: Map<string, FqdnSelector> }>;
  /** Requirements already told that their internal peers by address are narrowed. */
  narrowedInternal: Set<string>;
}

/** What a set becomes before it is written: the rule specs, and the names each endpoint selector looks up. */
export interface BuiltSpecs {
  name: string;
  specs: Spec[];
  lookups: Context['lookups'];
  diagnostics: Diagnostic[];
}

/** The specs for a set (none when nothing is left to allow), plus the diagnostics of what it could not say. */
export function buildSpecs(set: ResolvedRequirementSet, o: PolicyOptions): BuiltSpecs {
  const ctx: Context = { o, diagnostics: [], lookups: new Map(), narrowedInternal: new Set() };
  if (o.clusterwide && Object.keys(o.selector).length === 0) {
    ctx.diagnostics.push({
      code: 'SAFETY_OVERBROAD',
      severity: 'warning',
      message: 'the clusterwide policy has an empty selector: it puts every endpoint of the cluster, kube-system included, into default deny for the directions it covers',
      hint: 'give --set selector=KEY=VALUE,... for the protected systems',
      target: 'cilium',
      params: { option: 'selector' },
    });
  }
  const specs = set.requirements.flatMap((r) => requirementSpecs(r, ctx));
  return { name: o.name || policyName(set.sets.map((s) => s.id)), specs, lookups: ctx.lookups, diagnostics: ctx.diagnostics };
}

/** The policy object around some specs, named `name`. */
export function policyObject(name: string, o: PolicyOptions, specs: Spec[]): Policy {
  return {
    apiVersion: 'cilium.io/v2',
    kind: o.clusterwide ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy',
    metadata: { name, ...(o.clusterwide ? {} : { namespace: o.namespace }), labels: { 'app.kubernetes.io/managed-by': 'fwgen' } },
    specs,
  };
}

/** `fwgen-<set ids>`: a DNS subdomain of at most 253 characters. */
function policyName(ids: string[]): string {
  const name = `fwgen-${ids.join('-')}`.slice(0, 253).replace(/-+$/, '');
  return name;
}

function requirementSpecs(req: ResolvedRequirement, ctx: Context): Spec[] {
  const specs: Spec[] = [];
  const base = describeRequirement(req);
  if (req.direction === 'outbound' || req.direction === 'internal') {
    const selector = protectedSelector(req, req.sources ?? [], 'source', ctx);
    const egress = egressRules(req, selector, ctx);
    if (egress.length) specs.push({ description: req.direction === 'internal' ? `${base} [egress of the sources]` : base, endpointSelector: selector, egress });
  }
  if (req.direction === 'inbound' || req.direction === 'internal') {
    const peers = ingressPeers(req, ctx);
    if (peers) {
      for (const { selector, destinations } of destinationSelectors(req, ctx).values()) {
        const ingress = groupByPorts(destinations).flatMap((group) => ingressRules(peers, group[0]!.ports, ctx));
        if (ingress.length) specs.push({ description: req.direction === 'internal' ? `${base} [ingress of the destinations]` : base, endpointSelector: selector, ingress });
      }
    }
  }
  return specs;
}

/** `id: purpose (document:line, ...)`, one line. */
function describeRequirement(req: ResolvedRequirement): string {
  // Destinations mostly share their row's provenance object: describe each object once.
  const objects = new Set([req.provenance]);
  for (const d of req.destinations) for (const p of d.provenance) objects.add(p);
  const where = uniq([...objects].map(describeProvenance));
  return descriptionText(`${req.id}${req.purpose ? `: ${req.purpose}` : ''} (${where.join('; ')})`);
}

/**
 * The selector for the protected side of a rule (an outbound rule's sources, an inbound rule's destinations).
 * Cilium selects the endpoints a policy applies to by label, never by address: groups become a group-label selector
 * when that option is set; anything else is replaced by the policy's selector, and a diagnostic says so.
 */
function protectedSelector(req: ResolvedRequirement, side: readonly ResolvedEndpoint[], role: 'source' | 'destination', ctx: Context): Selector {
  const { o } = ctx;
  const base: Selector = Object.keys(o.selector).length ? { matchLabels: { ...o.selector } } : {};
  if (side.length === 0) return base;
  if (o.groupLabel && side.every((e) => e.kind === 'group')) {
    return { ...base, matchExpressions: [{ key: labelKey(o.groupLabel), operator: 'In', values: uniq(side.map((e) => groupLabelValue(e, req, ctx))).sort(compareStrings) }] };
  }
  // A requirement may name thousands of endpoints: the message names the first ten and counts the rest.
  const what = side.length > 10 ? `${side.slice(0, 10).map(describeEndpoint).join(', ')} and ${side.length - 10} more` : side.map(describeEndpoint).join(', ');
  const sel = Object.keys(o.selector).length ? Object.entries(o.selector).map(([k, v]) => `${k}=${v}`).join(',') : o.clusterwide ? 'every endpoint of the cluster' : `every endpoint of namespace ${o.namespace}`;
  ctx.diagnostics.push({
    code: 'FIDELITY_WIDENED',
    severity: 'warning',
    message: `${req.id}: ${role} ${what} is not matched by address: Cilium applies the rule to the endpoints its selector picks (${sel}), which may be more than the ${role} named`,
    hint: o.groupLabel ? 'name the protected systems by endpoint groups, so that group-label selects them' : 'set --set selector=... to exactly these systems, or use endpoint groups with --set group-label=KEY',
    span: req.span,
    target: 'cilium',
    requirement: req.id,
    provenance: req.provenance,
    params: { feature: role === 'source' ? 'source-cidr' : 'group-destination', level: 'widen', subject: `${role} ${what}` },
  });
  return base;
}

/** The label value naming a group: its id within its set (`all-kubernetes-nodes`). */
function groupLabelValue(e: ResolvedEndpoint, req: ResolvedRequirement, ctx: Context): string {
  if (e.kind !== 'group') throw new InternalError('not a group');
  const id = e.group.slice(e.group.indexOf('/') + 1);
  if (id.length > 63) {
    ctx.diagnostics.push({
      code: 'EMIT_LIMIT',
      severity: 'error',
      message: `${req.id}: group id ${id} is longer than the 63 characters of a label value`,
      hint: 'shorten the group id, or bind the group to addresses and leave group-label unset',
      span: req.span,
      target: 'cilium',
      requirement: req.id,
      params: { group: e.group },
    });
    return id.slice(0, 63).replace(/[-_.]+$/, '');
  }
  return labelValue(id);
}

/**
 * Egress rules to a requirement's destinations: per port set, one rule for names, one for prefixes (the minimal set
 * covering every address destination, IPv4 then IPv6 in address order), one for labels.
 */
function egressRules(req: ResolvedRequirement, selector: Selector, ctx: Context): Rule[] {
  const rules: Rule[] = [];
  for (const dests of groupByPorts(req.destinations)) {
    const toPorts = portsField(dests[0]!.ports);
    const fqdns = new Map<string, FqdnSelector>();
    const addressed: ResolvedEndpoint[] = [];
    const groups = new Set<string>();
    for (const d of dests) {
      const e = d.endpoint;
      if (e.kind === 'host') for (const f of fqdnSelectors(e, req, ctx)) fqdns.set(fqdnKey(f), f);
      else if (e.kind === 'group' && !e.cidrs) groups.add(groupLabelValue(e, req, ctx));
      else if (hasAddresses(checkedAddresses(e), req, ctx, 'destination')) addressed.push(e);
    }
    if (fqdns.size) {
      // toFQDNs may not share a rule with other L3 selectors (Cilium rejects it), so names get a rule of their own.
      const list = sortFqdns(fqdns.values());
      rules.push({ toFQDNs: list, ...toPorts });
      const key = JSON.stringify(selector);
      const entry = ctx.lookups.get(key) ?? { selector, names: new Map<string, FqdnSelector>() };
      for (const f of list) entry.names.set(fqdnKey(f), f);
      ctx.lookups.set(key, entry);
    }
    const cidrs = cidrSet(addressed);
    if (cidrs.length) rules.push({ toCIDRSet: cidrs, ...toPorts });
    if (groups.size) rules.push({ toEndpoints: [groupSelector([...groups], ctx)], ...toPorts });
    if (req.direction === 'internal' && ctx.o.groupLabel && cidrs.length) internalByAddress(req, ctx);
  }
  return rules;
}

interface IngressPeers {
  cidrs: { cidr: string }[];
  groups: string[];
  any: boolean;
}

/** Where inbound traffic may come from: prefixes (minimal set), labelled groups, or (no sources) any peer. Undefined: none left. */
function ingressPeers(req: ResolvedRequirement, ctx: Context): IngressPeers | undefined {
  if (!req.sources || req.sources.length === 0) return { cidrs: [], groups: [], any: true };
  const addressed: ResolvedEndpoint[] = [];
  const groups = new Set<string>();
  for (const s of req.sources) {
    // The model's schema allows no host name as a source (Cilium could not match one: it has no fromFQDNs).
    if (s.kind === 'host') throw new InternalError(`${req.id}: a host name as a source`);
    if (s.kind === 'group' && !s.cidrs) groups.add(groupLabelValue(s, req, ctx));
    else if (hasAddresses(checkedAddresses(s), req, ctx, 'source')) addressed.push(s);
  }
  const cidrs = cidrSet(addressed);
  if (req.direction === 'internal' && ctx.o.groupLabel && cidrs.length) internalByAddress(req, ctx);
  if (cidrs.length === 0 && groups.size === 0) return undefined;
  return { cidrs, groups: [...groups].sort(compareStrings), any: false };
}

function ingressRules(peers: IngressPeers, ports: readonly PortSpec[], ctx: Context): Rule[] {
  const toPorts = portsField(ports);
  if (peers.any) return [{ fromEntities: ['all'], ...toPorts }];
  const rules: Rule[] = [];
  if (peers.cidrs.length) rules.push({ fromCIDRSet: peers.cidrs, ...toPorts });
  if (peers.groups.length) rules.push({ fromEndpoints: [groupSelector(peers.groups, ctx)], ...toPorts });
  return rules;
}

/** Inbound destinations grouped by the selector that stands for them, in first-seen order. */
function destinationSelectors(req: ResolvedRequirement, ctx: Context): Map<string, { selector: Selector; destinations: ResolvedDestination[] }> {
  const out = new Map<string, { selector: Selector; destinations: ResolvedDestination[] }>();
  const endpoints = req.destinations.map((d) => d.endpoint);
  const perGroup = ctx.o.groupLabel !== '' && endpoints.every((e) => e.kind === 'group');
  const shared = perGroup ? undefined : protectedSelector(req, endpoints, 'destination', ctx);
  for (const d of req.destinations) {
    const selector = shared ?? protectedSelector(req, [d.endpoint], 'destination', ctx);
    const key = JSON.stringify(selector);
    const entry = out.get(key) ?? { selector, destinations: [] };
    entry.destinations.push(d);
    out.set(key, entry);
  }
  return out;
}

function groupSelector(groups: string[], ctx: Context): Selector {
  return { matchExpressions: [{ key: labelKey(ctx.o.groupLabel), operator: 'In', values: uniq(groups).sort(compareStrings) }] };
}

/** With group-label set, internal peers given as addresses still meet Cilium's CIDR limits; say so once. */
function internalByAddress(req: ResolvedRequirement, ctx: Context): void {
  if (ctx.narrowedInternal.has(req.id)) return;
  ctx.narrowedInternal.add(req.id);
  ctx.diagnostics.push({
    code: 'FIDELITY_NARROWED',
    severity: 'warning',
    message: `${req.id}: internal requirement narrowed: peers given by address are matched by CIDR rules, which never match pods and match nodes only with policy-cidr-match-mode=nodes (Cilium 1.15+)`,
    hint: 'use endpoint groups (unbound, selected by group-label) for systems inside the cluster',
    span: req.span,
    target: 'cilium',
    requirement: req.id,
    provenance: req.provenance,
    params: { feature: 'internal', level: 'narrow', subject: 'internal requirement' },
  });
}

/** The toFQDNs entries for a host endpoint, per its match mode. */
function fqdnSelectors(e: Extract<ResolvedEndpoint, { kind: 'host' }>, req: ResolvedRequirement, ctx: Context): FqdnSelector[] {
  const out: FqdnSelector[] = [];
  if (e.match === 'label-wildcard') return [{ matchPattern: labelPattern(e.label!, e.name) }];
  if (e.match !== 'subdomains') out.push({ matchName: matchName(e.name) });
  if (e.match !== 'exact') {
    if (e.name.length > MAX_NAME_WITH_SUBDOMAINS) {
      // No valid name lies below it, so the pattern would match nothing; `**.` + name may also pass Cilium's limit.
      ctx.diagnostics.push({
        code: 'FIDELITY_DROPPED',
        severity: 'warning',
        message: `${req.id}: *.${e.name} dropped: a name of ${e.name.length} characters has no subdomains within DNS's 253`,
        target: 'cilium',
        requirement: req.id,
        span: req.span,
        params: { feature: e.match === 'subdomains' ? 'host-subdomains' : 'host-apex-and-subdomains', level: 'drop', subject: `*.${e.name}` },
      });
    } else out.push({ matchPattern: matchPattern(ctx.o.doubleStar ? '**' : '*', e.name) });
  }
  return out;
}

export function fqdnKey(f: FqdnSelector): string {
  return 'matchName' in f ? `n:${f.matchName}` : `p:${f.matchPattern}`;
}

function fqdnHost(f: FqdnSelector): string {
  return 'matchName' in f ? f.matchName : f.matchPattern.replace(/^[^.]*\*[^.]*\./, '');
}

/** By name in DNS order, the exact name before its pattern. */
export function compareFqdn(a: FqdnSelector, b: FqdnSelector): number {
  return compareHosts(fqdnHost(a), fqdnHost(b)) || compareStrings(fqdnKey(a), fqdnKey(b));
}

/**
 * `[...list].sort(compareFqdn)`, with each selector's key computed once: compareFqdn splits and joins both names
 * on every comparison, 3.4 million times for the DNS rule of 100,000 names. The key is the reversed name, NUL (below
 * any character of a name, so a shorter name sorts first as in compareHosts) and fqdnKey; when the keys are unique, a
 * native sort of them gives the same order.
 */
export function sortFqdns(list: Iterable<FqdnSelector>): FqdnSelector[] {
  const byKey = new Map<string, FqdnSelector>();
  const items = [...list];
  for (const f of items) {
    const key = `${fqdnHost(f).split('.').reverse().join('.')}\0${fqdnKey(f)}`;
    if (byKey.has(key)) return items.sort(compareFqdn);
    byKey.set(key, f);
  }
  return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
}

/** A CIDR, a bound group or a resolved service tag, for its addresses. */
function checkedAddresses(e: ResolvedEndpoint): ResolvedEndpoint {
  if (e.kind === 'service-tag' && !e.prefixes) throw new InternalError(`service tag ${e.tag} reached the emitter without prefixes`);
  return e;
}

/**
 * Whether an address endpoint has any address; a service tag the Service Tags file lists without prefixes has none,
 * and is dropped with a diagnostic rather than silently (it would otherwise leave a requirement without a rule).
 */
function hasAddresses(e: ResolvedEndpoint, req: ResolvedRequirement, ctx: Context, role: 'source' | 'destination'): boolean {
  const empty = (e.kind === 'service-tag' && e.prefixes?.length === 0) || (e.kind === 'group' && e.cidrs?.length === 0);
  if (!empty) return true;
  const what = describeEndpoint(e);
  ctx.diagnostics.push({
    code: 'FIDELITY_DROPPED',
    severity: 'warning',
    message: `${req.id}: ${role} ${what} dropped: it has no addresses${e.kind === 'service-tag' ? ' in the Service Tags file' : ''}`,
    hint: 'check the Service Tags file or the --bind values',
    target: 'cilium',
    requirement: req.id,
    span: req.span,
    params: { feature: featureOf(e, role), level: 'drop', subject: role === 'source' ? `source ${what}` : what },
  });
  return false;
}

function featureOf(e: ResolvedEndpoint, role: 'source' | 'destination'): string {
  if (e.kind === 'service-tag') return role === 'source' ? 'source-service-tag' : 'service-tag';
  return role === 'source' ? 'source-group' : 'group-destination';
}

/** The toCIDRSet / fromCIDRSet entries: the minimal prefixes covering the endpoints' addresses. */
function cidrSet(endpoints: readonly ResolvedEndpoint[]): { cidr: string }[] {
  if (endpoints.length === 0) return [];
  const a = aggregateEndpoints(endpoints);
  const out: { cidr: string }[] = [];
  for (const c of a.v4) out.push({ cidr: cidrValue(c) });
  for (const c of a.v6) out.push({ cidr: cidrValue(c) });
  return out;
}

/**
 * The DNS spec for an endpoint selector that has toFQDNs rules: egress to the cluster DNS on port 53 (UDP and TCP)
 * with an L7 DNS rule for `names` (or every name). Cilium learns a name's addresses only from lookups its DNS proxy
 * sees and allows, so without this rule no toFQDNs rule would ever match.
 */
export function dnsSpec(selector: Selector, names: readonly FqdnSelector[], o: PolicyOptions): Spec {
  const dnsSelector: Selector = Object.keys(o.dnsSelector).length ? { matchLabels: { ...o.dnsSelector } } : {};
  return {
    description: o.dnsLookups === 'all' ? 'DNS lookups of any name through the cluster DNS, so that Cilium learns the addresses of the names below' : 'DNS lookups of the names below through the cluster DNS, so that Cilium learns their addresses',
    endpointSelector: selector,
    egress: [
      {
        toEndpoints: [dnsSelector],
        toPorts: [
          {
            ports: [
              { port: '53', protocol: 'UDP' },
              { port: '53', protocol: 'TCP' },
            ],
            rules: { dns: o.dnsLookups === 'all' ? [{ matchPattern: '*' }] : sortFqdns(names) },
          },
        ],
      },
    ],
  };
}

/**
 * The toPorts field for a port set: absent for all traffic (an L3-only rule), else the ports in entries of at most
 * {@link MAX_PORTS}. Ranges use endPort (Cilium 1.16+); every TCP or UDP port is port "0", Cilium's wildcard.
 */
function portsField(ports: readonly PortSpec[]): Pick<Rule, 'toPorts'> {
  if (ports.some((p) => p.transport === 'any')) return {};
  const entries = uniqBy(
    ports.map((p): PortEntry => {
      const protocol = p.transport === 'udp' ? 'UDP' : 'TCP';
      if (!Number.isInteger(p.from) || !Number.isInteger(p.to) || p.from < 1 || p.to > 65535 || p.to < p.from) throw new InternalError(`bad port ${formatPort(p)}`);
      if (p.from === 1 && p.to === 65535) return { port: '0', protocol };
      return p.from === p.to ? { port: String(p.from), protocol } : { port: String(p.from), endPort: p.to, protocol };
    }),
    (e) => `${e.protocol}/${e.port}-${e.endPort ?? ''}`,
  );
  const chunks: { ports: PortEntry[] }[] = [];
  for (let i = 0; i < entries.length; i += MAX_PORTS) chunks.push({ ports: entries.slice(i, i + MAX_PORTS) });
  return { toPorts: chunks };
}

function uniq<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

function uniqBy<T>(xs: readonly T[], key: (x: T) => string): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => (seen.has(key(x)) ? false : (seen.add(key(x)), true)));
}
