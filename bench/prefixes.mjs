// An independent check of prefix aggregation, for the Service Tags benchmark (see bench/README.md).
//
// fwgen's aggregatePrefixes merges address ranges and splits each range greedily into aligned blocks. This file
// computes the same minimum another way, sharing no code with it (no ipaddr.js, no fwgen import):
//
//   1. parse every prefix with the parser below into (family, network, length), host bits cleared;
//   2. drop duplicates and every prefix that lies inside another (aligned blocks either nest or are disjoint,
//      so after sorting by address a block is covered exactly when it starts before the last kept block ends);
//   3. merge sibling pairs (p/len and p^bit/len, both present) into their parent p/len-1, from the longest
//      length to the shortest, until no two siblings are left.
//
// The result is the set of maximal aligned blocks inside the union, which is the unique smallest set of prefixes
// covering exactly the same addresses: in a disjoint set with no sibling pair, a block's sibling can never be
// tiled by smaller blocks of the set (the smallest tile's own sibling would have to be in the set too).

const WIDTH = { 4: 32, 6: 128 };

function parseV4(text) {
  const parts = text.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${text}`);
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new Error(`not an IPv4 address: ${text}`);
    n = (n << 8n) | BigInt(Number(p));
  }
  return n;
}

function parseV6(text) {
  // Hextets, with at most one `::` and possibly a dotted IPv4 tail (::ffff:192.0.2.1).
  const groups = (s) => {
    if (s === '') return [];
    const out = [];
    for (const g of s.split(':')) {
      if (g.includes('.')) {
        const v4 = parseV4(g);
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new Error(`not an IPv6 address: ${text}`);
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const halves = text.split('::');
  if (halves.length > 2) throw new Error(`not an IPv6 address: ${text}`);
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const all = [...head, ...new Array(Math.max(fill, 0)).fill(0), ...tail];
  if (all.length !== 8 || (halves.length === 2 && fill < 1)) throw new Error(`not an IPv6 address: ${text}`);
  return all.reduce((n, g) => (n << 16n) | BigInt(g), 0n);
}

/** `10.0.0.0/8` or `2001:db8::/32` (a bare address is a host prefix) → { family, net, len }, host bits cleared. */
export function parsePrefix(text) {
  const [addr, bits, extra] = text.trim().split('/');
  if (extra !== undefined) throw new Error(`not a prefix: ${text}`);
  const family = addr.includes(':') ? 6 : 4;
  const width = WIDTH[family];
  const len = bits === undefined ? width : Number(bits);
  if (!Number.isInteger(len) || len < 0 || len > width) throw new Error(`bad prefix length: ${text}`);
  const value = family === 4 ? parseV4(addr) : parseV6(addr);
  const host = BigInt(width - len);
  return { family, net: (value >> host) << host, len };
}

/** A comparable key for a parsed prefix, to compare two sets of prefixes however each was written. */
export const prefixKey = (p) => `${p.family}|${p.len}|${p.net}`;

/** The minimal set of prefixes covering exactly the union of `texts`, as parsed prefixes (IPv4 first). */
export function minimalPrefixes(texts) {
  const out = [];
  for (const family of [4, 6]) {
    const width = WIDTH[family];
    const seen = new Set();
    const parsed = [];
    for (const t of texts) {
      const p = parsePrefix(t);
      if (p.family !== family) continue;
      const k = prefixKey(p);
      if (seen.has(k)) continue;
      seen.add(k);
      parsed.push(p);
    }
    parsed.sort((a, b) => (a.net < b.net ? -1 : a.net > b.net ? 1 : a.len - b.len));
    // Step 2: drop covered blocks. Networks are kept by their text: V8 hashes a BigInt by its low 64 bits only, so
    // a Set of IPv6 networks of /64 and shorter (all low bits zero) degrades to a list (50,000 /64s took 36 s).
    const byLen = Array.from({ length: width + 1 }, () => new Map());
    const key = (net) => net.toString(36);
    let keptEnd = -1n;
    for (const p of parsed) {
      if (p.net <= keptEnd) continue;
      byLen[p.len].set(key(p.net), p.net);
      keptEnd = p.net + (1n << BigInt(width - p.len)) - 1n;
    }
    // Step 3: merge siblings, longest prefixes first; a merge only ever adds a shorter prefix.
    for (let len = width; len >= 1; len--) {
      const here = byLen[len];
      const bit = 1n << BigInt(width - len);
      for (const net of here.values()) {
        if (!here.has(key(net))) continue;
        const sibling = net ^ bit;
        if (!here.has(key(sibling))) continue;
        here.delete(key(net));
        here.delete(key(sibling));
        const parent = net < sibling ? net : sibling;
        byLen[len - 1].set(key(parent), parent);
      }
    }
    for (let len = 0; len <= width; len++) for (const net of byLen[len].values()) out.push({ family, net, len });
  }
  return out;
}

/** Whether `actual` (prefix texts, e.g. fwgen's output) is exactly the minimal set for `inputs`. */
export function compareWithMinimal(inputs, actual) {
  const minimal = minimalPrefixes(inputs);
  const want = new Set(minimal.map(prefixKey));
  const got = new Set(actual.map((t) => prefixKey(parsePrefix(t))));
  const same = got.size === actual.length && got.size === want.size && [...got].every((k) => want.has(k));
  return { minimal: minimal.length, actual: actual.length, same };
}
