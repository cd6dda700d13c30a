import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { Diagnostic } from '../model/diagnostic.js';
import { FwgenError, hasErrors } from '../model/diagnostic.js';
import type { FeedInfo, FeedProvider, ServiceTagsInfo } from '../model/resolved.js';
import type { FeedSources } from '../feeds/index.js';
import type { PlannedFile } from '../emit/write-outputs.js';
import type { ServiceTagsData } from '../service-tags/service-tags.js';
import { compile, newCompileCache } from '../compile.js';
import { getEmitter } from '../emit/registry.js';
import { catalogDir, catalogFile } from '../catalogs/index.js';
import type { Project, ProjectOutput } from './load-project.js';
import { loadEmittersTracked } from './plugin-files.js';
import { pushAll } from '../model/array.js';
import { collectGarbageBetweenOutputs } from './collect-garbage.js';

export interface RenderedProject {
  files: PlannedFile[];
  diagnostics: Diagnostic[];
  /** Outputs that failed `strict`. */
  strictFailures: string[];
  /** The Service Tags files whose tags some output used, with the outputs that used them. */
  serviceTags: { file: string; info: ServiceTagsInfo; outputs: string[] }[];
  /** The address feeds of `feeds:`, for the age warning. */
  feeds: FeedInfo[];
  /** Everything the render read, for the check state (lib/project/check-state.ts). */
  read: {
    /** Requirement, list and Service Tags files, and the emitters' code; undefined when the emitters' files are unknown. */
    files?: string[];
    folders: { path: string; file: string }[];
    catalogs: { yaml: string; compiled: string }[];
  };
}

/** Renders every output in memory; nothing is written. Errors in any output are all collected. */
export async function renderProject(project: Project): Promise<RenderedProject> {
  const pluginFiles = await loadEmittersTracked(project.emitters, project.dir);
  const files: PlannedFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const strictFailures: string[] = [];
  const tags = new TagsFiles();
  // Outputs that name the same files load them once, and with the same bindings expand them once.
  const compileCache = newCompileCache();
  const catalogs = new Map<string, { yaml: string; compiled: string }>();
  const feeds = await loadProjectFeeds(project);
  if (!feeds.sources) return { files: [], diagnostics: feeds.diagnostics, strictFailures, serviceTags: [], feeds: [], read: { folders: [], catalogs: [] } };
  for (const [i, output] of project.outputs.entries()) {
    if (i > 0) collectGarbageBetweenOutputs();
    try {
      for (const id of output.catalogs) {
        const yaml = catalogFile(id);
        if (yaml) catalogs.set(yaml, { yaml, compiled: resolve(catalogDir(), '..', 'dist', 'catalogs', `${id}.json`) });
      }
      const serviceTags = await tags.forOutput(output);
      const usesBefore = serviceTags ? tags.uses(serviceTags) : 0;
      const r = await compile(
        {
          catalogs: output.catalogs,
          files: output.files,
          params: output.params,
          options: output.options,
          bind: output.bind,
          target: output.target,
          targetOptions: output.set,
          ...(serviceTags ? { serviceTags } : {}),
          ...(feeds.files.length ? { feeds: feeds.sources } : {}),
        },
        compileCache,
      );
      if (serviceTags && tags.uses(serviceTags) > usesBefore) tags.usedBy(serviceTags, output.displayPath);
      pushAll(diagnostics, r.diagnostics);
      if (output.strict && r.diagnostics.some((d) => d.severity === 'warning')) strictFailures.push(output.displayPath);
      pushAll(files, placeFiles(output, r.files));
    } catch (e) {
      if (!(e instanceof FwgenError)) throw e;
      pushAll(diagnostics, e.diagnostics.map((d) => (d.span ? d : { ...d, span: output.span })));
    }
  }
  // Modules loaded with require() at run time (the public-suffix list, tldts, which the CLI bundle leaves out; a
  // CommonJS emitter's own modules): their code is not covered by fwgen's build id.
  const read: string[] = [...tags.files(), ...feeds.files, ...Object.keys(createRequire(import.meta.url).cache)];
  for (const [file, loaded] of compileCache.loaded) {
    read.push(file);
    const r = await loaded;
    pushAll(read, r.listFiles ?? []);
  }
  return {
    files: hasErrors(diagnostics) ? [] : files,
    diagnostics,
    strictFailures,
    serviceTags: tags.used(),
    feeds: Object.values(feeds.sources).map((d) => d.info),
    read: {
      ...(pluginFiles ? { files: [...read, ...pluginFiles] } : {}),
      folders: tags.folders(),
      catalogs: [...catalogs.values()],
    },
  };
}

/** The feeds `feeds:` names, each read and checked once for every output (a problem names the feed file's line). */
async function loadProjectFeeds(project: Project): Promise<{ sources?: FeedSources; files: string[]; diagnostics: Diagnostic[] }> {
  const entries = Object.entries(project.feeds ?? {}) as [FeedProvider, string][];
  if (entries.length === 0) return { sources: {}, files: [], diagnostics: [] };
  const { loadFeedFile } = await import('../feeds/index.js');
  const results = await Promise.all(entries.map(([feed, file]) => loadFeedFile(feed, file)));
  const diagnostics = results.flatMap((r) => r.diagnostics);
  if (diagnostics.length) return { files: [], diagnostics };
  const sources: FeedSources = {};
  entries.forEach(([feed], i) => (sources[feed] = results[i]!.data!));
  return { sources, files: entries.map(([, file]) => file), diagnostics: [] };
}

function placeFiles(output: ProjectOutput, files: { path: string; contents: string }[]): PlannedFile[] {
  if (files.length === 1) return [{ path: output.path, contents: files[0]!.contents }];
  // One folder, replaced as a whole (writeOutputs), so that its files never mix two renders.
  return files.map((f) => ({ path: join(output.path, f.path), contents: f.contents, group: output.path }));
}

/**
 * The Service Tags files of a render, each read once. Each output gets the same view of a file, so tags resolved
 * for one output are reused by the next (resolveServiceTags caches per data object); the view counts reads of its
 * tags, which tells which outputs actually used the file (a target that can write tags, for requirements that name
 * none, never reads them).
 */
class TagsFiles {
  private readonly byFile = new Map<string, { view: ServiceTagsData; reads: { n: number }; outputs: string[] }>();
  private readonly resolvedFolders = new Map<string, string>();

  async forOutput(output: ProjectOutput): Promise<ServiceTagsData | undefined> {
    if ((await getEmitter(output.target)).serviceTags === undefined) return undefined;
    const { defaultServiceTagsFile, loadServiceTagsFile } = await import('../service-tags/index.js');
    const { resolveServiceTagsPath } = await import('../service-tags/locate.js');
    let file = defaultServiceTagsFile();
    if (output.serviceTags) {
      const r = resolveServiceTagsPath(output.serviceTags);
      if (!r.file) throw new FwgenError([r.diagnostic!]);
      if (r.file !== output.serviceTags) this.resolvedFolders.set(output.serviceTags, r.file);
      file = r.file;
    }
    const hit = this.byFile.get(file);
    if (hit) return hit.view;
    const r = await loadServiceTagsFile(file);
    if (!r.data) throw new FwgenError(r.diagnostics);
    const data = r.data;
    const reads = { n: 0 };
    const view: ServiceTagsData = {
      info: data.info,
      get tags() {
        reads.n++;
        return data.tags;
      },
      ...(data.aggregated ? { aggregated: data.aggregated } : {}),
    };
    this.byFile.set(file, { view, reads, outputs: [] });
    return view;
  }

  uses(view: ServiceTagsData): number {
    return this.entry(view)?.reads.n ?? 0;
  }

  usedBy(view: ServiceTagsData, output: string): void {
    this.entry(view)?.outputs.push(output);
  }

  used(): { file: string; info: ServiceTagsInfo; outputs: string[] }[] {
    return [...this.byFile].filter(([, e]) => e.outputs.length).map(([file, e]) => ({ file, info: e.view.info, outputs: e.outputs }));
  }

  files(): string[] {
    return [...this.byFile.keys()];
  }

  folders(): { path: string; file: string }[] {
    return [...this.resolvedFolders].map(([path, file]) => ({ path, file }));
  }

  private entry(view: ServiceTagsData) {
    for (const e of this.byFile.values()) if (e.view === view) return e;
    return undefined;
  }
}
