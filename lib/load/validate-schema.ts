import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic } from '../model/diagnostic.js';
import type { DiagnosticCode } from '../model/codes.js';
import { joinPointer, type SourceMap } from '../model/source-map.js';
import { didYouMean } from '../model/nearest.js';

/**
 * Turns ajv's errors into diagnostics with positions. Errors inside an `anyOf` are narrowed to the branch
 * whose type matches the data, so a typo in an endpoint object reports the typo, not every branch.
 */
export function validateWithSchema(validate: ValidateFunction, data: unknown, sourceMap: SourceMap): Diagnostic[] {
  if (validate(data)) return [];
  const errors = narrowAnyOf(validate.errors ?? []);
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

function narrowAnyOf(errors: ErrorObject[]): ErrorObject[] {
  // A failed oneOf explains itself; the `required` errors of its branches only repeat it.
  errors = errors.filter((e) => !/\/oneOf\/\d+\//.test(e.schemaPath));
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf');
  let result = errors;
  for (const a of anyOfs) {
    const prefix = a.schemaPath + '/';
    const branches = (a.schema as unknown[]) ?? [];
    const dataType = typeOf(a.data);
    const chosen = branches.findIndex((b) => branchType(b).some((t) => t === dataType || (t === 'number' && dataType === 'integer')));
    result = result.filter((e) => {
      if (e === a) return chosen < 0;
      if (!e.schemaPath.startsWith(prefix)) return true;
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
      const hint = /\/ports\/\d+$/.test(path) && typeof e.data === 'number' ? `write the port with its protocol, e.g. "tcp:${e.data}" or "https:${e.data}"` : undefined;
      return at('SCHEMA_TYPE', path, `${where} must be ${article(expected)}, not ${article(typeOf(e.data))}`, hint);
    }
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map((v) => String(v));
      return at('SCHEMA_ENUM', path, `${where} is "${String(e.data)}", which is not one of: ${allowed.join(', ')}`, didYouMean(String(e.data), allowed) ?? `use one of: ${allowed.join(', ')}`);
    }
    case 'pattern': {
      const hint = /\/ports\/\d+$/.test(path)
        ? 'write PROTOCOL:PORT such as "https:443", "tcp:22", "udp:53" or "tcp:8000-8080", or "any" for all traffic'
        : /\/serviceTag$/.test(path)
          ? 'write the tag name alone, e.g. "AzureContainerRegistry", and a regional form with `region:`'
          : 'ids are lowercase letters, digits and hyphens, starting with a letter or digit';
      return at('SCHEMA_PATTERN', path, `${where} is "${String(e.data)}", which has the wrong form`, hint);
    }
    case 'propertyName': {
      const name = String(e.params.propertyName);
      return at('SCHEMA_PATTERN', joinPointer(path, name), `name "${name}" in ${where} has the wrong form`, 'names are lowercase letters, digits and hyphens, starting with a letter or digit', 'key');
    }
    case 'oneOf':
      return at('SCHEMA_INVALID', path, `${where} must have exactly one of host, cidr, serviceTag, group`, 'split it into one endpoint per kind');
    case 'minItems':
      return at('SCHEMA_INVALID', path, `${where} must not be empty`, 'add at least one entry or remove the key');
    default:
      return at('SCHEMA_INVALID', path, `${where} ${e.message ?? 'is invalid'}`);
  }
}

function article(t: string): string {
  const name = t === 'object' ? 'a mapping' : t === 'array' ? 'a list' : t === 'null' ? 'empty' : /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
  return name.replace(',', ' or ');
}
