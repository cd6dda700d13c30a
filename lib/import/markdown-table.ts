/**
 * Markdown pipe tables (GFM): a header row, a delimiter row (`|--|:-:|`), then rows, with or without outer pipes.
 * A row with fewer cells than the header that does not close (no trailing pipe, or a next line without a leading
 * one) is joined with the following line(s), as long as that does not give more cells than the header; a row that
 * still has too few cells is padded with empty cells and says so.
 */
import { splitPipes, type Table, type TableRow } from './blocks.js';

const DELIMITER = /^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$/;

interface Split {
  cells: string[];
  leading: boolean;
  trailing: boolean;
}

function splitRow(text: string): Split {
  const t = text.trim();
  const leading = t.startsWith('|');
  const trailing = t.length > 1 && t.endsWith('|') && !t.endsWith('\\|');
  let body = t;
  if (leading) body = body.slice(1);
  if (trailing) body = body.slice(0, -1);
  return { cells: splitPipes(body).map((c) => c.trim()), leading, trailing };
}

function hasPipe(line: string): boolean {
  return splitPipes(line).length > 1;
}

/** Is `lines[i]` the header of a pipe table (followed by its delimiter row)? */
export function isMarkdownTableStart(lines: readonly string[], i: number): boolean {
  const head = lines[i];
  const delim = lines[i + 1];
  if (head === undefined || delim === undefined || !hasPipe(head) || !DELIMITER.test(delim)) return false;
  // A delimiter row without a pipe ("---") under a line with pipes is a setext heading only when the header has one cell.
  return delim.includes('|') || splitRow(head).cells.length > 1;
}

/** Reads the table whose header is `lines[i]`; returns it and the index of the first line after it. */
export function parseMarkdownTable(lines: readonly string[], i: number): { table: Table; next: number } {
  const header = splitRow(lines[i]!).cells;
  const width = header.length;
  const rows: TableRow[] = [];
  let j = i + 2;
  while (j < lines.length && lines[j]!.trim() !== '' && hasPipe(lines[j]!)) {
    let raw = lines[j]!;
    let end = j;
    let s = splitRow(raw);
    const notes: string[] = [];
    while (s.cells.length < width && end + 1 < lines.length && lines[end + 1]!.trim() !== '') {
      const next = splitRow(lines[end + 1]!);
      if (s.trailing && next.leading) break;
      const joined = splitRow(`${raw}\n${lines[end + 1]!}`);
      if (joined.cells.length > width) break;
      raw = `${raw}\n${lines[end + 1]!}`;
      end++;
      s = joined;
    }
    if (end > j) notes.push(`row broken over lines ${j + 1}-${end + 1}, read as one row`);
    const cells = s.cells.map((c) => c.replace(/\s*\n\s*/g, ' ').trim());
    if (cells.length < width) {
      notes.push(`row has ${cells.length} of the header's ${width} cells; the missing ${width - cells.length === 1 ? 'one is' : 'ones are'} read as empty`);
      while (cells.length < width) cells.push('');
    } else if (cells.length > width) {
      notes.push(`row has ${cells.length} cells, the header ${width}; cells after the ${width}th are ignored (an unescaped "|"?)`);
    }
    rows.push({ line: j + 1, endLine: end + 1, cells, text: raw, notes });
    j = end + 1;
  }
  return { table: { kind: 'markdown', line: i + 1, endLine: j, header, rows }, next: j };
}
