import type { Fidelity, FidelityTable } from './emitter.js';
import { features } from './emitter.js';

export const EXACT = { level: 'exact' } as const satisfies Fidelity;

/** Every feature exact: a starting point that a target's table overrides where the target differs. */
export function allExact(overrides: Partial<FidelityTable> = {}): FidelityTable {
  return { ...(Object.fromEntries(features.map((f) => [f, EXACT])) as unknown as FidelityTable), ...overrides };
}

/**
 * A packet filter that matches addresses only: names are dropped (the core uses the vendor's address form instead
 * where a requirement has one), and a group without addresses cannot be written.
 */
export function addressOnlyFidelity(target: string, overrides: Partial<FidelityTable> = {}): FidelityTable {
  const names = {
    level: 'drop',
    note: `${target} matches addresses, not names, and fwgen never resolves names at build time (their addresses change)`,
    hint: "use --target squid (a proxy that matches names) or cilium (toFQDNs); a requirement that carries the vendor's address form (alternatives) uses it here",
  } as const;
  const unbound = { level: 'error', note: 'the endpoint group has no addresses', hint: 'bind it: --bind GROUP=CIDR,...' } as const;
  return allExact({
    'host-exact': names,
    'host-subdomains': names,
    'host-apex-and-subdomains': names,
    'host-label-wildcard': names,
    'host-path-http': names,
    'host-path-tls': names,
    'group-destination-unbound': unbound,
    'source-group-unbound': unbound,
    ...overrides,
  });
}
