import type { ResolvedDestination, ResolvedEndpoint, ResolvedRequirement } from '../model/resolved.js';
import { aggregatePrefixes, aggregateRanges, mergeAddresses, prefixesOf, rangesOf, type AddressRange, type MergedAddresses } from '../model/aggregate.js';
import { pushAll } from '../model/array.js';

export { aggregatePrefixes, aggregateRanges, type AddressRange };

export interface AddressList {
  v4: string[];
  v6: string[];
}

/**
 * The addresses an endpoint stands for, for targets that match addresses: a CIDR, a bound group's CIDRs, or a service
 * tag's prefixes (after the core resolved it). Host names have none; the core has dropped or replaced them already.
 * As given: not aggregated across endpoints.
 */
export function endpointAddresses(e: ResolvedEndpoint): AddressList {
  const cidrs = e.kind === 'cidr' ? [e.cidr] : e.kind === 'group' ? e.cidrs ?? [] : e.kind === 'service-tag' ? e.prefixes ?? [] : [];
  return split(cidrs);
}

/**
 * The minimal prefixes covering every address of the endpoints (what Python's `collapse_addresses` gives), each
 * family in address order. Every target that writes addresses writes these, so the same requirement gives the same
 * prefixes everywhere.
 */
export function aggregateEndpoints(endpoints: Iterable<ResolvedEndpoint>): AddressList {
  return split(prefixesOf(mergeEndpoints(endpoints)));
}

function mergeEndpoints(endpoints: Iterable<ResolvedEndpoint>): MergedAddresses {
  const all: string[] = [];
  for (const e of endpoints) {
    if (e.kind === 'cidr') all.push(e.cidr);
    else if (e.kind === 'group') pushAll(all, e.cidrs ?? []);
    else if (e.kind === 'service-tag') pushAll(all, e.prefixes ?? []);
  }
  return mergeAddresses(all);
}

const mergedDestinations = new WeakMap<readonly ResolvedDestination[], MergedAddresses>();
const aggregatedDestinations = new WeakMap<readonly ResolvedDestination[], AddressList>();
const destinationRanges = new WeakMap<readonly ResolvedDestination[], AddressRange[]>();

/** The destinations' addresses merged, once per list for every target of a run. */
function mergedOf(dests: readonly ResolvedDestination[]): MergedAddresses {
  let hit = mergedDestinations.get(dests);
  if (!hit) mergedDestinations.set(dests, (hit = mergeEndpoints(dests.map((d) => d.endpoint))));
  return hit;
}

/**
 * `aggregateEndpoints` of a list of destinations, kept per list: the targets of one `fwgen generate` share the
 * requirement (and `groupByPorts`' groups), so 100,000 prefixes are merged once rather than once per target.
 * The lists returned are shared: do not change them.
 */
export function aggregateDestinations(dests: readonly ResolvedDestination[]): AddressList {
  let hit = aggregatedDestinations.get(dests);
  if (!hit) aggregatedDestinations.set(dests, (hit = split(prefixesOf(mergedOf(dests)))));
  return hit;
}

/** The destinations' addresses as maximal ranges (see `aggregateRanges`), kept per list like `aggregateDestinations`. */
export function aggregateDestinationRanges(dests: readonly ResolvedDestination[]): readonly AddressRange[] {
  let hit = destinationRanges.get(dests);
  if (!hit) destinationRanges.set(dests, (hit = rangesOf(mergedOf(dests), aggregateDestinations(dests))));
  return hit;
}

/** The aggregated addresses of a requirement's sources; `undefined` means any source. */
export function sourceAddresses(req: ResolvedRequirement): AddressList | undefined {
  if (!req.sources || req.sources.length === 0) return undefined;
  return aggregateEndpoints(req.sources);
}

function split(cidrs: readonly string[]): AddressList {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const c of cidrs) (c.includes(':') ? v6 : v4).push(c);
  return { v4, v6 };
}
