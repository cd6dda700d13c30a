import type { ResolvedEndpoint, ResolvedRequirement } from '../model/resolved.js';
import { cidrFamily } from '../model/cidr.js';

export interface AddressList {
  v4: string[];
  v6: string[];
}

/**
 * The addresses an endpoint stands for, for targets that match addresses: a CIDR, a bound group's CIDRs, or a service
 * tag's prefixes (after the core resolved it). Host names have none; the core has dropped or replaced them already.
 */
export function endpointAddresses(e: ResolvedEndpoint): AddressList {
  const cidrs = e.kind === 'cidr' ? [e.cidr] : e.kind === 'group' ? e.cidrs ?? [] : e.kind === 'service-tag' ? e.prefixes ?? [] : [];
  return split(cidrs);
}

/** The addresses of a requirement's sources; `undefined` means any source. */
export function sourceAddresses(req: ResolvedRequirement): AddressList | undefined {
  if (!req.sources || req.sources.length === 0) return undefined;
  const all = req.sources.map(endpointAddresses);
  return { v4: uniq(all.flatMap((a) => a.v4)), v6: uniq(all.flatMap((a) => a.v6)) };
}

function split(cidrs: readonly string[]): AddressList {
  return { v4: cidrs.filter((c) => cidrFamily(c) === 4), v6: cidrs.filter((c) => cidrFamily(c) === 6) };
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}
