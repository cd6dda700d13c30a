import validateRequirementSet from './requirement-set.validator.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { RequirementSet } from '../model/requirement-set.js';
import type { SourceMap } from '../model/source-map.js';
import { sortDiagnostics } from '../model/diagnostic.js';
import { normalizeText, readSource } from './read-source.js';
import { parseYaml } from './parse-yaml.js';
import { validateWithSchema } from './validate-schema.js';
import { toModel } from './to-model.js';

export interface LoadResult {
  /** Present when the file has no errors. */
  set?: RequirementSet;
  sourceMap?: SourceMap;
  /** Every problem found, sorted by position. */
  diagnostics: Diagnostic[];
}

/** Loads a requirement set from YAML or JSON text. Pure: never throws for bad input. */
export function loadRequirementSet(text: string, file: string): LoadResult {
  const parsed = parseYaml(normalizeText(text), file);
  if (parsed.diagnostics.some((d) => d.severity === 'error')) return { sourceMap: parsed.sourceMap, diagnostics: sortDiagnostics(parsed.diagnostics) };
  const schemaDiagnostics = validateWithSchema(validateRequirementSet, parsed.data, parsed.sourceMap);
  const model = toModel(parsed.data, parsed.sourceMap);
  const diagnostics = sortDiagnostics([...parsed.diagnostics, ...schemaDiagnostics, ...model.diagnostics]);
  const ok = !diagnostics.some((d) => d.severity === 'error');
  return { ...(ok && model.set ? { set: model.set } : {}), sourceMap: parsed.sourceMap, diagnostics };
}

/** Reads and loads a requirement file; `-` reads standard input. */
export async function loadRequirementFile(file: string): Promise<LoadResult> {
  const source = await readSource(file);
  if ('code' in source) return { diagnostics: [source] };
  return loadRequirementSet(source.text, source.file);
}
