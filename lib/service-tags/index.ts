import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../model/diagnostic.js';
import { parseServiceTags, type ServiceTagsData } from './service-tags.js';

export type { ServiceTag, ServiceTagsData } from './service-tags.js';
export { parseServiceTags, tagPrefixes } from './service-tags.js';
export { resolveServiceTags, usesServiceTags } from './resolve.js';
export { aggregatePrefixes } from '../model/aggregate.js';

/** The dated snapshot shipped with fwgen, so the built-in catalogs work offline. */
export function defaultServiceTagsFile(): string {
  return fileURLToPath(new URL('../../data/service-tags/ServiceTags_Public_20251028.json', import.meta.url));
}

/**
 * Reads a Service Tags file (default: the shipped snapshot, from its prebuilt index when fwgen runs from its
 * build, so only the tags used are read).
 */
export async function loadServiceTagsFile(file = defaultServiceTagsFile()): Promise<{ data?: ServiceTagsData; diagnostics: Diagnostic[] }> {
  if (resolve(file) === defaultServiceTagsFile()) {
    const { loadIndexedSnapshot } = await import('./snapshot-index.js');
    const data = loadIndexedSnapshot(file);
    if (data) return { data, diagnostics: [] };
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return {
      diagnostics: [
        { code: 'TAGS_FILE', severity: 'error', message: `cannot read service tags file ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'a folder, not a file' : err.message}`, hint: 'download "Azure IP Ranges and Service Tags" from Microsoft and pass it with --service-tags FILE', span: { file, line: 1, col: 1 }, params: { file } },
      ],
    };
  }
  return parseServiceTags(text, file);
}
