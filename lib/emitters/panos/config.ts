import ipaddr from 'ipaddr.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import { InternalError } from '../../model/diagnostic.js';
import type { PortSpec } from '../../model/requirement-set.js';
import type { ResolvedDestination, ResolvedEndpoint, ResolvedRequirement, ResolvedRequirementSet } from '../../model/resolved.js';
import { describeEndpoint, describeProvenance } from '../../model/describe.js';
import { formatPort } from '../../model/port.js';
import { compareStrings } from '../../model/order.js';
import { DESCRIPTION_MAX, URL_CATEGORY_NAME_MAX, checkName, cidrNamePart, freeText, objectName } from './names.js';

export interface ConfigOptions {
  fromZone: string;
  toZone: string;
  prefix: string;
}

export interface Address {
  name: string;
  fqdn?: string;
  ipNetmask?: string;
}
export interface AddressGroup {
  name: string;
  members: string[];
  description: string;
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
  services: Service[];
  urlCategories: UrlCategory[];
  rules: SecurityRule[];
}

/** Longest name that can still have a subdomain within DNS's 253 characters (`a.` + name). */
const MAX_NAME_WITH_SUBDOMAINS = 251;
const FQDN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

class Builder {
  readonly addresses = new Map<string, Address>();
  readonly groups = new Map<string, AddressGroup>();
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
    const [addr, bits] = ipaddr.parseCIDR(cidr);
    if (`${addr.toString()}/${bits}` !== cidr) throw new InternalError(`refusing to write ${JSON.stringify(cidr)} as ip-netmask`);
    return this.add({ name: this.name('net', cidrNamePart(cidr)), ipNetmask: cidr });
  }

  private add(a: Address): string {
    const seen = this.addresses.get(a.name);
    if (seen && (seen.fqdn !== a.fqdn || seen.ipNetmask !== a.ipNetmask)) throw new InternalError(`address name ${a.name} used twice`);
    this.addresses.set(a.name, a);
    return a.name;
  }

  group(name: string, members: string[], description: string): string {
    const g: AddressGroup = { name, members: [...new Set(members)].sort(compareStrings), description: freeText(description, DESCRIPTION_MAX.group) };
    const seen = this.groups.get(name);
    if (seen && seen.members.join() !== g.members.join()) throw new InternalError(`address group ${name} defined twice`);
    if (g.members.length === 0) throw new InternalError(`address group ${name} is empty`);
    this.groups.set(name, g);
    return name;
  }

  /** The address members for a CIDR, a bound endpoint group or a resolved service tag. */
  addressMembers(e: ResolvedEndpoint): string[] {
    switch (e.kind) {
      case 'cidr':
        return [this.net(e.cidr)];
      case 'group': {
        if (!e.cidrs) throw new InternalError(`unbound group ${e.group} reached the emitter`);
        const id = e.group.replace('/', '_');
        return [this.group(this.name('grp', id), e.cidrs.map((c) => this.net(c)), `Endpoint group ${e.group}: ${e.title}`)];
      }
      case 'service-tag': {
        if (!e.prefixes?.length) throw new InternalError(`service tag ${e.tag} reached the emitter without prefixes`);
        const tag = e.resolvedName ?? describeEndpoint(e);
        return [this.group(this.name('tag', tag), e.prefixes.map((c) => this.net(c)), `Service tag ${tag}, resolved to its prefixes`)];
      }
      case 'host':
        throw new InternalError('a host is not an address');
    }
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

/** The objects and rules for a set, plus diagnostics for what the target could not say. */
export function buildConfig(set: ResolvedRequirementSet, o: ConfigOptions): Config & { diagnostics: Diagnostic[] } {
  const b = new Builder(o);
  for (const r of set.requirements) requirementRules(r, b);
  const byName = <T extends { name: string }>(m: Map<string, T>) => [...m.values()].sort((x, y) => compareStrings(x.name, y.name));
  const config: Config = { addresses: byName(b.addresses), groups: byName(b.groups), services: byName(b.services), urlCategories: byName(b.urlCategories), rules: b.rules };
  checkUnique(config);
  return { ...config, diagnostics: b.diagnostics };
}

/** Addresses and address groups share one namespace in a vsys; rules, services and URL categories have their own. */
function checkUnique(c: Config): void {
  for (const names of [[...c.addresses, ...c.groups].map((x) => x.name), c.services.map((x) => x.name), c.urlCategories.map((x) => x.name), c.rules.map((x) => x.name)]) {
    const seen = new Set<string>();
    for (const n of names) {
      if (seen.has(n)) throw new InternalError(`PAN-OS name ${n} is used twice`);
      seen.add(n);
    }
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
  const source = req.sources?.length ? [...new Set(req.sources.flatMap((s) => b.addressMembers(s)))].sort(compareStrings) : ['any'];
  const description = describeRequirement(req);
  const groups = portGroups(req.destinations);
  groups.forEach((dests, gi) => {
    const suffix = groups.length > 1 ? [`${id}.${gi + 1}`] : [id];
    const ports = dests[0]!.ports;
    const members: string[] = [];
    const urls: string[] = [];
    for (const d of dests) {
      const e = d.endpoint;
      if (e.kind !== 'host') members.push(...b.addressMembers(e));
      else {
        if (e.match !== 'subdomains') members.push(b.fqdn(e.name));
        if (e.match !== 'exact') urls.push(...urlEntries(req, d, b));
      }
    }
    const service = [...new Set(ports.map((p) => b.service(p)))].sort(compareStrings);
    if (members.length) {
      const dst = b.group(b.name('dst', ...suffix), members, `Destinations of ${req.id}`);
      b.rules.push({ name: b.name(...suffix), from, to, source, destination: [dst], category: ['any'], service: service.includes('any') ? ['any'] : service, description });
    }
    if (urls.length) {
      const web = ports.filter((p) => p.transport !== 'udp' && p.protocol !== 'ssh');
      const dropped = ports.filter((p) => !web.includes(p));
      if (dropped.length) b.diagnostics.push(notWeb(req, dests, dropped));
      if (web.length) {
        const category = objectName([b.o.prefix, ...suffix], URL_CATEGORY_NAME_MAX);
        b.urlCategories.set(category, { name: checkName(category, URL_CATEGORY_NAME_MAX), list: [...new Set(urls)].sort(compareStrings), description: freeText(description, DESCRIPTION_MAX.urlCategory) });
        const webServices = [...new Set(web.map((p) => b.service(p)))].sort(compareStrings);
        b.rules.push({ name: b.name(...suffix, 'url'), from, to, source, destination: ['any'], category: [category], service: webServices.includes('any') ? ['any'] : webServices, description });
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
  const where = [...new Set([req.provenance, ...req.destinations.flatMap((d) => d.provenance)].map(describeProvenance))];
  return freeText(`${req.id}${req.purpose ? `: ${req.purpose}` : ''} (${where.join('; ')})`, DESCRIPTION_MAX.rule);
}

function portKey(ports: readonly PortSpec[]): string {
  return ports.map(formatPort).join(',');
}

/** Destinations grouped by their port sets, in first-seen order. */
function portGroups(dests: readonly ResolvedDestination[]): ResolvedDestination[][] {
  const m = new Map<string, ResolvedDestination[]>();
  for (const d of dests) m.set(portKey(d.ports), [...(m.get(portKey(d.ports)) ?? []), d]);
  return [...m.values()];
}
