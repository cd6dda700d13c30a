import type { ResolvedDestination, ResolvedRequirement } from '../model/resolved.js';
import type { Provenance } from '../model/requirement-set.js';
import { describeProvenance } from '../model/describe.js';
import { formatPort } from '../model/port.js';
import { commentText } from './header.js';

/** 32-bit FNV-1a of a string's UTF-16 code units, as 8 hex digits: short, stable, no dependency. Emitters use it to
 * keep names within a format's length limit while staying unique and the same on every run. */
export function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/**
 * Text for a `#` line comment of at most `maxBytes` bytes: control characters (newlines among them) become spaces,
 * and longer text continues on further lines, each starting with `continuation`. Formats read their files in
 * fixed-size pieces (Squid 8 KiB, iptables-restore 10 KiB, ipset 1 KiB), and the rest of a longer line would be
 * parsed as a command.
 */
export function wrapComment(text: string, maxBytes: number, continuation: string): string {
  const flat = commentText(text);
  const pieces: string[] = [];
  let piece = '';
  let bytes = 0;
  for (const ch of flat) {
    const n = utf8Length(ch);
    if (bytes + n > maxBytes) {
      const cut = piece.lastIndexOf(' ');
      // Break at the last space when it keeps most of the line; otherwise cut the word.
      if (cut > piece.length / 2) {
        pieces.push(piece.slice(0, cut));
        piece = piece.slice(cut + 1);
      } else {
        pieces.push(piece);
        piece = '';
      }
      bytes = utf8Length(piece);
    }
    piece += ch;
    bytes += n;
  }
  pieces.push(piece);
  return pieces.join(continuation);
}

const portGroups = new WeakMap<readonly ResolvedDestination[], ResolvedDestination[][]>();

/**
 * A requirement's destinations grouped by their port lists, in first-seen order: one rule per group. Kept per
 * destination list, so the targets of one `fwgen generate` group a requirement once, and get the same group arrays
 * (which `aggregateDestinations` keeps its result by).
 */
export function groupByPorts(dests: readonly ResolvedDestination[]): ResolvedDestination[][] {
  let hit = portGroups.get(dests);
  if (!hit) portGroups.set(dests, (hit = computeGroups(dests)));
  return hit;
}

/** "a, b, c and 99,997 more": at most `max` items named, so a comment about 100,000 prefixes stays one short line. */
export function summarizeList<T>(items: readonly T[], describe: (item: T) => string, max = 8): string {
  const named = items.slice(0, max).map(describe).join(', ');
  if (items.length <= max) return named;
  return `${named} and ${(items.length - max).toLocaleString('en-US')} more (${items.length.toLocaleString('en-US')} in all)`;
}

function computeGroups(dests: readonly ResolvedDestination[]): ResolvedDestination[][] {
  const groups = new Map<string, ResolvedDestination[]>();
  // Destinations of one row share their port list: its key is built once per run of the same list.
  let lastPorts: unknown;
  let group: ResolvedDestination[] | undefined;
  for (const d of dests) {
    if (d.ports !== lastPorts) {
      const key = d.ports.map(formatPort).join(',');
      group = groups.get(key);
      if (!group) groups.set(key, (group = []));
      lastPorts = d.ports;
    }
    group!.push(d);
  }
  return [...groups.values()];
}

/**
 * What a requirement's comment lines cite: its own provenance (when `withRequirement`) and each destination's, each
 * text once, in first-seen order. Destinations share provenance objects, so those are skipped by identity first and
 * 100,000 destinations from one row cost one description, not 100,000.
 */
export function provenanceTexts(req: ResolvedRequirement, withRequirement: boolean): string[] {
  const objects = new Set<Provenance>(withRequirement ? [req.provenance] : []);
  for (const d of req.destinations) for (const p of d.provenance) objects.add(p);
  const texts = new Set<string>();
  for (const p of objects) texts.add(describeProvenance(p) + (p.text ? `: ${p.text.trim()}` : ''));
  return [...texts];
}

/** The fidelity notes an output carries in its comments, at most this many bytes of them. */
export const NOTES_BYTES_MAX = 100_000;

/**
 * The notes an output carries, at most `maxBytes` of them by `size`, then one line saying how many were left out:
 * an output of 100,000 names can have 40,000 fidelity notes (13 MB of comment in front of the rules). Every note is
 * also a diagnostic of the run, which the CLI prints in full.
 */
export function capNotes(notes: readonly string[], options: { maxBytes?: number; size?: (note: string) => number; place?: string } = {}): string[] {
  const { maxBytes = NOTES_BYTES_MAX, size = (n: string) => utf8Length(n) + 1, place = 'file' } = options;
  let bytes = 0;
  for (let i = 0; i < notes.length; i++) {
    bytes += size(notes[i]!);
    if (bytes > maxBytes) return [...notes.slice(0, i), `... and ${notes.length - i} more notes, left out here to keep the ${place} small: each is one of the diagnostics fwgen reported`];
  }
  return [...notes];
}
