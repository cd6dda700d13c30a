import { createRequire } from 'node:module';
import type { TemplateDelegate } from 'handlebars';

type Runtime = { template: (spec: unknown) => TemplateDelegate; create: () => Runtime; registerHelper: (name: string, fn: (...args: unknown[]) => unknown) => void };

let runtime: Runtime | undefined;

/**
 * Turns precompiled template specs (from scripts/build-templates.mjs) into functions, each in its own Handlebars
 * environment so one target's helpers cannot leak into another's.
 */
export function loadTemplates<K extends string>(specs: Record<K, unknown>, helpers: Record<string, (...args: unknown[]) => unknown> = {}): Record<K, (context: object) => string> {
  runtime ??= createRequire(import.meta.url)('handlebars/runtime') as Runtime;
  const env = runtime.create();
  for (const [name, fn] of Object.entries(helpers)) env.registerHelper(name, fn);
  const out = {} as Record<K, (context: object) => string>;
  for (const key of Object.keys(specs) as K[]) {
    const t = env.template(specs[key]);
    out[key] = (context: object) => t(context);
  }
  return out;
}
