// Scoring of `fwgen import` against a hand count (spec/import/corpus/<name>/expected.yaml): recall, precision and
// port accuracy, from the YAML the importer writes, parsed back as a user would read it.
//
// - A destination is a host (placeholders as `{}`, a leading dot for "the name and its subdomains", a path kept
//   as written), a CIDR, a service tag (`tag:Name`, `tag:Name.{}` with a region parameter) or an endpoint group.
//   Groups are named by the importer, so an expected group lists the names it may take (`any`: whichever group).
// - Recall: expected entries found among the requirements' destinations (alternatives do not count). A group
//   entry is a row of a port matrix, so it is found only when the group is imported with one of its ports.
// - Precision: imported destinations that are expected, over all imported ones except those the count lists as
//   optional (offered instead of another, so neither required nor wrong). Decoys are reported by name.
// - Ports: for each expected destination with stated ports that is found, the set of ports imported for it (as
//   transport:port over all its requirements) must equal the stated set; for each imported group, every port it
//   has must be stated by an entry that can match it (a port it lacks is a recall miss already).
import { parse } from 'yaml';
import { parsePort } from '../../lib/model/port.js';

export interface ExpectedEntry {
  host?: string;
  cidr?: string;
  tag?: string;
  group?: string | string[];
  ports?: string[];
}

export interface Expected {
  destinations: ExpectedEntry[];
  optional?: string[];
  decoys?: string[];
}

export interface DocumentScore {
  expected: number;
  found: number;
  imported: number;
  importedExpected: number;
  decoys: string[];
  unexpected: string[];
  missing: string[];
  portsChecked: number;
  portsExact: number;
  portErrors: string[];
}

const slugOf = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** A port as transport:port(-port), or `any`. */
export function portKey(text: string): string {
  const { port } = parsePort(text);
  if (!port) return `?${text}`;
  if (port.transport === 'any') return 'any';
  return `${port.transport}:${port.from === port.to ? port.from : `${port.from}-${port.to}`}`;
}

function cidrKey(text: string): string {
  const t = text.trim().toLowerCase();
  return t.includes('/') ? t : `${t}/${t.includes(':') ? 128 : 32}`;
}

function hostKey(text: string): string {
  return text.trim().toLowerCase().replace(/\{[^}]*\}/g, '{}').replace(/<[^>]*>/g, '{}');
}

/** The key of one imported destination as the draft writes it. */
function importedKey(e: unknown, groups: Record<string, { title?: string }>): { key: string; group?: string[] } {
  if (typeof e === 'string') return /^[0-9a-f:.]+\/\d+$/i.test(e) ? { key: cidrKey(e) } : { key: hostKey(e) };
  const o = e as Record<string, unknown>;
  if (typeof o.group === 'string') {
    const title = groups[o.group]?.title;
    return { key: `group:${o.group}`, group: [o.group, ...(title ? [slugOf(title)] : [])] };
  }
  if (typeof o.serviceTag === 'string') return { key: `tag:${o.serviceTag}${o.region ? '.{}' : ''}`.toLowerCase() };
  if (typeof o.host === 'string') {
    const name = hostKey(o.host) + (typeof o.path === 'string' ? o.path : '');
    return { key: o.match === 'apex-and-subdomains' ? `.${name}` : o.match === 'subdomains' ? `*.${name}` : name };
  }
  return { key: JSON.stringify(e) };
}

function expectedKey(e: ExpectedEntry): string {
  if (e.host !== undefined) return hostKey(e.host);
  if (e.cidr !== undefined) return cidrKey(e.cidr);
  if (e.tag !== undefined) return `tag:${e.tag}`.toLowerCase().replace(/\{[^}]*\}/g, '{}');
  const names = Array.isArray(e.group) ? e.group : [e.group ?? 'any'];
  return `group:${names.join('|')}`;
}

/** A listed name (optional or decoy) as a key: hosts, CIDRs and `tag:` names as in expected entries. */
function listedKey(text: string): string {
  if (text.startsWith('tag:')) return text.toLowerCase().replace(/\{[^}]*\}/g, '{}');
  return /^[0-9a-f:.]+\/\d+$/i.test(text) ? cidrKey(text) : hostKey(text);
}

function groupMatches(e: ExpectedEntry, names: readonly string[]): boolean {
  const want = Array.isArray(e.group) ? e.group : [e.group ?? 'any'];
  return want.includes('any') || want.some((w) => names.includes(w));
}

export function scoreDraft(yamlText: string | undefined, expected: Expected): DocumentScore {
  const doc = (yamlText ? parse(yamlText) : {}) as { requirements?: { destinations?: unknown[]; ports?: string[] }[]; groups?: Record<string, { title?: string }> };
  const groups = doc.groups ?? {};
  // Imported destination → ports, and the names a group answers to.
  const imported = new Map<string, { ports: Set<string>; group?: string[] }>();
  for (const r of doc.requirements ?? []) {
    for (const d of r.destinations ?? []) {
      const { key, group } = importedKey(d, groups);
      const entry = imported.get(key) ?? { ports: new Set<string>(), ...(group ? { group } : {}) };
      for (const p of r.ports ?? []) entry.ports.add(portKey(p));
      imported.set(key, entry);
    }
  }
  const entries = expected.destinations;
  const matchesOf = (e: ExpectedEntry): string[] =>
    e.group !== undefined || (e.host === undefined && e.cidr === undefined && e.tag === undefined)
      ? [...imported].filter(([, v]) => v.group && groupMatches(e, v.group)).map(([k]) => k)
      : imported.has(expectedKey(e))
        ? [expectedKey(e)]
        : [];
  const missing: string[] = [];
  let found = 0;
  const usedKeys = new Set<string>();
  for (const e of entries) {
    const keys = matchesOf(e);
    const isGroup = e.group !== undefined;
    const hit = isGroup ? keys.some((k) => (e.ports ?? []).some((p) => imported.get(k)!.ports.has(portKey(p)))) : keys.length > 0;
    keys.forEach((k) => usedKeys.add(k));
    if (hit) found++;
    else missing.push(`${expectedKey(e)}${isGroup ? ` ${(e.ports ?? []).join(',')}` : ''}`);
  }
  // Ports per expected destination (a group's rows together), checked where the count states them. A group's
  // entries may name several groups or any group (the importer names them), so an imported group is checked on
  // its own: its ports must all be stated by entries that can match it (a missing port is a recall miss).
  const stated = new Map<string, { entry: ExpectedEntry; ports: Set<string> }>();
  for (const e of entries) {
    if (!e.ports || e.group !== undefined) continue;
    const k = expectedKey(e);
    const s = stated.get(k) ?? { entry: e, ports: new Set<string>() };
    for (const p of e.ports) s.ports.add(portKey(p));
    stated.set(k, s);
  }
  let portsChecked = 0;
  let portsExact = 0;
  const portErrors: string[] = [];
  for (const [k, s] of stated) {
    const keys = matchesOf(s.entry);
    if (keys.length === 0) continue;
    const got = new Set(keys.flatMap((x) => [...imported.get(x)!.ports]));
    portsChecked++;
    const same = got.size === s.ports.size && [...got].every((p) => s.ports.has(p));
    if (same) portsExact++;
    else portErrors.push(`${k}: ${[...got].sort().join(',')} (stated ${[...s.ports].sort().join(',')})`);
  }
  for (const [k, v] of imported) {
    if (!v.group) continue;
    const matching = entries.filter((e) => e.group !== undefined && e.ports && groupMatches(e, v.group!));
    if (matching.length === 0) continue;
    const allowed = new Set(matching.flatMap((e) => e.ports!.map(portKey)));
    portsChecked++;
    const extra = [...v.ports].filter((p) => !allowed.has(p));
    if (extra.length === 0) portsExact++;
    else portErrors.push(`${k}: ${extra.sort().join(',')} not stated for it`);
  }
  const optional = new Set((expected.optional ?? []).map(listedKey));
  const decoySet = new Set((expected.decoys ?? []).map(listedKey));
  const counted = [...imported.keys()].filter((k) => !optional.has(k));
  const isExpected = (k: string) => usedKeys.has(k) || entries.some((e) => e.group === undefined && expectedKey(e) === k);
  const importedExpected = counted.filter(isExpected).length;
  return {
    expected: entries.length,
    found,
    imported: counted.length,
    importedExpected,
    decoys: counted.filter((k) => decoySet.has(k)),
    unexpected: counted.filter((k) => !isExpected(k) && !decoySet.has(k)),
    missing,
    portsChecked,
    portsExact,
    portErrors,
  };
}
