import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Emitter } from './emitter.js';
import { registerEmitter, listTargets } from './registry.js';
import { FwgenError } from '../model/diagnostic.js';

const loaded = new Map<string, string>();

/**
 * Imports a third-party emitter module (a path, or a package name resolved from `fromDir`) and registers its default
 * export (or its `emitter` export). Loading the same module twice registers it once.
 */
export async function loadEmitterModule(spec: string, fromDir: string): Promise<string> {
  const isPath = spec.startsWith('.') || isAbsolute(spec);
  let url: string;
  try {
    url = isPath ? pathToFileURL(resolve(fromDir, spec)).href : pathToFileURL(createRequire(join(fromDir, 'noop.js')).resolve(spec)).href;
  } catch {
    throw pluginError(spec, 'cannot be found', isPath ? 'check the path' : `install it (npm install ${spec}) or give a path`);
  }
  const known = loaded.get(url);
  if (known) return known;
  let mod: { default?: unknown; emitter?: unknown };
  try {
    mod = (await import(url)) as typeof mod;
  } catch (e) {
    throw pluginError(spec, `failed to load: ${(e as Error).message}`, 'check that it is an ES module that exports an Emitter');
  }
  const emitter = (mod.default ?? mod.emitter) as Emitter | undefined;
  if (!emitter) throw pluginError(spec, 'exports no emitter', 'export the Emitter object as the default export');
  if (!listTargets().some((t) => t.id === emitter.id && t.origin === spec)) registerEmitter(emitter, spec);
  loaded.set(url, emitter.id);
  return emitter.id;
}

function pluginError(spec: string, what: string, hint: string): FwgenError {
  return new FwgenError([{ code: 'EMIT_UNKNOWN_TARGET', severity: 'error', message: `emitter module ${spec} ${what}`, hint, params: { module: spec } }]);
}
