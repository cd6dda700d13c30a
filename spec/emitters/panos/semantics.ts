/**
 * Reads a PAN-OS document back and compares what its rules allow with the requirements: zones, sources,
 * destinations (through address groups down to FQDN and ip-netmask objects), URL lists, and services. Every
 * difference must be one a diagnostic announced.
 */
import type { Diagnostic } from '../../../lib/model/diagnostic.js';
import type { ResolvedEndpoint, ResolvedRequirementSet } from '../../../lib/model/resolved.js';
import type { PortSpec } from '../../../lib/model/requirement-set.js';
import { describeEndpoint } from '../../../lib/model/describe.js';
import ipaddr from 'ipaddr.js';
import type { Entry, Vsys } from './check.js';

export interface PanosSemanticOptions {
  fromZone?: string;
  toZone?: string;
  /** The files an External Dynamic List's URL stands for: URL -> contents (one prefix a line). */
  externalLists?: Record<string, string>;
  /** Most members a group, or a rule's source or destination, may have (2,500 unless given). */
  maxMembers?: number;
}

/**
 * What a rule field reaches: FQDN names and address spans. Spans are inclusive [first, last] pairs with IPv6 moved
 * above 2^129, so one sorted list keeps the families apart; compared as merged sets, so a /23 equals two /24s and an
 * ip-range equals the prefixes it covers.
 */
interface Reach {
  fqdns: Set<string>;
  spans: Span[];
}
type Span = [bigint, bigint];
const V6_BASE = 1n << 129n;

function addressNumber(a: string): bigint {
  const bytes = ipaddr.parse(a).toByteArray();
  let n = 0n;
  for (const x of bytes) n = (n << 8n) | BigInt(x);
  return bytes.length === 16 ? n + V6_BASE : n;
}

/** `a/len`, `first-last` or a bare address as a span; throws on anything else. */
export function span(text: string): Span {
  const dash = text.indexOf('-');
  if (dash > 0) {
    const [first, last] = [addressNumber(text.slice(0, dash)), addressNumber(text.slice(dash + 1))];
    if (last < first || (first >= V6_BASE) !== (last >= V6_BASE)) throw new Error(`bad range ${text}`);
    return [first, last];
  }
  const [addr, bits] = text.includes('/') ? ipaddr.parseCIDR(text) : [ipaddr.parse(text), text.includes(':') ? 128 : 32];
  const width = addr.kind() === 'ipv6' ? 128 : 32;
  const first = addressNumber(addr.toString());
  const size = 1n << BigInt(width - bits);
  if ((first - (width === 128 ? V6_BASE : 0n)) % size !== 0n) throw new Error(`host bits set in ${text}`);
  return [first, first + size - 1n];
}

/** Sorted, disjoint, non-adjacent spans covering the same addresses. */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const out: Span[] = [];
  for (const [a, b] of sorted) {
    const top = out[out.length - 1];
    if (top && a <= top[1] + 1n && (a >= V6_BASE) === (top[0] >= V6_BASE)) {
      if (b > top[1]) top[1] = b;
    } else out.push([a, b]);
  }
  return out;
}

/** Whether merged spans `inner` lie inside merged spans `outer`. */
function within(inner: readonly Span[], outer: readonly Span[]): boolean {
  let j = 0;
  for (const [a, b] of inner) {
    while (j < outer.length && outer[j]![1] < a) j++;
    if (j === outer.length || outer[j]![0] > a || outer[j]![1] < b) return false;
  }
  return true;
}

const describeReach = (r: Reach) => `${r.fqdns.size} names and ${r.spans.length} address ranges`;

/**
 * PAN-OS URL list matching for host names, as documented for URL category exceptions: `.` and `/` separate tokens,
 * `*` stands for one or more tokens, and a trailing `/` ends the host (without it an implicit `*` follows).
 */
export function urlMatches(entry: string, host: string): boolean {
  const slash = entry.endsWith('/');
  const pattern = slash ? entry.slice(0, -1) : entry;
  const tokens = pattern.split('.');
  let re = tokens.map((t) => (t === '*' ? '[^./]+(?:\\.[^./]+)*' : t === '^' ? '[^./]+' : t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('\\.');
  if (!slash) re += '(?:\\.[^/]+)?';
  return new RegExp(`^${re}$`, 'i').test(host);
}

export function checkPanosSemantics(set: ResolvedRequirementSet, v: Vsys, diagnostics: readonly Diagnostic[], o: PanosSemanticOptions = {}): { problems: string[]; present: string[]; dropped: string[] } {
  const problems: string[] = [];
  const present: string[] = [];
  const dropped: string[] = [];
  const inside = o.fromZone ?? 'trust';
  const outside = o.toZone ?? 'untrust';
  const addresses = new Map((v.address?.entry ?? []).map((e) => [e['@_name'], e]));
  const groups = new Map((v['address-group']?.entry ?? []).map((e) => [e['@_name'], e]));
  const services = new Map((v.service?.entry ?? []).map((e) => [e['@_name'], e]));
  const categories = new Map((v.profiles?.['custom-url-category']?.entry ?? []).map((e) => [e['@_name'], e]));
  const rulesNode = v.rulebase?.security?.rules;
  const rules = (typeof rulesNode === 'object' ? rulesNode.entry : undefined) ?? [];
  const members = (e: Entry, k: string) => ((e[k] as { member?: string[] } | undefined)?.member ?? []) as string[];

  const lists = new Map(((v as { 'external-list'?: { entry: Entry[] } })['external-list']?.entry ?? []).map((e) => [e['@_name'], e]));
  const maxMembers = o.maxMembers ?? 2500;
  const known = new Map<string, Reach>();
  /** What a name in a rule's source or destination reaches, following groups; memoized, as groups are shared. */
  const reach = (name: string, depth = 0): Reach => {
    const done = known.get(name);
    if (done) return done;
    if (depth > 8) throw new Error(`group nesting too deep at ${name}`);
    const out: Reach = { fqdns: new Set(), spans: [] };
    const a = addresses.get(name);
    const g = groups.get(name);
    const l = lists.get(name);
    if (a) {
      if (a.fqdn !== undefined) out.fqdns.add(String(a.fqdn));
      else out.spans.push(span(String(a['ip-netmask'] ?? a['ip-range'])));
    } else if (g) {
      const ms = (g['static'] as { member?: string[] } | undefined)?.member ?? [];
      if (ms.length > maxMembers) problems.push(`group ${name} has ${ms.length} members, more than ${maxMembers}`);
      for (const m of ms) {
        const r = reach(m, depth + 1);
        for (const f of r.fqdns) out.fqdns.add(f);
        for (const x of r.spans) out.spans.push(x);
      }
    } else if (l) {
      const url = String(((l.type as Record<string, Record<string, unknown>>).ip ?? {}).url);
      const text = o.externalLists?.[url];
      if (text === undefined) problems.push(`external list ${name}: no file for ${url}`);
      else for (const line of text.split('\n')) if (line) out.spans.push(span(line));
    } else problems.push(`member ${name} is not defined`);
    out.spans = mergeSpans(out.spans);
    known.set(name, out);
    return out;
  };
  const reachAll = (names: readonly string[]): Reach => {
    if (names.length > maxMembers) problems.push(`a rule field names ${names.length} objects, more than ${maxMembers}`);
    const out: Reach = { fqdns: new Set(), spans: [] };
    for (const n of names) {
      const r = reach(n);
      for (const f of r.fqdns) out.fqdns.add(f);
      for (const x of r.spans) out.spans.push(x);
    }
    out.spans = mergeSpans(out.spans);
    return out;
  };
  const portsOf = (name: string): { proto: 'tcp' | 'udp' | 'any'; from: number; to: number } => {
    if (name === 'any') return { proto: 'any', from: 1, to: 65535 };
    const s = services.get(name);
    if (!s) {
      problems.push(`service ${name} is not defined`);
      return { proto: 'tcp', from: 0, to: 0 };
    }
    const proto = (s['protocol'] as Record<string, { port: string }>) ?? {};
    const [k, val] = Object.entries(proto)[0]!;
    const [a, b] = val.port.split('-').map(Number);
    return { proto: k as 'tcp' | 'udp', from: a!, to: b ?? a! };
  };
  const covers = (svc: string[], p: PortSpec) =>
    svc.some((n) => {
      const s = portsOf(n);
      if (p.transport === 'any') return s.proto === 'any';
      return (s.proto === 'any' || s.proto === p.transport) && s.from <= p.from && p.to <= s.to;
    });
  /** What an endpoint asks for, as the model says it: a name, or the CIDRs given or resolved. */
  const endpointReach = (endpoints: readonly ResolvedEndpoint[]): Reach => {
    const out: Reach = { fqdns: new Set(), spans: [] };
    for (const e of endpoints) {
      if (e.kind === 'host') out.fqdns.add(e.name);
      else for (const c of e.kind === 'cidr' ? [e.cidr] : e.kind === 'group' ? e.cidrs ?? [] : e.prefixes ?? []) out.spans.push(span(c));
    }
    out.spans = mergeSpans(out.spans);
    return out;
  };
  const contains = (outer: Reach, inner: Reach) => [...inner.fqdns].every((f) => outer.fqdns.has(f)) && within(inner.spans, outer.spans);

  const claimed = new Set<Entry>();
  for (const r of set.requirements) {
    const say = (m: string) => problems.push(`${r.id}: ${m}`);
    const mine = rules.filter((x) => typeof x.description === 'string' && (x.description.startsWith(`${r.id}:`) || x.description.startsWith(`${r.id} (`)));
    mine.forEach((x) => claimed.add(x));
    const diag = (code: string) => diagnostics.filter((d) => d.requirement === r.id && d.code === code);
    if (mine.length === 0) {
      if (diag('FIDELITY_DROPPED').length === 0) say('missing without a FIDELITY_DROPPED diagnostic');
      dropped.push(r.id);
      continue;
    }
    present.push(r.id);
    const zones = r.direction === 'outbound' ? [inside, outside] : r.direction === 'inbound' ? [outside, inside] : [inside, inside];
    const wantSource = r.sources?.length ? endpointReach(r.sources) : undefined;
    for (const x of mine) {
      if (members(x, 'from').join() !== zones[0] || members(x, 'to').join() !== zones[1]) say(`${x['@_name']}: zones ${members(x, 'from').join()} -> ${members(x, 'to').join()}, expected ${zones.join(' -> ')}`);
      const src = members(x, 'source');
      if (src.join() === 'any' || !wantSource) {
        if (src.join() !== 'any' || wantSource) say(`${x['@_name']}: source ${src.join()}, expected ${wantSource ? describeReach(wantSource) : 'any'}`);
      } else {
        const got = reachAll(src);
        if (!contains(got, wantSource) || !contains(wantSource, got)) say(`${x['@_name']}: source reaches ${describeReach(got)}, expected ${describeReach(wantSource)}`);
      }
      if (x.action !== 'allow') say(`${x['@_name']}: action ${String(x.action)}`);
      if (members(x, 'application').join() !== 'any') say(`${x['@_name']}: application ${members(x, 'application').join()}`);
    }
    const l3 = mine.filter((x) => members(x, 'category').join() === 'any');
    const web = mine.filter((x) => members(x, 'category').join() !== 'any');
    // Lowercase: the core names a dropped service tag before the Service Tags file gives its spelling.
    const droppedSubjects = diag('FIDELITY_DROPPED').map((d) => String(d.params.subject).toLowerCase());
    // Per port: every destination that needs it must be reached by the layer-3 rules whose services cover it.
    const needs = new Map<string, { port: PortSpec; endpoints: ResolvedEndpoint[] }>();
    for (const d of r.destinations) {
      const e = d.endpoint;
      const label = describeEndpoint(e);
      if (droppedSubjects.includes(label.toLowerCase()) || (e.kind === 'service-tag' && droppedSubjects.includes(`${e.tag}${e.region ? `.${e.region}` : ''}`.toLowerCase()))) continue;
      if (e.kind !== 'host' || e.match !== 'subdomains') {
        for (const p of d.ports) {
          const key = `${p.transport}/${p.from}-${p.to}`;
          const n = needs.get(key) ?? { port: p, endpoints: [] };
          n.endpoints.push(e.kind === 'host' ? { kind: 'host', name: e.name, match: 'exact' } : e);
          needs.set(key, n);
        }
      }
      if (e.kind === 'host' && e.match !== 'exact') {
        const narrowed = diag('FIDELITY_NARROWED').some((x) => x.params.subject === label);
        if (!narrowed) say(`${label}: subdomains by URL category without a FIDELITY_NARROWED diagnostic`);
        for (const p of d.ports) {
          const nonWeb = p.transport === 'udp' || p.protocol === 'ssh';
          const urlRules = web.filter((x) => covers(members(x, 'service'), p));
          const lists = urlRules.flatMap((x) => members(x, 'category')).flatMap((c) => members(categories.get(c) ?? ({} as Entry), 'list'));
          const allowed = (h: string) => lists.some((l) => urlMatches(l, h));
          if (nonWeb) {
            if (!droppedSubjects.some((s) => s.includes(`*.${e.name}`))) say(`${label} on ${p.transport}/${p.from}: not web, and no FIDELITY_DROPPED says so`);
            if (allowed(`a.${e.name}`)) say(`${label} on ${p.transport}/${p.from}: allowed by a URL category on a non-web port`);
            continue;
          }
          for (const h of [`a.${e.name}`, `a.b.${e.name}`]) if (!allowed(h)) say(`${label} on ${p.transport}/${p.from}: ${h} is not in the URL category`);
          for (const h of [`${e.name}.evil.test`, `a.${e.name}.evil.test`, `x${e.name}`]) if (allowed(h)) say(`${label}: ${h} matches the URL category`);
          if (e.match === 'subdomains' && allowed(e.name)) say(`${label}: the name itself matches the URL category`);
        }
      }
    }
    for (const [key, n] of needs) {
      const got = reachAll(l3.filter((x) => covers(members(x, 'service'), n.port)).flatMap((x) => members(x, 'destination')));
      const want = endpointReach(n.endpoints);
      if (!contains(got, want)) say(`destinations on ${key} are not all allowed: the rules reach ${describeReach(got)}, the requirement asks for ${describeReach(want)}`);
    }
    // Nothing more than asked: destinations, URL entries and services all come from this requirement.
    const wanted = endpointReach(r.destinations.flatMap((d) => (d.endpoint.kind === 'host' && d.endpoint.match === 'subdomains' ? [] : [d.endpoint.kind === 'host' ? ({ kind: 'host', name: d.endpoint.name, match: 'exact' } as const) : d.endpoint])));
    const wildcards = new Set(r.destinations.flatMap((d) => (d.endpoint.kind === 'host' && d.endpoint.match !== 'exact' ? [`*.${d.endpoint.name}/`] : [])));
    const ports = [...new Map(r.destinations.flatMap((d) => d.ports).map((p) => [`${p.transport}/${p.from}-${p.to}/${p.protocol ?? ''}`, p])).values()];
    for (const x of l3) {
      const got = reachAll(members(x, 'destination'));
      if (!contains(wanted, got)) say(`${x['@_name']}: destination reaches ${describeReach(got)}, more than the ${describeReach(wanted)} required`);
    }
    for (const x of web) {
      if (members(x, 'destination').join() !== 'any') say(`${x['@_name']}: a URL rule with destination ${members(x, 'destination').join()}`);
      for (const c of members(x, 'category')) for (const l of members(categories.get(c) ?? ({} as Entry), 'list')) if (!wildcards.has(l)) say(`${x['@_name']}: URL entry ${l} is not required`);
    }
    for (const x of mine) {
      for (const s of members(x, 'service')) {
        const sp = portsOf(s);
        const ok = ports.some((p) => (p.transport === 'any' ? sp.proto === 'any' : sp.proto === p.transport && p.from <= sp.from && sp.to <= p.to));
        if (!ok) say(`${x['@_name']}: service ${s} is not required`);
      }
    }
  }
  for (const x of rules) if (!claimed.has(x)) problems.push(`rule ${x['@_name']} belongs to no requirement`);
  return { problems, present, dropped };
}
