import type { Diagnostic } from '../model/diagnostic.js';
import type { SourceSpan } from '../model/requirement-set.js';
import type { ResolvedEndpoint, ResolvedRequirement, ResolvedRequirementSet } from '../model/resolved.js';
import { nearest } from '../model/nearest.js';
import { aggregatePrefixes } from '../model/aggregate.js';
import { tagPrefixes, type ServiceTag, type ServiceTagsData } from './service-tags.js';
import { pushAll } from '../model/array.js';

/** Tags already resolved per Service Tags file, so a project with many outputs aggregates each tag once. */
const resolvedByData = new WeakMap<ServiceTagsData, Map<string, ResolvedEndpoint>>();

/** Does the set name any service tag, as a destination, source or alternative? */
export function usesServiceTags(set: ResolvedRequirementSet): boolean {
  return set.requirements.some(requirementUsesTags);
}

// Kept per requirement: every target of a generate asks about the same requirements.
const usesTags = new WeakMap<ResolvedRequirement, boolean>();

function requirementUsesTags(r: ResolvedRequirement): boolean {
  let hit = usesTags.get(r);
  if (hit === undefined) {
    hit = r.destinations.some((d) => d.endpoint.kind === 'service-tag') || r.alternatives.some((e) => e.kind === 'service-tag') || (r.sources ?? []).some((e) => e.kind === 'service-tag');
    usesTags.set(r, hit);
  }
  return hit;
}

/**
 * Finds each service tag in a Service Tags file and attaches its aggregated prefixes. A regional tag is found by the
 * file's own `properties.region` (so `eastus` finds `AzureContainerRegistry.EastUS`), never by guessing capitalisation.
 */
export function resolveServiceTags(set: ResolvedRequirementSet, data: ServiceTagsData): { set?: ResolvedRequirementSet; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  let cache = resolvedByData.get(data);
  if (!cache) resolvedByData.set(data, (cache = new Map()));
  const byBase = new Map<string, ServiceTag[]>();
  for (const t of data.tags.values()) {
    if (!t.region) continue;
    const base = t.name.slice(0, t.name.lastIndexOf('.'));
    byBase.set(base, [...(byBase.get(base) ?? []), t]);
  }
  const resolveOne = (e: ResolvedEndpoint, req: ResolvedRequirement, span: SourceSpan): ResolvedEndpoint => {
    if (e.kind !== 'service-tag') return e;
    const key = `${e.tag}|${e.region ?? ''}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const problem = (code: 'TAGS_UNKNOWN' | 'TAGS_NO_REGION', message: string, hint: string) => {
      diagnostics.push({ code, severity: 'error', message: `${req.id}: ${message}`, hint, span, requirement: req.id, params: { tag: e.tag, region: e.region } });
      return e;
    };
    let tag: ServiceTag | undefined;
    if (e.region === undefined) {
      tag = data.tags.get(e.tag);
      if (!tag) {
        const near = nearest(e.tag, [...data.tags.keys()].filter((n) => !data.tags.get(n)!.region), 3);
        return problem('TAGS_UNKNOWN', `service tag ${e.tag} is not in ${data.info.file}`, near.length ? `did you mean ${near.join(' or ')}?` : 'check the tag name against the Service Tags file');
      }
    } else {
      const regional = byBase.get(e.tag) ?? [];
      tag = regional.find((t) => t.region === e.region);
      if (!tag) {
        if (!data.tags.has(e.tag) && regional.length === 0) {
          const near = nearest(e.tag, [...data.tags.keys()].filter((n) => !data.tags.get(n)!.region), 3);
          return problem('TAGS_UNKNOWN', `service tag ${e.tag} is not in ${data.info.file}`, near.length ? `did you mean ${near.join(' or ')}?` : 'check the tag name against the Service Tags file');
        }
        const regions = regional.map((t) => t.region).sort();
        const near = nearest(e.region, regions, 3);
        return problem(
          'TAGS_NO_REGION',
          `service tag ${e.tag} has no regional form for region "${e.region}" in ${data.info.file}`,
          regions.length
            ? `${near.length ? `did you mean ${near.join(' or ')}? ` : ''}${e.tag} exists in: ${regions.join(', ')}`
            : `${e.tag} has no regional forms; use the global tag`,
        );
      }
    }
    const prebuilt = data.aggregated?.(tag);
    if (prebuilt) {
      const resolved: ResolvedEndpoint = { ...e, resolvedName: tag.name, prefixes: prebuilt };
      cache.set(key, resolved);
      return resolved;
    }
    const { prefixes, diagnostics: bad } = tagPrefixes(tag, data.info.file);
    pushAll(diagnostics, bad);
    const resolved: ResolvedEndpoint = { ...e, resolvedName: tag.name, prefixes: aggregatePrefixes(prefixes) };
    // A tag with a bad prefix is reported every time it is used, never served from the cache.
    if (bad.length === 0) cache.set(key, resolved);
    return resolved;
  };
  const requirements = set.requirements.map((req) => ({
    ...req,
    destinations: req.destinations.map((d) => ({ ...d, endpoint: resolveOne(d.endpoint, req, d.span) })),
    alternatives: req.alternatives.map((a) => resolveOne(a, req, req.span)),
    ...(req.sources ? { sources: req.sources.map((s) => resolveOne(s, req, req.span)) } : {}),
  }));
  if (diagnostics.length) return { diagnostics };
  return { set: { ...set, requirements, serviceTags: data.info }, diagnostics };
}
