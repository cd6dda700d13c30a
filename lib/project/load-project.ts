import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import validateProject from './project.validator.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { sortDiagnostics } from '../model/diagnostic.js';
import type { SourceSpan } from '../model/requirement-set.js';
import type { FeedProvider } from '../model/resolved.js';
import { joinPointer } from '../model/source-map.js';
import { parseYaml } from '../load/parse-yaml.js';
import { normalizeText, readSource } from '../load/read-source.js';
import { validateWithSchema } from '../load/validate-schema.js';

export const PROJECT_FILE = 'fwgen.yaml';

type Values = Record<string, string | string[]>;

export interface ProjectOutput {
  /** Absolute path of the output file, or directory for targets that write several files. */
  path: string;
  /** As written in the project file, for messages. */
  displayPath: string;
  target: string;
  catalogs: string[];
  /** Absolute paths. */
  files: string[];
  params: Values;
  options: Record<string, string | boolean>;
  bind: Values;
  set: Record<string, string | boolean | number>;
  serviceTags?: string;
  strict: boolean;
  span: SourceSpan;
}

export interface Project {
  file: string;
  dir: string;
  emitters: string[];
  outputs: ProjectOutput[];
  /** `defaults.serviceTags`, absolute: where `fwgen service-tags update` installs when not given --out. */
  serviceTags?: string;
  /** `maxTagsAge:` days before a Service Tags file is reported as old (0: never); --max-tags-age wins. */
  maxTagsAge?: number;
  /** `feeds:` address feed files by provider, absolute, for every output's `addressFeed:` endpoints. */
  feeds?: Partial<Record<FeedProvider, string>>;
  /** `maxFeedAge:` days before an address feed is reported as old (0: never); --max-feed-age wins. */
  maxFeedAge?: number;
}

/** The nearest fwgen.yaml from `cwd` upwards. */
export function findProjectFile(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, PROJECT_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Parses a project file's text; paths in it are relative to its folder. */
export function parseProject(text: string, file: string, dir: string): { project?: Project; diagnostics: Diagnostic[] } {
  const parsed = parseYaml(normalizeText(text), file);
  if (parsed.diagnostics.length) return { diagnostics: parsed.diagnostics };
  const diagnostics = validateWithSchema(validateProject, parsed.data, parsed.sourceMap);
  if (diagnostics.length) return { diagnostics: sortDiagnostics(diagnostics) };
  const data = parsed.data as {
    defaults?: { params?: Values; options?: Record<string, string | boolean>; bind?: Values; serviceTags?: string };
    emitters?: string[];
    outputs: Record<string, unknown>[];
    maxTagsAge?: number;
    feeds?: Partial<Record<FeedProvider, string>>;
    maxFeedAge?: number;
  };
  const d = data.defaults ?? {};
  const seen = new Map<string, number>();
  const outputs = data.outputs.map((o, i): ProjectOutput => {
    const pointer = joinPointer('/outputs', i);
    const path = resolve(dir, String(o.path));
    const first = seen.get(path);
    if (first !== undefined) {
      diagnostics.push({
        code: 'USAGE',
        severity: 'error',
        message: `output path ${String(o.path)} is also used by output ${first + 1}`,
        hint: 'give each output its own path',
        path: joinPointer(pointer, 'path'),
        span: parsed.sourceMap.span(joinPointer(pointer, 'path')),
        params: { path: o.path },
      });
    } else seen.set(path, i);
    const serviceTags = (o.serviceTags as string | undefined) ?? d.serviceTags;
    return {
      path,
      displayPath: String(o.path),
      target: String(o.target),
      catalogs: (o.catalogs as string[] | undefined) ?? [],
      files: ((o.files as string[] | undefined) ?? []).map((f) => resolve(dir, f)),
      params: { ...d.params, ...(o.params as Values | undefined) },
      options: { ...d.options, ...(o.options as Record<string, string | boolean> | undefined) },
      bind: { ...d.bind, ...(o.bind as Values | undefined) },
      set: (o.set as Record<string, string | boolean | number> | undefined) ?? {},
      ...(serviceTags ? { serviceTags: resolve(dir, serviceTags) } : {}),
      strict: o.strict === true,
      span: parsed.sourceMap.span(pointer),
    };
  });
  if (diagnostics.length) return { diagnostics: sortDiagnostics(diagnostics) };
  const emitters = (data.emitters ?? []).map((e) => (e.startsWith('.') || e.startsWith('/') ? resolve(dir, e) : e));
  return {
    project: {
      file,
      dir,
      emitters,
      outputs,
      ...(d.serviceTags ? { serviceTags: resolve(dir, d.serviceTags) } : {}),
      ...(data.maxTagsAge !== undefined ? { maxTagsAge: data.maxTagsAge } : {}),
      ...(data.feeds ? { feeds: Object.fromEntries(Object.entries(data.feeds).map(([k, v]) => [k, resolve(dir, v)])) } : {}),
      ...(data.maxFeedAge !== undefined ? { maxFeedAge: data.maxFeedAge } : {}),
    },
    diagnostics: [],
  };
}

/** Reads a project file; a relative `file` is read from `cwd` and named as given in diagnostics. */
export async function loadProject(file: string, cwd = process.cwd()): Promise<{ project?: Project; diagnostics: Diagnostic[] }> {
  const source = await readSource(file, undefined, cwd);
  if ('code' in source) return { diagnostics: [source] };
  return parseProject(source.text, source.file, dirname(resolve(cwd, file)));
}
