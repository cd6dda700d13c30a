// Recall and precision of `fwgen import` on the four seed documents, against the built-in catalogs transcribed by
// hand from them. Compared: the set of (destination, port) pairs and the set of parameter names.
//
// - Destinations as written in the file, with every `{placeholder}` normalised to `{}` (the catalogs split a
//   placeholder into parameters the document does not name, e.g. acr's {replica-regions}); endpoint groups by their
//   title as an id (`group:all-kubernetes-nodes`), since a group's id is a naming choice.
// - Ports as transport and number (`tcp:443`): whether a bare "443" is https:443 or tcp:443, and "22" ssh:22, is a
//   modelling choice the catalogs make from descriptions (see catalogs/runai.yaml); exact agreement is printed too.
// - Parameters by name. acr's `replica-regions` is not counted: the catalog derives it from prose at line 18
//   ("in multiple replicated regions"); the document has no placeholder or word for it.
//
// Every extra pair (in the import, not in the catalog) must come from a requirement the importer warned about.
// The seeds are read from FWGEN_SEEDS or ../shared/seeds beside the repository; without them the specs are skipped,
// loudly.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importDocument } from '../../lib/import/index.js';
import { loadRequirementFile } from '../../lib/load/index.js';
import { loadRequirementSet } from '../../lib/load/load-text.js';
import { catalogFile } from '../../lib/catalogs/index.js';
import { formatPort } from '../../lib/model/port.js';
import type { EndpointEntry, PortSpec, RequirementSet } from '../../lib/model/requirement-set.js';
import type { Diagnostic } from '../../lib/model/diagnostic.js';
import { slug } from '../../lib/import/inline.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SEEDS = process.env.FWGEN_SEEDS ?? join(ROOT, '..', 'shared', 'seeds');

/** Parameters of a catalog that no word of its document names (see the note above). */
const NOT_IN_DOCUMENT: Record<string, string[]> = { acr: ['replica-regions'] };

function destination(set: RequirementSet, e: EndpointEntry): string {
  switch (e.kind) {
    case 'host': {
      const name = e.name.replace(/\{[^}]*\}/g, '{}');
      return e.match === 'subdomains' ? `*.${name}` : e.match === 'apex-and-subdomains' ? `.${name}` : name;
    }
    case 'cidr':
      return e.cidr;
    case 'service-tag':
      return `tag:${e.tag}${e.region ? '.{}' : ''}`;
    case 'group':
      return `group:${slug(set.groups.find((g) => g.id === e.group)?.title ?? e.group)}`;
  }
}

const transportPort = (p: PortSpec) => (p.transport === 'any' ? 'any' : `${p.transport}:${p.from === p.to ? p.from : `${p.from}-${p.to}`}`);

function pairs(set: RequirementSet, port: (p: PortSpec) => string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of set.requirements) {
    for (const d of r.destinations) {
      for (const p of r.ports) {
        const key = `${destination(set, d)} ${port(p)}`;
        out.set(key, [...(out.get(key) ?? []), r.provenance.line ?? 0]);
      }
    }
  }
  return out;
}

const pct = (n: number, d: number) => `${n}/${d} = ${d === 0 ? '100.0' : ((100 * n) / d).toFixed(1)}%`;

export interface Comparison {
  recall: number;
  precision: number;
  missing: string[];
  extra: string[];
  unexplained: string[];
  missingParameters: string[];
  extraParameters: string[];
  report: string;
}

export function compare(id: string, catalog: RequirementSet, imported: RequirementSet, diagnostics: readonly Diagnostic[]): Comparison {
  const want = pairs(catalog, transportPort);
  const got = pairs(imported, transportPort);
  const hit = [...want.keys()].filter((k) => got.has(k));
  const missing = [...want.keys()].filter((k) => !got.has(k));
  const extra = [...got.keys()].filter((k) => !want.has(k));
  const warnedLines = new Set(diagnostics.filter((d) => d.severity === 'warning').map((d) => d.span?.line));
  const unexplained = extra.filter((k) => !got.get(k)!.every((line) => warnedLines.has(line)));
  const exactWant = pairs(catalog, formatPort);
  const exactGot = pairs(imported, formatPort);
  const exact = [...exactWant.keys()].filter((k) => exactGot.has(k)).length;
  const skip = NOT_IN_DOCUMENT[id] ?? [];
  const wantParams = catalog.parameters.map((p) => p.name).filter((n) => !skip.includes(n));
  const gotParams = imported.parameters.map((p) => p.name);
  const missingParameters = wantParams.filter((n) => !gotParams.includes(n));
  const extraParameters = gotParams.filter((n) => !wantParams.includes(n));
  const lines = [
    `${id} (${catalog.source.document}): recall ${pct(hit.length, want.size)}, precision ${pct(hit.length, got.size)} of (destination, port) pairs;` +
      ` parameters ${pct(wantParams.length - missingParameters.length, wantParams.length)} recall, ${pct(gotParams.length - extraParameters.length, gotParams.length)} precision` +
      `${skip.length ? ` (not counted: ${skip.join(', ')})` : ''}; same application protocol on ${exact}/${exactWant.size} pairs`,
    ...missing.map((k) => `    missing: ${k}`),
    ...extra.map((k) => `    extra:   ${k} (line ${got.get(k)!.join(', ')}${unexplained.includes(k) ? ', NOT WARNED' : ', warned'})`),
    ...missingParameters.map((n) => `    missing parameter: ${n}`),
    ...extraParameters.map((n) => `    extra parameter: ${n}`),
  ];
  return {
    recall: want.size ? hit.length / want.size : 1,
    precision: got.size ? hit.length / got.size : 1,
    missing,
    extra,
    unexplained,
    missingParameters,
    extraParameters,
    report: lines.join('\n'),
  };
}

describe('fwgen import: recall and precision on the seed documents', function () {
  const reports: string[] = [];
  before(function () {
    if (!existsSync(SEEDS)) {
      console.error(`\n  !!! SKIPPED: seed documents not found at ${SEEDS} (set FWGEN_SEEDS)\n`);
      this.skip();
    }
  });
  after(function () {
    if (reports.length) console.log(`\n  import recall and precision:\n${reports.map((r) => `    ${r.replace(/\n/g, '\n    ')}`).join('\n')}\n`);
  });

  for (const id of ['azure-arc-ml', 'runai', 'mcr', 'acr']) {
    it(`${id}: every destination, port and parameter of the catalog, every extra warned`, async function () {
      const catalog = (await loadRequirementFile(catalogFile(id)!)).set!;
      const file = join(SEEDS, catalog.source.document);
      const r = importDocument(readFileSync(file, 'utf8'), { file });
      expect(r.yaml, r.diagnostics.map((d) => d.message).join('\n')).to.be.a('string');
      const loaded = loadRequirementSet(r.yaml!, 'imported.yaml');
      expect(loaded.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
      const c = compare(id, catalog, loaded.set!, r.diagnostics);
      reports.push(c.report);
      expect(c.missing, c.report).to.deep.equal([]);
      expect(c.missingParameters, c.report).to.deep.equal([]);
      expect(c.unexplained, c.report).to.deep.equal([]);
      expect(c.extraParameters, c.report).to.deep.equal([]);
    });
  }
});
