import type { Diagnostic } from '../model/diagnostic.js';
import type { PortSpec } from '../model/requirement-set.js';
import type { ResolvedDestination, ResolvedEndpoint, ResolvedRequirement, ResolvedRequirementSet } from '../model/resolved.js';
import type { Emitter, Feature, Fidelity, FidelityTable } from './emitter.js';
import { features } from './emitter.js';
import { FwgenError } from '../model/diagnostic.js';
import { describeEndpoint } from '../model/describe.js';
import { comparePorts, formatPort } from '../model/port.js';
import { endpointKey, endpointSortKey } from '../expand/index.js';

export function endpointFeature(e: ResolvedEndpoint): Feature {
  switch (e.kind) {
    case 'host':
      return e.match === 'exact' ? 'host-exact' : e.match === 'subdomains' ? 'host-subdomains' : e.match === 'label-wildcard' ? 'host-label-wildcard' : 'host-apex-and-subdomains';
    case 'cidr':
      return 'cidr';
    case 'service-tag':
      return 'service-tag';
    case 'group':
      return e.cidrs ? 'group-destination' : 'group-destination-unbound';
  }
}

export function sourceFeature(e: ResolvedEndpoint): Feature {
  if (e.kind === 'group') return e.cidrs ? 'source-group' : 'source-group-unbound';
  return e.kind === 'service-tag' ? 'source-service-tag' : 'source-cidr';
}

export function portFeature(p: PortSpec): Feature {
  if (p.transport === 'any') return 'all-traffic';
  if (p.transport === 'udp') return 'port-udp';
  if (p.protocol === 'http') return 'port-http';
  if (p.protocol === 'https') return 'port-https';
  if (p.protocol === 'ssh') return 'port-ssh';
  return 'port-tcp';
}


/** Where a requirement's features meet the target's table: what to keep, and the diagnostics that say what changed. */
export interface FidelityOutcome {
  set: ResolvedRequirementSet;
  diagnostics: Diagnostic[];
}

export function resolveFidelity(emitter: Emitter, options: Record<string, unknown>): FidelityTable {
  const table = typeof emitter.fidelity === 'function' ? emitter.fidelity(options as never) : emitter.fidelity;
  checkTable(emitter.id, table);
  if (HOST_FORMS.every((f) => table[f] !== undefined)) return table;
  // A plugin written before these host forms existed sees them only in the forms it knows, widened and said so.
  const fill = Object.fromEntries(HOST_FORMS.filter((f) => table[f] === undefined).map((f) => [f, UNDECLARED]));
  return { ...table, ...fill };
}

const HOST_FORMS = ['host-label-wildcard', 'host-path-http', 'host-path-tls'] as const satisfies readonly Feature[];
const LEVELS = new Set(['exact', 'widen', 'narrow', 'drop', 'error']);

/**
 * A third-party table must say what the target does with every feature but the newer host forms: a missing or
 * unknown entry would otherwise fail deep inside the core (a TypeError), or let a requirement through unexamined.
 */
function checkTable(id: string, table: FidelityTable | undefined): void {
  const bad = features.filter((f) => {
    if ((HOST_FORMS as readonly string[]).includes(f) && table?.[f] === undefined) return false;
    const entry = table?.[f] as { level?: unknown; note?: unknown } | undefined;
    return !entry || !LEVELS.has(entry.level as string) || (entry.level !== 'exact' && typeof entry.note !== 'string');
  });
  if (bad.length === 0) return;
  throw new FwgenError([
    {
      code: 'EMIT_UNKNOWN_TARGET',
      severity: 'error',
      message: `emitter ${id}'s fidelity table does not say how it handles: ${bad.join(', ')}`,
      hint: "give each feature { level: 'exact' } or { level: 'widen' | 'narrow' | 'drop' | 'error', note: '...' }; allExact() and addressOnlyFidelity() are starting points",
      target: id,
      params: { features: bad },
    },
  ]);
}
const UNDECLARED: Fidelity = {
  level: 'widen',
  note: 'the target does not declare how it matches this form, so it is given the wider form it knows (*.name, or the host without its path)',
  hint: 'the target\'s author can declare host-label-wildcard, host-path-http and host-path-tls in its fidelity table',
};

/**
 * Applies a target's fidelity table: removes what it drops (using the vendor's address form instead where the target
 * can), and raises one diagnostic per requirement, endpoint and kind of change. Pure; `set` is not changed.
 */
export function applyFidelity(set: ResolvedRequirementSet, emitter: Emitter, table: FidelityTable): FidelityOutcome {
  const diagnostics: Diagnostic[] = [];
  const requirements: ResolvedRequirement[] = [];
  for (const req of set.requirements) {
    const say = (f: Fidelity, subject: string, feature: Feature, span = req.span, endpoint?: ResolvedEndpoint) => {
      if (f.level === 'exact') return;
      diagnostics.push(fidelityDiagnostic(emitter.id, req, withGroupHint(f, endpoint), subject, feature, span));
    };
    const direction = table[req.direction];
    if (direction.level === 'drop' || direction.level === 'error') {
      say(direction, `${req.direction} requirement`, req.direction);
      continue;
    }
    say(direction, `${req.direction} requirement`, req.direction);
    let sourcesDropped = false;
    for (const s of req.sources ?? []) {
      const f = table[sourceFeature(s)];
      say(f, `source ${describeEndpoint(s)}`, sourceFeature(s), req.span, s);
      if (f.level === 'drop' || f.level === 'error') sourcesDropped = true;
    }
    if (sourcesDropped) continue;
    if (allExact(destinationFeatures(req), table)) {
      requirements.push(req);
      continue;
    }
    const destinations: ResolvedDestination[] = [];
    const substitutes: ResolvedDestination[] = [];
    let lowered = false;
    for (const written of req.destinations) {
     for (const d of lowerHostForm(written, table, (f, subject, feature) => say(f, subject, feature, written.span))) {
      if (d !== written) lowered = true;
      const ef = endpointFeature(d.endpoint);
      const endpointFidelity = table[ef];
      const isName = d.endpoint.kind === 'host';
      if ((endpointFidelity.level === 'drop' || endpointFidelity.level === 'error') && isName && emitter.usesAlternatives && req.alternatives.length) {
        diagnostics.push({
          code: 'FIDELITY_WIDENED',
          severity: 'warning',
          message: `${describeEndpoint(d.endpoint)} is allowed through the vendor's address form ${req.alternatives.map(describeEndpoint).join(', ')}, which allows more than the name`,
          hint: 'use a target that matches names (squid, azure-firewall, cilium) to allow only the name',
          span: d.span,
          target: emitter.id,
          requirement: req.id,
          provenance: req.provenance,
          params: { from: describeEndpoint(d.endpoint), to: req.alternatives.map(describeEndpoint), feature: ef },
        });
        for (const alt of req.alternatives) substitutes.push({ ...d, endpoint: alt });
        continue;
      }
      if (endpointFidelity.level !== 'exact') say(endpointFidelity, describeEndpoint(d.endpoint), ef, d.span, d.endpoint);
      if (endpointFidelity.level === 'drop' || endpointFidelity.level === 'error') continue;
      // Most destinations have only exact ports: checked without allocating, as this runs once per destination and target.
      if (d.ports.every((p) => table[portFeature(p)].level === 'exact')) {
        destinations.push(d);
        continue;
      }
      const kept: PortSpec[] = [];
      const byLevel = new Map<Feature, { f: Fidelity; ports: PortSpec[] }>();
      for (const p of d.ports) {
        const pf = portFeature(p);
        const f = table[pf];
        if (f.level !== 'exact') {
          const entry = byLevel.get(pf) ?? { f, ports: [] };
          entry.ports.push(p);
          byLevel.set(pf, entry);
        }
        if (f.level !== 'drop' && f.level !== 'error') kept.push(p);
      }
      for (const [feature, { f, ports }] of byLevel) say(f, `${describeEndpoint(d.endpoint)} on ${ports.map(formatPort).join(', ')}`, feature, d.span);
      if (kept.length) destinations.push(kept.length === d.ports.length ? d : { ...d, ports: kept });
     }
    }
    for (const s of substitutes) {
      const f = table[endpointFeature(s.endpoint)];
      if (f.level === 'drop' || f.level === 'error') {
        say(f, describeEndpoint(s.endpoint), endpointFeature(s.endpoint), s.span);
        continue;
      }
      if (!destinations.some((d) => sameEndpoint(d.endpoint, s.endpoint) && samePorts(d.ports, s.ports))) destinations.push(s);
    }
    // Unchanged, the requirement itself goes on, so what later stages keep per destination list is kept for every target.
    const unchanged = destinations.length === req.destinations.length && destinations.every((d, i) => d === req.destinations[i]);
    if (unchanged) requirements.push(req);
    else if (destinations.length) requirements.push({ ...req, destinations: lowered ? mergeWidened(destinations) : destinations });
  }
  return { set: { ...set, requirements }, diagnostics };
}

const featuresOf = new WeakMap<ResolvedRequirement, Feature[]>();

/** Every endpoint and port feature among a requirement's destinations, found once and shared by every target. */
function destinationFeatures(req: ResolvedRequirement): Feature[] {
  let hit = featuresOf.get(req);
  if (!hit) {
    const found = new Set<Feature>();
    let lastPorts: unknown;
    for (const d of req.destinations) {
      found.add(endpointFeature(d.endpoint));
      if (d.endpoint.kind === 'host' && d.endpoint.path !== undefined) {
        for (const p of d.ports) found.add(portFeature(p) === 'port-http' ? 'host-path-http' : 'host-path-tls');
      }
      // A row's destinations share one port list.
      if (d.ports === lastPorts) continue;
      lastPorts = d.ports;
      for (const p of d.ports) found.add(portFeature(p));
    }
    featuresOf.set(req, (hit = [...found]));
  }
  return hit;
}

function allExact(features: readonly Feature[], table: FidelityTable): boolean {
  for (const f of features) if (table[f].level !== 'exact') return false;
  return true;
}

function sameEndpoint(a: ResolvedEndpoint, b: ResolvedEndpoint): boolean {
  return describeEndpoint(a) === describeEndpoint(b) && a.kind === b.kind;
}

function samePorts(a: PortSpec[], b: PortSpec[]): boolean {
  return a.map(formatPort).join() === b.map(formatPort).join();
}

function fidelityDiagnostic(target: string, req: ResolvedRequirement, f: Exclude<Fidelity, { level: 'exact' }>, subject: string, feature: Feature, span = req.span): Diagnostic {
  const unbound = feature === 'source-group-unbound' || feature === 'group-destination-unbound';
  const code = f.level === 'widen' ? 'FIDELITY_WIDENED' : f.level === 'narrow' ? 'FIDELITY_NARROWED' : f.level === 'drop' ? 'FIDELITY_DROPPED' : unbound ? 'EXPAND_UNBOUND_GROUP' : 'FIDELITY_DROPPED';
  const verb = f.level === 'widen' ? 'widened' : f.level === 'narrow' ? 'narrowed' : f.level === 'drop' ? 'dropped' : 'cannot be emitted';
  return {
    code,
    severity: f.level === 'error' ? 'error' : 'warning',
    message: `${req.id}: ${subject} ${verb}: ${f.note}`,
    ...(f.hint ? { hint: f.hint } : {}),
    span,
    target,
    requirement: req.id,
    provenance: req.provenance,
    params: { feature, level: f.level, subject },
  };
}

/** For an unbound group, the hint names the exact flag: `--bind all-kubernetes-nodes=CIDR,...`. */
function withGroupHint(f: Exclude<Fidelity, { level: 'exact' }>, endpoint: ResolvedEndpoint | undefined): Exclude<Fidelity, { level: 'exact' }> {
  if (endpoint?.kind !== 'group' || endpoint.cidrs) return f;
  const id = endpoint.group.slice(endpoint.group.indexOf('/') + 1);
  return { ...f, hint: `bind the group to its addresses: --bind ${id}=CIDR[,CIDR...]` };
}

type Say = (f: Fidelity, subject: string, feature: Feature) => void;
type HostEndpoint = Extract<ResolvedEndpoint, { kind: 'host' }>;

/**
 * A host with a path or a partial-label wildcard, in the forms the target can say: the path is kept on the ports whose
 * class (plain HTTP, or HTTPS and other TCP, where the path is inside TLS) the target matches by path and removed on
 * the others; a wildcard label the target cannot say becomes `*.` the rest. Each change is said. A form whose name the
 * target drops altogether is left as written, for the drop (or the vendor's address form) that follows.
 */
function lowerHostForm(d: ResolvedDestination, table: FidelityTable, say: Say): ResolvedDestination[] {
  const e = d.endpoint;
  if (e.kind !== 'host' || (e.path === undefined && e.match !== 'label-wildcard')) return [d];
  const base = table[endpointFeature(e)];
  if (base.level === 'drop' || base.level === 'error') return [d];
  const out: ResolvedDestination[] = [];
  for (const piece of e.path === undefined ? [d] : lowerPath(d, e, table, say)) {
    const pe = piece.endpoint as HostEndpoint;
    const f = table['host-label-wildcard'];
    if (pe.match !== 'label-wildcard' || f.level === 'exact') {
      out.push(piece);
      continue;
    }
    const { label: _label, ...rest } = pe;
    const widened: HostEndpoint = { ...rest, match: 'subdomains' };
    say(f, `${describeEndpoint(pe)} (to ${describeEndpoint(widened)})`, 'host-label-wildcard');
    out.push({ ...piece, endpoint: widened });
  }
  return out;
}

function lowerPath(d: ResolvedDestination, e: HostEndpoint, table: FidelityTable, say: Say): ResolvedDestination[] {
  const { path: _path, ...bare } = e;
  const out: ResolvedDestination[] = [];
  const classes: [Feature, PortSpec[]][] = [
    ['host-path-http', d.ports.filter((p) => portFeature(p) === 'port-http')],
    ['host-path-tls', d.ports.filter((p) => portFeature(p) !== 'port-http')],
  ];
  for (const [feature, ports] of classes) {
    if (ports.length === 0) continue;
    const f = table[feature];
    const whole = ports.length === d.ports.length;
    if (f.level === 'exact') {
      out.push(whole ? d : { ...d, ports });
      continue;
    }
    say(f, `${describeEndpoint(e)} on ${ports.map(formatPort).join(', ')}${f.level === 'widen' ? ` (to ${describeEndpoint(bare)})` : ''}`, feature);
    if (f.level === 'widen') out.push({ ...d, endpoint: bare, ports });
  }
  return out;
}

/** Destinations that widening made equal, as one: their ports and provenance joined, in canonical order. */
function mergeWidened(destinations: ResolvedDestination[]): ResolvedDestination[] {
  const byKey = new Map<string, ResolvedDestination>();
  for (const d of destinations) {
    const key = endpointKey(d.endpoint);
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, d);
      continue;
    }
    const ports = new Map([...seen.ports, ...d.ports].map((p) => [formatPort(p), p]));
    const provenance = [...new Set([...seen.provenance, ...d.provenance])];
    byKey.set(key, { ...seen, ports: [...ports.values()].sort(comparePorts), provenance });
  }
  return [...byKey.values()].sort((a, b) => (endpointSortKey(a.endpoint) < endpointSortKey(b.endpoint) ? -1 : 1));
}
