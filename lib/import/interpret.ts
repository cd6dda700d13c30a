/**
 * From blocks to a draft, in stages: headings give sections, scenarios and directions; then tables with names
 * (read-table.ts), tables and lists of ports on roles (read-ports.ts), prose and list items (read-prose.ts) and code
 * blocks (read-code.ts) each add requirements, and what is found but cannot be modelled is kept as a finding.
 */
import type { Direction } from '../model/requirement-set.js';
import type { Block, Table } from './blocks.js';
import { type Context, endpointKey, plain } from './context.js';
import { type Draft, type DraftRequirement, idText } from './draft.js';
import { normalizeInline } from './inline.js';
import { defineParameters, type ProseUnit } from './parameters.js';
import { portsInProse } from './ports.js';
import { portStatement, type PortStatement, saysEachOther } from './prose.js';
import { readCode } from './read-code.js';
import { readMatrix, readPortLists } from './read-ports.js';
import { readProse } from './read-prose.js';
import { footnotesAfter, readTable } from './read-table.js';
import { scanTokens } from './tokens.js';

/** Words a heading holds besides its direction when it only says which way ("Inbound rules", "Outbound traffic"). */
const DIRECTION_FILLER = /\b(rules?|traffic|connections?|connectivity|ports?|access|requirements?|network|networking|firewall|endpoints?|the|and|for|urls?|fqdns?)\b/gi;

function headingDirection(text: string): { direction?: Direction; pure: boolean } {
  const t = text.toLowerCase();
  const direction: Direction | undefined = /\b(inbound|ingress|incoming)\b/.test(t)
    ? 'inbound'
    : /\b(outbound|egress|outgoing)\b/.test(t)
      ? 'outbound'
      : /\b(internal|east-west|node-to-node|intra-cluster)\b/.test(t)
        ? 'internal'
        : undefined;
  if (!direction) return { pure: false };
  const rest = t.replace(/\b(inbound|ingress|incoming|outbound|egress|outgoing|internal|east-west|node-to-node|intra-cluster)\b/g, '').replace(DIRECTION_FILLER, '').replace(/[^a-z0-9]+/g, '');
  return { direction, pure: rest === '' && direction !== 'internal' };
}

export interface InterpretResult {
  title?: string;
  sections: string[];
}

export function interpret(blocks: readonly Block[], draft: Draft): InterpretResult {
  // ---- Headings: title, sections, and each block's context ----
  const headings = blocks.filter((b): b is Extract<Block, { kind: 'heading' }> => b.kind === 'heading');
  const minLevel = Math.min(...headings.map((h) => h.level));
  const atMin = headings.filter((h) => h.level === minLevel);
  const titleHeading = atMin.length === 1 && headings[0] === atMin[0] ? headings[0] : undefined;
  const title = titleHeading ? plain(titleHeading.text) : undefined;
  const sections: string[] = title ? [title] : [];
  const contexts = new Map<Block, Context>();
  const stack: { level: number; text: string; direction?: Direction; pure: boolean }[] = [];
  let ctx: Context = title ? { section: title, scenario: title } : {};
  for (const b of blocks) {
    if (b.kind === 'heading') {
      if (b === titleHeading) continue;
      while (stack.length && stack[stack.length - 1]!.level >= b.level) stack.pop();
      const text = plain(b.text);
      stack.push({ level: b.level, text, ...headingDirection(text) });
      const section = stack.map((s) => s.text).join(' > ');
      if (!sections.includes(section)) sections.push(section);
      const scenario = [...stack].reverse().find((s) => !s.pure)?.text ?? title ?? section;
      const direction = [...stack].reverse().find((s) => s.direction)?.direction;
      ctx = { section, scenario, ...(direction ? { direction } : {}) };
    }
    contexts.set(b, ctx);
  }
  const ctxOf = (b: Block) => contexts.get(b) ?? {};

  // ---- Tables ----
  const candidateTables: { table: Table; used: boolean; ctx: Context }[] = [];
  blocks.forEach((b, k) => {
    if (b.kind !== 'table') return;
    const before = blocks[k - 1];
    const intro = before && (before.kind === 'paragraph' || before.kind === 'item') && ctxOf(before) === ctxOf(b) ? before : undefined;
    if (readTable(b.table, ctxOf(b), draft, intro, footnotesAfter(blocks, k))) return;
    if (readMatrix(b.table, ctxOf(b), draft, intro)) return;
    candidateTables.push({ table: b.table, used: false, ctx: ctxOf(b) });
  });

  // ---- Prose: port statements, then the names each line asks for ----
  const statements: PortStatement[] = [];
  const units: ProseUnit[] = [];
  blocks.forEach((b, k) => {
    if (b.kind !== 'paragraph' && b.kind !== 'item') return;
    const whole = normalizeInline(b.lines.map((l) => l.text).join(' '), 'prose').text;
    const s = portStatement(whole, b.line, ctxOf(b).section);
    const names = scanTokens(whole, { prose: true }).some((t) => t.kind === 'host' || t.kind === 'cidr');
    // An item that states only ports ("Protocol and ports: TCP 30000 - 32767") speaks for the items of its list;
    // a statement before the first section (under the title) speaks for the whole document.
    if (s && b.kind === 'item' && !names) statements.push({ ...s, scope: listLines(blocks, k) });
    else if (s) statements.push(ctxOf(b).section === title ? { ...s, all: true } : s);
    for (const l of b.lines) {
      const raw = b.kind === 'item' ? (b.raw.find((r) => r.n === l.n)?.text ?? l.text) : l.text;
      const norm = normalizeInline(l.text, 'prose');
      units.push({ line: l.n, text: norm.text, placeholders: norm.placeholders, raw, item: b.kind === 'item' });
    }
  });
  const fromTables = new Set(draft.requirements.flatMap((r) => r.destinations.map(endpointKey)));
  const imported = () => new Set(draft.requirements.flatMap((r) => r.destinations.map(endpointKey)));
  // What a list item or paragraph is read with: its section's heading, and for an item the paragraph that introduces its list.
  let intro: string | undefined;
  blocks.forEach((b, k) => {
    if (b.kind === 'heading') intro = undefined;
    if (b.kind === 'paragraph' || b.kind === 'item') {
      const leaf = ctxOf(b).section?.split(' > ').pop() ?? '';
      readProse(b, ctxOf(b), draft, statements, fromTables, imported, `${leaf} ${b.kind === 'item' ? (intro ?? '') : ''}`);
      if (b.kind === 'paragraph') intro = b.lines.map((l) => l.text).join(' ');
    } else if (b.kind === 'code') {
      const before = blocks[k - 1];
      readCode(b.lines, b.line, ctxOf(b), draft, statements, imported(), before && (before.kind === 'paragraph' || before.kind === 'item') ? before.lines.map((l) => l.text).join(' ') : undefined);
    } else if (b.kind === 'skipped' && b.what === 'external-table') {
      draft.findings.push({ line: b.line, severity: 'warning', code: 'IMPORT_NOT_IMPORTED', message: 'a table read from another file is not imported', hint: 'import that file on its own' });
    } else if (b.kind === 'skipped' && b.what === 'link-definition') {
      draft.links += b.lines.length;
      for (const l of b.lines) draft.linkLines.add(l.n);
    }
  });
  readGroupStatements(blocks, contexts, draft);
  readPortLists(blocks, contexts, draft);

  // ---- Tables that hold no destinations: a parameter's mapping, or nothing the model can use ----
  defineParameters(draft, units, candidateTables);
  for (const t of candidateTables) {
    if (t.used) continue;
    const header = t.table.header ? ` (${t.table.header.map(plain).join(' | ')})` : '';
    const fqdnTag = t.table.header?.findIndex((h) => /\bfqdn[\s-]*tags?\b/i.test(plain(h))) ?? -1;
    if (fqdnTag >= 0) {
      const named = t.table.rows.map((r) => plain(r.cells[fqdnTag] ?? '')).filter(Boolean);
      draft.findings.push({ line: t.table.line, severity: 'warning', code: 'IMPORT_NOT_IMPORTED', message: `table${header} names Azure Firewall FQDN tags (${named.join('; ')}), which stand for name lists the model does not have; not imported`, hint: 'add the names such a tag stands for, from the vendor\'s list' });
      continue;
    }
    draft.findings.push({
      line: t.table.line,
      severity: 'warning',
      code: 'IMPORT_NOT_IMPORTED',
      message: `table${header} has no column of destinations and names no host or address; not imported`,
      hint: 'if it lists endpoints, give the column a header such as "Destination" or "FQDN"',
    });
  }
  return { ...(title ? { title } : {}), sections };
}

// ------------------------------------------------------------------------------------------------
// Tables
// ------------------------------------------------------------------------------------------------

/** First and last line of the run of list items (same depth, nothing between them) that blocks[k] belongs to. */
function listLines(blocks: readonly Block[], k: number): [number, number] {
  const b = blocks[k] as Extract<Block, { kind: 'item' }>;
  const same = (j: number) => {
    const x = blocks[j];
    return x?.kind === 'item' && x.depth === b.depth;
  };
  let from = k;
  let to = k;
  while (same(from - 1)) from--;
  while (same(to + 1)) to++;
  const last = blocks[to] as Extract<Block, { kind: 'item' }>;
  return [blocks[from]!.line, last.lines[last.lines.length - 1]!.n];
}

// ------------------------------------------------------------------------------------------------
// Prose, lists and code
// ------------------------------------------------------------------------------------------------

/** "All Kubernetes nodes can communicate with each other across all necessary ports": a group to itself. */
function readGroupStatements(blocks: readonly Block[], contexts: ReadonlyMap<Block, Context>, draft: Draft): void {
  if (draft.groups.size === 0) return;
  for (const b of blocks) {
    if (b.kind !== 'paragraph' && b.kind !== 'item') continue;
    const ctx = contexts.get(b) ?? {};
    for (const l of b.lines) {
      const text = plain(l.text).toLowerCase();
      if (!saysEachOther(text)) continue;
      for (const g of draft.groups.values()) {
        if (!text.includes(g.title.toLowerCase())) continue;
        g.lines.add(l.n);
        const ports = portsInProse(text);
        const review = [`read from prose: ${g.id} to itself; check the sources, destinations and ports`];
        if (ports.length === 0) review.push('no port stated; any assumed');
        draft.requirements.push({
          line: l.n,
          idScope: ctx.section ?? 'requirement',
          idName: g.id,
          ...(ctx.scenario ? { scenario: ctx.scenario } : {}),
          direction: 'internal',
          sources: [{ group: g.id }],
          destinations: [{ group: g.id }],
          ports: ports.length ? ports : ['any'],
          purpose: sentenceWith(plain(l.text), g.title),
          provenance: { ...(ctx.section ? { section: ctx.section } : {}), line: l.n, text: l.text },
          comments: ['read from prose about an endpoint group'],
          review,
          origin: 'prose',
        });
      }
    }
  }
}

function sentenceWith(text: string, words: string): string {
  const parts = text.split(/(?<=[.!?])\s+/);
  return parts.find((p) => p.toLowerCase().includes(words.toLowerCase())) ?? text;
}

/** A requirement id: scope and name slugged, at most 64 characters. */
export function requirementId(r: DraftRequirement): string {
  const scope = idText(r.idScope, 36);
  const name = idText(r.idName, 26) || 'row';
  const id = [scope, name].filter(Boolean).join('-');
  return /^[a-z0-9]/.test(id) ? id : `r-${id}`.slice(0, 64);
}
