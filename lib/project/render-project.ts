import { join } from 'node:path';
import type { Diagnostic } from '../model/diagnostic.js';
import { FwgenError, hasErrors } from '../model/diagnostic.js';
import type { PlannedFile } from '../emit/write-outputs.js';
import type { ServiceTagsData } from '../service-tags/service-tags.js';
import { compile, newCompileCache } from '../compile.js';
import { loadEmitterModule } from '../emit/load-plugin.js';
import { getEmitter } from '../emit/registry.js';
import type { Project, ProjectOutput } from './load-project.js';

export interface RenderedProject {
  files: PlannedFile[];
  diagnostics: Diagnostic[];
  /** Outputs that failed `strict`. */
  strictFailures: string[];
}

/** Renders every output in memory; nothing is written. Errors in any output are all collected. */
export async function renderProject(project: Project): Promise<RenderedProject> {
  for (const spec of project.emitters) await loadEmitterModule(spec, project.dir);
  const files: PlannedFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const strictFailures: string[] = [];
  const tagsCache = new Map<string, ServiceTagsData>();
  // Outputs that name the same files load them once, and with the same bindings expand them once.
  const compileCache = newCompileCache();
  for (const output of project.outputs) {
    try {
      const serviceTags = await cachedTags(output, tagsCache);
      const r = await compile({
        catalogs: output.catalogs,
        files: output.files,
        params: output.params,
        options: output.options,
        bind: output.bind,
        target: output.target,
        targetOptions: output.set,
        ...(serviceTags ? { serviceTags } : {}),
      }, compileCache);
      diagnostics.push(...r.diagnostics);
      if (output.strict && r.diagnostics.some((d) => d.severity === 'warning')) strictFailures.push(output.displayPath);
      files.push(...placeFiles(output, r.files));
    } catch (e) {
      if (!(e instanceof FwgenError)) throw e;
      diagnostics.push(...e.diagnostics.map((d) => (d.span ? d : { ...d, span: output.span })));
    }
  }
  return { files: hasErrors(diagnostics) ? [] : files, diagnostics, strictFailures };
}

function placeFiles(output: ProjectOutput, files: { path: string; contents: string }[]): PlannedFile[] {
  if (files.length === 1) return [{ path: output.path, contents: files[0]!.contents }];
  return files.map((f) => ({ path: join(output.path, f.path), contents: f.contents }));
}

/** The Service Tags data an output needs, parsed once per file; targets that never use tags skip the 4 MB snapshot. */
async function cachedTags(output: ProjectOutput, cache: Map<string, ServiceTagsData>): Promise<ServiceTagsData | undefined> {
  if ((await getEmitter(output.target)).serviceTags === undefined) return undefined;
  const { defaultServiceTagsFile, loadServiceTagsFile } = await import('../service-tags/index.js');
  const file = output.serviceTags ?? defaultServiceTagsFile();
  const hit = cache.get(file);
  if (hit) return hit;
  const r = await loadServiceTagsFile(file);
  if (!r.data) throw new FwgenError(r.diagnostics);
  cache.set(file, r.data);
  return r.data;
}
