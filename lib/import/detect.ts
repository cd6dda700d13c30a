/**
 * Which markup a document is written in: from its file extension when that is telling, otherwise from the markup it
 * uses. Tables of every kind are read whatever the format; the format decides what a heading and a code block are.
 */
import type { DocumentFormat } from './blocks.js';

const BY_EXTENSION: Record<string, DocumentFormat> = {
  md: 'markdown',
  markdown: 'markdown',
  mdx: 'markdown',
  adoc: 'asciidoc',
  asciidoc: 'asciidoc',
  asc: 'asciidoc',
  rst: 'rst',
  rest: 'rst',
};

export function detectFormat(text: string, file?: string): DocumentFormat {
  const ext = file ? /\.([a-z]+)$/i.exec(file)?.[1]?.toLowerCase() : undefined;
  const known = ext ? BY_EXTENSION[ext] : undefined;
  if (known) return known;
  const lines = text.split('\n');
  const score: Record<DocumentFormat, number> = { markdown: 0, asciidoc: 0, rst: 0, text: 0 };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const next = lines[i + 1] ?? '';
    if (/^#{1,6}\s+\S/.test(l)) score.markdown += 2;
    if (/^\s*\|?\s*:?-{2,}:?\s*\|/.test(l)) score.markdown += 3;
    if (/^\s*(```|~~~)/.test(l)) score.markdown += 2;
    if (/\]\([^)\s]+\)/.test(l)) score.markdown += 1;
    if (/^[|,:!]===\s*$/.test(l)) score.asciidoc += 4;
    if (/^={1,6}\s+\S/.test(l)) score.asciidoc += 2;
    if (/^\[(?:cols|options|source|%header|NOTE|TIP|WARNING|IMPORTANT)\b/.test(l)) score.asciidoc += 2;
    if (/^:[a-z-]+:(\s|$)/.test(l)) score.asciidoc += 1;
    if (/^\.\.\s+[a-z][\w-]*::/.test(l)) score.rst += 4;
    if (/^\s*\+(?:-+\+){2,}\s*$/.test(l)) score.rst += 3;
    if (/`[^`]+`_/.test(l) || /``[^`]+``/.test(l)) score.rst += 1;
    if (l.trim() !== '' && !/^\s/.test(l) && /^([=\-~^"'`#*+])\1{2,}\s*$/.test(next) && next.trim().length >= l.trim().length && !/^\s*[|#]/.test(l)) score.rst += 1;
  }
  const best = (['markdown', 'asciidoc', 'rst'] as const).reduce((a, b) => (score[b] > score[a] ? b : a));
  return score[best] > 0 ? best : 'text';
}
