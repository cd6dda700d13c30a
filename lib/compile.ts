import type { EmitResult, Emitter } from './emit/emitter.js';
import type { ExpandInput, ExpandResult } from './expand/index.js';
import type { LoadResult } from './load/index.js';
import type { Diagnostic } from './model/diagnostic.js';
import { FwgenError, hasErrors, sortDiagnostics } from './model/diagnostic.js';
import type { ResolvedRequirementSet } from './model/resolved.js';
import { expand } from './expand/index.js';
import { loadRequirementFile } from './load/index.js';
import { catalogFile, catalogIds } from './catalogs/index.js';
import { getEmitter } from './emit/registry.js';
import { emitTarget, needsServiceTags, type EmitEnvironment } from './emit/run-emitter.js';
import type { ServiceTagsData } from './service-tags/service-tags.js';
import { pushAll } from './model/array.js';

export interface CompileInput extends ExpandInput {
  /** Built-in catalog ids. */
  catalogs?: string[];
  /** Requirement files (YAML or JSON). */
  files?: string[];
  /** A target id (built-in or registered) or an emitter object. */
  target: string | Emitter;
  /** Target options, as `--set` would give them. */
  targetOptions?: Record<string, unknown>;
  /** A Service Tags file path, or parsed data; default: the snapshot shipped with fwgen. */
  serviceTags?: string | ServiceTagsData;
}

/**
 * Emits an expanded requirement set for a target given by id or as an emitter object.
 * Returns diagnostics rather than throwing for fidelity warnings; errors leave `files` empty.
 */
export async function emit(set: ResolvedRequirementSet, target: string | Emitter, targetOptions: Record<string, unknown> = {}, serviceTags?: string | ServiceTagsData): Promise<EmitResult> {
  const emitter = typeof target === 'string' ? await getEmitter(target) : target;
  const env: EmitEnvironment = {};
  if (needsServiceTags(set, emitter)) {
    if (typeof serviceTags === 'object') env.serviceTags = serviceTags;
    else {
      const { loadServiceTagsFile } = await import('./service-tags/index.js');
      const tags = await loadServiceTagsFile(serviceTags);
      if (!tags.data) return { files: [], diagnostics: tags.diagnostics };
      env.serviceTags = tags.data;
    }
  }
  return emitTarget(set, emitter, targetOptions, env);
}

/**
 * What `compile` keeps between calls that share inputs (the outputs of one fwgen.yaml): each file loaded once, each
 * set of files with the same parameters, options and bindings expanded once. Safe to share because the loaded and
 * expanded sets are never changed after they are built.
 */
export interface CompileCache {
  loaded: Map<string, Promise<LoadResult>>;
  expanded: Map<string, ExpandResult>;
}

export function newCompileCache(): CompileCache {
  return { loaded: new Map(), expanded: new Map() };
}

/**
 * Load, expand and emit in one call. Throws a FwgenError carrying every diagnostic when any is an error;
 * otherwise returns the files and the warnings.
 */
export async function compile(input: CompileInput, cache?: CompileCache): Promise<EmitResult> {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const id of input.catalogs ?? []) {
    const f = catalogFile(id);
    if (f) files.push(f);
    else diagnostics.push({ code: 'USAGE', severity: 'error', message: `no built-in catalog "${id}"`, hint: `built-in catalogs: ${catalogIds().join(', ')}`, params: { catalog: id } });
  }
  pushAll(files, input.files ?? []);
  const load = (f: string) => {
    if (!cache) return loadRequirementFile(f);
    let hit = cache.loaded.get(f);
    // Kept without its source map: every diagnostic that needs positions was made while loading, and the map of a
    // 100,000-line file is half of what the loaded set holds.
    if (!hit) cache.loaded.set(f, (hit = loadRequirementFile(f).then(({ sourceMap: _, ...rest }) => rest)));
    return hit;
  };
  const loaded = await Promise.all(files.map(load));
  pushAll(diagnostics, loaded.flatMap((l) => l.diagnostics));
  if (hasErrors(diagnostics)) throw new FwgenError(sortDiagnostics(diagnostics));
  const key = JSON.stringify([files, input.params ?? {}, input.options ?? {}, input.bind ?? {}, feedKey(input.feeds)]);
  let expanded = cache?.expanded.get(key);
  if (!expanded) {
    expanded = expand(loaded.map((l) => l.set!), input);
    cache?.expanded.set(key, expanded);
  }
  pushAll(diagnostics, expanded.diagnostics);
  if (hasErrors(diagnostics) || !expanded.set) throw new FwgenError(sortDiagnostics(diagnostics));
  const result = await emit(expanded.set, input.target, input.targetOptions, input.serviceTags);
  const all = sortDiagnostics([...diagnostics, ...result.diagnostics]);
  if (hasErrors(all)) throw new FwgenError(all);
  return { files: result.files, diagnostics: all };
}

/** Feed data by identity: a cache shared by calls with other feed data must not hand out their expansion. */
const feedIds = new WeakMap<object, number>();
let nextFeedId = 0;
function feedKey(feeds: ExpandInput['feeds']): [string, number][] {
  if (!feeds) return [];
  return Object.entries(feeds)
    .filter(([, data]) => data !== undefined)
    .map(([provider, data]): [string, number] => {
      let id = feedIds.get(data!);
      if (id === undefined) feedIds.set(data!, (id = nextFeedId++));
      return [provider, id];
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
}
