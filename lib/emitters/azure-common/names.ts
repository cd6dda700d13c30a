import { InternalError } from '../../model/diagnostic.js';
import { fnv1a } from '../../emit/text.js';

/**
 * Longest name Azure takes for a firewall policy rule collection group, a rule collection, a rule, and an NSG
 * security rule: 1 to 80 characters.
 */
export const AZURE_NAME_MAX = 80;

/** Letters, digits, `_`, `.` and `-`; starts with a letter or digit, ends with a letter, digit or `_`. */
export const AZURE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$/;

/**
 * A name from parts (e.g. the set id, the requirement id, qualifiers), joined with `.`. Characters Azure refuses
 * become `_`; a name that would end in `.` or `-` gets a `_`. A name longer than {@link AZURE_NAME_MAX} keeps its
 * start and its last part and puts a hash of the whole name between them, so it stays unique and readable.
 */
export function azureName(parts: readonly string[]): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_');
  let name = clean(parts.filter((p) => p !== '').join('.'));
  if (!/^[A-Za-z0-9]/.test(name)) name = `n${name}`;
  if (name.length > AZURE_NAME_MAX) {
    const last = parts.length > 1 ? clean(parts[parts.length - 1]!) : '';
    const tail = `.${fnv1a(name)}${last && last.length <= 24 ? `.${last}` : ''}`;
    name = name.slice(0, AZURE_NAME_MAX - tail.length).replace(/[.-]+$/, '') + tail;
  }
  if (!/[A-Za-z0-9_]$/.test(name)) name = `${name}_`;
  if (!AZURE_NAME.test(name)) throw new InternalError(`name ${JSON.stringify(name)} breaks Azure's naming rules`);
  return name;
}


/**
 * Names for the rules one requirement becomes. Each rule is described by the same list of dimensions (kind, ports,
 * destination, family, ...); a dimension whose value is the same for all of the requirement's rules says nothing
 * and is left out, so a requirement that becomes one rule is named by its id alone. The name depends only on the
 * requirement and its own rules: a change elsewhere in a catalog renames nothing here.
 */
export function requirementRuleNames(requirementId: string, dimensions: readonly (readonly string[])[]): string[] {
  const base = requirementId.split('/');
  const width = Math.max(0, ...dimensions.map((d) => d.length));
  const varies = Array.from({ length: width }, (_, i) => new Set(dimensions.map((d) => d[i] ?? '')).size > 1);
  return dimensions.map((d) => azureName([...base, ...d.filter((_, i) => varies[i])]));
}

/** Throws when two names meet: Azure refuses a collection with two rules of one name. */
export function checkUnique(names: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    const key = n.toLowerCase();
    if (seen.has(key)) throw new InternalError(`${what} name ${n} is used twice`);
    seen.add(key);
  }
}

export { fnv1a };
