import type { Diagnostic } from '../model/diagnostic.js';
import { sortDiagnostics } from '../model/diagnostic.js';
import type { PortSpec, Provenance, RequirementSet } from '../model/requirement-set.js';
import type { FeedInfo, ResolvedDestination, ResolvedEndpoint, ResolvedRequirement, ResolvedRequirementSet, ResolvedSetInfo } from '../model/resolved.js';
import type { FeedSources } from '../feeds/index.js';
import { checkCidr } from '../model/cidr.js';
import { didYouMean } from '../model/nearest.js';
import { compareHosts, compareStrings, sortedOrder } from '../model/order.js';
import { comparePorts, formatPort } from '../model/port.js';
import { checkParameterValues, expandParameters } from './expand-parameters.js';
import { checkBroad } from './check-broad.js';
import { pushAll } from '../model/array.js';

/** Values for parameters, options and endpoint groups, as given on the command line or by a caller. */
export interface ExpandInput {
  /** `--param name=value`; a list parameter takes a list or a comma-separated string. */
  params?: Record<string, string | string[]>;
  /** `--option name=value`; booleans may be given as `true`/`false` strings. */
  options?: Record<string, string | boolean>;
  /** `--bind group=CIDR,...`: addresses for endpoint groups, by group id. */
  bind?: Record<string, string | string[]>;
  /** Loaded address feeds (`--feed aws=FILE`), for `addressFeed:` endpoints. */
  feeds?: FeedSources;
}

export interface ExpandResult {
  /** Present when there are no errors. */
  set?: ResolvedRequirementSet;
  diagnostics: Diagnostic[];
}

const usage = (code: Diagnostic['code'], message: string, hint?: string, params: Record<string, unknown> = {}): Diagnostic => ({
  code,
  severity: 'error',
  message,
  hint,
  params,
});

/**
 * Binds parameters, options and groups for one or more requirement sets, then merges them:
 * the same destination and port asked for twice is kept once, with both provenances.
 */
export function expand(sets: readonly RequirementSet[], input: ExpandInput = {}): ExpandResult {
  const diagnostics: Diagnostic[] = [];
  const ordered = [...sets].sort((a, b) => compareStrings(a.id, b.id));
  for (let i = 1; i < ordered.length; i++) {
    if (ordered[i]!.id === ordered[i - 1]!.id) {
      diagnostics.push(usage('EXPAND_DUPLICATE_SET', `requirement set "${ordered[i]!.id}" is given twice (${ordered[i - 1]!.file} and ${ordered[i]!.file})`, 'give each set its own id, or pass it once'));
    }
  }
  const params = input.params ?? {};
  const options = input.options ?? {};
  const bind = input.bind ?? {};
  checkNames('parameter', Object.keys(params), ordered.flatMap((s) => s.parameters.map((p) => p.name)), '--param', diagnostics);
  checkNames('option', Object.keys(options), ordered.flatMap((s) => s.options.map((o) => o.name)), '--option', diagnostics);
  checkNames('endpoint group', Object.keys(bind), ordered.flatMap((s) => s.groups.map((g) => g.id)), '--bind', diagnostics);
  const bindings = checkBindings(bind, diagnostics);

  const infos: ResolvedSetInfo[] = [];
  const feedsUsed = new Set<FeedInfo>();
  const requirements: ResolvedRequirement[] = [];
  for (const set of ordered) {
    const setParams: Record<string, string | string[]> = {};
    for (const p of set.parameters) {
      const v = params[p.name];
      if (v === undefined) continue;
      setParams[p.name] = p.kind === 'list' && typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter(Boolean) : v;
    }
    const badValues = checkParameterValues(set, setParams);
    for (const [name, why] of badValues) {
      diagnostics.push(usage('EXPAND_PARAMETER_VALUE', `--param ${name}: ${why}`, parameterHint(set, name), { parameter: name, set: set.id }));
    }
    const setOptions: Record<string, string | boolean> = {};
    for (const o of set.options) {
      const given = options[o.name];
      const value = given === undefined ? o.default : o.values ? String(given) : given === true || given === 'true' ? true : given === false || given === 'false' ? false : String(given);
      const ok = o.values ? typeof value === 'string' && o.values.includes(value) : typeof value === 'boolean';
      if (!ok) {
        const allowed = o.values ?? ['true', 'false'];
        diagnostics.push(usage('EXPAND_OPTION_VALUE', `--option ${o.name}: "${String(given)}" is not one of: ${allowed.join(', ')}`, `pass --option ${o.name}=${allowed[0]}`, { option: o.name }));
      }
      setOptions[o.name] = value;
    }
    const setBindings: Record<string, string[]> = {};
    for (const g of set.groups) if (bindings[g.id]) setBindings[g.id] = bindings[g.id]!;
    // With a bad value the names built from it would only repeat the same error.
    if (badValues.size === 0) {
      const r = expandParameters(set, { parameters: setParams, options: setOptions, bindings: setBindings, ...(input.feeds ? { feeds: input.feeds } : {}) });
      pushAll(diagnostics, r.diagnostics);
      for (const f of r.feeds) feedsUsed.add(f);
      pushAll(requirements, r.requirements);
    }
    const values: Record<string, string | string[]> = {};
    for (const p of set.parameters) {
      const v = setParams[p.name] ?? p.default;
      if (v !== undefined) values[p.name] = v;
    }
    const info: ResolvedSetInfo = { id: set.id, title: set.title, source: set.source, file: set.file, parameters: values, options: setOptions };
    if (set.vendor !== undefined) info.vendor = set.vendor;
    infos.push(info);
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics: sortDiagnostics(diagnostics) };
  const merged = mergeDuplicates(requirements);
  pushAll(diagnostics, checkBroad(merged));
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics: sortDiagnostics(diagnostics) };
  const feeds = [...feedsUsed].sort((a, b) => compareStrings(a.feed, b.feed));
  return { set: { sets: infos, requirements: merged, ...(feeds.length ? { feeds } : {}) }, diagnostics: sortDiagnostics(diagnostics) };
}

function parameterHint(set: RequirementSet, name: string): string | undefined {
  const p = set.parameters.find((x) => x.name === name);
  if (!p) return undefined;
  if (p.kind === 'enum') return `use one of: ${Object.keys(p.values ?? {}).join(', ')}`;
  if (p.kind === 'list') return `pass a comma-separated list, e.g. --param ${name}=westeurope,northeurope`;
  return p.description;
}

function checkNames(what: string, given: string[], known: string[], flag: string, diagnostics: Diagnostic[]): void {
  const set = new Set(known);
  for (const name of given) {
    if (set.has(name)) continue;
    const code = what === 'parameter' ? 'EXPAND_UNKNOWN_PARAMETER' : what === 'option' ? 'EXPAND_UNKNOWN_OPTION' : 'EXPAND_BIND';
    const hint = didYouMean(name, set) ?? (set.size ? `known: ${[...set].sort().join(', ')}` : `these requirements declare no ${what}s`);
    diagnostics.push(usage(code, `${flag} ${name}: no ${what} of that name`, hint, { name }));
  }
}

function checkBindings(bind: Record<string, string | string[]>, diagnostics: Diagnostic[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [group, raw] of Object.entries(bind)) {
    const items = (Array.isArray(raw) ? raw : raw.split(',')).map((x) => x.trim()).filter(Boolean);
    if (items.length === 0) diagnostics.push(usage('EXPAND_BIND', `--bind ${group}= gives no addresses`, `pass --bind ${group}=10.0.0.0/24,10.0.1.0/24`));
    const cidrs: string[] = [];
    for (const item of items) {
      const r = checkCidr(item);
      for (const p of r.problems) diagnostics.push(usage('EXPAND_BIND', `--bind ${group}: ${p.message}`, p.hint, p.params));
      if (r.cidr) cidrs.push(r.cidr);
    }
    out[group] = [...new Set(cidrs)].sort(compareStrings);
  }
  return out;
}

export function endpointKey(e: ResolvedEndpoint): string {
  switch (e.kind) {
    case 'host':
      return `host:${e.match}:${e.label !== undefined ? e.label + '.' : ''}${e.name}${e.path ?? ''}`;
    case 'cidr':
      return `cidr:${e.cidr}`;
    case 'service-tag':
      return `tag:${e.tag}${e.region ? '.' + e.region : ''}`;
    case 'group':
      return `group:${e.group}`;
  }
}

const KIND_ORDER: Record<ResolvedEndpoint['kind'], number> = { host: 0, cidr: 1, 'service-tag': 2, group: 3 };

export function compareEndpoints(a: ResolvedEndpoint, b: ResolvedEndpoint): number {
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  if (a.kind === 'host' && b.kind === 'host') {
    return compareHosts(a.name, b.name) || compareStrings(a.match, b.match) || compareStrings(a.label ?? '', b.label ?? '') || compareStrings(a.path ?? '', b.path ?? '');
  }
  return compareStrings(endpointKey(a), endpointKey(b));
}

/**
 * A string whose code-unit order is `compareEndpoints`' order, so a long list is sorted with one key per endpoint
 * rather than two keys built per comparison. `\0` sorts before every character of a name, as the end of a shorter
 * name does in `compareHosts`.
 */
export function endpointSortKey(e: ResolvedEndpoint): string {
  if (e.kind === 'host') {
    const base = `${KIND_ORDER.host}${e.name.split('.').reverse().join('.')}\0${e.match}`;
    return e.label === undefined && e.path === undefined ? base : `${base}\0${e.label ?? ''}\0${e.path ?? ''}`;
  }
  return `${KIND_ORDER[e.kind]}${endpointKey(e)}`;
}

function sortEndpoints<T>(items: T[], endpoint: (item: T) => ResolvedEndpoint): T[] {
  // Kinds are sorted apart, in KIND_ORDER. Within the CIDRs every sort key starts with the same `1cidr:`, so the CIDR
  // itself orders them, and 100,000 of them build no key.
  const parts = [0, 1, 2, 3].map(() => ({ keys: [] as string[], items: [] as T[] }));
  let sorted = true;
  let lastKind = -1;
  let lastKey = '';
  for (const item of items) {
    const e = endpoint(item);
    const kind = KIND_ORDER[e.kind];
    const key = e.kind === 'cidr' ? e.cidr : endpointSortKey(e);
    const part = parts[kind]!;
    part.keys.push(key);
    part.items.push(item);
    if (sorted && (lastKind > kind || (lastKind === kind && lastKey > key))) sorted = false;
    lastKind = kind;
    lastKey = key;
  }
  if (sorted) return items;
  const out: T[] = [];
  for (const { keys, items: of } of parts) {
    // Stable: endpoints with equal keys keep their input order.
    const order = sortedOrder(keys);
    for (let i = 0; i < order.length; i++) out.push(of[order[i]!]!);
  }
  return out;
}

/** A port list's keys and whether it is in canonical order, once per list: a row's destinations share one list. */
interface PortInfo {
  keys: string[];
  unique: boolean;
  /** Unique and in canonical order. */
  sorted: boolean;
}

function portInfoOf(cache: WeakMap<PortSpec[], PortInfo>, ports: PortSpec[]): PortInfo {
  let info = cache.get(ports);
  if (!info) {
    const keys = ports.map(formatPort);
    const unique = new Set(keys).size === keys.length;
    const sorted = unique && ports.every((p, i) => i === 0 || comparePorts(ports[i - 1]!, p) <= 0);
    cache.set(ports, (info = { keys, unique, sorted }));
  }
  return info;
}

/**
 * Keeps each (direction, sources, alternatives, destination, port) once, at its first requirement in canonical order
 * (sets by id, requirements in file order), and records the later rows as extra provenance. Alternatives are part of
 * the key: a name merged into a requirement without the vendor's address form would lose that form on targets that
 * match addresses only. The requirements are expandParameters' own, made for this call: their destinations may be
 * kept and changed.
 */
function mergeDuplicates(requirements: ResolvedRequirement[]): ResolvedRequirement[] {
  const contexts = new Map<string, Map<string, SeenEndpoint>>();
  // Port and provenance lists are shared with the input (and between a row's destinations) until one must change;
  // then it is copied, once. The few destinations with a list of their own are the ones recorded, not the 100,000
  // that share one.
  const provenanceSeen = new Map<ResolvedDestination, Set<Provenance>>();
  const ownPorts = new Set<ResolvedDestination>();
  const portInfo = new WeakMap<PortSpec[], PortInfo>();
  const fresh: number[] = [];
  const out: ResolvedRequirement[] = [];
  for (const req of requirements) {
    const sourcesKey = req.sources ? req.sources.map(endpointKey).sort().join(',') : '*';
    const alternativesKey = req.alternatives.map(endpointKey).sort().join(',');
    const contextKey = `${req.direction}|${sourcesKey}|${alternativesKey}`;
    let seen = contexts.get(contextKey);
    if (!seen) contexts.set(contextKey, (seen = new Map()));
    const kept: ResolvedDestination[] = [];
    for (const d of req.destinations) {
      const ek = mergeKey(d.endpoint);
      const info = portInfoOf(portInfo, d.ports);
      const entry = seen.get(ek);
      if (!entry) {
        // The common case: an endpoint not asked for before in this context; no map per port is built for it.
        // The destination expandParameters made for this merge, kept as it is when its ports need no change.
        const dest: ResolvedDestination = info.sorted ? d : { endpoint: d.endpoint, ports: [], provenance: d.provenance, span: d.span };
        if (!info.sorted) {
          ownPorts.add(dest);
          for (let i = 0; i < info.keys.length; i++) if (info.unique || info.keys.indexOf(info.keys[i]!) === i) dest.ports.push(d.ports[i]!);
        }
        seen.set(ek, { keys: info.keys, first: dest, byPort: undefined, requirement: req, dest });
        kept.push(dest);
        continue;
      }
      const byPort = (entry.byPort ??= new Map(entry.keys.map((k) => [k, entry.first])));
      fresh.length = 0;
      for (let i = 0; i < info.keys.length; i++) {
        const earlier = byPort.get(info.keys[i]!);
        if (!earlier) {
          if (info.unique || !fresh.some((j) => info.keys[j] === info.keys[i])) fresh.push(i);
          continue;
        }
        let known = provenanceSeen.get(earlier);
        if (!known) {
          provenanceSeen.set(earlier, (known = new Set(earlier.provenance)));
          earlier.provenance = [...earlier.provenance];
        }
        for (const p of d.provenance) {
          if (known.has(p)) continue;
          known.add(p);
          earlier.provenance.push(p);
        }
      }
      if (fresh.length === 0) continue;
      let dest = entry.requirement === req ? entry.dest : undefined;
      if (!dest) {
        dest = { endpoint: d.endpoint, ports: fresh.map((i) => d.ports[i]!), provenance: d.provenance, span: d.span };
        ownPorts.add(dest);
        entry.requirement = req;
        entry.dest = dest;
        kept.push(dest);
      } else {
        if (!ownPorts.has(dest)) {
          dest.ports = [...dest.ports];
          ownPorts.add(dest);
        }
        for (const i of fresh) dest.ports.push(d.ports[i]!);
      }
      // A port not seen in this context is one this destination does not have yet.
      for (const i of fresh) byPort.set(info.keys[i]!, dest);
    }
    if (kept.length === 0) continue;
    for (const d of kept) if (d.ports.length > 1 && ownPorts.has(d)) d.ports.sort(comparePorts);
    const alternatives = dedupeEndpoints(req.alternatives);
    out.push({ ...req, destinations: sortEndpoints(kept, (d) => d.endpoint), alternatives, ...(req.sources ? { sources: dedupeEndpoints(req.sources) } : {}) });
  }
  return out;
}

/**
 * endpointKey, but a CIDR is its own key: no other kind's key is made of hex digits, `.`, `:` and `/` only (they
 * start `host:`, `tag:`, `group:`), and 100,000 CIDRs then build no key to hash.
 */
function mergeKey(e: ResolvedEndpoint): string {
  return e.kind === 'cidr' ? e.cidr : endpointKey(e);
}

/** An endpoint's flows in one context: who has each port, built only once the endpoint is asked for again. */
interface SeenEndpoint {
  /** The port keys of the first destination, which has them all until `byPort` exists. */
  keys: string[];
  first: ResolvedDestination;
  byPort: Map<string, ResolvedDestination> | undefined;
  /** The latest requirement that kept this endpoint, and its destination there. */
  requirement: ResolvedRequirement;
  dest: ResolvedDestination;
}

function dedupeEndpoints(list: ResolvedEndpoint[]): ResolvedEndpoint[] {
  const map = new Map(list.map((e) => [endpointKey(e), e]));
  return sortEndpoints([...map.values()], (e) => e);
}
