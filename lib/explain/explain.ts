import type { Emitter, EmitterOptions } from '../emit/emitter.js';
import type { PortSpec } from '../model/requirement-set.js';
import type { HostPattern } from '../emit/emitter.js';
import { labelMatches } from '../model/host-form.js';
import type { ResolvedEndpoint, ResolvedRequirementSet } from '../model/resolved.js';
import { applyFidelity, resolveFidelity } from '../emit/fidelity.js';
import { describeEndpoint, describeProvenance } from '../model/describe.js';
import { formatPort } from '../model/port.js';

/** What the requirements themselves mean for a host: exact; subdomains at any depth; apex and subdomains. */
export function modelMatchesHost(e: HostPattern, host: string): boolean {
  if (e.match === 'exact') return host === e.name;
  if (e.match === 'label-wildcard') return labelMatches(e.label ?? '*', e.name, host);
  const below = host.endsWith('.' + e.name) && host.length > e.name.length + 1;
  return e.match === 'subdomains' ? below : below || host === e.name;
}

function portMatches(p: PortSpec, port: number | undefined): boolean {
  if (port === undefined) return true;
  return p.from <= port && port <= p.to;
}

export interface RequirementMatch {
  requirement: string;
  destination: string;
  ports: string;
  provenance: string[];
}

export interface TargetVerdict {
  target: string;
  verdict: 'allowed' | 'denied' | 'by-address';
  detail: string;
}

export interface Explanation {
  host: string;
  port?: number;
  requirements: RequirementMatch[];
  targets: TargetVerdict[];
}

/**
 * Which requirements allow HOST[:PORT], and whether each target's output would, by that target's own matching rules
 * (Squid's `.name` also matching the apex, Cilium's `*.` one label deep) and after its fidelity choices.
 */
export function explain(set: ResolvedRequirementSet, host: string, port: number | undefined, targets: { emitter: Emitter; options: EmitterOptions }[]): Explanation {
  const h = host.toLowerCase().replace(/\.$/, '');
  const requirements: RequirementMatch[] = [];
  const matchedIds = new Set<string>();
  for (const r of set.requirements) {
    if (r.direction !== 'outbound') continue;
    for (const d of r.destinations) {
      if (d.endpoint.kind !== 'host' || !modelMatchesHost(d.endpoint, h)) continue;
      const ports = d.ports.filter((p) => portMatches(p, port));
      if (!ports.length) continue;
      matchedIds.add(r.id);
      requirements.push({ requirement: r.id, destination: describeEndpoint(d.endpoint), ports: ports.map(formatPort).join(', '), provenance: d.provenance.map(describeProvenance) });
    }
  }
  const verdicts = targets.map(({ emitter, options }) => verdictFor(set, h, port, emitter, options, matchedIds));
  return { host: h, ...(port !== undefined ? { port } : {}), requirements, targets: verdicts };
}

function verdictFor(set: ResolvedRequirementSet, host: string, port: number | undefined, emitter: Emitter, options: EmitterOptions, matchedIds: Set<string>): TargetVerdict {
  const prepared = applyFidelity(set, emitter, resolveFidelity(emitter, options)).set;
  const matches = (e: HostPattern) => (emitter.matchesHost ? emitter.matchesHost(e, host, options) : modelMatchesHost(e, host));
  const byName: string[] = [];
  const byAddress: ResolvedEndpoint[] = [];
  const narrower: string[] = [];
  for (const r of prepared.requirements) {
    if (r.direction !== 'outbound') continue;
    for (const d of r.destinations) {
      if (!d.ports.some((p) => portMatches(p, port))) continue;
      if (d.endpoint.kind === 'host' && matches(d.endpoint)) byName.push(`${r.id} (${describeEndpoint(d.endpoint)})`);
      else if (d.endpoint.kind === 'host' && modelMatchesHost(d.endpoint, host)) narrower.push(`${r.id} (${describeEndpoint(d.endpoint)})`);
      else if (d.endpoint.kind !== 'host' && matchedIds.has(r.id) && r.alternatives.some((a) => describeEndpoint(a) === describeEndpoint(d.endpoint))) byAddress.push(d.endpoint);
    }
  }
  if (byName.length) {
    const wider = matchedIds.size === 0 ? ' (more than the requirements ask for)' : '';
    return { target: emitter.id, verdict: 'allowed', detail: `allowed by ${byName.join(', ')}${wider}` };
  }
  if (byAddress.length) {
    return { target: emitter.id, verdict: 'by-address', detail: `allowed only if ${host} resolves into ${[...new Set(byAddress.map(describeEndpoint))].join(', ')}: this target matches addresses, not names` };
  }
  if (narrower.length) {
    return { target: emitter.id, verdict: 'denied', detail: `denied: the target's rule for ${narrower.join(', ')} does not match this host (narrowed; see its diagnostics)` };
  }
  return { target: emitter.id, verdict: 'denied', detail: matchedIds.size ? 'denied: the target cannot express the requirement (see its diagnostics)' : 'denied' };
}
