/** Load, expand and emit for this target through the public API, keeping the expanded set for the semantic check. */
import type { Diagnostic, ExpandInput, ResolvedRequirementSet, ServiceTagsData } from 'fwgen';
import { catalogFile, emitTarget, expand, getEmitter, hasErrors, loadRequirementFile, loadServiceTagsFile, resolveServiceTags } from 'fwgen';

export const TARGET = 'k8s-networkpolicy';

export interface RunInput extends ExpandInput {
  catalogs?: string[];
  files?: string[];
  set?: Record<string, unknown>;
}

export interface RunOutput {
  text: string;
  diagnostics: Diagnostic[];
  /** The expanded set with every service tag resolved, before the target's fidelity table. */
  resolved: ResolvedRequirementSet;
}

let tags: ServiceTagsData | undefined;

export async function serviceTags(): Promise<ServiceTagsData> {
  if (tags) return tags;
  const r = await loadServiceTagsFile();
  if (!r.data) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  tags = r.data;
  return tags;
}

export async function run(input: RunInput): Promise<RunOutput> {
  const files = [...(input.catalogs ?? []).map((c) => catalogFile(c)!), ...(input.files ?? [])];
  const loaded = await Promise.all(files.map((f) => loadRequirementFile(f)));
  const problems = loaded.flatMap((l) => l.diagnostics).filter((d) => d.severity === 'error');
  if (problems.length) throw new Error(problems.map((d) => d.message).join('\n'));
  const expanded = expand(
    loaded.map((l) => l.set!),
    input,
  );
  if (!expanded.set || hasErrors(expanded.diagnostics)) throw new Error(expanded.diagnostics.map((d) => d.message).join('\n'));
  const data = await serviceTags();
  const result = emitTarget(expanded.set, await getEmitter(TARGET), input.set ?? {}, { serviceTags: data });
  if (hasErrors(result.diagnostics)) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
  const resolved = resolveServiceTags(expanded.set, data);
  if (!resolved.set) throw new Error(resolved.diagnostics.map((d) => d.message).join('\n'));
  return { text: result.files[0]!.contents, diagnostics: result.diagnostics, resolved: resolved.set };
}

/** The built-in catalogs with parameters, options and bindings that switch everything on. */
export const catalogCases: { name: string; input: RunInput }[] = [
  { name: 'mcr', input: { catalogs: ['mcr'] } },
  {
    name: 'runai (all groups bound)',
    input: {
      catalogs: ['runai'],
      params: { 'control-plane-fqdn': 'cp.example.com' },
      bind: { 'all-kubernetes-nodes': ['10.1.0.0/16', 'fd00:1::/64'], 'installer-machine': '192.0.2.10/32', 'runai-system-nodes': '10.1.2.0/24', 'bcm-headnodes': '10.1.3.0/28' },
      set: { 'pod-selector': 'app.kubernetes.io/part-of=runai' },
    },
  },
  { name: 'acr (global service tags)', input: { catalogs: ['acr'], params: { registry: 'myreg', region: 'eastus' } } },
  {
    name: 'acr (every option on)',
    input: {
      catalogs: ['acr'],
      params: { registry: 'myreg', region: 'eastus', 'replica-regions': ['westus', 'northeurope'] },
      options: { 'dedicated-data-endpoints': true, 'regional-endpoints': true, 'regional-service-tags': true },
      set: { namespace: 'registry-clients', 'allow-dns': false },
    },
  },
];
