/**
 * Where values sit in a JSON text, by path (`$.values[3].properties.region`), so a problem found on the parsed data
 * can be reported as file:line:col. One scan of the text; used only when something is wrong, so JSON.parse stays
 * the fast path. The text is assumed to be valid JSON (it parsed); a scan that meets anything else stops there.
 */
export function locateJsonPaths(text: string, wanted: ReadonlySet<string>): Map<string, { line: number; col: number }> {
  const offsets = new Map<string, number>();
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;

  const ws = () => {
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return;
    }
  };
  const string = (): string => {
    const start = i;
    let escaped = false;
    for (i++; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 92) {
        escaped = true;
        i++;
      } else if (c === 34) {
        i++;
        return escaped ? (JSON.parse(text.slice(start, i)) as string) : text.slice(start + 1, i - 1);
      }
    }
    throw new Error('unterminated string');
  };
  const expect = (code: number) => {
    ws();
    if (text.charCodeAt(i) !== code) throw new Error(`expected ${String.fromCharCode(code)}`);
    i++;
  };
  // Explicit stack rather than recursion, so deep nesting in a hostile file cannot overflow the call stack.
  type Frame = { kind: 'object' | 'array'; path: string; index: number };
  const stack: Frame[] = [];
  const value = (path: string): void => {
    ws();
    if (wanted.has(path)) offsets.set(path, i);
    const c = text.charCodeAt(i);
    if (c === 123 || c === 91) {
      i++;
      stack.push({ kind: c === 123 ? 'object' : 'array', path, index: 0 });
      return;
    }
    if (c === 34) {
      string();
      return;
    }
    const start = i;
    for (; i < n; i++) {
      const d = text.charCodeAt(i);
      if (d === 44 || d === 93 || d === 125 || d === 32 || d === 10 || d === 13 || d === 9) break;
    }
    if (i === start) throw new Error('expected a value');
  };

  try {
    value('$');
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      ws();
      const c = text.charCodeAt(i);
      const close = top.kind === 'object' ? 125 : 93;
      if (c === close) {
        i++;
        stack.pop();
        continue;
      }
      if (top.index > 0) expect(44);
      if (top.kind === 'object') {
        ws();
        const key = string();
        expect(58);
        value(`${top.path}.${key}`);
      } else value(`${top.path}[${top.index}]`);
      top.index++;
    }
  } catch {
    // Not JSON past this point: report what was found before it.
  }
  return toPositions(text, offsets);
}

function toPositions(text: string, offsets: Map<string, number>): Map<string, { line: number; col: number }> {
  const sorted = [...offsets].sort((a, b) => a[1] - b[1]);
  const out = new Map<string, { line: number; col: number }>();
  let line = 1;
  let lineStart = 0;
  let at = 0;
  for (const [path, offset] of sorted) {
    for (; at < offset; at++) {
      if (text.charCodeAt(at) === 10) {
        line++;
        lineStart = at + 1;
      }
    }
    out.set(path, { line, col: offset - lineStart + 1 });
  }
  return out;
}
