import type { Emitter } from './emitter.js';
import { FwgenError, InternalError } from '../model/diagnostic.js';
import { didYouMean } from '../model/nearest.js';

export interface EmitterEntry {
  id: string;
  describe: string;
  load: () => Promise<Emitter>;
  /** Where it came from, named when two entries claim one id. */
  origin: string;
}

type Loader = () => Promise<{ default: Emitter }>;

/** Built-in targets: metadata now, code on first use. Each import is spelled out so a bundler can split on it. */
const builtinEmitters: readonly EmitterEntry[] = (
  [
    ['squid', 'Squid acl and http_access lines (squid.conf fragment)', () => import('../emitters/squid/index.js')],
    ['iptables', 'iptables-restore and ip6tables-restore rules with ipset sets', () => import('../emitters/iptables/index.js')],
    ['nftables', 'an nft -f script: table inet fwgen with interval sets', () => import('../emitters/nftables/index.js')],
    ['k8s-networkpolicy', 'Kubernetes NetworkPolicy (networking.k8s.io/v1) YAML', () => import('../emitters/k8s-networkpolicy/index.js')],
    ['azure-firewall', 'Azure Firewall Policy rule collection group (ARM template)', () => import('../emitters/azure-firewall/index.js')],
    ['azure-nsg', 'Azure network security group rules with service tags (ARM template)', () => import('../emitters/azure-nsg/index.js')],
    ['panos', 'PAN-OS XML: address objects, URL categories, services and security rules', () => import('../emitters/panos/index.js')],
    ['cilium', 'CiliumNetworkPolicy with toFQDNs, toCIDRSet and DNS rules (YAML)', () => import('../emitters/cilium/index.js')],
  ] as const satisfies readonly (readonly [string, string, Loader])[]
).map(([id, describe, load]) => ({ id, describe, origin: 'built-in', load: async () => markBuiltin((await load()).default) }));

const builtins = new WeakSet<Emitter>();

function markBuiltin(emitter: Emitter): Emitter {
  builtins.add(emitter);
  return emitter;
}

/** Whether this object is one of fwgen's own emitters (spec/emit/purity.spec.ts shows they leave the set alone). */
export function isBuiltinEmitter(emitter: Emitter): boolean {
  return builtins.has(emitter);
}

const registered = new Map<string, EmitterEntry>();

/**
 * Adds a third-party target. Its id must not clash with a built-in or an earlier registration.
 * Returns a function that removes it again.
 */
export function registerEmitter(emitter: Emitter, origin = 'registerEmitter()'): () => void {
  checkEmitterShape(emitter, origin);
  const clash = builtinEmitters.find((e) => e.id === emitter.id) ?? registered.get(emitter.id);
  if (clash) {
    throw new FwgenError([
      { code: 'EMIT_UNKNOWN_TARGET', severity: 'error', message: `target "${emitter.id}" from ${origin} is already provided by ${clash.origin}`, hint: 'give the emitter another id', params: { id: emitter.id } },
    ]);
  }
  registered.set(emitter.id, { id: emitter.id, describe: emitter.describe, origin, load: async () => emitter });
  return () => void registered.delete(emitter.id);
}

/** Every target, built-in first, each in id order. */
export function listTargets(): { id: string; describe: string; origin: string }[] {
  const byId = (a: EmitterEntry, b: EmitterEntry) => (a.id < b.id ? -1 : 1);
  return [...[...builtinEmitters].sort(byId), ...[...registered.values()].sort(byId)].map(({ id, describe, origin }) => ({ id, describe, origin }));
}

export async function getEmitter(id: string): Promise<Emitter> {
  const entry = builtinEmitters.find((e) => e.id === id) ?? registered.get(id);
  if (!entry) {
    const ids = listTargets().map((t) => t.id);
    throw new FwgenError([
      { code: 'EMIT_UNKNOWN_TARGET', severity: 'error', message: `no target "${id}"`, hint: didYouMean(id, ids) ?? `targets: ${ids.join(', ')}`, params: { id } },
    ]);
  }
  try {
    return await entry.load();
  } catch (e) {
    throw new InternalError(`target ${id} failed to load: ${(e as Error).message}`, { cause: e });
  }
}

function checkEmitterShape(e: Emitter, origin: string): void {
  const problems: string[] = [];
  if (!e || typeof e !== 'object') problems.push('it is not an object');
  else {
    if (typeof e.id !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(e.id)) problems.push('`id` must be lowercase letters, digits and hyphens');
    if (typeof e.describe !== 'string') problems.push('`describe` must be a string');
    if (typeof e.defaultFile !== 'string') problems.push('`defaultFile` must be a string');
    if (typeof e.emit !== 'function') problems.push('`emit` must be a function');
    if (!e.fidelity || (typeof e.fidelity !== 'object' && typeof e.fidelity !== 'function')) problems.push('`fidelity` must be a table or a function');
  }
  if (problems.length) {
    throw new FwgenError([
      { code: 'EMIT_UNKNOWN_TARGET', severity: 'error', message: `emitter from ${origin} is not valid: ${problems.join('; ')}`, hint: 'export an object implementing the Emitter interface', params: { origin } },
    ]);
  }
}
