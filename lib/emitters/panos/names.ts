import { InternalError } from '../../model/diagnostic.js';
import { fnv1a } from '../../emit/text.js';

/**
 * PAN-OS names and texts. Object names are built from validated ids (set, requirement and group ids are
 * `[a-z0-9][a-z0-9-]*`), host names and prefixes, so they only need shortening; every free text (descriptions,
 * comments) is cut to the field's limit and stripped of what XML 1.0 cannot carry. XMLBuilder escapes `&`, `<`, `>`
 * and quotes on top of that.
 */

/** Longest name of an address, address group, service or security rule (PAN-OS 8.1 and later). */
export const NAME_MAX = 63;
/** Longest custom URL category name: kept to 31, the limit older PAN-OS releases enforce. */
export const URL_CATEGORY_NAME_MAX = 31;
/**
 * Longest External Dynamic List name: PAN-OS documents 32 characters ("Objects > External Dynamic Lists", 7.1 web
 * interface help); kept to 31 like URL categories.
 */
export const EDL_NAME_MAX = 31;
/**
 * Description limits from pan-os-codegen specs (security rule 1024; address, group, service 1023; URL category and
 * external list 255).
 */
export const DESCRIPTION_MAX = { rule: 1024, address: 1023, group: 1023, service: 1023, urlCategory: 255, externalList: 255 } as const;

/** Names start with a letter or digit and hold letters, digits, `.`, `_` and `-` (no spaces, so none need quoting). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A valid object name, or an internal error: names come from checked ids, never from free text. */
export function checkName(name: string, max = NAME_MAX): string {
  if (!NAME.test(name) || name.length > max) throw new InternalError(`refusing to write ${JSON.stringify(name)} as a PAN-OS name`);
  return name;
}

/**
 * A name from its parts, joined with `-`. One longer than `max` keeps its start, an FNV-1a hash of the whole name
 * and, when it is short (`url`), its last part, so it stays unique, readable and the same on every run.
 */
/** Text with every character a name cannot hold replaced by `-`. */
export function cleanName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '-');
}

export function objectName(parts: readonly string[], max = NAME_MAX): string {
  const clean = cleanName;
  const name = clean(parts.join('-'));
  if (name.length <= max) return checkName(name, max);
  const last = parts.length > 2 ? clean(parts[parts.length - 1]!) : '';
  const tail = `-${fnv1a(name)}${last.length <= 8 && last ? `-${last}` : ''}`;
  return checkName(`${name.slice(0, max - tail.length).replace(/[-_.]+$/, '')}${tail}`, max);
}

/** A prefix as part of a name: `/` becomes `_` and IPv6 `:` becomes `-` (neither occurs in a prefix otherwise). */
export function cidrNamePart(cidr: string): string {
  return cidr.replace(/:/g, '-').replace('/', '_');
}


/**
 * Free text for a description or comment: one line (control characters, which XML 1.0 mostly cannot carry, become
 * spaces, as do lone surrogates and U+FFFE/U+FFFF), runs of spaces collapsed, cut to `maxBytes` UTF-8 bytes
 * on a character boundary with `...` marking the cut.
 */
export function freeText(s: string, maxBytes: number): string {
  const flat = s
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffe\uffff]/g, ' ')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  if (Buffer.byteLength(flat, 'utf8') <= maxBytes) return flat;
  let out = '';
  let bytes = 0;
  for (const ch of flat) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > maxBytes - 3) break;
    out += ch;
    bytes += n;
  }
  return `${out.trimEnd()}...`;
}

export { fnv1a };
