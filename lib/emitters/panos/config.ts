import ipaddr from 'ipaddr.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import { InternalError } from '../../model/diagnostic.js';
import type { PortSpec } from '../../model/requirement-set.js';
import type { ResolvedDestination, ResolvedEndpoint, ResolvedRequirement, ResolvedRequirementSet } from '../../model/resolved.js';
import { describeEndpoint, describeProvenance } from '../../model/describe.js';
import { formatPort } from '../../model/port.js';
import { compareStrings, sortedOrder } from '../../model/order.js';
import { DESCRIPTION_MAX, EDL_NAME_MAX, NAME_MAX, URL_CATEGORY_NAME_MAX, checkName, cidrNamePart, cleanName, freeText, objectName } from './names.js';
import { aggregateDestinationRanges, aggregateRanges, type AddressRange } from '../../emit/addresses.js';
import { groupByPorts } from '../../emit/text.js';
import { pushAll } from '../../model/array.js';

export interface ConfigOptions {
  fromZone: string;
  toZone: string;
  prefix: string;
  /** Most members one static address group (and one rule's source or destination) may hold. */
  groupMembers: number;
  /** Write a range of several prefixes as one `ip-range` object. */
  ipRanges: boolean;
  /** Address lists of at least `minEntries` prefixes become External Dynamic Lists fetched from `url` + file name. */
  edl?: { url: string; minEntries: number; recurring: 'five-minute' | 'hourly' | 'daily' };
}

export interface Address {
  name: string;
  fqdn?: string;
  ipNetmask?: string;
  ipRange?: string;
}
export interface AddressGroup {
  name: string;
  members: string[];
  description: string;
}
/** An External Dynamic List of type ip: the firewall fetches `url`, the file fwgen writes at `file`. */
export interface ExternalList {
  name: string;
  url: string;
  file: string;
  recurring: 'five-minute' | 'hourly' | 'daily';
  description: string;
  /** One prefix a line, in address order. */
  entries: string[];
}
export interface Service {
  name: string;
  protocol: 'tcp' | 'udp';
  port: string;
}
export interface UrlCategory {
  name: string;
  list: string[];
  description: string;
}
export interface SecurityRule {
  name: string;
  from: string[];
  to: string[];
  source: string[];
  destination: string[];
  category: string[];
  service: string[];
  description: string;
}

export interface Config {
  addresses: Address[];
  groups: AddressGroup[];
  externalLists: ExternalList[];
  services: Service[];
  urlCategories: UrlCategory[];
  rules: SecurityRule[];
}

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
/** An IPv4 prefix exactly as ipaddr.js writes it: four octets without leading zeros, a length of 0 to 32. */
const CANONICAL_V4_CIDR = new RegExp(`^${OCTET}(\\.${OCTET}){3}/(3[0-2]|[12]?[0-9])$`);

/** Longest name that can still have a subdomain within DNS's 253 characters (`a.` + name). */
const MAX_NAME_WITH_SUBDOMAINS = 251;
const FQDN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/** Where a list of addresses comes from, which names its group: a bound group, a service tag, or a requirement. */
interface ListName {
  /** Name infix: `grp`, `tag`, `src` or `dst`. */
  kind: 'grp' | 'tag' | 'src' | 'dst';
  id: string;
  description: string;
}

class Builder {
  readonly addresses = new Map<string, Address>();
  readonly groups = new Map<string, AddressGroup>();
  readonly externalLists = new Map<string, ExternalList>();
  readonly services = new Map<string, Service>();
  readonly urlCategories = new Map<string, UrlCategory>();
  readonly rules: SecurityRule[] = [];
  readonly diagnostics: Diagnostic[] = [];
  constructor(readonly o: ConfigOptions) {}

  name(...parts: string[]): string {
    return objectName([this.o.prefix, ...parts]);
  }

  /** An FQDN address object: PAN-OS resolves it itself and matches the addresses; wildcards are not allowed. */
  fqdn(host: string): string {
    if (!FQDN.test(host) || host.length > 255) throw new InternalError(`refusing to write ${JSON.stringify(host)} as an FQDN object`);
    return this.add({ name: this.name('fqdn', host), fqdn: host });
  }

  net(cidr: string): string {
    if (!CANONICAL_V4_CIDR.test(cidr)) {
      const v6 = cidr.includes(':');
      const [addr, bits] = v6 ? ipaddr.IPv6.parseCIDR(cidr) : ipaddr.IPv4.parseCIDR(cidr);
      if (!v6 || `${addr.toString()}/${bits}` !== cidr) throw new InternalError(`refusing to write ${JSON.stringify(cidr)} as ip-netmask`);
    }
    return this.add({ name: this.netName(cidr), ipNetmask: cidr });
  }

  private netLead?: string;

  /**
   * `name('net', cidrNamePart(cidr))` for the 70,000 prefixes of a big list, without a join and two regexes each: an
   * IPv4 part is digits, dots and `_`, which objectName keeps as they are, so a name within NAME_MAX is the checked
   * lead followed by the part.
   */
  private netName(cidr: string): string {
    const part = cidrNamePart(cidr);
    if (cidr.includes(':')) return this.name('net', part);
    this.netLead ??= checkName(`${cleanName(`${this.o.prefix}-net-`)}0`).slice(0, -1);
    const name = this.netLead + part;
    return name.length <= NAME_MAX ? name : this.name('net', part);
  }

  /** `first-last`; `_` separates the two in the name, as no address contains it. */
  range(r: AddressRange): string {
    for (const a of [r.first, r.last]) if ((r.family === 6 ? ipaddr.IPv6 : ipaddr.IPv4).parse(a).toString() !== a) throw new InternalError(`refusing to write ${a} in an ip-range`);
    return this.add({ name: this.name('range', `${cidrNamePart(r.first)}_${cidrNamePart(r.last)}`), ipRange: `${r.first}-${r.last}` });
  }

  private add(a: Address): string {
    const seen = this.addresses.get(a.name);
    if (seen && (seen.fqdn !== a.fqdn || seen.ipNetmask !== a.ipNetmask || seen.ipRange !== a.ipRange)) throw new InternalError(`address name ${a.name} used twice`);
    this.addresses.set(a.name, a);
    return a.name;
  }

  /** A static group; members are kept in the order given (FQDNs, then addresses in address order). */
  group(name: string, members: string[], description: string): string {
    if (members.length === 0) throw new InternalError(`address group ${name} is empty`);
    if (members.length > this.o.groupMembers) throw new InternalError(`address group ${name} has ${members.length} members`);
    const g: AddressGroup = { name, members, description: freeText(description, DESCRIPTION_MAX.group) };
    const seen = this.groups.get(name);
    if (seen && !sameList(seen.members, g.members)) throw new InternalError(`address group ${name} defined twice`);
    this.groups.set(name, g);
    return name;
  }

  /**
   * The rule members for a list of addresses: an External Dynamic List when the list is long enough and EDLs are
   * on, else address objects (one `ip-range` per range of several prefixes when ranges are on), gathered in a
   * group named after the list. A group holds at most `groupMembers`: longer lists are split into groups
   * `NAME_1`, `NAME_2`, ... that the rule names side by side, and only when even those are too many are they nested.
   */
  addressList(list: ListName, ranges: readonly AddressRange[], fqdns: readonly string[] = []): string[] {
    let prefixCount = 0;
    for (const r of ranges) prefixCount += r.cidrs.length;
    const members = fqdns.map((h) => this.fqdn(h));
    const refs: string[] = [];
    if (this.o.edl && prefixCount >= this.o.edl.minEntries) refs.push(this.externalList(list, ranges));
    else for (const r of ranges) {
      if (this.o.ipRanges && r.cidrs.length > 1) members.push(this.range(r));
      else for (const c of r.cidrs) members.push(this.net(c));
    }
    if (members.length === 0) return refs;
    // An anonymous list of one object needs no group; a bound group or a tag keeps its name.
    if (members.length === 1 && (list.kind === 'src' || list.kind === 'dst')) return [...refs, members[0]!];
    return [...refs, ...this.fit(list, members, refs.length)];
  }

  /** Groups of at most `groupMembers`, nested until the rule's field (with `taken` other members) fits too. */
  private fit(list: ListName, members: string[], taken: number): string[] {
    const max = this.o.groupMembers;
    if (members.length <= max) return [this.group(this.name(list.kind, list.id), members, list.description)];
    let level = members;
    for (let depth = 1; ; depth++) {
      const parts = Math.ceil(level.length / max);
      const next: string[] = [];
      for (let i = 0; i < parts; i++) {
        const part = depth === 1 ? `${i + 1}` : `${depth}.${i + 1}`;
        next.push(this.group(this.name(list.kind, `${list.id}_${part}`), level.slice(i * max, (i + 1) * max), `${list.description} (part ${part} of ${parts})`));
      }
      level = next;
      if (level.length + taken <= max) return level;
    }
  }

  private externalList(list: ListName, ranges: readonly AddressRange[]): string {
    const edl = this.o.edl!;
    const name = objectName([this.o.prefix, 'edl', list.kind, list.id], EDL_NAME_MAX);
    const entries: string[] = [];
    for (const r of ranges) pushAll(entries, r.cidrs);
    const l: ExternalList = { name, url: `${edl.url}${name}.txt`, file: `edl/${name}.txt`, recurring: edl.recurring, description: freeText(list.description, DESCRIPTION_MAX.externalList), entries };
    const seen = this.externalLists.get(name);
    if (seen && !sameList(seen.entries, entries)) throw new InternalError(`external list ${name} defined twice`);
    this.externalLists.set(name, l);
    return name;
  }

  service(p: PortSpec): string {
    if (p.transport === 'any') return 'any';
    const port = p.from === p.to ? String(p.from) : `${p.from}-${p.to}`;
    if (!/^[0-9]{1,5}(-[0-9]{1,5})?$/.test(port) || p.from < 1 || p.to > 65535 || p.to < p.from) throw new InternalError(`bad port ${formatPort(p)}`);
    const name = this.name(p.transport, port);
    this.services.set(name, { name, protocol: p.transport, port });
    return name;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Every address a CIDR, bound group or resolved service tag stands for, appended to `out`. */
function collect(e: ResolvedEndpoint, out: string[]): void {
  switch (e.kind) {
    case 'cidr':
      out.push(e.cidr);
      return;
    case 'group':
      if (!e.cidrs) throw new InternalError(`unbound group ${e.group} reached the emitter`);
      for (const c of e.cidrs) out.push(c);
      return;
    case 'service-tag':
      if (!e.prefixes) throw new InternalError(`service tag ${e.tag} reached the emitter without prefixes`);
      for (const c of e.prefixes) out.push(c);
      return;
    case 'host':
      throw new InternalError('a host is not an address');
  }
}

/** What `collect` refuses, without collecting: the addresses themselves come aggregated. */
function checkAddresses(e: ResolvedEndpoint): void {
  if (e.kind === 'group' && !e.cidrs) throw new InternalError(`unbound group ${e.group} reached the emitter`);
  if (e.kind === 'service-tag' && !e.prefixes) throw new InternalError(`service tag ${e.tag} reached the emitter without prefixes`);
}

/**
 * Whether an address endpoint has any address: a service tag that the Service Tags file lists without prefixes has
 * none, and is dropped with a diagnostic (an empty address list must never become a rule, nor `any`).
 */
function hasAddresses(e: ResolvedEndpoint, req: ResolvedRequirement, b: Builder, role: 'source' | 'destination'): boolean {
  if (!(e.kind === 'service-tag' && e.prefixes?.length === 0)) return true;
  const what = describeEndpoint(e);
  b.diagnostics.push({
    code: 'FIDELITY_DROPPED',
    severity: 'warning',
    message: `${req.id}: ${role} ${what} dropped: the Service Tags file lists no prefixes for it${role === 'source' && req.sources!.every((s) => s.kind === 'service-tag' && s.prefixes?.length === 0) ? ', and with no source left the requirement has no rule' : ''}`,
    hint: 'check the Service Tags file',
    span: req.span,
    target: 'panos',
    requirement: req.id,
    provenance: req.provenance,
    params: { feature: role === 'source' ? 'source-service-tag' : 'service-tag', level: 'drop', subject: role === 'source' ? `source ${what}` : what },
  });
  return false;
}

/** A list named after its only endpoint when that is a bound group or a tag (shared by every rule that uses it). */
function listName(only: ResolvedEndpoint | undefined, kind: 'src' | 'dst', id: string, what: string): ListName {
  if (only?.kind === 'group') return { kind: 'grp', id: only.group.replace('/', '_'), description: `Endpoint group ${only.group}: ${only.title}` };
  if (only?.kind === 'service-tag') {
    const tag = only.resolvedName ?? describeEndpoint(only);
    return { kind: 'tag', id: tag, description: `Service tag ${tag}, resolved to its prefixes` };
  }
  return { kind, id, description: what };
}

/** The objects and rules for a set, plus diagnostics for what the target could not say. */
export function buildConfig(set: ResolvedRequirementSet, o: ConfigOptions): Config & { diagnostics: Diagnostic[] } {
  const b = new Builder(o);
  for (const r of set.requirements) requirementRules(r, b);
  // Each map is keyed by the object's name: sorting the keys (UTF-16 order, as compareStrings) orders the objects,
  // with no comparator call per pair, which took most of the time for 70,000 address objects.
  const byName = <T extends { name: string }>(m: Map<string, T>) => {
    const values = [...m.values()];
    return Array.from(sortedOrder([...m.keys()]), (i) => values[i]!);
  };
  const config: Config = {
    addresses: byName(b.addresses),
    groups: byName(b.groups),
    externalLists: byName(b.externalLists),
    services: byName(b.services),
    urlCategories: byName(b.urlCategories),
    rules: b.rules,
  };
  checkUnique(b);
  return { ...config, diagnostics: b.diagnostics };
}

/**
 * Addresses, address groups and external lists share one namespace in a vsys (a rule's source or destination names
 * any of them); rules, services and URL categories have their own. Each of the builder's maps is keyed by its
 * objects' names, so within one map they are unique already; only names across the maps, and rules, are checked.
 */
function checkUnique(b: Builder): void {
  const twice = (n: string) => new InternalError(`PAN-OS name ${n} is used twice`);
  for (const n of b.groups.keys()) if (b.addresses.has(n)) throw twice(n);
  for (const n of b.externalLists.keys()) if (b.addresses.has(n) || b.groups.has(n)) throw twice(n);
  const rules = new Set<string>();
  for (const r of b.rules) {
    if (rules.has(r.name)) throw twice(r.name);
    rules.add(r.name);
  }
}

function zones(req: ResolvedRequirement, o: ConfigOptions): { from: string[]; to: string[] } {
  if (req.direction === 'outbound') return { from: [o.fromZone], to: [o.toZone] };
  if (req.direction === 'inbound') return { from: [o.toZone], to: [o.fromZone] };
  return { from: [o.fromZone], to: [o.fromZone] };
}

function requirementRules(req: ResolvedRequirement, b: Builder): void {
  const { from, to } = zones(req, b.o);
  const id = req.id.replace('/', '_');
  const description = describeRequirement(req);
  let source = ['any'];
  if (req.sources?.length) {
    const sources = req.sources.filter((s) => hasAddresses(s, req, b, 'source'));
    // Every source without addresses: no rule, since none would be `any`.
    if (sources.length === 0) return;
    const cidrs: string[] = [];
    for (const s of sources) collect(s, cidrs);
    source = b.addressList(listName(sources.length === 1 ? sources[0] : undefined, 'src', id, `Sources of ${req.id}`), aggregateRanges(cidrs));
  }
  const groups = groupByPorts(req.destinations);
  groups.forEach((dests, gi) => {
    const suffix = groups.length > 1 ? `${id}.${gi + 1}` : id;
    const ports = dests[0]!.ports;
    const addressDests: ResolvedDestination[] = [];
    const fqdns = new Set<string>();
    const urls: string[] = [];
    for (const d of dests) {
      const e = d.endpoint;
      if (e.kind !== 'host') {
        checkAddresses(e);
        if (hasAddresses(e, req, b, 'destination')) addressDests.push(d);
      } else {
        if (e.match !== 'subdomains') fqdns.add(e.name);
        if (e.match !== 'exact') urls.push(...urlEntries(req, d, b));
      }
    }
    const service = [...new Set(ports.map((p) => b.service(p)))].sort(compareStrings);
    if (addressDests.length || fqdns.size) {
      // All addresses: the group itself, so its ranges are the ones merged once for every target of the run.
      const ranges = addressDests.length === 0 ? [] : aggregateDestinationRanges(addressDests.length === dests.length ? dests : addressDests);
      const list = fqdns.size ? { kind: 'dst' as const, id: suffix, description: `Destinations of ${req.id}` } : listName(addressDests.length === 1 ? addressDests[0]!.endpoint : undefined, 'dst', suffix, `Destinations of ${req.id}`);
      const destination = b.addressList(list, ranges, [...fqdns].sort(compareStrings));
      b.rules.push({ name: b.name(suffix), from, to, source, destination, category: ['any'], service: service.includes('any') ? ['any'] : service, description });
    }
    if (urls.length) {
      const web = ports.filter((p) => p.transport !== 'udp' && p.protocol !== 'ssh');
      const dropped = ports.filter((p) => !web.includes(p));
      if (dropped.length) b.diagnostics.push(notWeb(req, dests, dropped));
      if (web.length) {
        const category = objectName([b.o.prefix, suffix], URL_CATEGORY_NAME_MAX);
        b.urlCategories.set(category, { name: checkName(category, URL_CATEGORY_NAME_MAX), list: [...new Set(urls)].sort(compareStrings), description: freeText(description, DESCRIPTION_MAX.urlCategory) });
        const webServices = [...new Set(web.map((p) => b.service(p)))].sort(compareStrings);
        b.rules.push({ name: b.name(suffix, 'url'), from, to, source, destination: ['any'], category: [category], service: webServices.includes('any') ? ['any'] : webServices, description });
      }
    }
  });
}

/**
 * URL list entries for a host's subdomains. `*.name/` matches one or more labels below name (PAN-OS's `*` stands
 * for one or more tokens) and nothing else. The trailing `/` matters: without it PAN-OS assumes an implicit `*` to
 * the right of the host, so `*.example.com` would also match `www.example.com.evil.test`. PAN-OS 10.2 and later
 * append it by default (Append Ending Token), but that setting can be turned off, so it is always written here.
 */
function urlEntries(req: ResolvedRequirement, d: ResolvedDestination, b: Builder): string[] {
  const e = d.endpoint as Extract<ResolvedEndpoint, { kind: 'host' }>;
  if (!FQDN.test(e.name)) throw new InternalError(`refusing to write ${JSON.stringify(e.name)} in a URL list`);
  if (e.name.length > MAX_NAME_WITH_SUBDOMAINS) {
    b.diagnostics.push({
      code: 'FIDELITY_DROPPED',
      severity: 'warning',
      message: `${req.id}: *.${e.name} dropped: a name of ${e.name.length} characters has no subdomains within DNS's 253`,
      target: 'panos',
      requirement: req.id,
      span: d.span,
      params: { feature: e.match === 'subdomains' ? 'host-subdomains' : 'host-apex-and-subdomains', level: 'drop', subject: `*.${e.name}` },
    });
    return [];
  }
  return [`*.${e.name}/`];
}

function notWeb(req: ResolvedRequirement, dests: ResolvedDestination[], ports: PortSpec[]): Diagnostic {
  const names = dests.filter((d) => d.endpoint.kind === 'host' && d.endpoint.match !== 'exact').map((d) => `*.${(d.endpoint as { name: string }).name}`);
  const subject = `${names.join(', ')} on ${ports.map(formatPort).join(', ')}`;
  return {
    code: 'FIDELITY_DROPPED',
    severity: 'warning',
    message: `${req.id}: ${subject} dropped: a custom URL category matches only HTTP and TLS traffic, and these are UDP or SSH`,
    hint: 'list the exact names the vendor uses, or use --target cilium or azure-firewall for wildcard names on other protocols',
    span: dests[0]!.span,
    target: 'panos',
    requirement: req.id,
    provenance: req.provenance,
    params: { feature: 'host-subdomains', level: 'drop', subject },
  };
}

/** `id: purpose (document:line, ...)`. */
function describeRequirement(req: ResolvedRequirement): string {
  // By object first: a row's destinations share one provenance, so 100,000 of them cost one description.
  const objects = new Set([req.provenance]);
  for (const d of req.destinations) for (const p of d.provenance) objects.add(p);
  const where = [...new Set([...objects].map(describeProvenance))];
  return freeText(`${req.id}${req.purpose ? `: ${req.purpose}` : ''} (${where.join('; ')})`, DESCRIPTION_MAX.rule);
}
