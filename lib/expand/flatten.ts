import type { ResolvedRequirementSet } from '../model/resolved.js';
import type { Provenance } from '../model/requirement-set.js';
import { describeEndpoint } from '../model/describe.js';
import { formatPort } from '../model/port.js';
import { compareStrings } from '../model/order.js';

/** One allowed flow: what a reviewer compares between two versions of a requirement set. */
export interface FlatRule {
  direction: string;
  /** `*` when the requirement names no source. */
  source: string;
  destination: string;
  port: string;
  requirement: string;
  scenario?: string;
  provenance: Provenance[];
}

export function ruleKey(r: FlatRule): string {
  return `${r.direction}|${r.source}|${r.destination}|${r.port}`;
}

/** Every (direction, source, destination, port) a set allows, in a stable order. */
export function flattenRules(set: ResolvedRequirementSet): FlatRule[] {
  const out: FlatRule[] = [];
  for (const r of set.requirements) {
    const source = r.sources?.length ? r.sources.map(describeEndpoint).sort(compareStrings).join(', ') : '*';
    for (const d of r.destinations) {
      for (const p of d.ports) {
        out.push({
          direction: r.direction,
          source,
          destination: describeEndpoint(d.endpoint),
          port: formatPort(p),
          requirement: r.id,
          ...(r.scenario ? { scenario: r.scenario } : {}),
          provenance: d.provenance,
        });
      }
    }
  }
  return out.sort((a, b) => compareStrings(ruleKey(a), ruleKey(b)));
}

export interface RuleDiff {
  added: FlatRule[];
  removed: FlatRule[];
}

/** Flows added and removed between two sets, by meaning: order, ids and wording do not count. */
export function diffRules(before: ResolvedRequirementSet, after: ResolvedRequirementSet): RuleDiff {
  const a = new Map(flattenRules(before).map((r) => [ruleKey(r), r]));
  const b = new Map(flattenRules(after).map((r) => [ruleKey(r), r]));
  return {
    added: [...b.values()].filter((r) => !a.has(ruleKey(r))),
    removed: [...a.values()].filter((r) => !b.has(ruleKey(r))),
  };
}
