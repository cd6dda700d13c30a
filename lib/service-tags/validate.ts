import type { Diagnostic } from '../model/diagnostic.js';
import { parseServiceTags, placeDiagnostics, tagPrefixes, type ServiceTagsData } from './service-tags.js';
import { pushAll } from '../model/array.js';

/** More problems than this in one file are summed up in one line: the file is not what it should be. */
const SHOWN = 20;

/**
 * Checks a downloaded Service Tags file in full before it is installed: JSON, structure, a whole changeNumber, every
 * prefix of every tag (an emit checks only the tags it uses). Problems carry the line and column of the value.
 */
export function validateServiceTags(text: string, file: string): { data?: ServiceTagsData; diagnostics: Diagnostic[] } {
  const parsed = parseServiceTags(text, file);
  if (!parsed.data) return { diagnostics: cap(parsed.diagnostics) };
  const problems: Diagnostic[] = [];
  const { changeNumber } = parsed.data.info;
  if (!Number.isSafeInteger(changeNumber) || changeNumber < 0) {
    problems.push({ code: 'TAGS_FILE', severity: 'error', message: `$.changeNumber: ${changeNumber} is not a whole number`, span: { file, line: 1, col: 1 }, params: { path: '$.changeNumber' } });
  }
  for (const tag of parsed.data.tags.values()) {
    pushAll(problems, tagPrefixes(tag, file).diagnostics);
    if (problems.length > SHOWN * 10) break;
  }
  if (problems.length) return { diagnostics: cap(placeDiagnostics(text, problems.slice(0, SHOWN)), problems.length, file) };
  return parsed;
}

function cap(diagnostics: Diagnostic[], total = diagnostics.length, file?: string): Diagnostic[] {
  if (total <= SHOWN) return diagnostics;
  const shown = diagnostics.slice(0, SHOWN);
  const more: Diagnostic = {
    code: 'TAGS_FILE',
    severity: 'error',
    message: `and ${total > SHOWN * 10 ? 'many' : total - SHOWN} more problems`,
    hint: 'this is not a Service Tags file as Microsoft publishes it: download it again',
    ...(file ? { span: { file, line: 1, col: 1 } } : {}),
    params: { more: total - SHOWN },
  };
  return [...shown, more];
}
