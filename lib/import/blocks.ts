/** The structure of a vendor document as the importer sees it: headings, tables, list items, paragraphs, code. */

/** One line of the document, 1-based. */
export interface SourceLine {
  n: number;
  text: string;
}

export interface TableRow {
  /** First and last line of the row (a row broken over lines, or an AsciiDoc/RST row of several lines). */
  line: number;
  endLine: number;
  cells: string[];
  /** The row as written, its lines joined with `\n`. */
  text: string;
  /** What was odd about reading it (fewer cells than the header, a row broken over two lines). */
  notes: string[];
}

export type TableKind = 'markdown' | 'asciidoc' | 'rst-grid' | 'rst-simple' | 'rst-list-table' | 'rst-csv-table';

export interface Table {
  kind: TableKind;
  line: number;
  endLine: number;
  /** Header cells; absent when the table has none. */
  header?: string[];
  rows: TableRow[];
  caption?: string;
}

export type Block =
  | { kind: 'heading'; line: number; level: number; text: string }
  | { kind: 'table'; line: number; table: Table }
  /** A list item: marker removed from the first line; `raw` keeps the lines as written. */
  | { kind: 'item'; line: number; depth: number; lines: SourceLine[]; raw: SourceLine[] }
  | { kind: 'paragraph'; line: number; lines: SourceLine[] }
  /** A fenced, delimited, literal or JSON-like block. */
  | { kind: 'code'; line: number; lines: SourceLine[]; lang?: string }
  /** Lines that are neither content nor structure (link definitions, comments, page chrome), counted. */
  | { kind: 'skipped'; line: number; what: 'link-definition' | 'comment' | 'chrome' | 'external-table'; lines: SourceLine[] };

export type DocumentFormat = 'markdown' | 'asciidoc' | 'rst' | 'text';

/** Splits on `|` that is neither escaped nor inside a code span. */
export function splitPipes(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let fence = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && text[i + 1] === '|') {
      cur += '\\|';
      i++;
      continue;
    }
    if (c === '`') {
      let run = 1;
      while (text[i + run] === '`') run++;
      // A code span opens only if a closing run of the same length follows.
      if (fence === 0 && text.indexOf('`'.repeat(run), i + run) >= 0) fence = run;
      else if (fence === run) fence = 0;
      cur += '`'.repeat(run);
      i += run - 1;
      continue;
    }
    if (c === '|' && fence === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}
