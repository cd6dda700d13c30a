import type { Diagnostic } from '../model/diagnostic.js';
import type { ServiceTagsInfo } from '../model/resolved.js';
import { checkCidr } from '../model/cidr.js';
import { serviceTagsDate } from './freshness.js';
import { locateJsonPaths } from './json-positions.js';
import { CLOUDS, cloudOfFileName } from './locate.js';

/** One tag of an Azure "Service Tags" file. */
export interface ServiceTag {
  name: string;
  /** Lowercase region, `''` for a global tag. */
  region: string;
  systemService: string;
  /** The index in `values`, for error paths. */
  index: number;
  /** As written in the file; checked only when the tag is used. */
  addressPrefixes: unknown[];
}

export interface ServiceTagsData {
  info: ServiceTagsInfo;
  tags: Map<string, ServiceTag>;
  /**
   * A tag's prefixes already checked and aggregated, when a prebuilt index has them (the snapshot shipped with
   * fwgen); undefined means check and aggregate `addressPrefixes`.
   */
  aggregated?: (tag: ServiceTag) => string[] | undefined;
}

const fail = (file: string, path: string, message: string, hint?: string, line = 1, col = 1): Diagnostic => ({
  code: 'TAGS_FILE',
  severity: 'error',
  message: `${path}: ${message}`,
  ...(hint ? { hint } : {}),
  span: { file, line, col },
  params: { path },
});

/**
 * Reads an Azure "Service Tags" JSON download (ServiceTags_Public_YYYYMMDD.json and the other clouds' files).
 * Structure is checked here, with the JSON path of each problem; prefixes are checked when a tag is used.
 */
export function parseServiceTags(text: string, file: string): { data?: ServiceTagsData; diagnostics: Diagnostic[] } {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    // "Unexpected end of JSON input" has no position: the problem is at the end.
    const offset = m ? Number(m[1]) + (text.charCodeAt(0) === 0xfeff ? 1 : 0) : /end of JSON/i.test((e as Error).message) ? text.length : 0;
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const col = offset - before.lastIndexOf('\n');
    return { diagnostics: [fail(file, '$', `not valid JSON: ${(e as Error).message}`, 'download the file again from Microsoft ("Azure IP Ranges and Service Tags")', line, col)] };
  }
  const diagnostics: Diagnostic[] = [];
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { diagnostics: [fail(file, '$', 'expected an object with changeNumber, cloud and values')] };
  }
  const root = json as Record<string, unknown>;
  if (typeof root.changeNumber !== 'number') diagnostics.push(fail(file, '$.changeNumber', 'missing or not a number'));
  if (typeof root.cloud !== 'string') diagnostics.push(fail(file, '$.cloud', 'missing or not a string'));
  if (!Array.isArray(root.values)) {
    diagnostics.push(fail(file, '$.values', 'missing or not an array'));
    return { diagnostics: placeDiagnostics(text, diagnostics) };
  }
  const tags = new Map<string, ServiceTag>();
  root.values.forEach((v, i) => {
    const path = `$.values[${i}]`;
    if (typeof v !== 'object' || v === null) return void diagnostics.push(fail(file, path, 'expected an object'));
    const value = v as Record<string, unknown>;
    const props = value.properties as Record<string, unknown> | undefined;
    if (typeof value.name !== 'string' || value.name === '') return void diagnostics.push(fail(file, `${path}.name`, 'missing or not a string'));
    if (typeof props !== 'object' || props === null) return void diagnostics.push(fail(file, `${path}.properties`, `missing in tag ${value.name}`));
    if (typeof props.region !== 'string') return void diagnostics.push(fail(file, `${path}.properties.region`, `missing or not a string in tag ${value.name}`));
    if (!Array.isArray(props.addressPrefixes)) return void diagnostics.push(fail(file, `${path}.properties.addressPrefixes`, `missing or not an array in tag ${value.name}`));
    if (tags.has(value.name)) return void diagnostics.push(fail(file, `${path}.name`, `tag ${value.name} appears twice`));
    tags.set(value.name, {
      name: value.name,
      region: props.region.toLowerCase(),
      systemService: typeof props.systemService === 'string' ? props.systemService : '',
      index: i,
      addressPrefixes: props.addressPrefixes,
    });
  });
  const base = file.split(/[\\/]/).pop() ?? file;
  // A file renamed to another cloud's name would resolve that cloud's tags to this one's addresses.
  const named = cloudOfFileName(base);
  if (named && typeof root.cloud === 'string' && CLOUDS[named].cloud !== root.cloud) {
    diagnostics.push(fail(file, '$.cloud', `the file says cloud ${JSON.stringify(root.cloud)}, but its name ${base} is the ${CLOUDS[named].cloud} cloud's`, `rename it ServiceTags_${root.cloud}_YYYYMMDD.json as Microsoft does, or download the ${CLOUDS[named].cloud} file`));
  }
  if (diagnostics.length) return { diagnostics: placeDiagnostics(text, diagnostics) };
  const date = serviceTagsDate(base);
  const info: ServiceTagsInfo = {
    file: base,
    cloud: root.cloud as string,
    changeNumber: root.changeNumber as number,
    ...(date ? { date } : {}),
  };
  return { data: { info, tags }, diagnostics };
}

/**
 * Gives each diagnostic the line and column of the JSON value its path names (or of the nearest enclosing value
 * that exists), found by one scan of the text, done only when something is wrong.
 */
export function placeDiagnostics(text: string, diagnostics: Diagnostic[]): Diagnostic[] {
  const wanted = new Set<string>();
  for (const d of diagnostics) for (const p of ancestors(String(d.params.path ?? '$'))) wanted.add(p);
  const found = locateJsonPaths(text, wanted);
  return diagnostics.map((d) => {
    const at = ancestors(String(d.params.path ?? '$')).map((p) => found.get(p)).find((x) => x !== undefined);
    return at && d.span ? { ...d, span: { ...d.span, line: at.line, col: at.col } } : d;
  });
}

/** `$.values[3].name`, `$.values[3]`, `$.values`, `$`: a path and the paths that enclose it, innermost first. */
function ancestors(path: string): string[] {
  const out = [path];
  for (let p = path; p !== '$'; ) {
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    if (cut <= 0) break;
    p = p.slice(0, cut);
    out.push(p);
  }
  if (out[out.length - 1] !== '$') out.push('$');
  return out;
}

/** A tag's prefixes, each checked; problems name the JSON path of the bad entry. */
export function tagPrefixes(tag: ServiceTag, file: string): { prefixes: string[]; diagnostics: Diagnostic[] } {
  const prefixes: string[] = [];
  const diagnostics: Diagnostic[] = [];
  tag.addressPrefixes.forEach((p, j) => {
    const path = `$.values[${tag.index}].properties.addressPrefixes[${j}]`;
    if (typeof p !== 'string') return void diagnostics.push(fail(file, path, `not a string in tag ${tag.name}`));
    const r = checkCidr(p);
    if (!r.cidr || !p.includes('/')) diagnostics.push(fail(file, path, `"${p}" in tag ${tag.name} is not a valid prefix${r.problems[0] ? `: ${r.problems[0].message}` : ''}`));
    else prefixes.push(r.cidr);
  });
  return { prefixes, diagnostics };
}
