// Writes dist/data/service-tags/<file>.index for each Service Tags snapshot in data/service-tags/: a JSON header line
// (every tag's name, region, system service, byte range in the file) and each tag's prefixes checked and aggregated
// by fwgen's own code, so an emit reads a few tags instead of parsing and aggregating 4 MB of JSON. The format is
// described in lib/service-tags/snapshot-index.ts. Every slice is checked against the parsed file before writing.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { parseServiceTags, tagPrefixes } = await import('../dist/service-tags/service-tags.js');
const { aggregatePrefixes } = await import('../dist/model/aggregate.js');
const { INDEX_FORMAT } = await import('../dist/service-tags/snapshot-index.js');

const src = join(root, 'data', 'service-tags');
const out = join(root, 'dist', 'data', 'service-tags');
mkdirSync(out, { recursive: true });

for (const name of readdirSync(src).filter((f) => f.endsWith('.json')).sort()) {
  const bytes = readFileSync(join(src, name));
  const text = bytes.toString('utf8');
  const { data, diagnostics } = parseServiceTags(text, name);
  if (!data) throw new Error(`${name}: ${diagnostics.map((d) => d.message).join('; ')}`);
  const spans = valueSpans(bytes.toString('latin1'));
  if (spans.length !== data.tags.size) throw new Error(`${name}: found ${spans.length} values, parsed ${data.tags.size}`);
  const entries = [];
  const blob = [];
  let at = 0;
  for (const tag of data.tags.values()) {
    const [start, end] = spans[tag.index];
    const value = JSON.parse(bytes.toString('utf8', start, end));
    if (value.name !== tag.name || JSON.stringify(value.properties.addressPrefixes) !== JSON.stringify(tag.addressPrefixes)) {
      throw new Error(`${name}: the bytes ${start}-${end} are not tag ${tag.name}`);
    }
    const checked = tagPrefixes(tag, name);
    let agg = [-1, -1];
    if (checked.diagnostics.length === 0) {
      const line = aggregatePrefixes(checked.prefixes).join(',');
      agg = [at, at + line.length];
      blob.push(line);
      at += line.length;
    }
    entries.push([tag.name, tag.region, tag.systemService, start, end, ...agg]);
  }
  const header = { format: INDEX_FORMAT, source: { file: name, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }, info: data.info, tags: entries };
  const headerText = JSON.stringify(header);
  if (headerText.includes('\n') || /[^\x20-\x7e]/.test(blob.join(''))) throw new Error(`${name}: unexpected characters for the index`);
  writeFileSync(join(out, `${name}.index`), `${headerText}\n${blob.join('')}`, 'latin1');
}

/** Byte ranges of the elements of the top-level "values" array (the text is read as latin1: one char per byte). */
function valueSpans(s) {
  const spans = [];
  let depth = 0;
  let inString = false;
  let stringStart = -1;
  let key = '';
  let inValues = false;
  let start = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') {
        inString = false;
        if (depth === 1) key = s.slice(stringStart + 1, i);
      }
    } else if (c === '"') {
      inString = true;
      stringStart = i;
    } else if (c === '{' || c === '[') {
      if (depth === 1 && c === '[' && key === 'values') inValues = true;
      else if (depth === 2 && inValues && c === '{') start = i;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 2 && inValues && c === '}') spans.push([start, i + 1]);
      else if (depth === 1 && inValues) inValues = false;
    }
  }
  return spans;
}
