import validateRequirementSet from './requirement-set.validator.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { RequirementSet } from '../model/requirement-set.js';
import type { SourceMap } from '../model/source-map.js';
import { sortDiagnostics } from '../model/diagnostic.js';
import { normalizeText } from './read-source.js';
import { parseYaml, type ParsedSource } from './parse-yaml.js';
import { validateWithSchema } from './validate-schema.js';
import { toModel } from './to-model.js';
import { listReferences, type ListSource } from './list-file.js';

export type { ListSource } from './list-file.js';

export interface LoadResult {
  /** Present when the file has no errors. */
  set?: RequirementSet;
  sourceMap?: SourceMap;
  /** Every problem found, sorted by position. */
  diagnostics: Diagnostic[];
  /** The list files the endpoints were read from, as diagnostics name them: part of what the set depends on. */
  listFiles?: string[];
}

/**
 * Loads a requirement set from YAML or JSON text. Pure: never throws for bad input. The texts of the list files its
 * endpoints name (`list: prefixes.txt`) come in `lists`, by the path as written; `loadRequirementFile` reads them.
 */
export function loadRequirementSet(text: string, file: string, lists?: ReadonlyMap<string, ListSource>): LoadResult {
  return buildRequirementSet(parseRequirementText(text, file), lists);
}

/** The first step of `loadRequirementSet`: the parsed document, and the list files it names. */
export function parseRequirementText(text: string, file: string): ParsedSource & { lists: string[] } {
  const parsed = parseYaml(normalizeText(text), file);
  return { ...parsed, lists: parsed.diagnostics.some((d) => d.severity === 'error') ? [] : listReferences(parsed.data) };
}

/** The second step: schema and model checks over a parsed document, with its list files' texts. */
export function buildRequirementSet(parsed: ParsedSource, lists?: ReadonlyMap<string, ListSource>): LoadResult {
  if (parsed.diagnostics.some((d) => d.severity === 'error')) return { sourceMap: parsed.sourceMap, diagnostics: sortDiagnostics(parsed.diagnostics) };
  const schemaDiagnostics = validateWithSchema(validateRequirementSet, parsed.data, parsed.sourceMap);
  const model = toModel(parsed.data, parsed.sourceMap, lists);
  // A value both checks reject (a port "tcp:1-2-3", a default of the wrong type) is reported once, by the model check,
  // whose message says what is wrong with it rather than which schema rule failed.
  const modelPaths = new Set(model.diagnostics.filter((d) => d.severity === 'error').map((d) => d.path));
  const schemaOnly = schemaDiagnostics.filter((d) => !modelPaths.has(d.path));
  const diagnostics = sortDiagnostics([...parsed.diagnostics, ...schemaOnly, ...model.diagnostics]);
  const ok = !diagnostics.some((d) => d.severity === 'error');
  const listFiles = lists ? [...lists.values()].map((l) => l.file) : [];
  return { ...(ok && model.set ? { set: model.set } : {}), sourceMap: parsed.sourceMap, diagnostics, ...(listFiles.length ? { listFiles } : {}) };
}
