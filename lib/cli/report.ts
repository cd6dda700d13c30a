import type { Diagnostic } from '../model/diagnostic.js';
import { sortDiagnostics } from '../model/diagnostic.js';

/** One diagnostic as `file:line:col: severity[CODE]: message`, then its hint on an indented line. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.span ? `${d.span.file}:${d.span.line}:${d.span.col}: ` : 'fwgen: ';
  const target = d.target ? ` ${d.target}:` : ':';
  const lines = [`${where}${d.severity}[${d.code}]${target} ${oneLine(d.message)}`];
  if (d.hint) lines.push(`  hint: ${oneLine(d.hint)}`);
  return lines.join('\n');
}

export function formatDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return sortDiagnostics(diagnostics).map((d) => formatDiagnostic(d) + '\n').join('');
}

/**
 * Messages may quote user input; keep each diagnostic on its own lines whatever that input holds, and show other
 * control characters (an ESC that would recolour or rewrite the terminal, a bidi override that would show the
 * quoted text in another order than it has) as escapes rather than send them.
 */
function oneLine(s: string): string {
  return s
    .replace(/[\r\n\u2028\u2029]/g, ' ')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}
