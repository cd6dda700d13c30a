import { expect } from 'chai';
import fc from 'fast-check';
import { loadRequirementSet } from '../../lib/load/load-text.js';
import { expand, endpointKey, endpointSortKey } from '../../lib/expand/index.js';
import { formatPort, comparePorts } from '../../lib/model/port.js';
import type { RequirementSet } from '../../lib/model/requirement-set.js';
import type { ResolvedRequirementSet } from '../../lib/model/resolved.js';

const HOSTS = ['a.example.com', 'b.example.com', '*.c.example.com', '10.0.0.0/24', '10.0.1.0/24', '2001:db8::/64'];
const PORTS = ['https:443', 'http:80', 'tcp:8000-8010', 'udp:53', 'tcp:22'];

interface Row {
  destinations: number[];
  ports: number[];
  outbound: boolean;
  source: number | undefined;
}

const row = fc.record({
  destinations: fc.array(fc.nat(HOSTS.length - 1), { minLength: 1, maxLength: 6 }),
  ports: fc.array(fc.nat(PORTS.length - 1), { minLength: 1, maxLength: 4 }),
  outbound: fc.boolean(),
  source: fc.option(fc.nat(1), { nil: undefined }),
});

function yaml(rows: Row[]): string {
  const lines = ['id: m', 'title: M', 'source: { document: d }', 'requirements:'];
  rows.forEach((r, i) => {
    lines.push(`  - id: r${i}`, `    direction: ${r.outbound ? 'outbound' : 'inbound'}`);
    lines.push(`    destinations: [${r.destinations.map((d) => JSON.stringify(HOSTS[d])).join(', ')}]`);
    if (r.source !== undefined) lines.push(`    sources: ["192.168.${r.source}.0/24"]`);
    lines.push(`    ports: [${r.ports.map((p) => PORTS[p]).join(', ')}]`, `    provenance: { text: row ${i} }`);
  });
  return `${lines.join('\n')}\n`;
}

/** The same spelling for a loaded entry and a resolved endpoint. */
const spell = (e: { kind: string; name?: string; match?: string; cidr?: string }) => (e.kind === 'host' ? `host:${e.name}:${e.match}` : `${e.kind}:${e.cidr}`);

/**
 * The merge as the doc comment states it, by brute force: each flow once, at its first row; a kept destination (the
 * flows of one row to one endpoint) carries the provenance of every row that asked for one of its flows again.
 */
function reference(set: RequirementSet): Map<string, { requirement: string; provenance: string[] }> {
  const owner = new Map<string, string>();
  const provenance = new Map<string, string[]>();
  for (const req of set.requirements) {
    const sources = (req.sources ?? []).map(spell).sort().join(',') || '*';
    for (const d of req.destinations) {
      for (const p of req.ports) {
        const key = `${req.direction}|${sources}|${spell(d)}|${formatPort(p)}`;
        const text = req.provenance.text ?? '';
        const dest = owner.get(key) ?? `m/${req.id}|${spell(d)}`;
        owner.set(key, dest);
        const list = provenance.get(dest) ?? [];
        if (!list.includes(text)) list.push(text);
        provenance.set(dest, list);
      }
    }
  }
  return new Map([...owner].map(([key, dest]) => [key, { requirement: dest.split('|')[0]!, provenance: provenance.get(dest)! }]));
}

function flows(set: ResolvedRequirementSet): Map<string, { requirement: string; provenance: string[] }> {
  const out = new Map<string, { requirement: string; provenance: string[] }>();
  for (const req of set.requirements) {
    const sources = (req.sources ?? []).map(spell).sort().join(',') || '*';
    for (const d of req.destinations) {
      for (const p of d.ports) {
        const key = `${req.direction}|${sources}|${spell(d.endpoint)}|${formatPort(p)}`;
        expect(out.has(key), `${key} is kept once`).to.equal(false);
        out.set(key, { requirement: req.id, provenance: d.provenance.map((x) => x.text ?? '') });
      }
    }
  }
  return out;
}

describe('expand: merging duplicates', () => {
  it('keeps each flow once, at its first row, with the provenance of every row, and leaves its input alone', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 12 }), (rows) => {
        const loaded = loadRequirementSet(yaml(rows), 'm.yaml');
        expect(loaded.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
        const before = JSON.stringify(loaded.set);
        const r = expand([loaded.set!]);
        expect(r.set, JSON.stringify(r.diagnostics)).to.not.equal(undefined);
        const expected = reference(loaded.set!);
        const actual = flows(r.set!);
        expect([...actual].sort()).to.deep.equal([...expected].sort());
        expect(JSON.stringify(loaded.set), 'the loaded set is not changed').to.equal(before);
        for (const req of r.set!.requirements) {
          const keys = req.destinations.map((d) => endpointSortKey(d.endpoint));
          expect(keys, 'destinations in canonical order').to.deep.equal([...keys].sort());
          expect(new Set(req.destinations.map((d) => endpointKey(d.endpoint))).size, 'one destination per endpoint').to.equal(keys.length);
          for (const d of req.destinations) expect(d.ports, 'ports in canonical order').to.deep.equal([...d.ports].sort(comparePorts));
        }
        // A second expand of the same loaded set gives the same result: nothing was shared and then changed.
        expect(JSON.stringify(expand([loaded.set!]).set)).to.equal(JSON.stringify(r.set));
      }),
      { seed: 4242, numRuns: 300 },
    );
  });
});
