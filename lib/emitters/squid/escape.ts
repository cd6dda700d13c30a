import { InternalError } from '../../model/diagnostic.js';
import { fnv1a, wrapComment } from '../../emit/text.js';

const TOKEN = /^[A-Za-z0-9._\-/:^$()[\]+\\*|?~]+$/;

/**
 * A value placed as one squid.conf token. Values come from the model's validated grammar (host names, CIDRs, ids),
 * so this only guards the promise: anything that could end a token or a line is a bug, not input to escape.
 */
export function squidToken(value: string): string {
  if (!TOKEN.test(value)) throw new InternalError(`refusing to write ${JSON.stringify(value)} as a squid.conf token`);
  return value;
}

/**
 * Most UTF-8 bytes of comment text on one line. Squid reads squid.conf with fgets into a BUFSIZ (8192) buffer, so a
 * line longer than 8191 bytes is read as several lines, and every piece after the first is parsed as a directive:
 * a long comment must be cut into several comment lines, well below that (the template adds a short prefix).
 */
export const COMMENT_LINE_BYTES = 2000;

/**
 * Text after `# `: squid.conf comments end at the line end, so control characters become spaces, and text longer
 * than {@link COMMENT_LINE_BYTES} continues on further `#` lines.
 */
export function squidComment(text: string): string {
  return wrapComment(text, COMMENT_LINE_BYTES, '\n#   ');
}

/**
 * Longest acl name squid 5 takes everywhere: an acl line refuses 64 characters or more (ACL_NAME_SZ), and an
 * http_access line cannot name an acl of 63 ("Bungled ... http_access").
 */
export const ACL_NAME_MAX = 62;

/**
 * An acl name from a requirement id and a suffix: squid accepts letters, digits, `_` and `-`; `/` and `.` become `_`.
 * A name longer than {@link ACL_NAME_MAX} keeps its start and its last part (the suffix, e.g. `dst_regex`) and puts
 * a hash of the whole name between them, so it stays unique and readable.
 */
export function aclName(...parts: string[]): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');
  const name = clean(['fwgen', ...parts].join('_'));
  if (name.length <= ACL_NAME_MAX) return squidToken(name);
  const last = parts.length > 1 ? clean(parts[parts.length - 1]!) : '';
  const suffix = last.length <= 24 ? last : '';
  const tail = `_${fnv1a(name)}${suffix ? `_${suffix}` : ''}`;
  return squidToken(name.slice(0, ACL_NAME_MAX - tail.length) + tail);
}


/** A dstdom_regex matching names below `name` at any depth, not `name` itself. Dots escaped, anchored at both ends. */
export function subdomainRegex(name: string): string {
  return squidToken(`^([^.]+\\.)+${name.replace(/\./g, '\\.')}$`);
}

/**
 * A dstdom_regex matching the names that the wildcard label `label` (one `*`) matches directly below `name`: the `*`
 * stands for zero or more letters, digits and hyphens, never a dot. Used with -i, as dstdomain is case-insensitive.
 */
export function labelRegex(label: string, name: string): string {
  if (!/^[a-z0-9-]*\*[a-z0-9-]*$/.test(label)) throw new InternalError(`refusing wildcard label ${JSON.stringify(label)}`);
  return squidToken(`^${label.replace('*', '[a-z0-9-]*')}\\.${name.replace(/\./g, '\\.')}$`);
}

/**
 * A urlpath_regex matching the URL paths at or below `path` (lib/model/host-form.ts): `path` itself, then the end, a
 * `/` or a query. Squid decodes percent-escapes before it matches (rfc1738_unescape in ACLUrlPath), so an escape is
 * written as the character it stands for, escaped; one that is not a letter, digit or `-._~/` becomes `.` (any one
 * character), as it could not be written in a squid.conf token.
 */
export function pathRegex(path: string): string {
  const decoded = path.replace(/%([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  const body = [...decoded].map((c) => (/[A-Za-z0-9\-_~/]/.test(c) ? c : c === '.' ? '\\.' : '.')).join('');
  return squidToken(path.endsWith('/') ? `^${body}` : `^${body}($|[/?])`);
}
