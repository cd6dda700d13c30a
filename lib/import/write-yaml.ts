/**
 * The draft as a requirement file: the model's YAML with keys in a fixed order, lists of endpoints and ports in flow
 * style as the built-in catalogs write them, and comments (built with the yaml package's Document API) saying how
 * each part was read. Every "review:" comment is also a warning on stderr. Nothing depends on the clock or the
 * machine, so the same document gives the same bytes.
 */
import { Document, isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import type { Draft, DraftRequirement } from './draft.js';

export interface WriteInput {
  id: string;
  title: string;
  document: string;
  format: string;
  sections: string[];
  draft: Draft;
  /** Requirement ids, one per draft requirement, in order. */
  ids: string[];
}

/** One comment line: no line breaks or other characters that would end it or make the file unreadable. */
export function commentText(text: string): string {
  return text.replace(/[^\t\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]/gu, ' ');
}

const block = (lines: readonly string[]) => lines.map((l) => (l === '' ? '' : ` ${commentText(l)}`)).join('\n');

function lineList(lines: Iterable<number>): string {
  const sorted = [...new Set(lines)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j > i + 1 ? `${sorted[i]}-${sorted[j]}` : j === i + 1 ? `${sorted[i]}, ${sorted[j]}` : String(sorted[i]));
    i = j;
  }
  return parts.join(', ');
}

export function lines(ns: Iterable<number>): string {
  const list = lineList(ns);
  return `${/[,-]/.test(list) ? 'lines' : 'line'} ${list}`;
}

export function writeYaml(input: WriteInput): { text: string; data: Record<string, unknown> } {
  const { draft } = input;
  const parameters = [...draft.parameters.values()].filter((p) => p.lines.size > 0);
  const obj: Record<string, unknown> = {
    id: input.id,
    title: input.title,
    source: { document: input.document, ...(input.sections.length ? { sections: input.sections } : {}) },
  };
  if (parameters.length) {
    obj.parameters = Object.fromEntries(
      parameters.map((p) => {
        const written = [...p.written].map((w) => (p.fromWords ? `"${w}"` : w)).join(', ');
        const description = [
          p.fromWords ? `The document names this host in words: ${written} (${lines(p.lines)}).` : `Placeholder ${written} in the document (${lines(p.lines)}).`,
          ...p.definitions.map((d) => `Line ${d.line}: ${d.text}`),
        ].join(' ');
        return [p.name, { kind: p.kind, ...(p.format ? { format: p.format } : {}), description, ...(p.values ? { values: p.values } : {}) }];
      }),
    );
  }
  if (draft.groups.size) {
    obj.groups = Object.fromEntries([...draft.groups.values()].map((g) => [g.id, { title: g.title, description: `Named in the document at ${lines(g.lines)}.` }]));
  }
  obj.requirements = draft.requirements.map((r, i) => requirementObject(r, input.ids[i]!, input.document));

  const doc = new Document(obj, { aliasDuplicateObjects: false });
  doc.commentBefore = block(header(input));
  if (parameters.length) {
    const map = doc.get('parameters', true) as YAMLMap;
    for (const pair of map.items) {
      const p = isScalar(pair.key) ? draft.parameters.get(String(pair.key.value)) : undefined;
      if (p && isScalar(pair.key) && (p.review.length || p.comments.length)) pair.key.commentBefore = block([...p.comments, ...p.review.map((r) => `review: ${r}`)]);
    }
  }
  if (draft.groups.size) {
    const map = doc.get('groups', true) as YAMLMap;
    const first = map.items[0];
    if (first && isScalar(first.key)) first.key.commentBefore = block(['Endpoint groups: kinds of machine the document names instead of addresses. Bind each with --bind ID=CIDR,...']);
  }
  const seq = doc.get('requirements', true);
  if (isSeq(seq)) {
    seq.items.forEach((item, i) => {
      const r = draft.requirements[i]!;
      if (!isMap(item)) return;
      for (const key of ['sources', 'destinations', 'ports', 'alternatives']) {
        const list = item.get(key, true);
        if (isSeq(list)) list.flow = true;
      }
      const lines = [...r.comments, ...r.review.map((x) => `review: ${x}`)];
      if (lines.length) item.commentBefore = block(lines);
    });
  }
  return { text: doc.toString({ lineWidth: 0, flowCollectionPadding: false, indentSeq: true }), data: obj };
}

function requirementObject(r: DraftRequirement, id: string, document: string): Record<string, unknown> {
  return {
    id,
    ...(r.scenario !== undefined ? { scenario: r.scenario } : {}),
    ...(r.direction !== undefined ? { direction: r.direction } : {}),
    ...(r.sources ? { sources: r.sources } : {}),
    destinations: r.destinations,
    ports: r.ports,
    ...(r.purpose ? { purpose: r.purpose } : {}),
    ...(r.alternatives ? { alternatives: r.alternatives } : {}),
    ...(r.allowBroad ? { allowBroad: r.allowBroad } : {}),
    provenance: {
      document,
      ...(r.provenance.section !== undefined ? { section: r.provenance.section } : {}),
      line: r.provenance.line,
      ...(r.provenance.row !== undefined ? { row: r.provenance.row } : {}),
      text: r.provenance.text,
    },
  };
}

function header(input: WriteInput): string[] {
  const { draft } = input;
  const count = (origin: DraftRequirement['origin']) => draft.requirements.filter((r) => r.origin === origin).length;
  const parts = [
    [count('table'), 'from table rows'],
    [count('list'), 'from list items'],
    [count('prose'), 'from prose'],
    [count('code'), 'from lists in code blocks'],
  ].filter(([n]) => n) as [number, string][];
  const reviews = draft.requirements.reduce((n, r) => n + r.review.length, 0) + [...draft.parameters.values()].reduce((n, p) => n + p.review.length, 0);
  const out = [
    `Draft requirement set imported by \`fwgen import\` from ${input.document} (${input.format}).`,
    'Names, ports and their meaning were read by rules, not by a person: check it against the document before committing it.',
    `${draft.requirements.length} requirement${draft.requirements.length === 1 ? '' : 's'}${parts.length ? ` (${parts.map(([n, w]) => `${n} ${w}`).join(', ')})` : ''}; ${reviews} "review:" note${reviews === 1 ? '' : 's'} below, each also printed as a warning.`,
  ];
  const findings = [...draft.findings].sort((a, b) => a.line - b.line || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
  if (findings.length) {
    out.push('', 'Found in the document but not imported (each also printed as a warning):');
    for (const f of findings) out.push(`- line ${f.line}: ${f.message}`);
  }
  if (draft.serviceTags.size) {
    out.push('', 'Service tags the document names (not imported: add them as `alternatives:` to the requirements they cover):');
    for (const [tag, ls] of [...draft.serviceTags].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out.push(`- ${tag} (${lines(ls)})${draft.unknownTags.has(tag) ? ', not in the shipped Service Tags snapshot' : ''}`);
  }
  if (draft.links) out.push('', `${draft.links} link${draft.links === 1 ? '' : 's'} to other documents (${lines(draft.linkLines)}) not read as endpoints.`);
  return out;
}
