import { InternalError } from '../../model/diagnostic.js';

/** The deployment template schema both Azure targets write; the 2019-04-01 schema is the current one for resource groups. */
export const DEPLOYMENT_TEMPLATE_SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';

/**
 * Microsoft.Network API version of every resource written. The newest in Azure/azure-resource-manager-schemas when
 * these targets were written, and the version of the schemas the specs validate against (spec/schemas/azure/).
 */
export const NETWORK_API_VERSION = '2025-07-01';

/**
 * An ARM template language expression, written as is. Every other string is a literal: see {@link armLiteral}.
 * Only code builds expressions, from parts it has checked (names, parameter names); input text never does.
 */
export class ArmExpression {
  constructor(readonly text: string) {
    if (!/^\[[^\[\]\r\n]*\]$/.test(text) || text.startsWith('[[')) throw new InternalError(`not an ARM expression: ${JSON.stringify(text)}`);
  }
}

/** `[format('{0}/{1}', parameters('PARAM'), 'CHILD')]`: a child resource's name under a parent named by a parameter. */
export function childName(parameter: string, child: string): ArmExpression {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(parameter)) throw new InternalError(`bad parameter name ${parameter}`);
  if (!/^[A-Za-z0-9_.-]+$/.test(child)) throw new InternalError(`bad child name ${child}`);
  return new ArmExpression(`[format('{0}/{1}', parameters('${parameter}'), '${child}')]`);
}

/**
 * A literal string as ARM reads it. ARM evaluates a string that starts with `[` and ends with `]` as an expression,
 * anywhere in a template; a leading `[[` makes it a literal again (ARM drops one bracket). Any string from the input
 * (a purpose, a provenance text) could look like an expression, so every literal goes through here.
 */
export function armLiteral(s: string): string {
  return s.startsWith('[') && s.endsWith(']') ? `[${s}` : s;
}

type Json = string | number | boolean | null | ArmExpression | Json[] | { [key: string]: Json | undefined };

/**
 * Turns a template built as objects into JSON text: expressions written as they are, every other string made a
 * literal (see {@link armLiteral}), keys in the order the object was built (fixed by the code, not by input),
 * `undefined` properties left out. Two-space indent and a final newline.
 */
export function renderTemplate(template: Json): string {
  return JSON.stringify(literals(template), null, 2) + '\n';
}

/** One value as {@link renderTemplate} writes it at the top level (no final newline), to measure its size. */
export function renderValue(value: Json): string {
  return JSON.stringify(literals(value), null, 2);
}

function literals(v: Json): unknown {
  if (v instanceof ArmExpression) return v.text;
  if (typeof v === 'string') return armLiteral(v);
  if (Array.isArray(v)) return v.map(literals);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) continue;
      // Keys are the code's own; a key that looks like an expression would be evaluated too.
      if (k.startsWith('[')) throw new InternalError(`template key ${JSON.stringify(k)} would be read as an expression`);
      out[k] = literals(x);
    }
    return out;
  }
  return v;
}

export type TemplateValue = Json;

/** A string template parameter, with a default value when there is one. */
export function stringParameter(description: string, defaultValue?: string | ArmExpression): Record<string, Json | undefined> {
  return { type: 'string', defaultValue, metadata: { description } };
}
