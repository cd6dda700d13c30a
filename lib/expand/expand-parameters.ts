import type { Diagnostic } from '../model/diagnostic.js';
import type { Condition, EndpointEntry, Parameter, Requirement, RequirementSet } from '../model/requirement-set.js';
import type { ResolvedDestination, ResolvedEndpoint, ResolvedRequirement } from '../model/resolved.js';
import { checkParameterValue, placeholders } from '../load/to-model.js';
import { checkFqdn } from '../model/fqdn.js';
import { cidrFamily } from '../model/cidr.js';
import type { FeedInfo } from '../model/resolved.js';
import type { FeedSources } from '../feeds/index.js';
import { resolveFeedEndpoint } from './resolve-feed.js';

export interface SetBinding {
  parameters: Record<string, string | string[]>;
  options: Record<string, string | boolean>;
  bindings: Record<string, string[]>;
  /** Loaded address feeds, for `addressFeed:` endpoints. */
  feeds?: FeedSources;
}

/** The values a requirement needs, and the rows that need each missing one. */
interface ExpandContext {
  set: RequirementSet;
  values: Map<string, string[]>;
  missing: Map<string, string[]>;
  diagnostics: Diagnostic[];
  /** The feed files `addressFeed:` endpoints were resolved from. */
  feedsUsed: Set<FeedInfo>;
}

/**
 * Binds one set's parameters and options: drops requirements and endpoints whose `when` does not hold,
 * substitutes placeholders (list parameters as a cross product) and checks the names that result.
 */
export function expandParameters(set: RequirementSet, binding: SetBinding): { requirements: ResolvedRequirement[]; diagnostics: Diagnostic[]; feeds: FeedInfo[] } {
  const ctx: ExpandContext = { set, values: new Map(), missing: new Map(), diagnostics: [], feedsUsed: new Set() };
  for (const p of set.parameters) {
    const given = binding.parameters[p.name] ?? p.default;
    if (given !== undefined) ctx.values.set(p.name, Array.isArray(given) ? given : [given]);
  }
  const holds = (cond: Condition | undefined) =>
    !cond || Object.entries(cond).every(([name, value]) => binding.options[name] === value);
  const requirements: ResolvedRequirement[] = [];
  for (const req of set.requirements) {
    if (!holds(req.when)) continue;
    const resolve = (entries: EndpointEntry[] | undefined) => (entries ?? []).filter((e) => holds(e.when)).flatMap((e) => resolveEndpoint(e, req, ctx, binding));
    // Every destination of a row shares its port and provenance lists: later stages copy before they change one.
    const ports = [...req.ports];
    const provenance = [req.provenance];
    const destinations: ResolvedDestination[] = [];
    for (const e of req.destinations) {
      if (!holds(e.when)) continue;
      // A CIDR, most of a big list, resolves to itself: no list of one is built for it.
      if (e.kind === 'cidr') destinations.push({ endpoint: cidrEndpoint(e), ports, provenance, span: e.span });
      else for (const endpoint of resolveEndpoint(e, req, ctx, binding)) destinations.push({ endpoint, ports, provenance, span: e.span });
    }
    if (destinations.length === 0) continue;
    const r: ResolvedRequirement = {
      id: `${set.id}/${req.id}`,
      set: set.id,
      direction: req.direction,
      destinations,
      alternatives: resolve(req.alternatives),
      provenance: req.provenance,
      span: req.span,
    };
    if (req.scenario !== undefined) r.scenario = req.scenario;
    if (req.purpose !== undefined) r.purpose = req.purpose;
    if (req.sources) r.sources = resolve(req.sources);
    if (req.allowBroad !== undefined) r.allowBroad = req.allowBroad;
    requirements.push(r);
  }
  for (const [name, reqIds] of ctx.missing) {
    const p = set.parameters.find((x) => x.name === name)!;
    const ids = [...new Set(reqIds)];
    ctx.diagnostics.push({
      code: 'EXPAND_MISSING_PARAMETER',
      severity: 'error',
      message: `parameter {${name}} of ${set.id} has no value; ${ids.length === 1 ? `requirement ${ids[0]} needs it` : `requirements ${ids.join(', ')} need it`}`,
      hint: `pass --param ${name}=${exampleValue(p)}${p.kind === 'enum' ? ` (one of: ${Object.entries(p.values ?? {}).map(([k, l]) => `${k} = ${l}`).join(', ')})` : ''}`,
      span: p.span,
      params: { parameter: name, set: set.id, requirements: ids },
    });
  }
  return { requirements, diagnostics: ctx.diagnostics, feeds: [...ctx.feedsUsed] };
}

function exampleValue(p: Parameter): string {
  if (p.kind === 'enum') return Object.keys(p.values ?? {})[0] ?? '<value>';
  if (p.kind === 'list') return '<value>,<value>';
  return '<value>';
}

/** Every substitution of a template's placeholders; an empty list parameter yields none. */
function substitute(template: string, values: Map<string, string[]>): string[] {
  let results = [template];
  for (const name of new Set(placeholders(template))) {
    const vals = values.get(name) ?? [];
    results = results.flatMap((t) => vals.map((v) => t.split(`{${name}}`).join(v)));
  }
  return results;
}

function cidrEndpoint(e: Extract<EndpointEntry, { kind: 'cidr' }>): ResolvedEndpoint {
  return { kind: 'cidr', cidr: e.cidr, family: cidrFamily(e.cidr) };
}

function resolveEndpoint(e: EndpointEntry, req: Requirement, ctx: ExpandContext, binding: SetBinding): ResolvedEndpoint[] {
  const template = e.kind === 'host' ? e.name : e.kind === 'service-tag' || e.kind === 'feed' ? e.region ?? '' : '';
  // A placeholder is `{name}`: most endpoints (every CIDR) have none, and skip the scan.
  const needed = template.includes('{') ? placeholders(template).filter((n) => !ctx.values.has(n)) : [];
  if (needed.length) {
    for (const n of needed) ctx.missing.set(n, [...(ctx.missing.get(n) ?? []), `${ctx.set.id}/${req.id}`]);
    return [];
  }
  switch (e.kind) {
    case 'cidr':
      return [cidrEndpoint(e)];
    case 'group': {
      const g = ctx.set.groups.find((x) => x.id === e.group)!;
      const cidrs = binding.bindings[e.group];
      return [{ kind: 'group', group: `${ctx.set.id}/${e.group}`, title: g.title, ...(cidrs ? { cidrs } : {}) }];
    }
    case 'service-tag':
      if (e.region === undefined) return [{ kind: 'service-tag', tag: e.tag }];
      return substitute(e.region, ctx.values).map((region) => ({ kind: 'service-tag' as const, tag: e.tag, region: region.toLowerCase() }));
    case 'feed': {
      const where = { requirement: `${ctx.set.id}/${req.id}`, span: e.span };
      if (e.region === undefined) return resolveFeedEndpoint(e, undefined, binding.feeds, where, ctx.diagnostics, ctx.feedsUsed);
      return substitute(e.region, ctx.values).flatMap((region) => resolveFeedEndpoint(e, region, binding.feeds, where, ctx.diagnostics, ctx.feedsUsed));
    }
    case 'host':
      return substitute(e.name, ctx.values).flatMap((name) => {
        // The base of a wildcard may be a single label ("*.io"): the over-broad check reports that, not the grammar.
        const r = checkFqdn(name, e.match === 'exact' && e.label === undefined);
        if (r.problems.length) {
          for (const p of r.problems) {
            ctx.diagnostics.push({
              code: 'EXPAND_FQDN',
              severity: 'error',
              message: `with the parameters given, "${e.name}" becomes an invalid name: ${p.message}`,
              hint: 'check the --param values',
              span: e.span,
              requirement: `${ctx.set.id}/${req.id}`,
              params: { template: e.name, value: name },
            });
          }
          return [];
        }
        return [{ kind: 'host' as const, name: r.name!, match: e.match, ...(e.label !== undefined ? { label: e.label } : {}), ...(e.path !== undefined ? { path: e.path } : {}) }];
      });
  }
}

/** Checks the values given for one set, by parameter kind. Returns why a value is wrong, keyed by parameter. */
export function checkParameterValues(set: RequirementSet, values: Record<string, string | string[]>): Map<string, string> {
  const bad = new Map<string, string>();
  for (const p of set.parameters) {
    const v = values[p.name];
    if (v === undefined) continue;
    const why = checkParameterValue(p, v);
    if (why) bad.set(p.name, why);
  }
  return bad;
}
