/**
 * A small line diff for golden-file failures: `-` expected, `+` actual, with a few lines of context around each
 * change and `@@ line N @@` marks. LCS on lines; inputs too large for that fall back to the first difference.
 */
export function lineDiff(expected: string, actual: string, context = 3): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  if (a.length * b.length > 4_000_000) return firstDifference(a, b);
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: length of the LCS of a[i..] and b[j..]
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const ops: { op: ' ' | '-' | '+'; text: string; line: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ op: ' ', text: a[i++]!, line: j++ + 1 });
    else if (j < m && (i >= n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) ops.push({ op: '+', text: b[j++]!, line: j });
    else ops.push({ op: '-', text: a[i++]!, line: j + 1 });
  }
  const keep = new Set<number>();
  ops.forEach((o, k) => {
    if (o.op !== ' ') for (let c = Math.max(0, k - context); c <= Math.min(ops.length - 1, k + context); c++) keep.add(c);
  });
  const out: string[] = [];
  let last = -2;
  ops.forEach((o, k) => {
    if (!keep.has(k)) return;
    if (k !== last + 1) out.push(`@@ line ${o.line} @@`);
    out.push(`${o.op} ${JSON.stringify(o.text).slice(1, -1)}`);
    last = k;
  });
  return out.join('\n');
}

function firstDifference(a: string[], b: string[]): string {
  let k = 0;
  while (k < a.length && k < b.length && a[k] === b[k]) k++;
  return `first difference at line ${k + 1}:\n- ${a[k] ?? '(end)'}\n+ ${b[k] ?? '(end)'}`;
}
