/** Runs an Azure target on built-in catalogs or files through the library, keeping what the semantic check needs. */
import { expect } from 'chai';
import { loadRequirementFile } from '../../../lib/load/index.js';
import { expand, type ExpandInput } from '../../../lib/expand/index.js';
import { catalogFile } from '../../../lib/catalogs/index.js';
import { getEmitter } from '../../../lib/emit/registry.js';
import { emitTarget } from '../../../lib/emit/run-emitter.js';
import type { EmitResult } from '../../../lib/emit/emitter.js';
import type { Diagnostic } from '../../../lib/model/diagnostic.js';
import type { ResolvedRequirementSet } from '../../../lib/model/resolved.js';
import { loadServiceTagsFile, resolveServiceTags, usesServiceTags, type ServiceTagsData } from '../../../lib/service-tags/index.js';

export interface CatalogCase {
  name: string;
  catalogs: string[];
  input?: ExpandInput;
}

const nodes = { 'all-kubernetes-nodes': ['10.1.0.0/16', 'fd00:1::/64'], 'installer-machine': '10.2.0.5/32', 'runai-system-nodes': '10.1.2.0/24', 'bcm-headnodes': '10.3.0.0/28' };

/** Every built-in catalog, with its parameters, its options on and off, and runai's groups bound and not. */
export const catalogCases: CatalogCase[] = [
  { name: 'mcr', catalogs: ['mcr'] },
  { name: 'mcr china', catalogs: ['mcr'], input: { options: { cloud: 'china' } } },
  { name: 'azure-arc-ml', catalogs: ['azure-arc-ml'], input: { params: { region: 'eastus', 'region-code': 'eus' } } },
  { name: 'runai unbound', catalogs: ['runai'], input: { params: { 'control-plane-fqdn': 'cp.example.com' } } },
  { name: 'runai bound', catalogs: ['runai'], input: { params: { 'control-plane-fqdn': 'cp.example.com' }, bind: nodes } },
  { name: 'acr', catalogs: ['acr'], input: { params: { registry: 'myreg', region: 'eastus' } } },
  {
    name: 'acr all options',
    catalogs: ['acr'],
    input: {
      params: { registry: 'myreg', region: 'eastus', 'replica-regions': ['westus', 'northeurope'] },
      options: { 'dedicated-data-endpoints': true, 'regional-endpoints': true, 'regional-service-tags': true },
    },
  },
  { name: 'acr regional tags', catalogs: ['acr'], input: { params: { registry: 'myreg', region: 'eastus' }, options: { 'regional-service-tags': true } } },
  { name: 'acr + mcr', catalogs: ['acr', 'mcr'], input: { params: { registry: 'myreg', region: 'eastus' } } },
];

let tags: ServiceTagsData | undefined;

export async function serviceTags(): Promise<ServiceTagsData> {
  if (!tags) {
    const r = await loadServiceTagsFile();
    expect(r.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
    tags = r.data!;
  }
  return tags;
}

export interface Run {
  /** The expanded set with service tags resolved (what the flows are computed from). */
  set: ResolvedRequirementSet;
  result: EmitResult;
  /** Diagnostics of loading and expanding, then the target's. */
  diagnostics: Diagnostic[];
}

export async function expandFiles(files: string[], input: ExpandInput = {}): Promise<{ set: ResolvedRequirementSet; diagnostics: Diagnostic[] }> {
  const loaded = await Promise.all(files.map((f) => loadRequirementFile(f)));
  const diagnostics = loaded.flatMap((l) => l.diagnostics);
  expect(diagnostics.filter((d) => d.severity === 'error'), 'loads').to.deep.equal([]);
  const expanded = expand(loaded.map((l) => l.set!), input);
  expect(expanded.diagnostics.filter((d) => d.severity === 'error'), 'expands').to.deep.equal([]);
  return { set: expanded.set!, diagnostics: [...diagnostics, ...expanded.diagnostics] };
}

export async function runSet(target: string, expanded: { set: ResolvedRequirementSet; diagnostics: Diagnostic[] }, targetOptions: Record<string, unknown> = {}): Promise<Run> {
  const emitter = await getEmitter(target);
  const data = await serviceTags();
  const result = emitTarget(expanded.set, emitter, targetOptions, { serviceTags: data });
  let set = expanded.set;
  if (usesServiceTags(set) && !result.diagnostics.some((d) => d.severity === 'error')) {
    const r = resolveServiceTags(set, data);
    expect(r.diagnostics).to.deep.equal([]);
    set = r.set!;
  }
  return { set, result, diagnostics: [...expanded.diagnostics, ...result.diagnostics] };
}

export async function runCase(target: string, c: CatalogCase, targetOptions: Record<string, unknown> = {}): Promise<Run> {
  return runSet(target, await expandFiles(c.catalogs.map((id) => catalogFile(id)!), c.input), targetOptions);
}

/** The one output file, parsed. */
export function templateOf(run: Run): Record<string, unknown> {
  expect(run.result.diagnostics.filter((d) => d.severity === 'error'), 'no errors').to.deep.equal([]);
  expect(run.result.files).to.have.length(1);
  return JSON.parse(run.result.files[0]!.contents) as Record<string, unknown>;
}

/**
 * The run wrote nothing because no requirement was left for the target (the core's or the emitter's refusal of an
 * allowlist that allows nothing), and that is its only error.
 */
export function nothingLeft(run: Run): boolean {
  const errors = run.result.diagnostics.filter((d) => d.severity === 'error');
  return run.result.files.length === 0 && errors.length === 1 && errors[0]!.code === 'FIDELITY_DROPPED' && errors[0]!.message.startsWith('no requirement is left');
}
