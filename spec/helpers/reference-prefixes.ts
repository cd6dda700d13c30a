/**
 * The independent minimal-prefix computation of bench/prefixes.mjs (no fwgen code, no ipaddr.js), for specs that
 * check a target's addresses against it.
 */
// @ts-expect-error: a plain .mjs module without types
import * as reference from '../../bench/prefixes.mjs';

interface Parsed {
  family: 4 | 6;
  net: bigint;
  len: number;
}

const ref = reference as {
  minimalPrefixes(texts: readonly string[]): Parsed[];
  parsePrefix(text: string): Parsed;
  prefixKey(p: Parsed): string;
  compareWithMinimal(inputs: readonly string[], actual: readonly string[]): { minimal: number; actual: number; same: boolean };
};

/** The minimal prefixes for `cidrs`, as text in the reference's own spelling (`net/len` with the net as a number). */
export function referenceMinimal(cidrs: readonly string[]): string[] {
  return ref.minimalPrefixes(cidrs).map(ref.prefixKey).sort();
}

/** The prefixes `texts` as the reference's keys, sorted, to compare with `referenceMinimal`. */
export function referenceKeys(texts: readonly string[]): string[] {
  return texts.map((t) => ref.prefixKey(ref.parsePrefix(t))).sort();
}

/** Whether the `actual` prefixes (however spelled) are exactly the minimal set covering `inputs`. */
export function isMinimal(inputs: readonly string[], actual: readonly string[]): boolean {
  return ref.compareWithMinimal(inputs, actual).same;
}

interface Span {
  family: 4 | 6;
  first: bigint;
  last: bigint;
}

/** Each item (a prefix, a bare address, or a range `first-last`) as its first and last address, sorted. */
function spansOf(items: readonly string[]): Span[] {
  const width = { 4: 32, 6: 128 } as const;
  const spans: Span[] = [];
  for (const item of items) {
    const dash = item.indexOf('-');
    if (dash >= 0) {
      const a = ref.parsePrefix(item.slice(0, dash));
      const b = ref.parsePrefix(item.slice(dash + 1));
      if (a.family !== b.family || a.len !== width[a.family] || b.len !== width[b.family] || b.net < a.net) throw new Error(`not a range: ${item}`);
      spans.push({ family: a.family, first: a.net, last: b.net });
    } else {
      const p = ref.parsePrefix(item);
      spans.push({ family: p.family, first: p.net, last: p.net + (1n << BigInt(width[p.family] - p.len)) - 1n });
    }
  }
  return spans.sort((x, y) => x.family - y.family || (x.first < y.first ? -1 : x.first > y.first ? 1 : 0));
}

/**
 * The addresses `items` cover, as the reference parses them: each item a prefix (a bare address is a host prefix) or
 * a range `first-last`; the result is the merged runs `family|first|last`, sorted, so two lists cover the same
 * addresses exactly when their results are equal, however each splits them.
 */
export function referenceCoverage(items: readonly string[]): string[] {
  const out: Span[] = [];
  for (const s of spansOf(items)) {
    const last = out[out.length - 1];
    if (last && last.family === s.family && s.first <= last.last + 1n) {
      if (s.last > last.last) last.last = s.last;
    } else out.push({ ...s });
  }
  return out.map((s) => `${s.family}|${s.first}|${s.last}`);
}

/** Whether no address is in two of `items` (touching is fine): what an interval set without auto-merge needs. */
export function referenceDisjoint(items: readonly string[]): boolean {
  const spans = spansOf(items);
  return spans.every((s, i) => i === 0 || spans[i - 1]!.family !== s.family || spans[i - 1]!.last < s.first);
}

/** Whether a prefix text has no host bits set (the reference's parser clears them, so check before comparing). */
export function hasNoHostBits(text: string): boolean {
  const p = ref.parsePrefix(text);
  return ref.parsePrefix(text.split('/')[0]!).net === p.net;
}
