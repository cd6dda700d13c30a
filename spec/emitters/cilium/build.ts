/** Loads, expands and emits in-process, keeping the expanded set (service tags resolved) for semantic checks. */
import { loadRequirementFile } from '../../../lib/load/index.js';
import { loadRequirementSet } from '../../../lib/load/load-text.js';
import { catalogFile } from '../../../lib/catalogs/index.js';
import { expand, type ExpandInput } from '../../../lib/expand/index.js';
import { getEmitter } from '../../../lib/emit/registry.js';
import { emitTarget } from '../../../lib/emit/run-emitter.js';
import { loadServiceTagsFile, resolveServiceTags, type ServiceTagsData } from '../../../lib/service-tags/index.js';
import type { EmitResult } from '../../../lib/emit/emitter.js';
import type { ResolvedRequirementSet } from '../../../lib/model/resolved.js';
import type { RequirementSet } from '../../../lib/model/requirement-set.js';

let tags: ServiceTagsData | undefined;

export async function serviceTags(): Promise<ServiceTagsData> {
  if (tags) return tags;
  const r = await loadServiceTagsFile();
  if (!r.data) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  tags = r.data;
  return tags;
}

export interface Built {
  /** Expanded, with service tags resolved to prefixes (as the emitter sees them before fidelity). */
  set: ResolvedRequirementSet;
  result: EmitResult;
}

export async function emitSets(target: string, sets: RequirementSet[], input: ExpandInput, options: Record<string, unknown> = {}): Promise<Built> {
  const expanded = expand(sets, input);
  if (!expanded.set) throw new Error(expanded.diagnostics.map((d) => d.message).join('\n'));
  const data = await serviceTags();
  const resolved = resolveServiceTags(expanded.set, data);
  if (!resolved.set) throw new Error(resolved.diagnostics.map((d) => d.message).join('\n'));
  const result = emitTarget(expanded.set, await getEmitter(target), options, { serviceTags: data });
  return { set: resolved.set, result };
}

export async function emitCatalog(target: string, catalog: string, input: ExpandInput = {}, options: Record<string, unknown> = {}): Promise<Built> {
  const file = catalogFile(catalog);
  if (!file) throw new Error(`no catalog ${catalog}`);
  const loaded = await loadRequirementFile(file);
  if (!loaded.set) throw new Error(loaded.diagnostics.map((d) => d.message).join('\n'));
  return emitSets(target, [loaded.set], input, options);
}

export async function emitText(target: string, text: string, input: ExpandInput = {}, options: Record<string, unknown> = {}): Promise<Built> {
  const loaded = loadRequirementSet(text, 'input.yaml');
  if (!loaded.set) throw new Error(loaded.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  return emitSets(target, [loaded.set], input, options);
}

/** The built-in catalogs with the parameters, binds and options that exercise them fully. */
export const CATALOG_CASES: { name: string; catalog: string; input: ExpandInput }[] = [
  { name: 'mcr', catalog: 'mcr', input: {} },
  { name: 'azure-arc-ml', catalog: 'azure-arc-ml', input: { params: { region: 'eastus', 'region-code': 'eus' } } },
  {
    name: 'runai (all groups bound)',
    catalog: 'runai',
    input: {
      params: { 'control-plane-fqdn': 'cp.example.com' },
      bind: { 'all-kubernetes-nodes': ['10.0.0.0/16', 'fd00:10::/64'], 'installer-machine': '192.168.1.10/32', 'runai-system-nodes': '10.0.1.0/24', 'bcm-headnodes': '10.0.2.0/28' },
    },
  },
  { name: 'runai (no groups bound)', catalog: 'runai', input: { params: { 'control-plane-fqdn': 'cp.example.com' } } },
  {
    name: 'acr (every option on)',
    catalog: 'acr',
    input: {
      params: { registry: 'myreg', region: 'eastus', 'replica-regions': ['westus', 'northeurope'] },
      options: { 'dedicated-data-endpoints': true, 'regional-endpoints': true, 'regional-service-tags': true },
    },
  },
];

/**
 * Whether a result says that nothing is left to allow: the core refuses to write an allowlist that allows nothing
 * (an error naming the count), or, where it does not, the emitter writes a file without rules.
 */
export function nothingLeft(b: Built): boolean {
  if (b.result.files.length === 0) return b.result.diagnostics.some((d) => d.severity === 'error' && d.code === 'FIDELITY_DROPPED' && /no requirement is left/.test(d.message));
  return false;
}
