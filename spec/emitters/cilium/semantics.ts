/**
 * Reads a Cilium policy (or the objects it was split into, which add up) back and compares what it allows with what
 * the requirements ask for. Every difference must be one a diagnostic announced: a narrowed wildcard (one label
 * instead of any depth), a dropped endpoint or source, or protected systems replaced by the policy's selector.
 * Addresses are compared as sets: per requirement, direction and port, the minimal prefixes (computed by the
 * independent reference, spec/helpers/reference-prefixes.ts) of what the rules allow and of what is asked for must be
 * the same, however the policy aggregates or splits them.
 */
import type { Diagnostic } from '../../../lib/model/diagnostic.js';
import type { ResolvedEndpoint, ResolvedRequirement, ResolvedRequirementSet } from '../../../lib/model/resolved.js';
import type { PortSpec } from '../../../lib/model/requirement-set.js';
import { describeEndpoint } from '../../../lib/model/describe.js';
import { fqdnMatches, portAllowed, type Policy, type Rule, type Selector, type Spec } from './check.js';
import { referenceMinimal } from '../../helpers/reference-prefixes.js';

export interface SemanticOptions {
  selector?: Record<string, string>;
  groupLabel?: string;
  doubleStar?: boolean;
  dnsLookups?: 'required' | 'all';
}

export interface SemanticReport {
  problems: string[];
  /** Requirements found in the policy, and ones dropped with a diagnostic. */
  present: string[];
  dropped: string[];
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function checkSemantics(set: ResolvedRequirementSet, policy: Policy | readonly Policy[] | undefined, diagnostics: readonly Diagnostic[], o: SemanticOptions = {}): SemanticReport {
  const problems: string[] = [];
  const present: string[] = [];
  const dropped: string[] = [];
  const policies: readonly Policy[] = policy === undefined ? [] : Array.isArray(policy) ? policy : [policy as Policy];
  const specs = policies.flatMap((p) => p.specs ?? []);
  const dnsSpecs = specs.filter((s) => s.description.startsWith('DNS lookups'));
  const claimed = new Set<Spec>(dnsSpecs);
  const diags = (req: string, code: string) => diagnostics.filter((d) => d.requirement === req && d.code === code);
  const droppedSubject = (req: string, subject: string) => diags(req, 'FIDELITY_DROPPED').some((d) => d.params.subject === subject || d.params.subject === `source ${subject}`);

  // Specs by the requirement id their description starts with (`id: purpose (...)` or `id (...)`).
  const byId = new Map<string, Spec[]>();
  for (const s of specs) {
    const id = /^([^ :]+)[: ]/.exec(s.description)?.[1];
    if (id !== undefined) byId.set(id, [...(byId.get(id) ?? []), s]);
  }
  for (const r of set.requirements) {
    const mine = (byId.get(r.id) ?? []).filter((s) => new RegExp(`^${escapeRe(r.id)}[: ]`).test(s.description));
    mine.forEach((s) => claimed.add(s));
    const wholeDrop = diags(r.id, 'FIDELITY_DROPPED').some((d) => d.params.subject === `${r.direction} requirement`);
    if (mine.length === 0) {
      if (diags(r.id, 'FIDELITY_DROPPED').length === 0) problems.push(`${r.id}: missing from the policy without a FIDELITY_DROPPED diagnostic`);
      dropped.push(r.id);
      continue;
    }
    if (wholeDrop) problems.push(`${r.id}: dropped by a diagnostic but present`);
    present.push(r.id);
    const say = (m: string) => problems.push(`${r.id}: ${m}`);

    if (r.direction !== 'inbound') {
      const egressSpecs = mine.filter((s) => s.egress);
      checkProtected(r, r.sources ?? [], 'source', egressSpecs, diagnostics, o, say);
      const rules = egressSpecs.flatMap((s) => s.egress!.map((rule) => ({ rule, spec: s })));
      for (const d of r.destinations) {
        if (isAddressed(d.endpoint)) continue;
        if (droppedSubject(r.id, describeEndpoint(d.endpoint))) {
          if (allowsEndpoint(rules.map((x) => x.rule), d.endpoint, o)) say(`${describeEndpoint(d.endpoint)} is dropped by a diagnostic but allowed`);
          continue;
        }
        for (const p of d.ports) checkEgress(r, d.endpoint, p, rules, dnsSpecs, diagnostics, o, say);
      }
      const asked = r.destinations.filter((d) => isAddressed(d.endpoint) && !droppedSubject(r.id, describeEndpoint(d.endpoint)));
      compareAddresses(
        'egress',
        asked.map((d) => ({ cidrs: addressesOf(d.endpoint), ports: d.ports })),
        rules.map((x) => x.rule).filter((x) => x.toCIDRSet),
        (x) => x.toCIDRSet!.map((c) => c.cidr),
        say,
      );
      // Nothing more: every peer in these rules belongs to a destination, on one of its ports.
      for (const { rule } of rules) {
        for (const f of rule.toFQDNs ?? []) {
          const host = 'matchName' in f ? f.matchName : f.matchPattern.replace(/^\*+\./, '');
          const d = r.destinations.find((x) => x.endpoint.kind === 'host' && x.endpoint.name === host && ('matchName' in f ? x.endpoint.match !== 'subdomains' : x.endpoint.match !== 'exact'));
          if (!d) say(`toFQDNs ${JSON.stringify(f)} is not a destination`);
          else extraPorts(rule, d.ports, say);
        }
        for (const sel of rule.toEndpoints ?? []) {
          for (const g of selectorGroups(sel, o)) if (!r.destinations.some((x) => x.endpoint.kind === 'group' && !x.endpoint.cidrs && groupId(x.endpoint) === g)) say(`toEndpoints group ${g} is not a destination`);
        }
      }
    }
    if (r.direction !== 'outbound') {
      const ingressSpecs = mine.filter((s) => s.ingress);
      checkProtected(r, r.destinations.map((d) => d.endpoint), 'destination', ingressSpecs, diagnostics, o, say);
      const rules = ingressSpecs.flatMap((s) => s.ingress!);
      const ports = r.destinations.flatMap((d) => d.ports);
      if (!r.sources) {
        if (!rules.every((x) => x.fromEntities?.join() === 'all')) say('no sources, but the ingress rules are not fromEntities [all]');
      } else {
        for (const s of r.sources) {
          if (s.kind === 'host') {
            if (!droppedSubject(r.id, s.name)) say(`source ${s.name} neither matched nor dropped`);
            continue;
          }
          if (isAddressed(s)) continue;
          for (const p of ports) {
            const ok = rules.some((x) => ingressAllows(x, s, o) && portOk(x, p));
            if (!ok) say(`ingress from ${describeEndpoint(s)} on ${p.transport}/${p.from} is not allowed`);
          }
        }
        const sourceCidrs = r.sources.filter(isAddressed).flatMap(addressesOf);
        compareAddresses(
          'ingress',
          sourceCidrs.length ? r.destinations.map((d) => ({ cidrs: sourceCidrs, ports: d.ports })) : [],
          rules.filter((x) => x.fromCIDRSet),
          (x) => x.fromCIDRSet!.map((c) => c.cidr),
          say,
        );
        for (const x of rules) extraPorts(x, ports, say);
      }
    }
  }
  for (const s of specs) if (!claimed.has(s)) problems.push(`spec "${s.description}" belongs to no requirement`);
  // Every DNS spec serves a selector that has toFQDNs rules, and (unless dns-lookups=all) the DNS specs of a selector,
  // in whichever objects, look up exactly the names its toFQDNs rules need.
  const dnsBySelector = new Map<string, Spec[]>();
  for (const d of dnsSpecs) {
    const sel = JSON.stringify(d.endpointSelector);
    dnsBySelector.set(sel, [...(dnsBySelector.get(sel) ?? []), d]);
  }
  for (const [sel, group] of dnsBySelector) {
    const fqdnRules = specs.filter((s) => !dnsSpecs.includes(s) && JSON.stringify(s.endpointSelector) === sel).flatMap((s) => s.egress ?? []).filter((x) => x.toFQDNs);
    if (fqdnRules.length === 0) problems.push(`DNS spec for ${sel} serves no toFQDNs rule`);
    const dns = group.flatMap((d) => d.egress?.[0]?.toPorts?.[0]?.rules?.dns ?? []);
    if (o.dnsLookups !== 'all') {
      const want = new Set(fqdnRules.flatMap((x) => x.toFQDNs!.map((f) => JSON.stringify(f))));
      const got = new Set(dns.map((f) => JSON.stringify(f)));
      if ([...want].sort().join() !== [...got].sort().join()) problems.push(`DNS spec for ${sel} looks up ${[...got].join(' ')}, the rules need ${[...want].join(' ')}`);
    }
  }
  return { problems, present, dropped };
}

function isAddressed(e: ResolvedEndpoint): boolean {
  return e.kind === 'cidr' || e.kind === 'service-tag' || (e.kind === 'group' && e.cidrs !== undefined);
}

/** A port range (or every port of every protocol) that rules and requirements are compared on. */
interface Atom {
  key: string;
  spec: PortSpec;
}

function atomsOf(ports: readonly PortSpec[]): Atom[] {
  return ports.map((p) => ({ key: p.transport === 'any' ? 'any' : `${p.transport} ${p.from}-${p.to}`, spec: p }));
}

function ruleAtoms(rule: Rule): Atom[] {
  if (!rule.toPorts) return atomsOf([{ transport: 'any', from: 1, to: 65535, protocol: 'any' }]);
  return rule.toPorts.flatMap((tp) =>
    tp.ports.map((e) => {
      const from = e.port === '0' ? 1 : Number(e.port);
      const to = e.port === '0' ? 65535 : e.endPort ?? from;
      const transport = e.protocol === 'UDP' ? ('udp' as const) : ('tcp' as const);
      return { key: `${transport} ${from}-${to}`, spec: { transport, from, to, protocol: 'any' as const } };
    }),
  );
}

/** Whether a required port covers the atom: the same protocol and range within, or all traffic. */
function covers(q: PortSpec, a: PortSpec): boolean {
  if (q.transport === 'any') return true;
  return a.transport === q.transport && q.from <= a.from && a.to <= q.to;
}

/**
 * For every port atom (each required port, and each port entry the rules write), the addresses asked for on it and
 * the addresses the rules allow on it must be the same set of addresses.
 */
function compareAddresses(dir: string, asked: { cidrs: string[]; ports: readonly PortSpec[] }[], rules: Rule[], cidrsOf: (r: Rule) => string[], say: (m: string) => void): void {
  const atoms = new Map<string, PortSpec>();
  for (const a of asked) for (const x of atomsOf(a.ports)) atoms.set(x.key, x.spec);
  for (const r of rules) for (const x of ruleAtoms(r)) atoms.set(x.key, x.spec);
  for (const [key, atom] of atoms) {
    const want = referenceMinimal(asked.filter((a) => a.ports.some((q) => covers(q, atom))).flatMap((a) => a.cidrs));
    const got = referenceMinimal(rules.filter((r) => portOk(r, atom)).flatMap(cidrsOf));
    if (want.join() !== got.join()) {
      const w = new Set(want);
      const g = new Set(got);
      say(`${dir} on ${key}: allowed addresses differ from those asked for (missing ${want.filter((x) => !g.has(x)).slice(0, 3).join(' ')}; extra ${got.filter((x) => !w.has(x)).slice(0, 3).join(' ')})`);
    }
  }
}

function groupId(e: ResolvedEndpoint): string {
  return e.kind === 'group' ? e.group.slice(e.group.indexOf('/') + 1) : '';
}

function addressesOf(e: ResolvedEndpoint): string[] {
  return e.kind === 'cidr' ? [e.cidr] : e.kind === 'group' ? e.cidrs ?? [] : e.kind === 'service-tag' ? e.prefixes ?? [] : [];
}

function selectorGroups(sel: Selector, o: SemanticOptions): string[] {
  return (sel.matchExpressions ?? []).filter((m) => m.key === o.groupLabel && m.operator === 'In').flatMap((m) => m.values);
}

function portOk(rule: Rule, p: PortSpec): boolean {
  if (p.transport === 'any') return rule.toPorts === undefined;
  const proto = p.transport === 'udp' ? 'UDP' : 'TCP';
  return portAllowed(rule.toPorts, proto, p.from) && portAllowed(rule.toPorts, proto, p.to) && portAllowed(rule.toPorts, proto, Math.floor((p.from + p.to) / 2));
}

/** Each port entry of the rule lies within a required port of the same protocol. */
function extraPorts(rule: Rule, required: readonly PortSpec[], say: (m: string) => void): void {
  if (!rule.toPorts) {
    if (!required.some((p) => p.transport === 'any')) say('a rule without toPorts (every port) where specific ports are required');
    return;
  }
  for (const tp of rule.toPorts) {
    for (const e of tp.ports) {
      const from = e.port === '0' ? 1 : Number(e.port);
      const to = e.port === '0' ? 65535 : e.endPort ?? from;
      const ok = required.some((p) => p.transport === 'any' || ((p.transport === 'udp' ? 'UDP' : 'TCP') === e.protocol && p.from <= from && to <= p.to));
      if (!ok) say(`port ${e.protocol}/${e.port}${e.endPort ? `-${e.endPort}` : ''} is not required`);
    }
  }
}

function allowsEndpoint(rules: Rule[], e: ResolvedEndpoint, o: SemanticOptions): boolean {
  if (e.kind === 'host') return rules.some((x) => (x.toFQDNs ?? []).some((f) => fqdnMatches(f, e.match === 'subdomains' ? `a.${e.name}` : e.name)));
  if (e.kind === 'group' && !e.cidrs) return rules.some((x) => (x.toEndpoints ?? []).some((s) => selectorGroups(s, o).includes(groupId(e))));
  const cidrs = addressesOf(e);
  return rules.some((x) => (x.toCIDRSet ?? []).some((c) => cidrs.includes(c.cidr)));
}

function checkEgress(
  r: ResolvedRequirement,
  e: ResolvedEndpoint,
  p: PortSpec,
  rules: { rule: Rule; spec: Spec }[],
  dnsSpecs: Spec[],
  diagnostics: readonly Diagnostic[],
  o: SemanticOptions,
  say: (m: string) => void,
): void {
  const onPort = rules.filter((x) => portOk(x.rule, p));
  const where = `${describeEndpoint(e)} on ${p.transport}/${p.from}-${p.to}`;
  if (e.kind === 'host') {
    const allowed = (name: string) => onPort.some((x) => (x.rule.toFQDNs ?? []).some((f) => fqdnMatches(f, name)));
    const looked = (name: string) => onPort.some((x) => lookupAllowed(dnsSpecs, x.spec.endpointSelector, name));
    const must = e.match === 'subdomains' ? [`a.${e.name}`] : e.match === 'exact' ? [e.name] : [e.name, `a.${e.name}`];
    for (const n of must) {
      if (!allowed(n)) say(`${where}: ${n} is not allowed`);
      if (!looked(n)) say(`${where}: ${n} cannot be looked up`);
    }
    const deep = `a.b.${e.name}`;
    if (e.match !== 'exact') {
      const narrowed = diagnostics.some((d) => d.requirement === r.id && d.code === 'FIDELITY_NARROWED' && d.params.subject === describeEndpoint(e));
      if (o.doubleStar) {
        if (!allowed(deep)) say(`${where}: ${deep} is not allowed with double-star`);
        if (narrowed) say(`${where}: narrowed although double-star is on`);
      } else {
        if (allowed(deep)) say(`${where}: ${deep} is allowed by a one-label pattern?`);
        if (!narrowed) say(`${where}: ${deep} is not allowed, and no FIDELITY_NARROWED says so`);
      }
    }
    // What the requirement does not name stays closed (within this requirement's rules).
    const names = r.destinations.filter((d) => d.endpoint.kind === 'host').map((d) => d.endpoint as Extract<ResolvedEndpoint, { kind: 'host' }>);
    const covered = (n: string) => names.some((h) => (h.match !== 'subdomains' && h.name === n) || (h.match !== 'exact' && n.endsWith(`.${h.name}`)));
    for (const n of [`x${e.name}`, e.match === 'exact' ? `x.${e.name}` : '', e.match === 'subdomains' ? e.name : ''].filter(Boolean)) {
      if (!covered(n) && rules.some((x) => (x.rule.toFQDNs ?? []).some((f) => fqdnMatches(f, n)))) say(`${where}: ${n} is allowed but not required`);
    }
    return;
  }
  if (e.kind === 'group' && !e.cidrs) {
    if (!onPort.some((x) => (x.rule.toEndpoints ?? []).some((s) => selectorGroups(s, o).includes(groupId(e))))) say(`${where}: group not selected by label`);
    return;
  }
  throw new Error(`${where}: addresses are compared by compareAddresses`);
}

/** The DNS entries each endpoint selector may look up (port 53, UDP and TCP), indexed once per DNS spec list. */
const lookupIndex = new WeakMap<Spec[], Map<string, { names: Set<string>; patterns: Set<string>; other: ({ matchName: string } | { matchPattern: string })[] }>>();

function lookupAllowed(dnsSpecs: Spec[], selector: Selector, name: string): boolean {
  let index = lookupIndex.get(dnsSpecs);
  if (!index) {
    index = new Map();
    for (const s of dnsSpecs) {
      const key = JSON.stringify(s.endpointSelector);
      const entry = index.get(key) ?? { names: new Set(), patterns: new Set(), other: [] };
      index.set(key, entry);
      for (const x of s.egress ?? []) {
        if (!portAllowed(x.toPorts, 'UDP', 53) || !portAllowed(x.toPorts, 'TCP', 53)) continue;
        for (const tp of x.toPorts ?? []) {
          for (const f of tp.rules?.dns ?? []) {
            if ('matchName' in f) entry.names.add(f.matchName.toLowerCase().replace(/\.$/, ''));
            else if (/^\*{1,2}\.[a-z0-9.-]+$/.test(f.matchPattern)) entry.patterns.add(f.matchPattern);
            else entry.other.push(f);
          }
        }
      }
    }
    lookupIndex.set(dnsSpecs, index);
  }
  const entry = index.get(JSON.stringify(selector));
  if (!entry) return false;
  const n = name.toLowerCase().replace(/\.$/, '');
  if (entry.names.has(n)) return true;
  // `*.x`: one label before x; `**.x` (Cilium 1.19): one or more (what fqdnMatches says, without a regex per entry).
  const labels = n.split('.');
  if (labels.length > 1 && /^[-a-z0-9_]+$/.test(labels[0]!) && entry.patterns.has(`*.${labels.slice(1).join('.')}`)) return true;
  for (let i = 1; i < labels.length; i++) if (entry.patterns.has(`**.${labels.slice(i).join('.')}`)) return true;
  return entry.other.some((f) => fqdnMatches(f, name));
}

function ingressAllows(rule: Rule, s: ResolvedEndpoint, o: SemanticOptions): boolean {
  if (s.kind === 'group' && !s.cidrs) return (rule.fromEndpoints ?? []).some((sel) => selectorGroups(sel, o).includes(groupId(s)));
  const cidrs = addressesOf(s);
  return cidrs.length > 0 && cidrs.every((c) => (rule.fromCIDRSet ?? []).some((y) => y.cidr === c));
}

/** The protected side: a group-label selector for groups, else the policy's selector and a widening diagnostic. */
function checkProtected(r: ResolvedRequirement, side: readonly ResolvedEndpoint[], role: 'source' | 'destination', specs: Spec[], diagnostics: readonly Diagnostic[], o: SemanticOptions, say: (m: string) => void): void {
  const base = o.selector && Object.keys(o.selector).length ? o.selector : undefined;
  const widened = diagnostics.some((d) => d.requirement === r.id && d.code === 'FIDELITY_WIDENED' && String(d.params.subject).startsWith(role));
  for (const s of specs) {
    const labels = s.endpointSelector.matchLabels;
    if (JSON.stringify(labels) !== JSON.stringify(base)) say(`${role} selector ${JSON.stringify(labels)} is not the policy's selector ${JSON.stringify(base)}`);
  }
  if (side.length === 0) {
    if (specs.some((s) => s.endpointSelector.matchExpressions)) say(`no ${role}s named, but the selector narrows by group`);
    return;
  }
  if (o.groupLabel && side.every((e) => e.kind === 'group')) {
    const groups = side.map(groupId).sort();
    const got = [...new Set(specs.flatMap((s) => selectorGroups(s.endpointSelector, o)))].sort();
    if (groups.join() !== got.join()) say(`${role} groups ${groups.join()} selected as ${got.join()}`);
    if (widened) say(`${role} widened although selected by group label`);
  } else if (!widened) say(`${role} ${side.map(describeEndpoint).join(', ')} is replaced by the selector without a FIDELITY_WIDENED diagnostic`);
}
