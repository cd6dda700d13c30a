/**
 * AsciiDoc tables (`|===` with `[cols=..., options="header"]`, `[%header]`, an implicit header row, cells over several
 * lines, `2+|` spans; `,===` CSV) and reStructuredText tables (grid, simple, `list-table` and `csv-table`), read into
 * the same {@link Table} as Markdown pipe tables.
 */
import type { Table, TableRow } from './blocks.js';

// ------------------------------------------------------------------------------------------------
// AsciiDoc
// ------------------------------------------------------------------------------------------------

export const ASCIIDOC_DELIMITER = /^\s*([|,:!])===\s*$/;

/** Number of columns a `cols` attribute gives: `"1,2,3"` → 3, `"3*"` → 3, `3` → 3. */
function colsCount(attrs: string): number | undefined {
  const m = /\bcols\s*=\s*"?([^"\]]*)"?/.exec(attrs);
  if (!m) return undefined;
  const v = m[1]!.trim();
  const mult = /^(\d+)\*/.exec(v);
  if (mult) return Number(mult[1]);
  if (/^\d+$/.test(v)) return Number(v);
  return v.split(/[,;]/).reduce((n, part) => {
    const rep = /^(\d+)\*/.exec(part.trim());
    return n + (rep ? Number(rep[1]) : 1);
  }, 0);
}

/** A cell delimiter at the start of a line or after a blank, with an optional spec such as `2+`, `a`, `^.^`. */
const CELL_START = /(?<=^|\s)(?:(\d+)(?:\.(\d+))?\+|\.(\d+)\+|\d+\*)?(?:[<^>])?(?:\.[<^>])?[aehlmsdv]?(?<!\\)\|/g;
/** Preprocessor lines and comments inside a table: no cells (`ifdef::fedramp[]` rows are read, the condition kept out). */
const DIRECTIVE = /^\s*(?:(?:ifn?def|ifeval|endif|include)::|\/\/(?!\/))/;

/**
 * Reads the AsciiDoc table opening at `lines[i]` (`|===`); `attrs` is the block attribute line above it, if any.
 * Returns the table and the index of the line after the closing delimiter.
 */
export function parseAsciidocTable(lines: readonly string[], i: number, attrs = '', caption?: string): { table: Table; next: number } {
  const sep = ASCIIDOC_DELIMITER.exec(lines[i]!)![1]!;
  let close = i + 1;
  while (close < lines.length && !ASCIIDOC_DELIMITER.test(lines[close]!)) close++;
  const body = lines.slice(i + 1, close).map((text, k) => ({ n: i + 2 + k, text }));
  const csv = sep === ',' || /format\s*=\s*"?csv/.test(attrs);
  const dsv = sep === ':' || /format\s*=\s*"?dsv/.test(attrs);
  const explicitHeader = /%header|options\s*=\s*"[^"]*\bheader\b/.test(attrs);
  const noHeader = /%noheader|options\s*=\s*"[^"]*\bnoheader\b/.test(attrs);
  const next = Math.min(close + 1, lines.length);
  const endLine = Math.min(close + 1, lines.length);

  if (csv || dsv) {
    const records = body.filter((l) => l.text.trim() !== '').map((l) => ({ line: l.n, text: l.text, cells: csv ? splitCsv(l.text) : l.text.split(':').map((c) => c.trim()) }));
    const width = colsCount(attrs) ?? records[0]?.cells.length ?? 0;
    const firstFollowedByBlank = records.length > 0 && (body.find((l) => l.n === records[0]!.line + 1)?.text.trim() ?? '') === '';
    const hasHeader = !noHeader && (explicitHeader || firstFollowedByBlank);
    const rows = records.map((r) => fit({ line: r.line, endLine: r.line, cells: r.cells, text: r.text, notes: [] }, width));
    const header = hasHeader ? rows.shift()?.cells : undefined;
    return { table: { kind: 'asciidoc', line: i + 1, endLine, ...(header ? { header } : {}), rows, ...(caption ? { caption } : {}) }, next };
  }

  // Cells in order, each with the line it starts on and the lines it spans.
  const cells: { text: string; line: number; endLine: number; span: number; rows: number }[] = [];
  let firstLineCells = 0;
  let firstLine: number | undefined;
  let blankAfterFirst = false;
  let sawBlank = false;
  for (const l of body) {
    if (DIRECTIVE.test(l.text)) continue;
    if (l.text.trim() === '') {
      if (firstLine !== undefined && !sawBlank) blankAfterFirst = cells.every((c) => c.line === firstLine);
      sawBlank = true;
      continue;
    }
    const starts = [...l.text.matchAll(CELL_START)];
    if (starts.length === 0 || l.text.slice(0, starts[0]!.index).trim() !== '') {
      const head = starts.length ? l.text.slice(0, starts[0]!.index) : l.text;
      const last = cells[cells.length - 1];
      if (last) {
        last.text += `\n${head.trim()}`;
        last.endLine = l.n;
      }
    }
    starts.forEach((m, k) => {
      const from = m.index + m[0].length;
      const to = k + 1 < starts.length ? starts[k + 1]!.index : l.text.length;
      cells.push({ text: l.text.slice(from, to).trim().replace(/\\\|/g, '|'), line: l.n, endLine: l.n, span: m[1] ? Number(m[1]) : 1, rows: Number(m[2] ?? m[3] ?? 1) });
    });
    if (firstLine === undefined && starts.length) {
      firstLine = l.n;
      firstLineCells = starts.reduce((n, m) => n + (m[1] ? Number(m[1]) : 1), 0);
    }
  }
  const width = colsCount(attrs) ?? firstLineCells;
  const rows: TableRow[] = [];
  let cur: { line: number; endLine: number; cells: string[] } | undefined;
  // `.2+|GCP`: a cell spanning rows stands in the same column of the rows below it.
  const spanning: { col: number; left: number; text: string }[] = [];
  const fillSpanned = (row: { cells: string[] }) => {
    for (let p = spanning.find((s) => s.left > 0 && s.col === row.cells.length); p; p = spanning.find((s) => s.left > 0 && s.col === row.cells.length)) {
      row.cells.push(p.text);
      p.left--;
    }
  };
  for (const c of cells) {
    if (!cur) {
      cur = { line: c.line, endLine: c.endLine, cells: [] };
      fillSpanned(cur);
    }
    const col = cur.cells.length;
    cur.cells.push(c.text);
    for (let s = 1; s < c.span; s++) cur.cells.push('');
    if (c.rows > 1) spanning.push({ col, left: c.rows - 1, text: c.text });
    fillSpanned(cur);
    cur.endLine = Math.max(cur.endLine, c.endLine);
    if (cur.cells.length >= width) {
      rows.push(toRow(cur, lines));
      cur = undefined;
    }
  }
  if (cur) rows.push(fit(toRow(cur, lines), width));
  const hasHeader = !noHeader && rows.length > 0 && (explicitHeader || (blankAfterFirst && firstLineCells === width));
  const header = hasHeader ? rows.shift()!.cells : undefined;
  return { table: { kind: 'asciidoc', line: i + 1, endLine, ...(header ? { header } : {}), rows, ...(caption ? { caption } : {}) }, next };
}

function toRow(r: { line: number; endLine: number; cells: string[] }, lines: readonly string[]): TableRow {
  return { line: r.line, endLine: r.endLine, cells: r.cells, text: lines.slice(r.line - 1, r.endLine).join('\n'), notes: [] };
}

function fit(row: TableRow, width: number): TableRow {
  if (width <= 0) return row;
  if (row.cells.length < width) {
    row.notes.push(`row has ${row.cells.length} of the header's ${width} cells; the missing ones are read as empty`);
    while (row.cells.length < width) row.cells.push('');
  } else if (row.cells.length > width) {
    row.notes.push(`row has ${row.cells.length} cells, the table ${width}; the extra cells are ignored`);
  }
  return row;
}

/** One CSV record (quotes with doubled "" inside). */
export function splitCsv(line: string, delim = ','): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur.trim() === '') {
      quoted = true;
      cur = '';
    } else if (c === delim) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

// ------------------------------------------------------------------------------------------------
// reStructuredText
// ------------------------------------------------------------------------------------------------

export const RST_GRID_BORDER = /^\s*\+(?:[-=]+\+)+\s*$/;
export const RST_SIMPLE_BORDER = /^\s*=+(?:\s+=+)+\s*$/;

/** A grid table: `+---+---+` borders, `|` between cells, `+===+` under the header. */
export function parseRstGridTable(lines: readonly string[], i: number): { table: Table; next: number } {
  const border = lines[i]!;
  const bounds = [...border.matchAll(/\+/g)].map((m) => m.index);
  let j = i;
  const rows: TableRow[] = [];
  let header: string[] | undefined;
  let cur: { line: number; endLine: number; parts: string[][] } | undefined;
  const flush = (isHeader: boolean) => {
    if (!cur) return;
    const cells = cur.parts.map((p) => p.filter((x) => x !== '').join('\n'));
    if (isHeader && rows.length === 0 && !header) header = cells.map((c) => c.replace(/\n/g, ' '));
    else rows.push({ line: cur.line, endLine: cur.endLine, cells, text: lines.slice(cur.line - 1, cur.endLine).join('\n'), notes: [] });
    cur = undefined;
  };
  while (j < lines.length && /^\s*[+|]/.test(lines[j]!)) {
    const l = lines[j]!;
    if (RST_GRID_BORDER.test(l)) {
      flush(l.includes('='));
    } else {
      if (!cur) cur = { line: j + 1, endLine: j + 1, parts: bounds.slice(1).map(() => []) };
      cur.endLine = j + 1;
      const aligned = bounds.every((b) => l[b] === '|' || l[b] === '+');
      const cells = aligned ? bounds.slice(1).map((b, k) => l.slice(bounds[k]! + 1, b)) : l.trim().replace(/^\||\|$/g, '').split('|');
      cells.forEach((c, k) => cur!.parts[k]?.push(c.trim()));
    }
    j++;
  }
  flush(false);
  return { table: { kind: 'rst-grid', line: i + 1, endLine: j, ...(header ? { header } : {}), rows }, next: j };
}

/**
 * A simple table: `===  ====` borders; the header sits between the first two when there are three. A row whose
 * first column is blank continues the row above.
 */
export function parseRstSimpleTable(lines: readonly string[], i: number): { table: Table; next: number } {
  const border = lines[i]!;
  const runs = [...border.matchAll(/=+/g)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  const slice = (l: string, k: number) => (k === runs.length - 1 ? l.slice(runs[k]!.start) : l.slice(runs[k]!.start, runs[k + 1]!.start)).trim();
  // The table ends at a border followed by a blank line or the end of the document.
  const borders = [i];
  let j = i + 1;
  while (j < lines.length) {
    if (RST_SIMPLE_BORDER.test(lines[j]!)) {
      borders.push(j);
      if (j + 1 >= lines.length || lines[j + 1]!.trim() === '') break;
    }
    j++;
  }
  const last = borders[borders.length - 1]!;
  const headerEnd = borders.length >= 3 ? borders[1]! : undefined;
  let header: string[] | undefined;
  if (headerEnd !== undefined) {
    const hl = lines.slice(i + 1, headerEnd).filter((l) => !/^[\s-]*$/.test(l));
    header = runs.map((_, k) => hl.map((l) => slice(l, k)).filter(Boolean).join(' '));
  }
  const rows: TableRow[] = [];
  for (let k = (headerEnd ?? i) + 1; k < last; k++) {
    const l = lines[k]!;
    if (l.trim() === '' || RST_SIMPLE_BORDER.test(l) || /^[\s-]*$/.test(l)) continue;
    const cells = runs.map((_, c) => slice(l, c));
    const prev = rows[rows.length - 1];
    if (prev && cells[0] === '') {
      cells.forEach((c, n) => {
        if (c) prev.cells[n] = prev.cells[n] ? `${prev.cells[n]}\n${c}` : c;
      });
      prev.endLine = k + 1;
      prev.text = lines.slice(prev.line - 1, k + 1).join('\n');
      continue;
    }
    rows.push({ line: k + 1, endLine: k + 1, cells, text: l, notes: [] });
  }
  return { table: { kind: 'rst-simple', line: i + 1, endLine: last + 1, ...(header ? { header } : {}), rows }, next: last + 1 };
}

/** The indented body of a directive at `lines[i]`: option lines (`:name: value`) and content lines, with numbers. */
export function directiveBody(lines: readonly string[], i: number): { options: Record<string, string>; body: { n: number; text: string }[]; next: number } {
  const indent = /^\s*/.exec(lines[i]!)![0].length;
  const options: Record<string, string> = {};
  const body: { n: number; text: string }[] = [];
  let j = i + 1;
  let inOptions = true;
  while (j < lines.length) {
    const l = lines[j]!;
    if (l.trim() !== '' && /^\s*/.exec(l)![0].length <= indent) break;
    const opt = /^\s*:([a-z][\w-]*):\s*(.*)$/.exec(l);
    if (inOptions && opt) options[opt[1]!] = opt[2]!.trim();
    else if (l.trim() === '' && inOptions && body.length === 0) inOptions = false;
    else {
      inOptions = false;
      body.push({ n: j + 1, text: l });
    }
    j++;
  }
  while (body.length && body[body.length - 1]!.text.trim() === '') body.pop();
  return { options, body, next: j };
}

/** `.. list-table::` — rows `* - cell`, further cells `  - cell`, continuation lines indented under a cell. */
export function parseRstListTable(lines: readonly string[], i: number, caption?: string): { table: Table; next: number } {
  const { options, body, next } = directiveBody(lines, i);
  const rows: TableRow[] = [];
  let cur: { line: number; endLine: number; cells: string[] } | undefined;
  for (const l of body) {
    if (l.text.trim() === '') continue;
    const row = /^\s*\*\s+-\s?(.*)$/.exec(l.text);
    const cell = /^\s*-\s(.*)$|^\s*-$/.exec(l.text);
    if (row) {
      if (cur) rows.push(rowOf(cur, lines));
      cur = { line: l.n, endLine: l.n, cells: [row[1]!.trim()] };
    } else if (cell && cur) {
      cur.cells.push((cell[1] ?? '').trim());
      cur.endLine = l.n;
    } else if (cur) {
      const k = cur.cells.length - 1;
      cur.cells[k] = `${cur.cells[k]}\n${l.text.trim()}`.trim();
      cur.endLine = l.n;
    }
  }
  if (cur) rows.push(rowOf(cur, lines));
  const headerRows = Number(options['header-rows'] ?? '0');
  const header = headerRows > 0 ? rows.splice(0, headerRows).reduce<string[]>((h, r) => r.cells.map((c, k) => [h[k], c].filter(Boolean).join(' ')), []) : undefined;
  const width = header?.length ?? Math.max(0, ...rows.map((r) => r.cells.length));
  return { table: { kind: 'rst-list-table', line: i + 1, endLine: next, ...(header ? { header } : {}), rows: rows.map((r) => fit(r, width)), ...(caption ? { caption } : {}) }, next };
}

/** `.. csv-table::` with `:header:` or `:header-rows:`, `:delim:`; a table in another file is not read. */
export function parseRstCsvTable(lines: readonly string[], i: number, caption?: string): { table?: Table; next: number; external?: string } {
  const { options, body, next } = directiveBody(lines, i);
  if (options.file || options.url) return { next, external: options.file ?? options.url };
  const delim = options.delim === 'tab' ? '\t' : options.delim === 'space' ? ' ' : (options.delim?.[0] ?? ',');
  const rows: TableRow[] = body
    .filter((l) => l.text.trim() !== '')
    .map((l) => ({ line: l.n, endLine: l.n, cells: splitCsv(l.text.trim(), delim), text: l.text, notes: [] }));
  let header = options.header !== undefined ? splitCsv(options.header, delim) : undefined;
  const headerRows = Number(options['header-rows'] ?? '0');
  if (!header && headerRows > 0) header = rows.splice(0, headerRows).reduce<string[]>((h, r) => r.cells.map((c, k) => [h[k], c].filter(Boolean).join(' ')), []);
  const width = header?.length ?? Math.max(0, ...rows.map((r) => r.cells.length));
  return { table: { kind: 'rst-csv-table', line: i + 1, endLine: next, ...(header ? { header } : {}), rows: rows.map((r) => fit(r, width)), ...(caption ? { caption } : {}) }, next };
}

function rowOf(r: { line: number; endLine: number; cells: string[] }, lines: readonly string[]): TableRow {
  return { line: r.line, endLine: r.endLine, cells: r.cells, text: lines.slice(r.line - 1, r.endLine).join('\n'), notes: [] };
}
