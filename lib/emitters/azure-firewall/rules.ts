import ipaddr from 'ipaddr.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import type { PortSpec, Transport } from '../../model/requirement-set.js';
import type { ResolvedDestination, ResolvedEndpoint, ResolvedRequirement, ResolvedRequirementSet } from '../../model/resolved.js';
import { compareHosts } from '../../model/order.js';
import { aggregateEndpoints, aggregateRanges } from '../../emit/addresses.js';
import { IpGroupRegistry, nameIpGroups, type IpGroupOptions, type IpGroupSet } from './ip-groups.js';
import { checkUnique, requirementRuleNames } from '../azure-common/names.js';
import {
  hostSourceDiagnostic,
  portDiagnostic,
  portText,
  provenanceLines,
  ruleDescription,
  sourceSide,
  tagName,
  unboundSourceDiagnostic,
  uniq,
} from '../azure-common/requirements.js';
import { pushAll } from '../../model/array.js';

export const TARGET = 'azure-firewall';

/** Highest port an application rule's protocol entry takes (the API refuses more). */
export const APP_PORT_MAX = 64000;

/** Firewall rule descriptions are kept as short as an NSG's, so the portal shows them whole. */
const DESCRIPTION_MAX = 140;

export interface AppProtocol {
  protocolType: 'Http' | 'Https';
  port: number;
}

export type IpProtocol = 'TCP' | 'UDP' | 'Any';

interface RuleBase {
  name: string;
  description: string;
  requirement: ResolvedRequirement;
  /** Where the requirement came from, one line per row (for the output's metadata). */
  provenance: string[];
  /** Inline sources; empty when the sources are IP Groups. */
  sourceAddresses: string[];
  sourceIpGroups?: IpGroupSet;
  /** Every source of the requirement, inline or not (for the rule-order notes). */
  allSources: string[];
}

export interface ApplicationRule extends RuleBase {
  kind: 'application';
  protocols: AppProtocol[];
  /** Names, or with `urls` the rule's targetUrls (`host/path`, `host/path/*`). */
  targetFqdns: string[];
  /** targetUrls instead of targetFqdns (--set tls-inspection=true), with terminateTLS on an HTTPS rule. */
  urls?: boolean;
}

export interface NetworkRule extends RuleBase {
  kind: 'network';
  ipProtocols: IpProtocol[];
  /** Inline destinations (prefixes and service tags); empty when they are IP Groups or names. */
  destinationAddresses: string[];
  destinationIpGroups?: IpGroupSet;
  destinationFqdns: string[];
  destinationPorts: string[];
}

export type FirewallRule = ApplicationRule | NetworkRule;

export interface FirewallRules {
  application: ApplicationRule[];
  network: NetworkRule[];
  /** The IP Groups the rules use, each distinct address list once, in order of first use. */
  ipGroups: IpGroupSet[];
  /** Network rules that take traffic an application rule of this output would otherwise see. */
  orderNotes: string[];
  diagnostics: Diagnostic[];
}

export interface RuleOptions extends IpGroupOptions {
  /** Names on ports an application rule cannot carry become network rules with destinationFqdns (DNS proxy needed). */
  networkFqdns: boolean;
  /** Start of every IP Group's name (the rule collection group's name), as IP Groups live in the resource group. */
  ipGroupPrefix: string;
}

/**
 * The rules for a whole set, in the set's canonical order, each requirement's rules named from its id (see
 * requirementRuleNames), so changing one requirement changes only its own rules.
 */
export function buildRules(set: ResolvedRequirementSet, options: RuleOptions): FirewallRules {
  const out: FirewallRules = { application: [], network: [], ipGroups: [], orderNotes: [], diagnostics: [] };
  const registry = new IpGroupRegistry(options);
  for (const req of set.requirements) {
    const r = requirementRules(req, options, registry);
    pushAll(out.diagnostics, r.diagnostics);
    for (const rule of r.rules) (rule.kind === 'application' ? out.application : out.network).push(rule as never);
  }
  checkUnique([...out.application, ...out.network].map((r) => r.name), 'rule');
  out.ipGroups = registry.sets;
  checkUnique(out.ipGroups.flatMap((g) => g.names), 'IP Group');
  out.orderNotes = orderNotes(out.network, out.application);
  return out;
}

type Unnamed<T> = T extends unknown ? Omit<T, 'name'> & { dims: string[] } : never;

function requirementRules(req: ResolvedRequirement, options: RuleOptions, registry: IpGroupRegistry): { rules: FirewallRule[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const src = sourceSide(req);
  if (src.hosts.length) return { rules: [], diagnostics: [hostSourceDiagnostic(TARGET, req, src.hosts[0]!)] };
  if (src.unbound.length) diagnostics.push(unboundSourceDiagnostic(TARGET, req, src.unbound, 'sourceAddresses'));
  // Azure Firewall takes no service tag as a source, so a tag source is written as its prefixes from the file,
  // aggregated with the CIDRs into the minimal prefix set.
  const sourceAddresses = src.any ? ['*'] : prefixList(aggregateEndpoints(req.sources ?? []));
  const description = ruleDescription(req, DESCRIPTION_MAX);
  const provenance = provenanceLines(req);

  const app = new Map<string, { protocols: AppProtocol[]; fqdns: string[]; urls: boolean }>();
  const net = new Map<string, { transport: Transport; ports: PortSpec[]; addresses: ResolvedEndpoint[]; tags: string[]; fqdns: string[] }>();
  const addNet = (transport: Transport, ports: PortSpec[], endpoint: ResolvedEndpoint | undefined, fqdn: string | undefined) => {
    const key = `${transport}|${ports.map(portText).join(',')}|${fqdn !== undefined ? 'fqdn' : 'ip'}`;
    let entry = net.get(key);
    if (!entry) net.set(key, (entry = { transport, ports, addresses: [], tags: [], fqdns: [] }));
    if (fqdn !== undefined) entry.fqdns.push(fqdn);
    else if (endpoint?.kind === 'service-tag') entry.tags.push(tagName(endpoint));
    else if (endpoint) entry.addresses.push(endpoint);
  };

  for (const d of req.destinations) {
    const e = d.endpoint;
    if (e.kind === 'host') {
      const protocols: AppProtocol[] = [];
      const networkPorts: PortSpec[] = [];
      for (const p of d.ports) {
        const placed = placeNamePort(req, d, p, options);
        if (placed.diagnostic) diagnostics.push(placed.diagnostic);
        if (placed.protocol) protocols.push(placed.protocol);
        if (placed.network) networkPorts.push(p);
        // The core keeps a path only with tls-inspection, for the application rule's targetUrls.
        if (placed.network && e.path !== undefined) {
          diagnostics.push(portDiagnostic(TARGET, req, d.span, 'widen', e, p, 'host-path-tls', 'a network rule matches the addresses of the name, not the path, so the whole host is allowed on this port', 'leave network-fqdns off to keep the path in an application rule'));
        }
      }
      if (protocols.length) {
        const list = uniqProtocols(protocols);
        const urls = e.path !== undefined;
        const key = `${urls ? 'url|' : ''}${list.map((p) => `${p.protocolType}:${p.port}`).join(',')}`;
        const entry = app.get(key) ?? { protocols: list, fqdns: [], urls };
        pushAll(entry.fqdns, urls ? targetUrls(e) : targetFqdns(e));
        app.set(key, entry);
      }
      for (const [transport, ports] of byTransport(networkPorts)) addNet(transport, ports, undefined, e.name);
    } else {
      for (const [transport, ports] of byTransport(d.ports)) addNet(transport, ports, e, undefined);
    }
  }

  const unnamed: Unnamed<FirewallRule>[] = [];
  for (const { transport, ports, addresses, tags, fqdns } of net.values()) {
    const any = transport === 'any';
    unnamed.push({
      kind: 'network',
      dims: [fqdns.length ? 'fqdn' : 'net', any ? 'any' : `${transport}-${ports.map(portText).join('_').replace('*', 'all')}`],
      description,
      requirement: req,
      provenance,
      sourceAddresses,
      allSources: sourceAddresses,
      ipProtocols: [any ? 'Any' : transport === 'udp' ? 'UDP' : 'TCP'],
      // The minimal prefix set, then the service tags (Azure Firewall takes them as destinations).
      destinationAddresses: [...prefixList(aggregateEndpoints(addresses)), ...uniq(tags)],
      destinationFqdns: uniq(fqdns).sort(compareHosts),
      destinationPorts: any ? ['*'] : ports.map(portText),
    });
  }
  for (const { protocols, fqdns, urls } of app.values()) {
    unnamed.push({
      kind: 'application',
      dims: [urls ? 'url' : 'app', protocols.map((p) => `${p.protocolType.toLowerCase()}-${p.port}`).join('_')],
      ...(urls ? { urls } : {}),
      description,
      requirement: req,
      provenance,
      sourceAddresses,
      allSources: sourceAddresses,
      protocols,
      targetFqdns: uniq(fqdns).sort((a, b) => compareHosts(a.replace(/^\*\./, ''), b.replace(/^\*\./, '')) || (a < b ? 1 : a > b ? -1 : 0)),
    });
  }
  const placed = withIpGroups(unnamed, registry);
  const names = requirementRuleNames(req.id, placed.map((u) => u.dims));
  const rules = placed.map(({ dims: _dims, ...rest }, i) => ({ ...rest, name: names[i]! }) as FirewallRule);
  for (const r of rules) {
    nameIpGroups(r.sourceIpGroups, options.ipGroupPrefix, r.name, 'src');
    if (r.kind === 'network') nameIpGroups(r.destinationIpGroups, options.ipGroupPrefix, r.name, 'dst');
  }
  return { rules, diagnostics };
}

/**
 * A rule naming more hosts than one rule may list inline (the number an IP Group takes, as for addresses) as
 * several rules over consecutive slices of its names, so that no rule outgrows a rule collection group.
 */
function cutNames(rules: Unnamed<FirewallRule>[], max: number): Unnamed<FirewallRule>[] {
  const out: Unnamed<FirewallRule>[] = [];
  for (const r of rules) {
    const names = r.kind === 'network' ? r.destinationFqdns : r.targetFqdns;
    if (names.length <= max) {
      // The same dimensions as the cut rules, so that names compare dimension by dimension.
      out.push({ ...r, dims: [...r.dims, ''] });
      continue;
    }
    for (let i = 0; i < names.length; i += max) {
      const slice = names.slice(i, i + max);
      const dims = [...r.dims, `names${i / max + 1}`];
      out.push(r.kind === 'network' ? { ...r, dims, destinationFqdns: slice } : { ...r, dims, targetFqdns: slice });
    }
  }
  return out;
}

/**
 * Each rule with its sides as IP Groups or inline lists (see IpGroupRegistry.variants): one rule per pair of a
 * source and a destination variant, named by the variants where there is more than one.
 */
function withIpGroups(rules: Unnamed<FirewallRule>[], registry: IpGroupRegistry): Unnamed<FirewallRule>[] {
  const out: Unnamed<FirewallRule>[] = [];
  for (const r of cutNames(rules, registry.options.maxEntries)) {
    const sources = registry.variants(r.sourceAddresses);
    const destinations = r.kind === 'network' && r.destinationAddresses.length ? registry.variants(r.destinationAddresses) : [undefined];
    for (const s of sources) {
      for (const d of destinations) {
        const dims = [...r.dims, s.dim && `src-${s.dim}`, d?.dim ? `dst-${d.dim}` : ''];
        const side = { sourceAddresses: s.addresses, ...(s.ipGroups ? { sourceIpGroups: s.ipGroups } : {}) };
        if (r.kind === 'network') out.push({ ...r, ...side, dims, ...(d ? { destinationAddresses: d.addresses, ...(d.ipGroups ? { destinationIpGroups: d.ipGroups } : {}) } : {}) });
        else out.push({ ...r, ...side, dims });
      }
    }
  }
  return out;
}

/**
 * How an application rule matches a name. Azure Firewall reads `*.example.com` in targetFqdns as every name below
 * example.com at any depth (a.example.com, b.a.example.com) but not example.com itself (Azure Firewall FAQ, "How do
 * wildcards work in target URLs and target FQDNs in application rules?"); an entry without `*` is that name only.
 * So each match mode is exact: apex and subdomains needs both entries.
 */
export function targetFqdns(e: Extract<ResolvedEndpoint, { kind: 'host' }>): string[] {
  if (e.match === 'exact') return [e.name];
  if (e.match === 'subdomains') return [`*.${e.name}`];
  return [e.name, `*.${e.name}`];
}

/**
 * targetUrls for a host with a path (tls-inspection): the path itself and, unless it ends in `/`, `path/*` for what
 * lies below it, each under every name the match mode stands for (as targetFqdns writes them). A path is checked by
 * the loader (letters, digits, -._~/ and %XX), so nothing in it can end a JSON or HCL string.
 */
export function targetUrls(e: Extract<ResolvedEndpoint, { kind: 'host' }>): string[] {
  const path = e.path!;
  const paths = path.endsWith('/') ? [`${path}*`] : [path, `${path}/*`];
  return targetFqdns(e).flatMap((name) => paths.map((p) => name + p));
}

interface Placement {
  protocol?: AppProtocol;
  network?: boolean;
  diagnostic?: Diagnostic;
}

const networkFqdnHint = 'names on other ports need a network rule with destinationFqdns: --set network-fqdns=true (needs DNS proxy enabled on the firewall policy)';

/**
 * Where a name on one port goes. HTTP and HTTPS on one port up to 64000: an application rule (exact). A bare TCP
 * port: an application rule too (Https, or Http on port 80), which is narrower than the requirement: it needs TLS with
 * SNI (or an HTTP Host header), but needs nothing of the firewall's DNS set-up, and cannot let other names through.
 * With network-fqdns, such ports and all others (ranges, SSH, UDP, all traffic) become network rules with
 * destinationFqdns, which match by resolved address (wider: other names on those addresses pass) and need DNS proxy.
 */
function placeNamePort(req: ResolvedRequirement, d: ResolvedDestination, p: PortSpec, options: RuleOptions): Placement {
  const e = d.endpoint as Extract<ResolvedEndpoint, { kind: 'host' }>;
  const single = p.transport === 'tcp' && p.from === p.to && p.from <= APP_PORT_MAX;
  if (single && (p.protocol === 'http' || p.protocol === 'https')) return { protocol: { protocolType: p.protocol === 'http' ? 'Http' : 'Https', port: p.from } };
  const feature = p.transport === 'any' ? 'all-traffic' : p.transport === 'udp' ? 'port-udp' : p.protocol === 'ssh' ? 'port-ssh' : p.protocol === 'any' ? 'port-tcp' : `port-${p.protocol}`;
  if (options.networkFqdns) {
    if (e.match !== 'exact') {
      return {
        diagnostic: portDiagnostic(TARGET, req, d.span, 'drop', e, p, feature, 'a network rule takes only exact names in destinationFqdns, and an application rule carries only HTTP or HTTPS on one port', 'name the hosts exactly, or use --target squid for HTTP(S) through a proxy'),
      };
    }
    return {
      network: true,
      diagnostic: portDiagnostic(TARGET, req, d.span, 'widen', e, p, feature, 'written as a network rule with destinationFqdns, which Azure Firewall matches by the addresses the name resolves to (DNS proxy must be enabled on the policy), so other names on those addresses pass too', 'leave network-fqdns off to keep HTTPS names in application rules'),
    };
  }
  if (single && p.protocol === 'any') {
    const type = p.from === 80 ? 'Http' : 'Https';
    const needs = type === 'Http' ? 'an HTTP request with this Host name' : 'TLS with this name in its SNI';
    return {
      protocol: { protocolType: type, port: p.from },
      diagnostic: portDiagnostic(
        TARGET, req, d.span, 'narrow', e, p, feature,
        `written as an application rule ${type}:${p.from}, which allows only ${needs}, not any TCP traffic on the port`,
        "to allow any TCP traffic to the name's addresses instead: --set network-fqdns=true (needs DNS proxy enabled on the firewall policy; wider: other names on those addresses pass too)",
        { written: `${type}:${p.from}` },
      ),
    };
  }
  const why =
    p.transport !== 'tcp' || p.protocol === 'ssh'
      ? 'an application rule carries only HTTP and HTTPS'
      : p.from !== p.to
        ? 'an application rule takes one port per protocol entry, not a range'
        : `port ${p.from} is above ${APP_PORT_MAX}, the highest an application rule takes`;
  return { diagnostic: portDiagnostic(TARGET, req, d.span, 'drop', e, p, feature, why, networkFqdnHint) };
}

function prefixList(list: { v4: string[]; v6: string[] }): string[] {
  return list.v6.length ? [...list.v4, ...list.v6] : list.v4;
}

function uniqProtocols(ps: AppProtocol[]): AppProtocol[] {
  const seen = new Map<string, AppProtocol>();
  for (const p of ps) seen.set(`${p.protocolType}:${p.port}`, p);
  return [...seen.values()].sort((a, b) => a.port - b.port || (a.protocolType < b.protocolType ? -1 : 1));
}

/** Ports by transport, in the order first seen; all traffic (`any`) stands alone. */
function byTransport(ports: readonly PortSpec[]): [Transport, PortSpec[]][] {
  const m = new Map<Transport, PortSpec[]>();
  for (const p of ports) m.set(p.transport, [...(m.get(p.transport) ?? []), p]);
  if (m.has('any')) return [['any', m.get('any')!]];
  return [...m.entries()];
}

/**
 * Azure Firewall processes network rules before application rules, whatever the priorities. That changes the result
 * where a network rule matches traffic an application rule of this output is written for: same transport (TCP), a
 * port of the application rule, overlapping sources. The name checks of the application rule, and any application
 * rule Deny elsewhere in the policy, never see that traffic when its address is one of the network rule's.
 */
function orderNotes(network: readonly NetworkRule[], application: readonly ApplicationRule[]): string[] {
  // Application rules by port, so a network rule looks only at those on its ports; source ranges built once a rule.
  const byPort = new Map<number, Set<ApplicationRule>>();
  for (const a of application) for (const p of a.protocols) (byPort.get(p.port) ?? byPort.set(p.port, new Set()).get(p.port)!).add(a);
  const ranges = new Map<FirewallRule, SourceRanges>();
  const rangesOf = (r: FirewallRule) => ranges.get(r) ?? ranges.set(r, sourceRanges(r.allSources)).get(r)!;
  const notes: string[] = [];
  for (const n of network) {
    if (!n.ipProtocols.includes('TCP') && !n.ipProtocols.includes('Any')) continue;
    const hit = new Set<ApplicationRule>();
    for (const [port, apps] of byPort) {
      if (!n.destinationPorts.some((r) => portIn(port, r))) continue;
      for (const a of apps) if (!hit.has(a) && rangesOverlap(rangesOf(n), rangesOf(a))) hit.add(a);
    }
    if (!hit.size) continue;
    const hits = application.filter((a) => hit.has(a));
    const ports = uniq(hits.flatMap((a) => a.protocols.map((p) => p.port)).filter((port) => n.destinationPorts.some((r) => portIn(port, r)))).sort((a, b) => a - b);
    notes.push(
      `Network rules are processed before application rules, whatever their priorities: TCP traffic on port ${ports.join(', ')} from the sources of network rule ${n.name} to its destinations is allowed by it and never reaches application rule${hits.length > 1 ? 's' : ''} ${hits.map((a) => a.name).join(', ')} (nor an application rule Deny elsewhere in the policy).`,
    );
  }
  return notes;
}

/** A rule's sources as merged address ranges per family (`any` for `*`), to test two rules' overlap in one pass. */
type SourceRanges = 'any' | { 4: [bigint, bigint][]; 6: [bigint, bigint][] };

function sourceRanges(sources: readonly string[]): SourceRanges {
  if (sources.includes('*')) return 'any';
  const out: { 4: [bigint, bigint][]; 6: [bigint, bigint][] } = { 4: [], 6: [] };
  for (const r of aggregateRanges([...sources])) out[r.family].push([toBig(r.first), toBig(r.last)]);
  return out;
}

function toBig(address: string): bigint {
  let n = 0n;
  for (const b of ipaddr.parse(address).toByteArray()) n = (n << 8n) | BigInt(b);
  return n;
}

function rangesOverlap(a: SourceRanges, b: SourceRanges): boolean {
  if (a === 'any' || b === 'any') return true;
  for (const f of [4, 6] as const) {
    const x = a[f];
    const y = b[f];
    for (let i = 0, j = 0; i < x.length && j < y.length; ) {
      if (x[i]![1] < y[j]![0]) i++;
      else if (y[j]![1] < x[i]![0]) j++;
      else return true;
    }
  }
  return false;
}

function portIn(port: number, range: string): boolean {
  if (range === '*') return true;
  const [a, b] = range.split('-').map(Number) as [number, number | undefined];
  return port >= a && port <= (b ?? a);
}
