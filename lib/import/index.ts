/**
 * `fwgen import`: reads a vendor document (Markdown, AsciiDoc, reStructuredText or plain text) and drafts a
 * requirement set in the model's YAML, every requirement with its provenance, and every guess or leftover said
 * twice: as a comment in the file and as a warning with the document's line.
 */
import { basename } from 'node:path';
import type { Diagnostic } from '../model/diagnostic.js';
import { InternalError } from '../model/diagnostic.js';
import { normalizeText } from '../load/read-source.js';
import validateRequirementSet from '../load/requirement-set.validator.js';
import { validateWithSchema } from '../load/validate-schema.js';
import { toModel } from '../load/to-model.js';
import { SourceMap } from '../model/source-map.js';
import type { DocumentFormat } from './blocks.js';
import { detectFormat } from './detect.js';
import { scanDocument } from './structure.js';
import { Draft, idText } from './draft.js';
import { interpret, requirementId } from './interpret.js';
import { lines, writeYaml } from './write-yaml.js';

export type { DocumentFormat } from './blocks.js';

export interface ImportOptions {
  /** The document's path as the user gave it (used in diagnostics); `<stdin>` for standard input. */
  file: string;
  /** Set id; default: the file's name without extension, as an id. */
  id?: string;
  /** Markup; default: from the extension, else from the content. */
  format?: DocumentFormat;
}

export interface ImportResult {
  /** The draft requirement file; absent when nothing was found. */
  yaml?: string;
  format: DocumentFormat;
  requirements: number;
  /** Warnings and notes (and an IMPORT_EMPTY error when nothing was found), sorted by line. */
  diagnostics: Diagnostic[];
}

export const ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

export function importDocument(input: string, options: ImportOptions): ImportResult {
  const text = normalizeText(input);
  const format = options.format ?? detectFormat(text, options.file);
  const document = options.file === '-' || options.file === '<stdin>' ? '<stdin>' : basename(options.file);
  const file = options.file === '-' ? '<stdin>' : options.file;
  const blocks = scanDocument(text, format);
  const draft = new Draft();
  const { title, sections } = interpret(blocks, draft);
  draft.requirements.sort((a, b) => a.line - b.line);

  const diagnostics: Diagnostic[] = [];
  const at = (line: number) => ({ file, line, col: 1 });
  const warn = (line: number, code: Diagnostic['code'], message: string, hint?: string, severity: Diagnostic['severity'] = 'warning') =>
    diagnostics.push({ code, severity, message, ...(hint ? { hint } : {}), span: at(line), params: { line } });

  const ids: string[] = [];
  const used = new Set<string>();
  for (const r of draft.requirements) {
    const base = requirementId(r);
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base.slice(0, 60)}-${n}`;
    used.add(id);
    ids.push(id);
  }
  draft.requirements.forEach((r, i) => {
    for (const note of r.review) warn(r.provenance.line, 'IMPORT_REVIEW', `${ids[i]}: ${note}`, 'check it against the document, edit the draft, and delete the review: comment');
  });
  for (const p of draft.parameters.values()) {
    if (p.lines.size === 0) continue;
    for (const note of p.review) warn(Math.min(...p.lines), 'IMPORT_REVIEW', `parameter ${p.name}: ${note}`, 'rename it in the draft if another name fits better');
  }
  for (const g of draft.groups.values()) {
    warn(Math.min(...g.lines), 'IMPORT_REVIEW', `"${g.title}" read as the endpoint group ${g.id} (${lines(g.lines)})`, `bind it to addresses when emitting: --bind ${g.id}=CIDR,...`);
  }
  for (const f of draft.findings) warn(f.line, f.code, f.message, f.hint, f.severity);
  for (const [tag, ls] of draft.serviceTags) {
    const unknown = draft.unknownTags.has(tag) ? ', and not in the shipped Service Tags snapshot' : '';
    warn(Math.min(...ls), 'IMPORT_NOT_IMPORTED', `service tag ${tag} named (${lines(ls)}); not imported${unknown}`, `add \`alternatives: [{ serviceTag: ${tag.replace(/\.\[.*\]$/, '')} }]\` to the requirements it covers`);
  }
  if (draft.links) warn(Math.min(...draft.linkLines), 'IMPORT_NOT_IMPORTED', `${draft.links} link${draft.links === 1 ? '' : 's'} to other documents (${lines(draft.linkLines)}) not read as endpoints`, undefined, 'note');

  if (draft.requirements.length === 0) {
    diagnostics.push({
      code: 'IMPORT_EMPTY',
      severity: 'error',
      message: `found no requirement in ${file}: no table with a destination column, and no list, prose or code block naming a host, wildcard or address to allow`,
      hint: 'fwgen import reads Markdown, AsciiDoc and reStructuredText tables with a header such as "Destination | Port", and names in lists and prose',
      span: at(1),
      params: { format },
    });
    return { format, requirements: 0, diagnostics: sortByLine(diagnostics) };
  }

  const id = options.id ?? (idText(document.replace(/\.[A-Za-z0-9]+$/, ''), 64) || 'imported');
  const setTitle = title ?? blocks.flatMap((b) => (b.kind === 'heading' ? [b.text] : []))[0] ?? document;
  const { text: yaml, data } = writeYaml({ id, title: setTitle, document, format, sections, draft, ids });

  // The draft must pass the loader's checks (schema, then the model's: host grammar, CIDRs, ports, placeholders, ids):
  // anything else is a bug here, not a problem of the document. Checked on the data the YAML was written from, which
  // the yaml package writes faithfully, so a large draft is not parsed back.
  const sourceMap = new SourceMap(`${id}.yaml`, '', new Map());
  const errors = [...validateWithSchema(validateRequirementSet, data, sourceMap), ...toModel(data, sourceMap).diagnostics].filter((d) => d.severity === 'error');
  if (errors.length) {
    throw new InternalError(`fwgen import wrote a draft that does not load: ${errors.slice(0, 3).map((d) => `${d.path ?? ''}: ${d.message}`).join('; ')}`);
  }
  return { yaml, format, requirements: draft.requirements.length, diagnostics: sortByLine(diagnostics) };
}

function sortByLine(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => (a.span?.line ?? 0) - (b.span?.line ?? 0) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
}
