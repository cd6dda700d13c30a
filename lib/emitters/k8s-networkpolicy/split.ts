/**
 * Splitting one policy's long peer lists over several objects of at most `budget` bytes of JSON each. Allow-lists add
 * up, so K objects with the same selector, each holding a disjoint part of every list (and the same ports), allow
 * exactly what one object with all of them allows.
 *
 * Which object an entry goes to depends on the entry alone (a hash of its text) and on K, through jump consistent
 * hashing (Lamping and Veach, 2014): adding or removing one entry changes one object, and when the list grows past
 * what K objects hold, K + 1 objects take only about 1/(K + 1) of the entries, all into the new last one. A split
 * into consecutive runs would instead move an entry at every later boundary whenever one is added near the front,
 * so every object would change on every regeneration, and an entry moving to a later object is briefly allowed by
 * neither while kubectl applies them in order. K is the smallest count, from an estimate of the objects' size up, at
 * which every object fits (see firstCount); names are `<name>`, `<name>-2`, ... `<name>-K`.
 */

/** Something that is written into an object once, when any item needing it is there: a rule, a spec. */
export interface SplitContainer {
  /** Bytes it adds to an object's JSON (with its separating comma), without its items. */
  bytes: number;
  /** The container it sits in, if any (written with it). */
  parent?: number;
}

/** One list entry that may go to any object. */
export interface SplitItem {
  /** Its text, which decides where it goes (the same entry in several lists goes to the same object). */
  key: string;
  /** Bytes it adds to the JSON (with its separating comma). */
  bytes: number;
  /** The containers it needs (their parents follow). */
  containers: readonly number[];
}

export interface SplitInput {
  /** Bytes of object `part` (0-based) without any item or container: its metadata and name, and for part 0 the rules that are not split. */
  baseBytes(part: number): number;
  containers: readonly SplitContainer[];
  items: readonly SplitItem[];
  budget: number;
}

export type SplitResult =
  | { ok: true; parts: number; partOf: Int32Array; bytes: number[] }
  | { ok: false; reason: 'base' | 'item' | 'no-fit'; bytes: number; item?: number };

/** The number of objects and, per item, its object; or why no split fits the budget. */
export function splitItems(input: SplitInput): SplitResult {
  const { items, containers, budget } = input;
  const fixed = input.baseBytes(0);
  if (fixed > budget) return { ok: false, reason: 'base', bytes: fixed };
  let total = fixed;
  for (const c of containers) total += c.bytes;
  const hashes = new Uint32Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    total += it.bytes;
    hashes[i] = fnv1a(it.key);
    // Alone in the smallest object, with everything it needs: if that does not fit, nothing will.
    const alone = input.baseBytes(1) + it.bytes + chainBytes(it.containers, containers);
    if (alone > budget) return { ok: false, reason: 'item', bytes: alone, item: i };
  }
  if (total <= budget) return { ok: true, parts: 1, partOf: new Int32Array(items.length), bytes: [total] };
  let parts = firstCount(input, total);
  const partOf = new Int32Array(items.length);
  for (let attempt = 0; parts <= 4 * items.length + 16; attempt++) {
    const bytes = fill(input, hashes, parts, partOf);
    if (bytes.every((b) => b <= budget)) return { ok: true, parts, partOf, bytes };
    parts = attempt < 16 ? parts + 1 : Math.ceil(parts * 1.25);
  }
  return { ok: false, reason: 'no-fit', bytes: total };
}

/** Fill to this share of the budget on average: hashing spreads entries unevenly by a few percent. */
const FILL = 0.9;

/**
 * The first count to try: the smallest K at which the expected bytes of K objects fill each to FILL of the budget.
 * A container (a rule and its spec) is written into every object one of its entries goes to: with m entries hashed
 * over K objects, into K(1 - (1 - 1/K)^m) of them on average. Counting each container once (the plain total) starts
 * too low when many short rules are spread out, and every count tried costs a pass over all entries: with 13,000 rules
 * of a few prefixes each, 22 passes at 100,000 prefixes against 6 at 10,000.
 */
function firstCount(input: SplitInput, total: number): number {
  const { items, containers, budget } = input;
  const lowest = Math.max(2, Math.ceil(total / (budget * FILL)));
  // Entries per container, its own and those of the containers inside it.
  const uses = new Float64Array(containers.length);
  const seen = new Int32Array(containers.length).fill(-1);
  for (let i = 0; i < items.length; i++) {
    for (const c of items[i]!.containers) {
      for (let at: number | undefined = c; at !== undefined && seen[at] !== i; at = containers[at]!.parent) {
        seen[at] = i;
        uses[at]! += 1;
      }
    }
  }
  let itemBytes = 0;
  for (const it of items) itemBytes += it.bytes;
  const fits = (k: number) => {
    let bytes = input.baseBytes(0) + (k - 1) * input.baseBytes(k - 1) + itemBytes;
    for (let c = 0; c < containers.length; c++) if (uses[c]! > 0) bytes += containers[c]!.bytes * k * (1 - Math.pow(1 - 1 / k, uses[c]!));
    return bytes <= k * budget * FILL;
  };
  // The expected bytes per object fall as K grows, so the smallest K that fits is found by bisection.
  let hi = 4 * items.length + 16;
  if (!fits(hi)) return lowest;
  let lo = lowest;
  if (fits(lo)) return lo;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

function fill(input: SplitInput, hashes: Uint32Array, parts: number, partOf: Int32Array): number[] {
  const bytes: number[] = [];
  for (let p = 0; p < parts; p++) bytes.push(input.baseBytes(p));
  const present = new Set<number>();
  const { items, containers } = input;
  for (let i = 0; i < items.length; i++) {
    const p = jumpHash(hashes[i]!, parts);
    partOf[i] = p;
    bytes[p]! += items[i]!.bytes;
    for (const c of items[i]!.containers) {
      // Each container (and its parents) once per object.
      for (let at: number | undefined = c; at !== undefined; at = containers[at]!.parent) {
        const key = at * parts + p;
        if (present.has(key)) break;
        present.add(key);
        bytes[p]! += containers[at]!.bytes;
      }
    }
  }
  return bytes;
}

function chainBytes(of: readonly number[], containers: readonly SplitContainer[]): number {
  const seen = new Set<number>();
  let n = 0;
  for (const c of of) for (let at: number | undefined = c; at !== undefined && !seen.has(at); at = containers[at]!.parent) {
    seen.add(at);
    n += containers[at]!.bytes;
  }
  return n;
}

/** FNV-1a over the UTF-16 code units: a stable 32-bit hash of the entry's text. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Jump consistent hash: a bucket in [0, buckets) such that, for the same key, going from K to K + 1 buckets either
 * keeps the bucket or moves it to bucket K. The pseudo-random sequence is a xorshift32 seeded with the key.
 */
export function jumpHash(key: number, buckets: number): number {
  let x = key >>> 0 || 0x9e3779b9;
  let b = 0;
  let j = 0;
  while (j < buckets) {
    b = j;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    j = Math.floor((b + 1) / ((x + 1) / 4294967296));
  }
  return b;
}

/** Object names: the first keeps the policy's name, the others get `-2`, `-3`, ... */
export function partName(name: string, part: number): string {
  return part === 0 ? name : `${name}-${part + 1}`;
}
