/**
 * Emitting a hand-built resolved set straight through an emitter (the core's fidelity table and Service Tags
 * resolution left out), for property specs that feed addresses of every kind: CIDRs, bound groups and service tags
 * already resolved to prefixes. Also the random prefixes those specs use.
 */
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import type { EmitResult, Emitter, EmitterOptions } from '../../../lib/emit/emitter.js';
import { getEmitter } from '../../../lib/emit/registry.js';
import type { PortSpec } from '../../../lib/model/requirement-set.js';
import type { ResolvedEndpoint, ResolvedRequirement, ResolvedRequirementSet } from '../../../lib/model/resolved.js';

export const HTTPS: PortSpec = { transport: 'tcp', from: 443, to: 443, protocol: 'https' };

export function requirement(id: string, destinations: ResolvedEndpoint[], extra: Partial<ResolvedRequirement> = {}, ports: PortSpec[] = [HTTPS]): ResolvedRequirement {
  const span = { file: 'direct.yaml', line: 1, col: 1 };
  const provenance = { document: 'direct.md', line: 1 };
  return {
    id: `direct/${id}`,
    set: 'direct',
    direction: 'outbound',
    destinations: destinations.map((endpoint) => ({ endpoint, ports, provenance: [provenance], span })),
    alternatives: [],
    provenance,
    span,
    ...extra,
  };
}

export function resolvedSet(requirements: ResolvedRequirement[]): ResolvedRequirementSet {
  return {
    sets: [{ id: 'direct', title: 'Direct', source: { document: 'direct.md' }, file: 'direct.yaml', parameters: {}, options: {} }],
    requirements,
  };
}

/** The emitter's options with its defaults filled in, as the core would pass them. */
export function withDefaults(emitter: Emitter, options: EmitterOptions = {}): EmitterOptions {
  const out: EmitterOptions = {};
  for (const [k, spec] of Object.entries(emitter.options ?? {})) out[k] = options[k] ?? spec.default;
  return out;
}

export async function emitDirect(target: string, set: ResolvedRequirementSet, options: EmitterOptions = {}): Promise<EmitResult> {
  const emitter = await getEmitter(target);
  return emitter.emit(set, withDefaults(emitter, options), { version: 'test', header: ['direct'], fidelity: [] });
}

const v4 = (n: number) => `${Math.floor(n / 2 ** 24)}.${Math.floor(n / 65536) & 255}.${Math.floor(n / 256) & 255}.${n & 255}`;

/**
 * A canonical prefix of either family, host bits cleared. Most lie in a small space (inside 10.0.0.0/20 or
 * 2001:db8::/32 near its start) so that they nest, touch and pair up; some are anywhere.
 */
export const anyPrefix: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 4095 }), fc.integer({ min: 20, max: 32 })).map(([n, len]) => {
    const base = 0x0a000000 + n;
    const size = 2 ** (32 - len);
    return `${v4(Math.floor(base / size) * size)}/${len}`;
  }),
  fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 1, max: 32 })).map(([n, len]) => {
    const size = 2 ** (32 - len);
    return `${v4(Math.floor(n / size) * size)}/${len}`;
  }),
  fc.tuple(fc.bigInt({ min: 0n, max: 4095n }), fc.integer({ min: 104, max: 128 })).map(([n, len]) => v6((0x20010db8n << 96n) + n, len)),
  fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }), fc.integer({ min: 1, max: 128 })).map(([n, len]) => v6(n, len)),
);

/** An IPv4-mapped IPv6 prefix (::ffff:a.b.c.d/96 to /128), which Kubernetes refuses in an ipBlock. */
export const mappedPrefix: fc.Arbitrary<string> = fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 96, max: 128 })).map(([n, len]) => v6((0xffffn << 32n) + BigInt(n), len));

function v6(n: bigint, len: number): string {
  const size = 1n << BigInt(128 - len);
  const net = (n / size) * size;
  const hex = net.toString(16).padStart(32, '0').match(/.{4}/g)!.join(':');
  return `${ipaddr.parse(hex).toString()}/${len}`;
}

/** Endpoints holding the prefixes: each a CIDR, a bound group's share or a resolved service tag's share. */
export const endpointsOf = (prefixes: string[], kinds: number[]): ResolvedEndpoint[] => {
  const out: ResolvedEndpoint[] = [];
  prefixes.forEach((p, i) => {
    const kind = kinds[i % kinds.length]! % 3;
    const last = out[out.length - 1];
    if (kind === 0) out.push({ kind: 'cidr', cidr: p, family: p.includes(':') ? 6 : 4 });
    else if (kind === 1) {
      if (last?.kind === 'group') last.cidrs!.push(p);
      else out.push({ kind: 'group', group: `direct/g${i}`, title: `Group ${i}`, cidrs: [p] });
    } else if (last?.kind === 'service-tag') last.prefixes!.push(p);
    else out.push({ kind: 'service-tag', tag: `Tag${i}`, prefixes: [p], resolvedName: `Tag${i}` });
  });
  return out;
};
