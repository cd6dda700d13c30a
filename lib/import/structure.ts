/**
 * Splits a document into blocks: headings, tables, list items, paragraphs and code. Tables of every kind (Markdown
 * pipe, AsciiDoc `|===`, RST grid, simple, list-table and csv-table) are found whatever the format; headings and
 * code blocks follow the format's own rules, and a plain-text document (no markup) gets its headings from short
 * lines standing alone.
 */
import type { Block, DocumentFormat, SourceLine } from './blocks.js';
import { isMarkdownTableStart, parseMarkdownTable } from './markdown-table.js';
import {
  ASCIIDOC_DELIMITER,
  RST_GRID_BORDER,
  RST_SIMPLE_BORDER,
  directiveBody,
  parseAsciidocTable,
  parseRstCsvTable,
  parseRstGridTable,
  parseRstListTable,
  parseRstSimpleTable,
} from './asciidoc-rst-table.js';

const blank = (l: string | undefined) => l === undefined || l.trim() === '';
const indentOf = (l: string) => /^[ \t]*/.exec(l)![0].replace(/\t/g, '    ').length;

/** Words that stand alone on a line as a callout label, not a heading. */
const CALLOUTS = new Set(['note', 'notes', 'important', 'warning', 'tip', 'tips', 'caution', 'info', 'danger', 'example', 'examples', 'attention', 'hint']);
/** Page chrome copied along with a web page's text. */
const CHROME = new Set(['edit', 'share', 'print', 'feedback', 'in this article', 'table of contents', 'contents', 'skip to main content']);

const RST_CODE_DIRECTIVES = new Set(['code-block', 'code', 'sourcecode', 'parsed-literal', 'literalinclude', 'highlight']);
const RST_SKIP_DIRECTIVES = new Set(['image', 'figure', 'toctree', 'include', 'raw', 'meta', 'contents', 'sectnum', 'only', 'index']);

function listMarker(line: string, format: DocumentFormat): { indent: number; text: string } | undefined {
  const re =
    format === 'asciidoc'
      ? /^(\s*)(?:\*{1,5}|-|\.{1,5}|\d{1,3}\.)\s+(\S.*)$/
      : /^(\s*)(?:[-*+•◦▪‣·○●■□➢►–]|\d{1,3}[.)]|#\.|\(\d{1,3}\))\s+(\S.*)$/;
  const m = re.exec(line);
  if (!m) return undefined;
  // "* * *", "- - -": a thematic break, not an item.
  if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) return undefined;
  return { indent: indentOf(m[1]!), text: m[2]! };
}

function atxHeading(line: string, format: DocumentFormat): { level: number; text: string } | undefined {
  if (format === 'markdown' || format === 'text') {
    const m = /^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (m && m[2]) return { level: m[1]!.length, text: m[2] };
  }
  if (format === 'asciidoc') {
    const m = /^(={1,6}|#{1,6})\s+(\S.*?)\s*$/.exec(line);
    if (m) return { level: m[1]!.length, text: m[2]! };
  }
  return undefined;
}

const ADORNMENT = /^([=\-~^"'`#*+:._<>])\1{2,}\s*$/;

/** A plain-text heading: a short line alone, starting with a capital, not ending like a sentence, few words. */
function isTextHeading(line: string): boolean {
  const t = line.trim();
  if (t.length < 2 || t.length > 90 || /^\s/.test(line) && line.search(/\S/) > 3) return false;
  if (!/^[A-Z0-9]/.test(t) || /[.,;:!?]$/.test(t) || /[{}[\]<>|=]/.test(t.replace(/<[^>]+>/g, ''))) return false;
  const words = t.split(/\s+/);
  return words.length <= 14 && words.some((w) => /[A-Za-z]{2,}/.test(w));
}

/** A Markdown block quote's `>` markers, so what is quoted (a table, a code fence, a list) is read as it is elsewhere. */
function unquote(line: string): string {
  let l = line;
  for (let k = 0; k < 4 && /^ {0,3}>/.test(l); k++) l = l.replace(/^ {0,3}> ?/, '');
  return l;
}

/**
 * A definition list's definition (kramdown, PHP Markdown Extra, Pandoc: `term` then `:    * Destination hostnames`):
 * the `:` marker goes, so what it holds (a list, a paragraph) is read as it would be without it.
 */
function undefine(line: string): string {
  return line.replace(/^:(?=(?: {1,4}|\t)\S)/, ' ');
}

export function scanDocument(text: string, format: DocumentFormat): Block[] {
  const lines = format === 'markdown' ? text.split('\n').map((l) => undefine(unquote(l))) : text.split('\n');
  const blocks: Block[] = [];
  const rstStyles: string[] = [];
  let textHeadings = 0;
  let pendingAttrs = '';
  let pendingTitle: string | undefined;
  let i = 0;
  const at = (k: number): SourceLine => ({ n: k + 1, text: lines[k]! });

  /** Does line k start a block of its own (so a paragraph or item stops before it)? */
  const startsBlock = (k: number): boolean => {
    const l = lines[k];
    if (l === undefined || blank(l)) return true;
    return (
      isMarkdownTableStart(lines, k) ||
      ASCIIDOC_DELIMITER.test(l) ||
      RST_GRID_BORDER.test(l) ||
      (RST_SIMPLE_BORDER.test(l) && format !== 'markdown') ||
      /^\s*(```|~~~)/.test(l) ||
      atxHeading(l, format) !== undefined ||
      listMarker(l, format) !== undefined ||
      /^\.\.\s/.test(l) ||
      (format === 'asciidoc' && /^(-{4,}|\.{4,}|\+{4,}|\/{4,}|={4,}|\*{4,}|_{4,}|--|\+)\s*$/.test(l)) ||
      // A block attribute line (`[cols="6,1,6",options="header"]`) belongs to the block after it, not to an item.
      (format === 'asciidoc' && /^\[[^\]]*\]\s*$/.test(l))
    );
  };

  // YAML front matter of a Markdown page (--- ... --- on the first lines): metadata, not content.
  if (format === 'markdown' && lines[0]?.trim() === '---') {
    const end = lines.findIndex((l, k) => k > 0 && k < 60 && /^(---|\.\.\.)\s*$/.test(l));
    if (end > 0) {
      blocks.push({ kind: 'skipped', line: 1, what: 'comment', lines: lines.slice(0, end + 1).map((_, k) => at(k)) });
      i = end + 1;
    }
  }
  while (i < lines.length) {
    const line = lines[i]!;
    if (blank(line)) {
      i++;
      continue;
    }

    // ---- Tables ----
    if (isMarkdownTableStart(lines, i)) {
      const r = parseMarkdownTable(lines, i);
      blocks.push({ kind: 'table', line: i + 1, table: r.table });
      i = r.next;
      continue;
    }
    if (ASCIIDOC_DELIMITER.test(line)) {
      const r = parseAsciidocTable(lines, i, pendingAttrs, pendingTitle);
      blocks.push({ kind: 'table', line: i + 1, table: r.table });
      pendingAttrs = '';
      pendingTitle = undefined;
      i = r.next;
      continue;
    }
    if (RST_GRID_BORDER.test(line) && /^\s*[|+]/.test(lines[i + 1] ?? '')) {
      const r = parseRstGridTable(lines, i);
      blocks.push({ kind: 'table', line: i + 1, table: r.table });
      i = r.next;
      continue;
    }
    if (RST_SIMPLE_BORDER.test(line) && format !== 'markdown') {
      const r = parseRstSimpleTable(lines, i);
      if (r.table.rows.length) {
        blocks.push({ kind: 'table', line: i + 1, table: r.table });
        i = r.next;
        continue;
      }
    }

    // ---- RST directives and comments ----
    const directive = /^(\s*)\.\.\s+([a-z][\w-]*)::\s*(.*)$/.exec(line);
    if (directive) {
      const name = directive[2]!;
      const caption = directive[3]!.trim() || undefined;
      if (name === 'list-table') {
        const r = parseRstListTable(lines, i, caption);
        blocks.push({ kind: 'table', line: i + 1, table: r.table });
        i = r.next;
        continue;
      }
      if (name === 'csv-table') {
        const r = parseRstCsvTable(lines, i, caption);
        if (r.table) blocks.push({ kind: 'table', line: i + 1, table: r.table });
        else blocks.push({ kind: 'skipped', line: i + 1, what: 'external-table', lines: [at(i)] });
        i = r.next;
        continue;
      }
      const body = directiveBody(lines, i);
      if (RST_CODE_DIRECTIVES.has(name)) {
        blocks.push({ kind: 'code', line: i + 1, lines: body.body.filter((l) => !blank(l.text)), lang: caption });
        i = body.next;
        continue;
      }
      if (RST_SKIP_DIRECTIVES.has(name)) {
        blocks.push({ kind: 'skipped', line: i + 1, what: 'comment', lines: [at(i), ...body.body] });
        i = body.next;
        continue;
      }
      // note, warning, table, admonition, ...: the directive line goes, its body is read as content.
      if (caption && name !== 'table') blocks.push({ kind: 'paragraph', line: i + 1, lines: [{ n: i + 1, text: caption }] });
      i++;
      continue;
    }
    if (/^\.\.(\s|$)/.test(line)) {
      // An RST comment, target (.. _name: url) or substitution: skip it and its indented body.
      let j = i + 1;
      while (j < lines.length && (blank(lines[j]) ? !blank(lines[j + 1]) && /^\s/.test(lines[j + 1] ?? '') : /^\s/.test(lines[j]!))) j++;
      blocks.push({ kind: 'skipped', line: i + 1, what: /^\.\.\s+_/.test(line) ? 'link-definition' : 'comment', lines: lines.slice(i, j).map((_, k) => at(i + k)) });
      i = j;
      continue;
    }

    // ---- Code and other delimited blocks ----
    const fence = /^\s*(`{3,}|~{3,})\s*([\w+-]*)/.exec(line);
    if (fence) {
      const close = new RegExp(`^\\s*${fence[1]![0] === '`' ? '`' : '~'}{${fence[1]!.length},}\\s*$`);
      let j = i + 1;
      while (j < lines.length && !close.test(lines[j]!)) j++;
      blocks.push({ kind: 'code', line: i + 1, lines: lines.slice(i + 1, j).map((_, k) => at(i + 1 + k)), ...(fence[2] ? { lang: fence[2] } : {}) });
      i = Math.min(j + 1, lines.length);
      continue;
    }
    if (format === 'asciidoc') {
      const delim = /^(-{4,}|\.{4,}|\+{4,}|\/{4,})\s*$/.exec(line);
      if (delim) {
        let j = i + 1;
        while (j < lines.length && lines[j]!.trim() !== delim[1]) j++;
        const content = lines.slice(i + 1, j).map((_, k) => at(i + 1 + k));
        if (delim[1]![0] === '/') blocks.push({ kind: 'skipped', line: i + 1, what: 'comment', lines: content });
        else blocks.push({ kind: 'code', line: i + 1, lines: content });
        pendingAttrs = '';
        pendingTitle = undefined;
        i = Math.min(j + 1, lines.length);
        continue;
      }
      if (/^(={4,}|\*{4,}|_{4,}|--|\+)\s*$/.test(line)) {
        i++; // example, sidebar, quote and open blocks, and list continuations: their content is read as usual
        continue;
      }
      if (/^\[[^\]]*\]\s*$/.test(line)) {
        pendingAttrs = line;
        i++;
        continue;
      }
      if (/^\.[A-Za-z0-9`*_"'(]/.test(line) && !/^\.{2}/.test(line)) {
        pendingTitle = line.slice(1).trim();
        i++;
        continue;
      }
      if (/^\/\//.test(line) || /^:[\w-]+:(\s|$)/.test(line)) {
        blocks.push({ kind: 'skipped', line: i + 1, what: 'comment', lines: [at(i)] });
        i++;
        continue;
      }
    }
    if (/^\s*<!--/.test(line)) {
      let j = i;
      while (j < lines.length && !lines[j]!.includes('-->')) j++;
      blocks.push({ kind: 'skipped', line: i + 1, what: 'comment', lines: lines.slice(i, j + 1).map((_, k) => at(i + k)) });
      i = Math.min(j + 1, lines.length);
      continue;
    }
    if ((format === 'markdown' || format === 'text') && /^\s{0,3}\[[^\]]+\]:\s*\S/.test(line)) {
      let j = i;
      while (j < lines.length && /^\s{0,3}\[[^\]]+\]:\s*\S/.test(lines[j]!)) j++;
      blocks.push({ kind: 'skipped', line: i + 1, what: 'link-definition', lines: lines.slice(i, j).map((_, k) => at(i + k)) });
      i = j;
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line) && format !== 'rst') {
      i++;
      continue;
    }

    // ---- Headings ----
    const atx = atxHeading(line, format);
    if (atx) {
      blocks.push({ kind: 'heading', line: i + 1, level: atx.level, text: atx.text });
      i++;
      continue;
    }
    if (format === 'rst' || format === 'markdown') {
      const next = lines[i + 1];
      const over = ADORNMENT.exec(line);
      if (format === 'rst' && over && !blank(next) && !ADORNMENT.test(next!) && ADORNMENT.exec(lines[i + 2] ?? '')?.[1] === over[1]) {
        const style = `${over[1]}o`;
        if (!rstStyles.includes(style)) rstStyles.push(style);
        blocks.push({ kind: 'heading', line: i + 2, level: rstStyles.indexOf(style) + 1, text: next!.trim() });
        i += 3;
        continue;
      }
      const under = next === undefined ? null : ADORNMENT.exec(next);
      if (under && !/^\s/.test(line) && !listMarker(line, format) && next!.trim().length >= Math.min(3, line.trim().length)) {
        if (format === 'markdown' && under[1] !== '=' && under[1] !== '-') {
          // not a setext underline in Markdown
        } else {
          let level: number;
          if (format === 'markdown') level = under[1] === '=' ? 1 : 2;
          else {
            const style = `${under[1]}u`;
            if (!rstStyles.includes(style)) rstStyles.push(style);
            level = rstStyles.indexOf(style) + 1;
          }
          blocks.push({ kind: 'heading', line: i + 1, level, text: line.trim() });
          i += 2;
          continue;
        }
      }
    }

    // ---- List items ----
    const item = listMarker(line, format);
    if (item) {
      const first = { n: i + 1, text: item.text };
      const raw = [at(i)];
      const content = [first];
      let j = i + 1;
      while (j < lines.length && !startsBlock(j)) {
        content.push({ n: j + 1, text: lines[j]!.trim() });
        raw.push(at(j));
        j++;
      }
      blocks.push({ kind: 'item', line: i + 1, depth: item.indent, lines: content, raw });
      i = j;
      continue;
    }

    // ---- Paragraphs, plain-text headings, JSON-like blocks, RST literal blocks ----
    let j = i + 1;
    while (j < lines.length && !startsBlock(j)) j++;
    const para = lines.slice(i, j).map((_, k) => at(i + k));
    if (format === 'text' && /^\s*[{[]\s*("|$)/.test(line)) {
      blocks.push({ kind: 'code', line: i + 1, lines: para });
      i = j;
      continue;
    }
    const single = para.length === 1 ? line.trim() : undefined;
    if (single !== undefined && CHROME.has(single.toLowerCase()) && blocks.every((b) => b.kind === 'skipped')) {
      blocks.push({ kind: 'skipped', line: i + 1, what: 'chrome', lines: para });
      i = j;
      continue;
    }
    if (format === 'text' && single !== undefined && !CALLOUTS.has(single.replace(/:$/, '').toLowerCase()) && isTextHeading(line)) {
      blocks.push({ kind: 'heading', line: i + 1, level: textHeadings++ === 0 ? 1 : 2, text: single });
      i = j;
      continue;
    }
    const quoted = para.map((l) => ({ n: l.n, text: l.text.replace(/^\s{0,3}>\s?/, '') }));
    blocks.push({ kind: 'paragraph', line: i + 1, lines: quoted });
    i = j;
    // RST literal block: a paragraph ending in "::" introduces the indented block after it.
    if ((format === 'rst' || format === 'text') && /::\s*$/.test(line === undefined ? '' : lines[j - 1]!)) {
      let k = j;
      while (k < lines.length && blank(lines[k])) k++;
      const base = indentOf(lines[j - 1]!);
      if (k < lines.length && indentOf(lines[k]!) > base) {
        let e = k;
        while (e < lines.length && (blank(lines[e]) || indentOf(lines[e]!) > base)) e++;
        while (e > k && blank(lines[e - 1])) e--;
        blocks.push({ kind: 'code', line: k + 1, lines: lines.slice(k, e).map((_, x) => at(k + x)).filter((l) => !blank(l.text)) });
        i = e;
      }
    }
  }
  return blocks;
}
