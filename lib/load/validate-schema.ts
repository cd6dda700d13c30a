import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic } from '../model/diagnostic.js';
import type { DiagnosticCode } from '../model/codes.js';
import { joinPointer, type SourceMap } from '../model/source-map.js';
import { didYouMean, nearest } from '../model/nearest.js';

/**
 * Turns ajv's errors into diagnostics with positions. Errors inside an `anyOf` are narrowed to the branch
 * whose type matches the data, so a typo in an endpoint object reports the typo, not every branch.
 */
export function validateWithSchema(validate: ValidateFunction, data: unknown, sourceMap: SourceMap): Diagnostic[] {
  if (validate(data)) return [];
  const errors = relevantErrors(validate.errors ?? []);
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const e of errors) {
    const d = toDiagnostic(e, sourceMap);
    const key = `${d.path}|${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function branchType(schema: unknown): string[] {
  const t = (schema as { type?: string | string[] })?.type;
  return t === undefined ? [] : Array.isArray(t) ? t : [t];
}

function relevantErrors(errors: ErrorObject[]): ErrorObject[] {
  // A failed oneOf explains itself; the `required` errors of its branches only repeat it.
  errors = errors.filter((e) => !/\/oneOf\/\d+\//.test(e.schemaPath));
  // The nested errors of a bad property name (pattern, maxLength) say what is wrong with it; the wrapper adds nothing.
  errors = errors.filter((e) => e.keyword !== 'propertyNames');
  // An unknown key explains a missing one it misspells (`provenence`), and why an endpoint matched none of host, cidr,
  // serviceTag, group: report the typo alone.
  const unknownKeys = new Map<string, string[]>();
  for (const e of errors.filter((x) => x.keyword === 'additionalProperties')) {
    unknownKeys.set(e.instancePath, [...(unknownKeys.get(e.instancePath) ?? []), String(e.params.additionalProperty)]);
  }
  const misspelt = (e: ErrorObject) => (unknownKeys.get(e.instancePath) ?? []).some((k) => nearest(k, [String(e.params.missingProperty)]).length > 0);
  const noKind = (e: ErrorObject) => e.keyword === 'oneOf' && e.params.passingSchemas === null && unknownKeys.has(e.instancePath);
  errors = errors.filter((e) => !noKind(e) && !(e.keyword === 'required' && misspelt(e)));
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf');
  let result = errors;
  for (const a of anyOfs) {
    const prefix = a.schemaPath + '/';
    const branches = (a.schema as unknown[]) ?? [];
    const dataType = typeOf(a.data);
    const chosen = branches.findIndex((b) => branchType(b).some((t) => t === dataType || (t === 'number' && dataType === 'integer')));
    // Standalone code gives schema paths relative to the $ref'd definition, so every endpoint's anyOf has the same
    // schemaPath: only errors at or below this anyOf's data belong to it.
    const inside = (e: ErrorObject) => e.instancePath === a.instancePath || e.instancePath.startsWith(a.instancePath + '/');
    result = result.filter((e) => {
      if (e === a) return chosen < 0;
      if (!inside(e) || !e.schemaPath.startsWith(prefix)) return true;
      if (chosen < 0) return false;
      return e.schemaPath.startsWith(`${prefix}${chosen}/`);
    });
  }
  return result;
}

function toDiagnostic(e: ErrorObject, sourceMap: SourceMap): Diagnostic {
  const path = e.instancePath;
  const where = path === '' ? 'the document' : `"${path}"`;
  const base = { severity: 'error' as const, params: { ...e.params, keyword: e.keyword } };
  const at = (code: DiagnosticCode, pointer: string, message: string, hint?: string, which: 'key' | 'value' = 'value'): Diagnostic => ({
    ...base,
    code,
    message,
    hint,
    path: pointer,
    span: sourceMap.span(pointer, which),
  });
  if (e.propertyName !== undefined) {
    // An error about a key itself (from `propertyNames`): point at that key, not at the mapping that holds it.
    const name = e.propertyName;
    const why = e.keyword === 'maxLength' ? `is longer than ${String(e.params.limit)} characters` : 'has the wrong form';
    return at('SCHEMA_PATTERN', joinPointer(path, name), `name "${name}" in ${where} ${why}`, 'names are lowercase letters, digits and hyphens, starting with a letter or digit', 'key');
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      const pointer = joinPointer(path, key);
      return at(
        'SCHEMA_UNKNOWN_KEY',
        pointer,
        `unknown key "${key}" in ${where}`,
        didYouMean(key, allowed) ?? (allowed.length ? `allowed keys: ${allowed.join(', ')}` : undefined),
        'key',
      );
    }
    case 'required':
      return at('SCHEMA_REQUIRED', path, `${where} is missing the required key "${String(e.params.missingProperty)}"`, `add \`${String(e.params.missingProperty)}:\``);
    case 'type': {
      const expected = String(e.params.type);
      return at('SCHEMA_TYPE', path, `${where} must be ${article(expected)}, not ${article(typeOf(e.data))}`, portHint(path, e.data) ?? typeHint(expected, e.data));
    }
    case 'anyOf': {
      // No branch has the data's type (relevantErrors keeps the anyOf error only then): say which types would do.
      const types = [...new Set(((e.schema as unknown[]) ?? []).flatMap(branchType))];
      const endpoint = /\/(destinations|sources|alternatives)\/\d+$/.test(path);
      return at(
        'SCHEMA_TYPE',
        path,
        `${where} must be ${types.map(article).join(' or ')}, not ${article(typeOf(e.data))}`,
        endpoint ? 'write a host name or CIDR, or a mapping with one of host, cidr, serviceTag, group' : undefined,
      );
    }
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map((v) => String(v));
      return at('SCHEMA_ENUM', path, `${where} is "${String(e.data)}", which is not one of: ${allowed.join(', ')}`, didYouMean(String(e.data), allowed) ?? `use one of: ${allowed.join(', ')}`);
    }
    case 'pattern': {
      const port = /\/ports\/\d+$/.test(path);
      const lower = String(e.data).trim().toLowerCase();
      const hint =
        port && lower !== e.data && new RegExp(String(e.schema), 'u').test(lower)
          ? `write it in lowercase, without spaces: "${lower}"`
          : port
            ? 'write PROTOCOL:PORT such as "https:443", "tcp:22", "udp:53" or "tcp:8000-8080", or "any" for all traffic'
            : /\/serviceTag$/.test(path)
              ? 'write the tag name alone, e.g. "AzureContainerRegistry", and a regional form with `region:`'
              : 'ids are lowercase letters, digits and hyphens, starting with a letter or digit';
      return at('SCHEMA_PATTERN', path, `${where} is "${String(e.data)}", which has the wrong form`, hint);
    }
    case 'oneOf': {
      const kinds = ['host', 'cidr', 'serviceTag', 'group', 'addressFeed'];
      const present = kinds.filter((k) => typeof e.data === 'object' && e.data !== null && k in e.data);
      return present.length === 0
        ? at('SCHEMA_REQUIRED', path, `${where} has none of ${kinds.join(', ')}`, 'add one of them, e.g. `host: registry.example.com`')
        : at('SCHEMA_INVALID', path, `${where} has ${present.join(' and ')}; an endpoint has exactly one of ${kinds.join(', ')}`, 'split it into one endpoint per kind');
    }
    case 'minItems':
    case 'minProperties':
    case 'minLength': {
      const limit = Number(e.params.limit);
      const unit = e.keyword === 'minItems' ? 'entries' : e.keyword === 'minProperties' ? 'keys' : 'characters';
      return limit <= 1
        ? at('SCHEMA_INVALID', path, `${where} must not be empty`, e.keyword === 'minLength' ? 'write a value or remove the key' : 'add at least one entry or remove the key')
        : at('SCHEMA_INVALID', path, `${where} has ${countOf(e.data)} ${unit}; it needs at least ${limit}`, `add ${unit} or remove the key`);
    }
    case 'maxLength':
      return at('SCHEMA_INVALID', path, `${where} is longer than ${String(e.params.limit)} characters`, 'shorten it');
    default:
      return at('SCHEMA_INVALID', path, `${where} ${e.message ?? 'is invalid'}`);
  }
}

/** For a port written as a number, or ports not written as a list: the notation that was meant. */
function portHint(path: string, data: unknown): string | undefined {
  const item = /\/ports\/\d+$/.test(path);
  const list = /\/ports$/.test(path);
  if (item && typeof data === 'number') return `write the port with its protocol, e.g. "tcp:${data}" or "https:${data}"`;
  if (list && typeof data === 'number') return `write a list of ports with their protocol, e.g. ports: ["tcp:${data}"] or ports: ["https:${data}"]`;
  if (list && typeof data === 'string') return `write a list, e.g. ports: [${JSON.stringify(data)}]`;
  return undefined;
}

/** What to write instead of a value of the wrong type. */
function typeHint(expected: string, data: unknown): string {
  if (data === null) {
    // A key written with nothing after its colon.
    if (expected === 'object') return 'write `{}` for an empty mapping, or indent its keys on the lines below';
    if (expected === 'array') return 'write `[]` for an empty list, or its items on the lines below, each after "- "';
    return 'write a value after the colon';
  }
  if (expected === 'string' && Array.isArray(data)) return 'write one value, not a list';
  if (expected === 'string' && (typeof data === 'number' || typeof data === 'boolean')) return `quote it: "${String(data)}"`;
  if (expected === 'array' && (typeof data === 'string' || typeof data === 'number')) return `write a list: [${JSON.stringify(data)}]`;
  if (expected === 'object') return 'write a mapping: `key: value` lines indented below the key';
  return `write ${article(expected)}`;
}

function countOf(data: unknown): number {
  if (Array.isArray(data)) return data.length;
  if (typeof data === 'string') return data.length;
  if (typeof data === 'object' && data !== null) return Object.keys(data).length;
  return 0;
}

function article(t: string): string {
  const name = t === 'object' ? 'a mapping' : t === 'array' ? 'a list' : t === 'null' ? 'empty' : /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
  return name.replace(',', ' or ');
}
