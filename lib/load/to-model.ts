import type { Diagnostic } from '../model/diagnostic.js';
import type { DiagnosticCode } from '../model/codes.js';
import type { Problem } from '../model/problem.js';
import type {
  Condition,
  EndpointEntry,
  EndpointGroup,
  HostMatch,
  OptionDef,
  Parameter,
  PortSpec,
  Requirement,
  RequirementSet,
  SourceSpan,
} from '../model/requirement-set.js';
import { joinPointer, type SourceMap } from '../model/source-map.js';
import { domainToASCII } from 'node:url';
import { checkFqdn, printable } from '../model/fqdn.js';
import { parseHostForm } from '../model/host-form.js';
import { checkCidr } from '../model/cidr.js';
import { parsePort } from '../model/port.js';
import { listPathProblem, parseListText, type ListSource } from './list-file.js';
import { didYouMean } from '../model/nearest.js';
import { checkStrayFeedKeys, readFeedEndpoint } from './feed-endpoint.js';

const PLACEHOLDER = /\{([^{}]*)\}/g;

type Raw = Record<string, unknown>;

/** Placeholders named in a template, in order of appearance. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/**
 * Checks what the schema cannot (host-name grammar, CIDRs, ports, references between parts) and builds the model.
 * Tolerates data that failed the schema, so that every problem in a file is reported in one run.
 */
export function toModel(data: unknown, sourceMap: SourceMap, lists?: ReadonlyMap<string, ListSource>): { set?: RequirementSet; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  // While the entries of a list file are read, their pointers name lines of that file, not nodes of this one.
  let listEntry: { pointer: string; span: SourceSpan } | undefined;
  const spanOf = (pointer: string, which: 'value' | 'key' = 'value'): SourceSpan =>
    listEntry && pointer.startsWith(listEntry.pointer) ? listEntry.span : sourceMap.span(pointer, which);
  if (!isObject(data)) return { diagnostics };
  const report = (pointer: string, p: Problem, which: 'value' | 'key' = 'value') =>
    diagnostics.push({ code: p.code, severity: 'error', message: p.message, hint: p.hint, path: pointer, span: spanOf(pointer, which), params: p.params });
  const fail = (pointer: string, code: DiagnosticCode, message: string, hint?: string, params: Record<string, unknown> = {}, which: 'value' | 'key' = 'value') =>
    report(pointer, { code, message, hint, params }, which);

  const parameters = readParameters(data.parameters, fail, sourceMap);
  const paramNames = new Set(parameters.map((p) => p.name));
  const options = readOptions(data.options, fail, sourceMap);
  const groups = readGroups(data.groups, sourceMap);
  const groupIds = new Set(groups.map((g) => g.id));
  const sourceDoc = isObject(data.source) ? data.source : {};
  const document = str(sourceDoc.document) ?? '';

  const checkCondition = (cond: unknown, pointer: string): Condition | undefined => {
    if (!isObject(cond)) return undefined;
    for (const [name, value] of Object.entries(cond)) {
      const opt = options.find((o) => o.name === name);
      const p = joinPointer(pointer, name);
      if (!opt) {
        fail(p, 'MODEL_UNKNOWN_OPTION', `condition names option "${name}", which is not declared`, didYouMean(name, options.map((o) => o.name)) ?? 'declare it under `options:`', { option: name }, 'key');
      } else if (opt.values ? !opt.values.includes(String(value)) || typeof value !== 'string' : typeof value !== 'boolean') {
        const allowed = opt.values ?? ['true', 'false'];
        fail(p, 'MODEL_OPTION_VALUE', `option "${name}" cannot be ${JSON.stringify(value)}`, `use one of: ${allowed.join(', ')}`, { option: name, value, allowed });
      }
    }
    return cond as Condition;
  };

  const checkPlaceholders = (template: string, pointer: string): boolean => {
    let ok = true;
    for (const name of placeholders(template)) {
      if (!paramNames.has(name)) {
        ok = false;
        fail(pointer, 'MODEL_UNKNOWN_PARAMETER', `"${template}" uses {${name}}, which is not a declared parameter`, didYouMean(name, paramNames) ?? 'declare it under `parameters:`', { parameter: name });
      }
    }
    return ok;
  };

  const readEndpoint = (raw: unknown, pointer: string): EndpointEntry | undefined => {
    if (typeof raw === 'string') {
      // A URL is a host name written with its scheme; send it to the host check, whose hint says so.
      // `a.example.com/path` is a host with a path; an address before the `/` makes a CIDR.
      return raw.includes('/') && !raw.includes('://') && looksLikeAddress(raw) ? readCidr(raw, pointer) : readHost(raw, undefined, pointer, pointer);
    }
    if (!isObject(raw)) return undefined;
    const when = raw.when === undefined ? undefined : checkCondition(raw.when, joinPointer(pointer, 'when'));
    const kinds = ['host', 'cidr', 'serviceTag', 'group', 'addressFeed'].filter((k) => raw[k] !== undefined);
    checkStrayFeedKeys(raw, pointer, feedContext);
    if (kinds.length !== 1) return undefined;
    let entry: EndpointEntry | undefined;
    if (raw.addressFeed !== undefined) entry = readFeedEndpoint(raw, pointer, feedContext);
    if (typeof raw.host === 'string') entry = readHost(raw.host, str(raw.match) as HostMatch | undefined, joinPointer(pointer, 'host'), pointer);
    else if (typeof raw.cidr === 'string') entry = readCidr(raw.cidr, joinPointer(pointer, 'cidr'), pointer);
    else if (typeof raw.serviceTag === 'string') {
      const region = str(raw.region);
      if (region !== undefined) checkPlaceholders(region, joinPointer(pointer, 'region'));
      if (region !== undefined && /<[^<>]*>/.test(region)) {
        fail(joinPointer(pointer, 'region'), 'SCHEMA_PATTERN', `region "${region}" uses a <placeholder>`, angleHint(region, paramNames), { value: region });
      }
      entry = { kind: 'service-tag', tag: raw.serviceTag, ...(region !== undefined ? { region } : {}), pointer, span: spanOf(pointer) };
    } else if (typeof raw.group === 'string') {
      if (!groupIds.has(raw.group)) {
        fail(joinPointer(pointer, 'group'), 'MODEL_UNKNOWN_GROUP', `endpoint group "${raw.group}" is not declared`, didYouMean(raw.group, groupIds) ?? 'declare it under `groups:`', { group: raw.group });
      }
      entry = { kind: 'group', group: raw.group, pointer, span: spanOf(pointer) };
    }
    if (entry && raw.match !== undefined && entry.kind !== 'host') {
      fail(joinPointer(pointer, 'match'), 'SCHEMA_INVALID', '`match` applies only to host endpoints', 'remove `match:` or use `host:`', {}, 'key');
    }
    if (entry && raw.region !== undefined && entry.kind !== 'service-tag' && entry.kind !== 'feed') {
      fail(joinPointer(pointer, 'region'), 'SCHEMA_INVALID', '`region` applies only to service tags', 'remove `region:` or use `serviceTag:`', {}, 'key');
    }
    return entry && when ? { ...entry, when } : entry;
  };

  const feedContext = { fail, checkPlaceholders, spanOf };

  const readHost = (written: string, match: HostMatch | undefined, valuePointer: string, pointer: string): EndpointEntry | undefined => {
    const form = written.includes('://') ? { host: written, problems: [] } : parseHostForm(written);
    if (form.problems.length) {
      for (const p of form.problems) report(valuePointer, p);
      return undefined;
    }
    if (form.label !== undefined && match !== undefined) {
      fail(joinPointer(pointer, 'match'), 'SCHEMA_INVALID', `"${written}" has a wildcard in its first label, which sets what it matches`, 'remove the `match:`');
      return undefined;
    }
    const text = form.host;
    const extra = { ...(form.label !== undefined ? { label: form.label } : {}), ...(form.path !== undefined ? { path: form.path } : {}) };
    const hasParams = placeholders(text).length > 0;
    if (hasParams && !checkPlaceholders(text, valuePointer)) return undefined;
    const probe = text.replace(PLACEHOLDER, 'x');
    // The domain after a wildcard label may be a single label ("foo*.com"): the over-broad check reports that.
    const r = checkFqdn(probe, !hasParams && form.label === undefined);
    if (r.problems.length) {
      for (const p of r.problems) {
        const hint = /<[^<>]*>/.test(text) ? angleHint(text, paramNames) : p.hint;
        report(valuePointer, { ...p, message: p.message.replace(probe, written), hint });
      }
      return undefined;
    }
    // For a template, the name checked had its placeholders replaced; convert the template itself (IDNA keeps the braces).
    const bare = text.replace(/^\*\./, '');
    const ascii = !r.converted ? undefined : hasParams ? domainToASCII(bare) || bare : r.name;
    if (r.converted) {
      diagnostics.push({
        code: 'MODEL_IDN',
        severity: 'note',
        message: `internationalised name "${printable(text)}" is used in its ASCII form "${ascii}"`,
        path: valuePointer,
        span: spanOf(valuePointer),
        params: r.converted,
      });
    }
    const name = hasParams ? (ascii ?? bare).toLowerCase() : r.name!;
    if (r.wildcard && match === 'exact') {
      fail(joinPointer(pointer, 'match'), 'SCHEMA_INVALID', `"${text}" is a wildcard, so it cannot match exactly`, 'remove the "*." or the `match: exact`');
      return undefined;
    }
    if (form.label !== undefined && !hasParams && form.label.length + name.length > 253) {
      fail(valuePointer, 'MODEL_FQDN', `"${written}" is longer than a host name can be, so no name can match it`, 'check for a pasted value or a missing separator', { value: written, reason: 'name-length' });
      return undefined;
    }
    const mode: HostMatch = form.label !== undefined ? 'label-wildcard' : match ?? (r.wildcard ? 'subdomains' : 'exact');
    return { kind: 'host', name, match: mode, ...extra, pointer, span: spanOf(pointer) };
  };

  const readCidr = (text: string, valuePointer: string, pointer = valuePointer): EndpointEntry | undefined => {
    const r = checkCidr(text);
    for (const p of r.problems) report(valuePointer, p);
    return r.cidr ? { kind: 'cidr', cidr: r.cidr, pointer, span: spanOf(pointer) } : undefined;
  };

  const parsedLists = new Map<string, ReturnType<typeof parseListText>>();
  const readList = (raw: Raw, pointer: string, out: EndpointEntry[]): void => {
    const path = raw.list as string;
    const at = joinPointer(pointer, 'list');
    if (['host', 'cidr', 'serviceTag', 'group'].some((k) => raw[k] !== undefined)) return;
    for (const k of ['match', 'region']) {
      if (raw[k] !== undefined) fail(joinPointer(pointer, k), 'SCHEMA_INVALID', `\`${k}\` does not apply to a list`, k === 'match' ? 'a line `*.name` matches subdomains, `name` the name itself' : 'list service tags as `serviceTag:` entries', {}, 'key');
    }
    const problem = listPathProblem(path);
    if (problem) {
      fail(at, 'LOAD_LIST', `list file "${printable(path)}" ${problem}`, 'name a file in this folder or below it, e.g. `list: prefixes.txt`', { list: path });
      return;
    }
    const source = lists?.get(path);
    if (!source) {
      fail(at, 'LOAD_LIST', `list file "${path}" was not read`, 'load the file with loadRequirementFile, or pass the list texts to loadRequirementSet', { list: path });
      return;
    }
    if ('error' in source) {
      fail(at, 'LOAD_LIST', `cannot read list file ${source.file}: ${source.error}`, 'the path is relative to the requirement file', { list: path, file: source.file });
      return;
    }
    let parsed = parsedLists.get(path);
    if (!parsed) parsedLists.set(path, (parsed = parseListText(source.text)));
    const file = source.file;
    for (const p of parsed.problems) {
      diagnostics.push({ code: 'LOAD_LIST', severity: 'error', message: p.message, hint: p.hint, path: at, span: { file, line: p.line, col: p.col }, params: { list: path } });
    }
    if (parsed.entries.length === 0 && parsed.problems.length === 0) {
      {
      fail(at, 'LOAD_LIST', `list file ${file} has no entries`, 'write one CIDR or host name a line, or remove the `list:` entry', { list: path, file });
      return;
    }
    }
    const when = raw.when === undefined ? undefined : checkCondition(raw.when, joinPointer(pointer, 'when'));
    parsed.entries.forEach((e, k) => {
      const entryPointer = `${at}/${k}`;
      listEntry = { pointer: entryPointer, span: { file, line: e.line, col: e.col, endLine: e.line, endCol: e.col + e.text.length } };
      const entry = readEndpoint(e.text, entryPointer);
      listEntry = undefined;
      if (entry) out.push(when ? { ...entry, when } : entry);
    });
  };

  const readEndpoints = (raw: unknown, pointer: string): EndpointEntry[] => {
    if (!Array.isArray(raw)) return [];
    const out: EndpointEntry[] = [];
    raw.forEach((item, i) => {
      const itemPointer = `${pointer}/${i}`;
      if (isObject(item) && typeof item.list === 'string') readList(item, itemPointer, out);
      else {
        const entry = readEndpoint(item, itemPointer);
        if (entry) out.push(entry);
      }
    });
    return out;
  };

  const requirements: Requirement[] = [];
  const firstById = new Map<string, string>();
  const rawReqs = Array.isArray(data.requirements) ? data.requirements : [];
  rawReqs.forEach((raw, i) => {
    const pointer = joinPointer('/requirements', i);
    if (!isObject(raw)) return;
    const id = str(raw.id);
    if (id !== undefined) {
      const first = firstById.get(id);
      if (first !== undefined) {
        const line = spanOf(first).line;
        fail(joinPointer(pointer, 'id'), 'MODEL_DUPLICATE_ID', `requirement id "${id}" is already used on line ${line}`, 'give each requirement its own id', { id, first: line });
      } else firstById.set(id, joinPointer(pointer, 'id'));
    }
    const ports: PortSpec[] = [];
    if (Array.isArray(raw.ports)) {
      raw.ports.forEach((p, j) => {
        if (typeof p !== 'string') return;
        const r = parsePort(p);
        for (const prob of r.problems) report(joinPointer(pointer, 'ports', j), prob);
        if (r.port) ports.push(r.port);
      });
    }
    const when = raw.when === undefined ? undefined : checkCondition(raw.when, joinPointer(pointer, 'when'));
    const prov = isObject(raw.provenance) ? raw.provenance : {};
    const req: Requirement = {
      id: id ?? `#${i + 1}`,
      direction: (str(raw.direction) as Requirement['direction']) ?? 'outbound',
      destinations: readEndpoints(raw.destinations, joinPointer(pointer, 'destinations')),
      ports,
      provenance: {
        document: str(prov.document) ?? document,
        ...(str(prov.section) !== undefined ? { section: str(prov.section) } : {}),
        ...(typeof prov.line === 'number' ? { line: prov.line } : {}),
        ...(typeof prov.row === 'number' ? { row: prov.row } : {}),
        ...(str(prov.text) !== undefined ? { text: str(prov.text) } : {}),
      },
      pointer,
      span: spanOf(pointer),
    };
    if (str(raw.scenario) !== undefined) req.scenario = str(raw.scenario);
    if (raw.sources !== undefined) req.sources = readEndpoints(raw.sources, joinPointer(pointer, 'sources'));
    if (str(raw.purpose) !== undefined) req.purpose = str(raw.purpose);
    if (when) req.when = when;
    if (raw.alternatives !== undefined) req.alternatives = readEndpoints(raw.alternatives, joinPointer(pointer, 'alternatives'));
    if (str(raw.allowBroad) !== undefined) req.allowBroad = str(raw.allowBroad);
    for (const s of req.sources ?? []) {
      // Sources are matched by address, so a name would need resolving at build time. Service tags are allowed:
      // each target declares how it takes them (feature source-service-tag).
      if (s.kind === 'host') {
        fail(s.pointer, 'SCHEMA_INVALID', 'a source must be a CIDR, a service tag or an endpoint group, not a host name', 'declare a group under `groups:` and bind it with --bind, or write the source as CIDRs');
      }
    }
    for (const alt of req.alternatives ?? []) {
      if (alt.kind !== 'service-tag' && alt.kind !== 'cidr' && alt.kind !== 'feed') {
        fail(alt.pointer, 'SCHEMA_INVALID', 'an alternative must be a service tag, an address feed or a CIDR: the address form of the same need', 'list host names under `destinations:`');
      }
    }
    requirements.push(req);
  });

  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  const set: RequirementSet = {
    id: str(data.id) ?? '',
    title: str(data.title) ?? '',
    source: {
      document,
      ...(str(sourceDoc.url) !== undefined ? { url: str(sourceDoc.url) } : {}),
      ...(Array.isArray(sourceDoc.sections) ? { sections: sourceDoc.sections.map(String) } : {}),
    },
    parameters,
    options,
    groups,
    requirements,
    file: sourceMap.file,
  };
  if (str(data.vendor) !== undefined) set.vendor = str(data.vendor);
  return { set, diagnostics };
}

type Fail = (pointer: string, code: DiagnosticCode, message: string, hint?: string, params?: Record<string, unknown>, which?: 'value' | 'key') => void;

function readParameters(raw: unknown, fail: Fail, sourceMap: SourceMap): Parameter[] {
  if (!isObject(raw)) return [];
  const out: Parameter[] = [];
  for (const [name, def] of Object.entries(raw)) {
    if (!isObject(def)) continue;
    const pointer = joinPointer('/parameters', name);
    const kind = def.kind as Parameter['kind'];
    const p: Parameter = { name, kind, pointer, span: sourceMap.span(pointer, 'key') };
    if (str(def.description) !== undefined) p.description = str(def.description);
    if (str(def.pattern) !== undefined) {
      try {
        new RegExp(str(def.pattern)!, 'u');
        p.pattern = str(def.pattern);
      } catch (e) {
        fail(joinPointer(pointer, 'pattern'), 'MODEL_PATTERN', `pattern of parameter "${name}" is not a valid regular expression: ${(e as Error).message}`, 'write a JavaScript regular expression, e.g. "^[a-z0-9]+$"');
      }
    }
    if (def.format === 'fqdn') p.format = 'fqdn';
    if (isObject(def.values)) p.values = def.values as Record<string, string>;
    if (kind === 'enum' && !p.values) fail(pointer, 'SCHEMA_REQUIRED', `enumeration parameter "${name}" has no \`values\``, 'list each allowed value and its label under `values:`');
    if (kind !== 'enum' && def.values !== undefined) fail(joinPointer(pointer, 'values'), 'SCHEMA_INVALID', '`values` applies only to `kind: enum`', 'remove it, or set `kind: enum`', {}, 'key');
    if (def.default !== undefined) {
      const d = def.default;
      const ok = kind === 'list' ? Array.isArray(d) : typeof d === 'string';
      if (!ok) fail(joinPointer(pointer, 'default'), 'MODEL_DEFAULT', `default of parameter "${name}" must be ${kind === 'list' ? 'a list' : 'a string'}`, kind === 'list' ? 'write `default: []` or a list of values' : 'write one value');
      else {
        const bad = checkParameterValue(p, d as string | string[]);
        if (bad) fail(joinPointer(pointer, 'default'), 'MODEL_DEFAULT', `default of parameter "${name}" is invalid: ${bad}`, p.values ? `use one of: ${Object.keys(p.values).join(', ')}` : 'write a value that fits the parameter, or remove `default:`');
        p.default = d as string | string[];
      }
    }
    out.push(p);
  }
  return out;
}

/** Why a value does not fit a parameter, or undefined when it does. */
export function checkParameterValue(p: Parameter, value: string | string[]): string | undefined {
  const items = Array.isArray(value) ? value : [value];
  if (p.kind === 'list' && !Array.isArray(value)) return 'expected a list';
  if (p.kind !== 'list' && Array.isArray(value)) return 'expected one value';
  for (const v of items) {
    if (p.kind === 'enum') {
      if (!p.values || !Object.hasOwn(p.values, v)) {
        return `"${v}" is not one of: ${Object.entries(p.values ?? {}).map(([k, l]) => `${k} (${l})`).join(', ')}`;
      }
      continue;
    }
    if (p.pattern && !new RegExp(p.pattern, 'u').test(v)) return `"${v}" does not match ${p.pattern}`;
    if (p.format === 'fqdn') {
      const r = checkFqdn(v);
      if (r.problems.length || r.wildcard) return r.problems[0]?.message ?? `"${v}" must be a host name without "*."`;
    } else if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(v)) {
      return `"${v}" must be lowercase letters, digits and inner hyphens, as it becomes part of a host name`;
    }
  }
  return undefined;
}

function readOptions(raw: unknown, fail: Fail, sourceMap: SourceMap): OptionDef[] {
  if (!isObject(raw)) return [];
  const out: OptionDef[] = [];
  for (const [name, def] of Object.entries(raw)) {
    if (!isObject(def)) continue;
    const pointer = joinPointer('/options', name);
    const values = Array.isArray(def.values) ? def.values.map(String) : undefined;
    const d = def.default;
    if (values ? typeof d !== 'string' || !values.includes(d) : typeof d !== 'boolean') {
      fail(joinPointer(pointer, 'default'), 'MODEL_DEFAULT', `default of option "${name}" must be ${values ? `one of: ${values.join(', ')}` : 'true or false'}`, values ? `write \`default: ${values[0] ?? ''}\`` : 'write `default: false` (or true), without quotes');
    }
    const o: OptionDef = { name, default: d as string | boolean, pointer, span: sourceMap.span(pointer, 'key') };
    if (values) o.values = values;
    if (str(def.description) !== undefined) o.description = str(def.description);
    out.push(o);
  }
  return out;
}

function readGroups(raw: unknown, sourceMap: SourceMap): EndpointGroup[] {
  if (!isObject(raw)) return [];
  return Object.entries(raw).flatMap(([id, def]) => {
    if (!isObject(def)) return [];
    const pointer = joinPointer('/groups', id);
    const g: EndpointGroup = { id, title: str(def.title) ?? id, pointer, span: sourceMap.span(pointer, 'key') };
    if (str(def.description) !== undefined) g.description = str(def.description);
    return [g];
  });
}

/** Whether the text before a `/` is an IP address (a CIDR), not a host name with a path. */
function looksLikeAddress(text: string): boolean {
  const before = text.slice(0, text.indexOf('/'));
  return before.includes(':') || /^[0-9.]*$/.test(before);
}

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** For a `<name>` placeholder: the same template written with `{name}`, and whether `name` still needs declaring. */
function angleHint(text: string, declared: ReadonlySet<string>): string {
  const fixed = text.replace(/<([^<>]*)>/g, '{$1}');
  const undeclared = [...text.matchAll(/<([^<>]*)>/g)].map((m) => m[1]!).filter((n) => !declared.has(n));
  const declare = undeclared.length ? `, and declare ${undeclared.join(', ')} under \`parameters:\`` : '';
  return `placeholders are written {name}: write "${fixed}"${declare}`;
}
