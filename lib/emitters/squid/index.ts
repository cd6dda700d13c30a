import ipaddr from 'ipaddr.js';
import type { Emitter, EmitterOptions, FidelityTable } from '../../emit/emitter.js';
import type { PortSpec } from '../../model/requirement-set.js';
import type { ResolvedDestination, ResolvedRequirement } from '../../model/resolved.js';
import { loadTemplates } from '../../emit/templates.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import { InternalError } from '../../model/diagnostic.js';
import { describeEndpoint } from '../../model/describe.js';
import { portFeature } from '../../emit/fidelity.js';
import { compareHosts } from '../../model/order.js';
import { aclName, labelRegex, pathRegex, squidComment, squidToken, subdomainRegex } from './escape.js';
import { labelMatches } from '../../model/host-form.js';
import templateSpecs from './templates.js';
import { capNotes, groupByPorts, provenanceTexts } from '../../emit/text.js';
import { pushAll } from '../../model/array.js';

const exact = { level: 'exact' } as const;
const notHttp = { hint: 'use --target iptables, nftables or azure-nsg for traffic a proxy does not carry' };

function fidelity(options: EmitterOptions): FidelityTable {
  return {
    'host-exact': exact,
    'host-subdomains':
      options.subdomains === 'widen'
        ? { level: 'widen', note: "Squid's .name also matches the name itself, which was not required", hint: 'use --set subdomains=exact to match subdomains only (dstdom_regex)' }
        : exact,
    'host-apex-and-subdomains': exact,
    'host-label-wildcard': exact,
    'host-path-http': exact,
    'host-path-tls': {
      level: 'widen',
      note: 'Squid sees only the host of an HTTPS request (CONNECT host:port), not its path, so the whole host is allowed on these ports',
      hint: 'the path is still matched for plain HTTP; matching it in HTTPS needs TLS interception (ssl_bump), which fwgen does not configure',
    },
    cidr: { level: 'drop', note: 'the Squid target matches names only', ...notHttp },
    'service-tag': { level: 'drop', note: 'Squid does not know cloud service tags', hint: 'use --target azure-firewall or azure-nsg, or iptables with service tags resolved to prefixes' },
    'group-destination': { level: 'drop', note: 'an endpoint group is a set of addresses, not names', ...notHttp },
    'group-destination-unbound': { level: 'drop', note: 'an endpoint group is a set of addresses, not names', ...notHttp },
    'source-cidr': exact,
    'source-service-tag': { level: 'drop', note: 'Squid does not know cloud service tags, so it cannot tell those clients apart', hint: 'give the source as CIDRs or a bound endpoint group, or use --target azure-firewall or azure-nsg' },
    'source-group': exact,
    'source-group-unbound': { level: 'widen', note: 'the group has no addresses, so the rule applies to every client of the proxy', hint: 'bind it: --bind GROUP=CIDR,...' },
    'port-http': exact,
    'port-https': exact,
    'port-tcp': exact,
    'port-ssh': { level: 'drop', note: 'SSH does not go through an HTTP proxy', ...notHttp },
    'port-udp': { level: 'drop', note: 'Squid carries no UDP', ...notHttp },
    'all-traffic': { level: 'drop', note: 'a proxy cannot allow all protocols', ...notHttp },
    outbound: exact,
    inbound: { level: 'drop', note: 'a forward proxy sees only outbound requests', ...notHttp },
    internal: { level: 'drop', note: 'traffic between internal systems does not pass the proxy', ...notHttp },
  };
}

interface AclView {
  name: string;
  type: string;
  values: string[];
}

interface RuleView {
  id: string;
  purpose?: string;
  provenance: string[];
  acls: AclView[];
  access: string[];
}

/**
 * Squid: one rule block per requirement, in the set's canonical order, then `http_access deny all`.
 * HTTPS and other TCP ports are allowed as CONNECT to that port; plain HTTP as a non-CONNECT HTTP request.
 */
const squid: Emitter = {
  id: 'squid',
  describe: 'Squid acl and http_access lines (squid.conf fragment)',
  defaultFile: 'squid.conf',
  fidelity,
  options: {
    subdomains: {
      type: 'string',
      choices: ['exact', 'widen'],
      default: 'exact',
      describe: 'how to match "*.name": exact (dstdom_regex, subdomains only) or widen (dstdomain .name, which also matches name)',
    },
    'final-deny': { type: 'boolean', default: true, describe: 'end with http_access deny all; false when the fragment is part of a larger policy' },
  },
  matchesHost(e, host, options) {
    if (e.match === 'exact') return host === e.name;
    if (e.match === 'label-wildcard') return labelMatches(e.label ?? '*', e.name, host);
    const below = host.endsWith('.' + e.name);
    // dstdomain .name matches name itself too; only the regex form keeps to subdomains.
    return e.match === 'subdomains' && options.subdomains !== 'widen' ? below : below || host === e.name;
  },
  emit(set, options, context) {
    const templates = loadTemplates(templateSpecs as Record<'fragment', unknown>);
    const ports = new Map<string, string>();
    const diagnostics: Diagnostic[] = [];
    const kept = set.requirements.filter((r) => {
      const why = unmatchableSource(r);
      if (why) diagnostics.push(why);
      return !why;
    });
    const rules = kept.map((r) => ruleView(r, options, ports));
    checkAclNames(rules, ports);
    const view = {
      header: context.header.map(squidComment),
      notes: capNotes([...context.fidelity, ...diagnostics].map((d) => d.message)).map(squidComment),
      ports: [...ports.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([name, range]) => ({ name, range })),
      rules,
      finalDeny: options['final-deny'] === true,
    };
    return { files: [{ path: 'squid.conf', contents: templates.fragment(view).trimEnd() + '\n' }], diagnostics };
  },
};

export default squid;

function portAcl(p: PortSpec, ports: Map<string, string>): string {
  const range = p.from === p.to ? String(p.from) : `${p.from}-${p.to}`;
  const name = aclName('port', range.replace('-', '_'));
  ports.set(name, squidToken(range));
  return name;
}

function ruleView(req: ResolvedRequirement, options: EmitterOptions, ports: Map<string, string>): RuleView {
  const base = req.id.replace('/', '_');
  const view: RuleView = {
    id: squidComment(req.id),
    provenance: uniq(provenanceTexts(req, false).map(squidComment)),
    acls: [],
    access: [],
  };
  if (req.purpose) view.purpose = squidComment(req.purpose);
  const src = sourceAcl(req, base);
  if (src) view.acls.push(src);
  const groups = groupByPorts(req.destinations);
  groups.forEach((all, gi) => {
    const suffix = groups.length > 1 ? `_${gi + 1}` : '';
    const dests = all.filter((d) => d.endpoint.kind !== 'host' || d.endpoint.path === undefined);
    const { dstdomain, regex } = destinationValues(dests, options);
    const dstAcls: string[] = [];
    if (dstdomain.length) {
      const name = aclName(base, `dst${suffix}`);
      view.acls.push({ name, type: 'dstdomain -n', values: dstdomain });
      dstAcls.push(name);
    }
    if (regex.length) {
      const name = aclName(base, `dst_regex${suffix}`);
      view.acls.push({ name, type: 'dstdom_regex -n -i', values: regex });
      dstAcls.push(name);
    }
    // A host with a path: a pair of acls (the host, its paths), both on one http_access line.
    const pairs = pathPairs(all, options).map((pair, k) => {
      const dst = aclName(base, `dst${suffix}_p${k + 1}`);
      const path = aclName(base, `path${suffix}_p${k + 1}`);
      view.acls.push({ name: dst, type: pair.type, values: [pair.host] }, { name: path, type: 'urlpath_regex', values: pair.paths });
      return `${dst} ${path}`;
    });
    for (const p of all[0]!.ports) {
      const port = portAcl(p, ports);
      const method = portFeature(p) === 'port-http' ? '!fwgen_connect fwgen_http' : 'fwgen_connect';
      for (const dst of dstAcls) view.access.push([method, port, dst, ...(src ? [src.name] : [])].join(' '));
      // The core keeps paths only on plain HTTP ports (host-path-tls widens), where Squid sees the URL.
      if (pairs.length && method === 'fwgen_connect') throw new InternalError(`${req.id}: a path on a CONNECT port`);
      for (const pair of pairs) view.access.push([method, port, pair, ...(src ? [src.name] : [])].join(' '));
    }
  });
  return view;
}

/** For destinations with a path: per host, its acl type and value and the urlpath_regex values of its paths. */
function pathPairs(dests: readonly ResolvedDestination[], options: EmitterOptions): { type: string; host: string; paths: string[] }[] {
  const byHost = new Map<string, { type: string; host: string; paths: Set<string> }>();
  for (const d of dests) {
    const e = d.endpoint;
    if (e.kind !== 'host' || e.path === undefined) continue;
    const acl = hostAcl(e, options);
    const key = `${acl.type} ${acl.host}`;
    let entry = byHost.get(key);
    if (!entry) byHost.set(key, (entry = { ...acl, paths: new Set() }));
    entry.paths.add(pathRegex(e.path));
  }
  return [...byHost.values()].map((x) => ({ type: x.type, host: x.host, paths: [...x.paths].sort() }));
}

/** The one acl value that matches a host endpoint, with its acl type. */
function hostAcl(e: Extract<ResolvedDestination['endpoint'], { kind: 'host' }>, options: EmitterOptions): { type: string; host: string } {
  if (e.match === 'exact') return { type: 'dstdomain -n', host: squidToken(e.name) };
  if (e.match === 'label-wildcard') return { type: 'dstdom_regex -n -i', host: labelRegex(e.label!, e.name) };
  if (e.match === 'apex-and-subdomains' || options.subdomains === 'widen') return { type: 'dstdomain -n', host: squidToken('.' + e.name) };
  return { type: 'dstdom_regex -n -i', host: subdomainRegex(e.name) };
}

function sourceAcl(req: ResolvedRequirement, base: string): AclView | undefined {
  if (!req.sources || req.sources.length === 0) return undefined;
  const cidrs: string[] = [];
  for (const s of req.sources) {
    if (s.kind === 'cidr') cidrs.push(s.cidr);
    else if (s.kind === 'service-tag') pushAll(cidrs, s.prefixes ?? []);
    else if (s.kind === 'group') {
      // An unbound group widens the rule to every client; the core has said so.
      if (!s.cidrs) return undefined;
      pushAll(cidrs, s.cidrs);
    }
  }
  if (cidrs.length === 0) throw new InternalError(`${req.id}: no source address left for the src acl`);
  return { name: aclName(base, 'src'), type: 'src', values: srcValues(cidrs).map(squidToken) };
}

/**
 * The src values for a set of prefixes, with the same union. Squid keeps only one of two overlapping src entries
 * ("is a subnetwork of ... is ignored to keep splay tree searching predictable"), and when the narrower comes first
 * it drops the wider one, narrowing the rule: so every prefix another one covers is left out. 0.0.0.0/0 is written
 * as its two halves, since squid refuses it ("needs to be replaced by the term 'all'") and `all` takes IPv6 too.
 */
function srcValues(cidrs: readonly string[]): string[] {
  const parsed = uniq(cidrs.map(unmapped).flatMap((c) => (c === '0.0.0.0/0' ? ['0.0.0.0/1', '128.0.0.0/1'] : [c]))).map((c) => ({ c, range: ipaddr.parseCIDR(c) }));
  const covers = (outer: (typeof parsed)[number], inner: (typeof parsed)[number]) =>
    outer.range[0].kind() === inner.range[0].kind() && outer.range[1] <= inner.range[1] && (inner.range[0] as ipaddr.IPv4).match(outer.range as [ipaddr.IPv4, number]);
  return parsed.filter((a, i) => !parsed.some((b, j) => j !== i && covers(b, a) && (b.range[1] < a.range[1] || j < i))).map((x) => x.c);
}

/**
 * An IPv4-mapped IPv6 prefix (::ffff:a.b.c.d/96+n) as the IPv4 prefix a.b.c.d/n: Squid reads it so (a client's
 * mapped address is its IPv4 one), and must then see it beside the other IPv4 prefixes, or the overlap rule above
 * cannot apply. Squid kept 192.0.2.0/24 and ignored ::ffff:0:0/96, which it read as 0.0.0.0/0.
 */
function unmapped(cidr: string): string {
  const [addr, bits] = ipaddr.parseCIDR(cidr);
  if (addr.kind() !== 'ipv6' || bits < 96 || !(addr as ipaddr.IPv6).isIPv4MappedAddress()) return cidr;
  return `${(addr as ipaddr.IPv6).toIPv4Address().toString()}/${bits - 96}`;
}

/**
 * A source Squid cannot match: a cloud service tag without prefixes (no Service Tags file applied), or a host name.
 * The src acl would otherwise be empty (squid refuses the http_access line) or silently lose that source, so the
 * requirement is dropped with a diagnostic, as the fidelity table drops service-tag destinations.
 */
function unmatchableSource(req: ResolvedRequirement): Diagnostic | undefined {
  const bad = (req.sources ?? []).find((s) => (s.kind === 'service-tag' && !s.prefixes?.length) || s.kind === 'host');
  if (!bad) return undefined;
  const what = bad.kind === 'service-tag' ? 'a cloud service tag, which Squid does not know' : 'a host name, which Squid does not match as a client';
  return {
    code: 'FIDELITY_DROPPED',
    severity: 'warning',
    message: `${req.id}: requirement dropped: its source ${describeEndpoint(bad)} is ${what}`,
    hint: 'give the source as CIDRs or a bound endpoint group, or use --target azure-firewall or azure-nsg',
    span: req.span,
    target: 'squid',
    requirement: req.id,
    provenance: req.provenance,
    params: { feature: bad.kind === 'service-tag' ? 'service-tag' : 'source-cidr', level: 'drop', subject: `source ${describeEndpoint(bad)}` },
  };
}

/** Every acl name once: shortened names (see aclName) must not meet, or squid would merge or refuse two acls. */
function checkAclNames(rules: readonly RuleView[], ports: ReadonlyMap<string, string>): void {
  const seen = new Set<string>(['fwgen_connect', 'fwgen_http', ...ports.keys()]);
  for (const r of rules) {
    for (const a of r.acls) {
      if (seen.has(a.name)) throw new InternalError(`acl name ${a.name} is used twice`);
      seen.add(a.name);
    }
  }
}


/**
 * dstdomain entries (`name`, `.name`) and dstdom_regex entries for one acl. Squid refuses a dstdomain list where one
 * entry lies under another `.name` entry, so entries that `.name` already covers are left out: the meaning is the same.
 */
function destinationValues(dests: readonly ResolvedDestination[], options: EmitterOptions): { dstdomain: string[]; regex: string[] } {
  const dotted = new Set<string>();
  const exactNames = new Set<string>();
  const below = new Set<string>();
  const labels: { label: string; name: string }[] = [];
  for (const d of dests) {
    const e = d.endpoint;
    if (e.kind !== 'host') continue;
    if (e.match === 'label-wildcard') labels.push({ label: e.label!, name: e.name });
    else if (e.match === 'exact') exactNames.add(e.name);
    else if (e.match === 'apex-and-subdomains' || options.subdomains === 'widen') dotted.add(e.name);
    else below.add(e.name);
  }
  // Walk the name's parent domains (a few labels) rather than scan every `.name` entry, so large lists stay linear.
  const coveredBy = (name: string, self: boolean) => {
    if (self && dotted.has(name)) return true;
    for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) if (dotted.has(name.slice(i + 1))) return true;
    return false;
  };
  const dots = [...dotted].filter((n) => !coveredBy(n, false));
  const exacts = [...exactNames].filter((n) => !coveredBy(n, true));
  const regexes = [...below].filter((n) => !coveredBy(n, true));
  // A wildcard label lies one level below its name, so `.name` or a regex for the name's subdomains covers it.
  const patterns = labels.filter((l) => !coveredBy(l.name, true) && !below.has(l.name));
  return {
    dstdomain: [...exacts.map((n) => ({ n, v: n })), ...dots.map((n) => ({ n, v: '.' + n }))].sort((a, b) => compareHosts(a.n, b.n) || (a.v < b.v ? -1 : 1)).map((x) => squidToken(x.v)),
    regex: [
      ...regexes.map((n) => ({ n, v: subdomainRegex(n) })),
      ...patterns.map((l) => ({ n: l.name, v: labelRegex(l.label, l.name) })),
    ].sort((a, b) => compareHosts(a.n, b.n) || (a.v < b.v ? -1 : 1)).map((x) => x.v),
  };
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

