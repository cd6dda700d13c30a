import { InternalError } from '../../model/diagnostic.js';

/**
 * A quoted HCL string literal. Backslash and quote are escaped, control characters (newlines among them) and the
 * Unicode line separators written as \uNNNN, and template sequences `${` and `%{` doubled to `$${` and `%%{`, so no
 * input can end the string, start an interpolation or a directive, or add a line.
 */
export function hclString(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (cp < 0x20 || cp === 0x7f || cp === 0x85 || cp === 0x2028 || cp === 0x2029) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  // A function replacement: in a replacement string `$$` would itself mean one `$`.
  return `"${out.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{')}"`;
}

/** A list of strings: on one line when short, else one item a line at `indent` spaces (the closing bracket 2 less). */
export function hclList(values: readonly string[], indent: number): string {
  const items = values.map(hclString);
  const line = `[${items.join(', ')}]`;
  if (line.length <= 80) return line;
  const pad = ' '.repeat(indent);
  return `[\n${items.map((i) => `${pad}${i},`).join('\n')}\n${' '.repeat(indent - 2)}]`;
}

/** A block label or identifier: letters, digits, `_` and `-`, starting with a letter or `_`. */
export function hclIdentifier(s: string): string {
  const id = s.replace(/[^A-Za-z0-9_-]/g, '_').replace(/^([^A-Za-z_])/, '_$1');
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(id)) throw new InternalError(`not an HCL identifier: ${JSON.stringify(s)}`);
  return id;
}
