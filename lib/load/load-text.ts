import validateRequirementSet from './requirement-set.validator.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { RequirementSet } from '../model/requirement-set.js';
import type { SourceMap } from '../model/source-map.js';
import { sortDiagnostics } from '../model/diagnostic.js';
import { normalizeText } from './read-source.js';
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
  // A value both checks reject (a port "tcp:1-2-3", a default of the wrong type) is reported once, by the model check,
  // whose message says what is wrong with it rather than which schema rule failed.
  const modelPaths = new Set(model.diagnostics.filter((d) => d.severity === 'error').map((d) => d.path));
  const schemaOnly = schemaDiagnostics.filter((d) => !modelPaths.has(d.path));
  const diagnostics = sortDiagnostics([...parsed.diagnostics, ...schemaOnly, ...model.diagnostics]);
  const ok = !diagnostics.some((d) => d.severity === 'error');
  return { ...(ok && model.set ? { set: model.set } : {}), sourceMap: parsed.sourceMap, diagnostics };
}
