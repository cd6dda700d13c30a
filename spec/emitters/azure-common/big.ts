/** Large requirement sets for the limit specs: bench/big-policy.mjs's prefixes, loaded and expanded in memory. */
import { expect } from 'chai';
// @ts-expect-error: a plain .mjs module without types
import { bigPolicyPrefixes } from '../../../bench/big-policy.mjs';
import { loadRequirementSet } from '../../../lib/load/load-text.js';
import { expand } from '../../../lib/expand/index.js';
import type { Diagnostic } from '../../../lib/model/diagnostic.js';
import type { ResolvedRequirementSet } from '../../../lib/model/resolved.js';

/** `n` distinct IPv4 prefixes (/16 to /32, shuffled) in the composition of issue 13's peer comparison. */
export function prefixes(n: number, seed = 13): string[] {
  return (bigPolicyPrefixes as (n: number, seed: number) => string[])(n, seed);
}

export interface BigRequirement {
  id: string;
  destinations: string[];
  sources?: string[];
  ports?: string;
  direction?: 'outbound' | 'inbound' | 'internal';
}

/** One set with the requirements given, each destination and source a CIDR. */
export function bigSet(requirements: BigRequirement[]): { set: ResolvedRequirementSet; diagnostics: Diagnostic[] } {
  const lines = ['id: big', 'title: Big', 'source: { document: big.md }', 'requirements:'];
  requirements.forEach((r, i) => {
    lines.push(`  - id: ${r.id}`);
    if (r.direction) lines.push(`    direction: ${r.direction}`);
    if (r.sources) lines.push('    sources:', ...r.sources.map((s) => `      - ${JSON.stringify(s)}`));
    lines.push('    destinations:', ...r.destinations.map((d) => `      - ${JSON.stringify(d)}`));
    lines.push(`    ports: [${r.ports ?? 'tcp:443'}]`, `    provenance: { line: ${i + 1} }`);
  });
  const loaded = loadRequirementSet(lines.join('\n') + '\n', 'big.yaml');
  expect(loaded.diagnostics.filter((d) => d.severity === 'error'), 'loads').to.deep.equal([]);
  const expanded = expand([loaded.set!], {});
  expect(expanded.diagnostics.filter((d) => d.severity === 'error'), 'expands').to.deep.equal([]);
  return { set: expanded.set!, diagnostics: expanded.diagnostics };
}
