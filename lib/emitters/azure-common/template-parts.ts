import { InternalError } from '../../model/diagnostic.js';
import { renderValue, type ArmExpression, type TemplateValue } from './arm.js';

/**
 * Azure Resource Manager's template limits (https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/best-practices#template-limits
 * and .../troubleshooting/error-job-size-exceeded): a template of at most 4 MB and each resource definition at most
 * 1 MB (both after compression, so the uncompressed size measured here is an upper bound), at most 800 resources,
 * and a deployment job of at most 1 MB after compression, template included.
 */
export const ARM_TEMPLATE_BYTES_MAX = 4_000_000;
export const ARM_RESOURCE_BYTES_MAX = 1_000_000;
export const ARM_RESOURCES_MAX = 800;
/**
 * Default size of one template written: 1,000,000 bytes before compression keeps the whole deployment request
 * under the 1 MB job limit whatever the compression ratio, leaving room for the request's own metadata.
 */
export const ARM_TEMPLATE_BYTES_DEFAULT = 1_000_000;

export interface TemplateLimits {
  maxTemplateBytes: number;
  maxTemplateResources: number;
  maxResourceBytes: number;
}

/** One resource of a template, with the entries of `metadata.fwgen.rules` that describe it. */
export interface TemplateUnit {
  /** The resource object, without `dependsOn` (see `dependsOn`). */
  resource: Record<string, TemplateValue | undefined>;
  metadata: TemplateValue[];
  /** For messages: `IP Group fwgen.r.dst.1`. */
  label: string;
  /** Identifies the unit for the `dependsOn` of others. */
  key?: string;
  /**
   * Resources to deploy first. Written as `dependsOn` only for those in the same template (ARM refuses others);
   * those of earlier parts are deployed already. Measured as if all were written.
   */
  dependsOn?: { key: string; ref: ArmExpression }[];
}

function measured(u: TemplateUnit): TemplateValue {
  return u.dependsOn?.length ? { ...u.resource, dependsOn: u.dependsOn.map((d) => d.ref) } : u.resource;
}

/** The units' resources as one part writes them: `dependsOn` kept for the units of the same part. */
export function partResources(units: readonly TemplateUnit[]): TemplateValue[] {
  const here = new Set(units.map((u) => u.key).filter((k) => k !== undefined));
  return units.map((u) => {
    const deps = (u.dependsOn ?? []).filter((d) => here.has(d.key));
    return deps.length ? { ...u.resource, dependsOn: deps.map((d) => d.ref) } : u.resource;
  });
}

export type PackProblem =
  | { kind: 'resource-bytes'; label: string; bytes: number; max: number }
  | { kind: 'unit-bytes'; label: string; bytes: number; max: number };

/**
 * Renders one template from its units; `part` and `parts` count from 1. Called once with no units and `measure` set,
 * to measure what any part costs besides its units (every parameter a part may need), so a template must grow only
 * by its units' rendered text.
 */
export type RenderPart = (units: readonly TemplateUnit[], part: number, parts: number, measure?: boolean) => string;

// Inside the template, a resource is an item of `resources` (4 spaces deeper than at the top level) and a metadata
// entry an item of `metadata.fwgen.rules` (8 spaces deeper); each item also takes `,\n`.
const RESOURCE_INDENT = 4;
const METADATA_INDENT = 8;

function indentedSize(text: string, indent: number): number {
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  return text.length + lines * indent + 2;
}

/**
 * Packs units, in order, into as few templates as the limits allow (each part deployed after the one before it,
 * so a resource may use any resource of an earlier part), and renders them. Linear: each unit is rendered once to
 * measure it and once in its part. Problems: a resource larger than a resource may be, or a unit that does not fit
 * a template on its own.
 */
export function packTemplates(units: readonly TemplateUnit[], limits: TemplateLimits, render: RenderPart): { parts: string[]; problems: PackProblem[] } {
  const problems: PackProblem[] = [];
  // The empty template with the most a part can carry besides its units (a two-digit part count), and the brackets
  // and newlines that closing non-empty arrays adds.
  const overhead = render([], 99, 99, true).length + 16;
  const sizes = units.map((u) => {
    const resource = renderValue(measured(u));
    if (resource.length > limits.maxResourceBytes) problems.push({ kind: 'resource-bytes', label: u.label, bytes: resource.length, max: limits.maxResourceBytes });
    let size = indentedSize(resource, RESOURCE_INDENT);
    for (const m of u.metadata) size += indentedSize(renderValue(m), METADATA_INDENT);
    if (overhead + size > limits.maxTemplateBytes) problems.push({ kind: 'unit-bytes', label: u.label, bytes: overhead + size, max: limits.maxTemplateBytes });
    return size;
  });
  if (problems.length) return { parts: [], problems };
  const groups: TemplateUnit[][] = [];
  let current: TemplateUnit[] = [];
  let bytes = overhead;
  units.forEach((u, i) => {
    if (current.length && (current.length >= limits.maxTemplateResources || bytes + sizes[i]! > limits.maxTemplateBytes)) {
      groups.push(current);
      current = [];
      bytes = overhead;
    }
    current.push(u);
    bytes += sizes[i]!;
  });
  if (current.length) groups.push(current);
  const parts = groups.map((g, i) => render(g, i + 1, groups.length));
  parts.forEach((p, i) => {
    if (p.length > limits.maxTemplateBytes) throw new InternalError(`template part ${i + 1} is ${p.length} bytes, over the ${limits.maxTemplateBytes} it was packed for`);
  });
  return { parts, problems };
}

/** `base.json` for one part; `base.part-01-of-12.json` (numbered to sort in deployment order) for several. */
export function partFileName(base: string, part: number, parts: number): string {
  if (parts === 1) return `${base}.json`;
  const width = String(parts).length;
  return `${base}.part-${String(part).padStart(width, '0')}-of-${parts}.json`;
}
