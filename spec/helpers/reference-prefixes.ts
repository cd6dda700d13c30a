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
