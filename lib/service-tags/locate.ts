import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../model/diagnostic.js';

/**
 * The clouds Microsoft publishes a Service Tags file for: the `cloud` value inside the file, the start of its file
 * name, and the id of its download page ("Azure IP Ranges and Service Tags").
 */
export const CLOUDS = {
  Public: { cloud: 'Public', prefix: 'ServiceTags_Public', page: 'https://www.microsoft.com/en-us/download/details.aspx?id=56519' },
  AzureChina: { cloud: 'China', prefix: 'ServiceTags_China', page: 'https://www.microsoft.com/en-us/download/details.aspx?id=57062' },
  AzureUSGovernment: { cloud: 'AzureGovernment', prefix: 'ServiceTags_AzureGovernment', page: 'https://www.microsoft.com/en-us/download/details.aspx?id=57063' },
} as const;

export type CloudName = keyof typeof CLOUDS;
export const cloudNames = Object.keys(CLOUDS) as CloudName[];

/** `ServiceTags_Public_20251028.json`: Microsoft's name, which `fwgen service-tags update` keeps. */
const DATED = /^(ServiceTags_[A-Za-z]+)_(\d{8})\.json$/;

export function cloudOfFileName(name: string): CloudName | undefined {
  const m = DATED.exec(name);
  return m ? cloudNames.find((c) => CLOUDS[c].prefix === m[1]) : undefined;
}

/** The dated Service Tags files of a folder (of one cloud, when given), oldest first. */
export function datedFiles(dir: string, cloud?: CloudName): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => DATED.test(n) && (cloud === undefined || n.startsWith(`${CLOUDS[cloud].prefix}_`)))
    .sort((a, b) => {
      const da = DATED.exec(a)![2]!;
      const db = DATED.exec(b)![2]!;
      return da < db ? -1 : da > db ? 1 : a < b ? -1 : a > b ? 1 : 0;
    });
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A Service Tags path as fwgen.yaml (`serviceTags:`) or --service-tags gives it: a file, or a folder, which means the
 * newest dated file in it (`ServiceTags_Public_20251104.json` beside `..._20251028.json`: the 4th of November). A
 * folder keeps Microsoft's dated names, so fwgen always knows how old the file is, and `fwgen service-tags update`
 * can install into it. A folder with several clouds' files is ambiguous and refused.
 */
export function resolveServiceTagsPath(path: string, shown = path): { file?: string; diagnostic?: Diagnostic } {
  if (!isDirectory(path)) return { file: path };
  const files = datedFiles(path);
  const clouds = [...new Set(files.map((f) => DATED.exec(f)![1]!))].sort();
  const problem = (message: string, hint: string): { diagnostic: Diagnostic } => ({
    diagnostic: { code: 'TAGS_FILE', severity: 'error', message, hint, params: { folder: shown } },
  });
  if (files.length === 0) {
    return problem(`service tags folder ${shown} holds no ServiceTags_<cloud>_YYYYMMDD.json file`, `install one: fwgen service-tags update --from FILE|URL --out ${shown}`);
  }
  if (clouds.length > 1) {
    return problem(`service tags folder ${shown} holds files of several clouds (${clouds.join(', ')}), so which one to use is not clear`, 'keep one cloud per folder, or name the file itself');
  }
  return { file: join(path, files[files.length - 1]!) };
}
