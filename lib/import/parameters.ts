/**
 * Placeholders become parameters: `<region>`, `{region}`, `<registry-name>` (→ `registry`), and destinations named in
 * words ("NVIDIA Run:ai control plane FQDN" → `control-plane-fqdn`, flagged for review). The document's own mapping of a
 * placeholder's values ("`<region-code>` mapping: eus (East US), weu (West Europe)", a list after such a sentence, or a
 * two-column table headed by the placeholder) makes it an enumeration; a sentence that says what it is becomes its
 * description.
 */
import type { Table } from './blocks.js';
import { Draft, parameterName } from './draft.js';
import { normalizeInline, slug } from './inline.js';
import { sentencesOf } from './prose.js';

/** Words a destination is named by when the document gives no address: "... FQDN", "... URL", "... host name". */
const NAMED_BY = /^(.*?)\s*\b(fqdns?|host\s*names?|hostnames?|domain(?:\s+names?)?|urls?|endpoints?|address(?:es)?|server\s+names?)$/i;
const DETERMINERS = new Set(['the', 'your', 'a', 'an', 'our', 'its', 'their', 'each', 'every', 'customer', "customer's"]);

/**
 * A parameter name for a destination written in words, e.g. "NVIDIA Run:ai control plane FQDN" → `control-plane-fqdn`:
 * the lowercase words before the keyword (product names, capitalised, are left out), then the keyword.
 */
export function parameterFromWords(text: string): string | undefined {
  const t = text.replace(/[`*_]/g, '').replace(/\s+/g, ' ').trim();
  const m = NAMED_BY.exec(t);
  if (!m || !m[1]) return undefined;
  const words = m[1].split(' ').filter(Boolean);
  if (words.length === 0 || words.length > 10) return undefined;
  let k = words.length;
  while (k > 0 && /^[a-z][a-z0-9-]*$/.test(words[k - 1]!) && !DETERMINERS.has(words[k - 1]!)) k--;
  let kept = words.slice(k);
  if (kept.length === 0) kept = words.filter((w) => !DETERMINERS.has(w.toLowerCase()));
  const keyword = slug(m[2]!.replace(/e?s$/i, '').replace(/\s+/g, ''));
  const name = slug([...kept, keyword].join(' '));
  return name || undefined;
}

/** A line of prose, already normalised, for finding what the document says about its placeholders. */
export interface ProseUnit {
  line: number;
  /** Normalised text: placeholders as `{slug}`. */
  text: string;
  /** The placeholders of the line as written, by slug (to quote the document's own spelling). */
  placeholders: readonly { raw: string; slug: string }[];
  /** As written. */
  raw: string;
  /** A list item (for mappings given as a list after a sentence ending in ":"). */
  item: boolean;
}

const PAIR = /(?<![\w-])([a-z0-9][a-z0-9-]{0,30})\s*\(([^()]{1,40})\)/g;
const ITEM_PAIR = /^\s*[`"]?([A-Za-z0-9][A-Za-z0-9-]{0,30})[`"]?\s*(?:\(([^()]{1,60})\)|[:=–—-]\s*(.{1,60}?))\s*[.;,]?\s*$/;

/** Finds descriptions and enumerations for the draft's parameters in the document's prose, lists and tables. */
export function defineParameters(draft: Draft, units: readonly ProseUnit[], tables: readonly { table: Table; used: boolean }[]): void {
  const bySlug = (s: string) => draft.parameters.get(parameterName(s));
  for (let u = 0; u < units.length; u++) {
    const unit = units[u]!;
    for (const sentence of sentencesOf(unit.text)) {
      const mentioned = [...sentence.matchAll(/\{([a-z0-9-]+)\}(?![\w.-])/g)].filter((m) => m.index === 0 || !/[\w.-]/.test(sentence[m.index - 1]!));
      if (mentioned.length === 0) continue;
      const first = mentioned[0]!;
      const p = bySlug(first[1]!);
      if (!p) continue;
      const after = sentence.slice(first.index + first[0].length);
      const pairs = [...after.matchAll(PAIR)];
      // Quoted with the document's own spelling of its placeholders.
      const rawSentence = sentence.replace(/\{([a-z0-9-]+)\}/g, (m, s: string) => unit.placeholders.find((x) => x.slug === s)?.raw ?? m).replace(/\s+/g, ' ').trim();
      if (pairs.length >= 2 && mentioned.length === 1) {
        p.kind = 'enum';
        p.values = Object.fromEntries(pairs.map((m) => [m[1]!, m[2]!.trim()]));
        p.definitions.push({ line: unit.line, text: rawSentence });
        continue;
      }
      if (/:\s*$/.test(sentence) && mentioned.length === 1) {
        // "The <region-code> values are:" followed by a list of "code (Label)" or "code: Label" items.
        const values: Record<string, string> = {};
        for (let k = u + 1; k < units.length && units[k]!.item; k++) {
          const m = ITEM_PAIR.exec(units[k]!.raw.replace(/^\s*(?:[-*+•]|\d+[.)])\s+/, ''));
          if (!m) break;
          values[m[1]!.toLowerCase()] = (m[2] ?? m[3] ?? '').trim();
        }
        if (Object.keys(values).length >= 2) {
          p.kind = 'enum';
          p.values = values;
          p.definitions.push({ line: unit.line, text: rawSentence });
          continue;
        }
      }
      if (mentioned.length === 1 && /^\s*(is|are|means|stands for|refers to|should be|must be|can be|names|—|-|:)\b/i.test(after)) {
        p.definitions.push({ line: unit.line, text: rawSentence });
      }
    }
  }
  for (const t of tables) {
    if (t.used || !t.table.header || t.table.header.length < 2) continue;
    const keyCol = t.table.header.findIndex((h) => {
      const n = normalizeInline(h, 'cell').text.trim();
      const s = /^\{([a-z0-9-]+)\}$/.exec(n)?.[1] ?? slug(n);
      return draft.parameters.has(parameterName(s)) || draft.parameters.has(s);
    });
    if (keyCol < 0) continue;
    const head = normalizeInline(t.table.header[keyCol]!, 'cell').text.trim();
    const name = parameterName(/^\{([a-z0-9-]+)\}$/.exec(head)?.[1] ?? slug(head));
    const p = draft.parameters.get(name) ?? draft.parameters.get(slug(head));
    if (!p) continue;
    const labelCol = keyCol === 0 ? 1 : 0;
    const values: Record<string, string> = {};
    for (const r of t.table.rows) {
      const key = normalizeInline(r.cells[keyCol] ?? '', 'cell').text.trim().toLowerCase();
      if (!/^[a-z0-9][a-z0-9-]*$/.test(key)) continue;
      values[key] = normalizeInline(r.cells[labelCol] ?? '', 'cell').text.replace(/\s+/g, ' ').trim() || key;
    }
    if (Object.keys(values).length >= 1) {
      p.kind = 'enum';
      p.values = values;
      p.definitions.push({ line: t.table.line, text: `the table at line ${t.table.line} (${t.table.header.join(' | ')})` });
      t.used = true;
    }
  }
  for (const p of draft.parameters.values()) {
    if (p.kind === 'enum' && p.format === 'fqdn') delete p.format;
    if (p.values) {
      for (const key of Object.keys(p.values)) {
        if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(key)) {
          p.review.push(`value "${key}" of the mapping is not usable in a host name`);
        }
      }
    }
  }
}
