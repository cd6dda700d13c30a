import type { TemplateDelegate } from 'handlebars';
// The runtime only (no compiler): templates are precompiled at build time. Imported here, so the CLI bundle carries
// it inside the chunk of the emitters that render templates.
import handlebarsRuntime from 'handlebars/runtime.js';

type Runtime = { template: (spec: unknown) => TemplateDelegate; create: () => Runtime; registerHelper: (name: string, fn: (...args: unknown[]) => unknown) => void };

const runtime = handlebarsRuntime as unknown as Runtime;

/**
 * Turns precompiled template specs (from scripts/build-templates.mjs) into functions, each in its own Handlebars
 * environment so one target's helpers cannot leak into another's.
 */
export function loadTemplates<K extends string>(specs: Record<K, unknown>, helpers: Record<string, (...args: unknown[]) => unknown> = {}): Record<K, (context: object) => string> {
  const env = runtime.create();
  for (const [name, fn] of Object.entries(helpers)) env.registerHelper(name, fn);
  const out = {} as Record<K, (context: object) => string>;
  for (const key of Object.keys(specs) as K[]) {
    const t = env.template(specs[key]);
    out[key] = (context: object) => t(context);
  }
  return out;
}
