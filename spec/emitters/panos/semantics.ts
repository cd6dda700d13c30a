/**
 * Reads a PAN-OS document back and compares what its rules allow with the requirements: zones, sources,
 * destinations (through address groups down to FQDN and ip-netmask objects), URL lists, and services. Every
 * difference must be one a diagnostic announced.
 */
import type { Diagnostic } from '../../../lib/model/diagnostic.js';
import type { ResolvedEndpoint, ResolvedRequirementSet } from '../../../lib/model/resolved.js';
import type { PortSpec } from '../../../lib/model/requirement-set.js';
import { describeEndpoint } from '../../../lib/model/describe.js';
import type { Entry, Vsys } from './check.js';

export interface PanosSemanticOptions {
  fromZone?: string;
  toZone?: string;
}

type Leaf = `fqdn:${string}` | `net:${string}`;

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

  const leaves = (name: string, depth = 0): Leaf[] => {
    if (depth > 8) throw new Error(`group nesting too deep at ${name}`);
    const a = addresses.get(name);
    if (a) return [a.fqdn ? (`fqdn:${String(a.fqdn)}` as Leaf) : (`net:${String(a['ip-netmask'])}` as Leaf)];
    const g = groups.get(name);
    if (g) return ((g['static'] as { member?: string[] } | undefined)?.member ?? []).flatMap((m) => leaves(m, depth + 1));
    problems.push(`member ${name} is not defined`);
    return [];
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
  const addressesOfEndpoint = (e: ResolvedEndpoint): Leaf[] =>
    e.kind === 'host' ? [`fqdn:${e.name}`] : (e.kind === 'cidr' ? [e.cidr] : e.kind === 'group' ? e.cidrs ?? [] : e.prefixes ?? []).map((c) => `net:${c}` as Leaf);

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
    const wantSource = r.sources?.length ? [...new Set(r.sources.flatMap(addressesOfEndpoint))].sort() : ['any'];
    for (const x of mine) {
      if (members(x, 'from').join() !== zones[0] || members(x, 'to').join() !== zones[1]) say(`${x['@_name']}: zones ${members(x, 'from').join()} -> ${members(x, 'to').join()}, expected ${zones.join(' -> ')}`);
      const src = members(x, 'source');
      const got = src.join() === 'any' ? ['any'] : [...new Set(src.flatMap((m) => leaves(m)))].sort();
      if (got.join() !== wantSource.join()) say(`${x['@_name']}: source ${got.length} addresses, expected ${wantSource.length}`);
      if (x.action !== 'allow') say(`${x['@_name']}: action ${String(x.action)}`);
      if (members(x, 'application').join() !== 'any') say(`${x['@_name']}: application ${members(x, 'application').join()}`);
    }
    const l3 = mine.filter((x) => members(x, 'category').join() === 'any');
    const web = mine.filter((x) => members(x, 'category').join() !== 'any');
    // Lowercase: the core names a dropped service tag before the Service Tags file gives its spelling.
    const droppedSubjects = diag('FIDELITY_DROPPED').map((d) => String(d.params.subject).toLowerCase());
    for (const d of r.destinations) {
      const e = d.endpoint;
      const label = describeEndpoint(e);
      if (droppedSubjects.includes(label.toLowerCase()) || (e.kind === 'service-tag' && droppedSubjects.includes(`${e.tag}${e.region ? `.${e.region}` : ''}`.toLowerCase()))) continue;
      if (e.kind !== 'host' || e.match !== 'subdomains') {
        const want = e.kind === 'host' ? ([`fqdn:${e.name}`] as Leaf[]) : addressesOfEndpoint(e);
        for (const p of d.ports) {
          const ok = want.every((w) => l3.some((x) => members(x, 'destination').flatMap((m) => leaves(m)).includes(w) && covers(members(x, 'service'), p)));
          if (!ok) say(`${label} on ${p.transport}/${p.from}-${p.to} is not allowed`);
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
    // Nothing more than asked: destinations, URL entries and services all come from this requirement.
    const wanted = new Set(r.destinations.flatMap((d) => (d.endpoint.kind === 'host' && d.endpoint.match === 'subdomains' ? [] : addressesOfEndpoint(d.endpoint))));
    const wildcards = new Set(r.destinations.flatMap((d) => (d.endpoint.kind === 'host' && d.endpoint.match !== 'exact' ? [`*.${d.endpoint.name}/`] : [])));
    const ports = r.destinations.flatMap((d) => d.ports);
    for (const x of l3) for (const leaf of members(x, 'destination').flatMap((m) => leaves(m))) if (!wanted.has(leaf)) say(`${x['@_name']}: destination ${leaf} is not required`);
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
