/**
 * The directives squid reads from a text, as squid 5 reads them: fgets into an 8192-byte buffer (so a longer line
 * is read in pieces), a CR or LF ends the line, leading whitespace is skipped, and lines starting with `#` are
 * comments. Continuation lines (ending in `\`) are joined.
 */
export function squidDirectives(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const out: string[] = [];
  let pending = '';
  let start = 0;
  for (let guard = 0; start < bytes.length && guard < 1_000_000; guard++) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const chunkEnd = Math.min(end + 1, start + 8191);
    let line = bytes.subarray(start, chunkEnd).toString('latin1');
    start = chunkEnd;
    line = line.replace(/[\r\n].*$/s, '').replace(/^[ \t]+/, '');
    if (line.startsWith('#') || line === '') continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1);
      continue;
    }
    out.push(pending + line);
    pending = '';
  }
  if (pending) out.push(pending);
  return out;
}
