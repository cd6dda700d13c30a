import module, { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { loadEmitterModule } from '../emit/load-plugin.js';

/**
 * The files a third-party emitter's code comes from, so `fwgen check` can tell when it changed: its module and
 * everything that module imports, found by watching Node's module loader while the emitter loads. ES module
 * imports are seen through loader hooks (module.register: every resolved import and every loaded module);
 * CommonJS modules through require.cache and each module's `children`.
 *
 * A module that was loaded before the hooks were registered (a spec that imported the emitter earlier in the same
 * process) has no record of its imports: its files are then unknown and `check` renders in full.
 */

interface Graph {
  edges: Map<string, Set<string>>;
  loaded: Set<string>;
  port: MessagePort;
}

let graph: Graph | undefined | null;

const HOOKS = `
let port;
export function initialize(data) {
  port = data.port;
  port.on('message', (m) => port.postMessage({ flushed: m }));
}
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (context.parentURL) port.postMessage({ from: context.parentURL, to: r.url });
  return r;
}
export async function load(url, context, next) {
  const r = await next(url, context);
  port.postMessage({ loaded: url });
  return r;
}
`;

function hooks(): Graph | undefined {
  if (graph !== undefined) return graph ?? undefined;
  const register = (module as { register?: (specifier: string, options: object) => void }).register;
  if (typeof register !== 'function') {
    graph = null;
    return undefined;
  }
  const { port1, port2 } = new MessageChannel();
  const g: Graph = { edges: new Map(), loaded: new Set(), port: port1 };
  port1.on('message', (m: { from?: string; to?: string; loaded?: string }) => {
    if (m.loaded) g.loaded.add(m.loaded);
    else if (m.from && m.to) {
      let set = g.edges.get(m.from);
      if (!set) g.edges.set(m.from, (set = new Set()));
      set.add(m.to);
    }
  });
  port1.unref();
  try {
    register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: { port: port2 }, transferList: [port2] });
  } catch {
    graph = null;
    return undefined;
  }
  return (graph = g);
}

/** Waits until every message the hooks sent before now has arrived (one port keeps its messages in order). */
function flush(g: Graph): Promise<void> {
  return new Promise((done) => {
    const token = Math.random();
    const onMessage = (m: { flushed?: number }) => {
      if (m.flushed !== token) return;
      g.port.off('message', onMessage);
      g.port.unref();
      done();
    };
    g.port.on('message', onMessage);
    g.port.ref();
    g.port.postMessage(token);
  });
}

/** The URL load-plugin imports for `spec` (a path, or a package name resolved from `fromDir`). */
function entryUrl(spec: string, fromDir: string): string | undefined {
  try {
    const isPath = spec.startsWith('.') || isAbsolute(spec);
    return isPath ? pathToFileURL(resolve(fromDir, spec)).href : pathToFileURL(createRequire(join(fromDir, 'noop.js')).resolve(spec)).href;
  } catch {
    return undefined;
  }
}

/**
 * Loads the project's emitters (as renderProject does) and returns the absolute paths of every file their code came
 * from, sorted; undefined when that cannot be known (no loader hooks, or a module loaded before they were).
 */
export async function loadEmittersTracked(specs: readonly string[], fromDir: string): Promise<string[] | undefined> {
  if (specs.length === 0) return [];
  const g = hooks();
  for (const spec of specs) await loadEmitterModule(spec, fromDir);
  if (!g) return undefined;
  await flush(g);
  const cjs = createRequire(import.meta.url).cache;
  const files = new Set<string>();
  let known = true;
  const seen = new Set<string>();
  const walkCjs = (m: NodeJS.Module | undefined) => {
    if (!m || seen.has(`cjs:${m.id}`)) return;
    seen.add(`cjs:${m.id}`);
    files.add(m.filename);
    for (const child of m.children) walkCjs(child);
  };
  const walk = (url: string) => {
    if (seen.has(url)) return;
    seen.add(url);
    if (url.startsWith('node:')) return;
    if (!url.startsWith('file:')) {
      known = false;
      return;
    }
    if (!g.loaded.has(url)) known = false;
    const path = fileURLToPath(url);
    files.add(path);
    const asCjs = cjs[path];
    if (asCjs) walkCjs(asCjs);
    for (const to of g.edges.get(url) ?? []) walk(to);
  };
  for (const spec of specs) {
    const url = entryUrl(spec, fromDir);
    if (!url) return undefined;
    walk(url);
  }
  return known ? [...files].sort() : undefined;
}
