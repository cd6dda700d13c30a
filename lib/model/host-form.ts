import type { Problem } from './problem.js';
import { printable } from './fqdn.js';

/**
 * The two host forms beyond a plain or `*.` name, as vendor documents write them:
 * - a partial-label wildcard, `azgn*.servicebus.windows.net`: one `*` in the leftmost label, standing for zero or more
 *   letters, digits and hyphens within that label (Cilium's matchPattern reads `*` the same way; zero, so that
 *   `azgn*` also matches `azgn`, a name the vendor's scheme can produce);
 * - a host with a path, `www.microsoft.com/pkiops/certs`: URLs whose path is that path or lies below it
 *   (`/pkiops/certs`, `/pkiops/certs/x.crt`, `/pkiops/certs?x`, not `/pkiops/certsX`); a path ending in `/`
 *   matches whatever follows it.
 */
export interface HostForm {
  /** The host part to check as a name: for a partial-label wildcard, the domain after the wildcard label. */
  host: string;
  /** The wildcard label, lowercase, holding one `*`. */
  label?: string;
  /** The path, canonical (percent-escapes in uppercase), without a lone `/`. */
  path?: string;
  problems: Problem[];
}

/** Path characters: RFC 3986 unreserved characters, `/` and percent-escapes; anything else must be percent-encoded. */
const PATH_CHAR = /[A-Za-z0-9._~\-/]/;
const LABEL_PATTERN_CHAR = /[a-z0-9*-]/;
/** Longest path kept: well past any vendor document's, well below every target's entry limit for a URL. */
export const PATH_MAX = 1024;

/** Splits a host text into its name, its wildcard label and its path, checking the label and the path. */
export function parseHostForm(input: string): HostForm {
  const slash = input.indexOf('/');
  const hostText = slash < 0 ? input : input.slice(0, slash);
  const problems: Problem[] = [];
  let path: string | undefined;
  if (slash >= 0) {
    const r = checkPath(input.slice(slash), input);
    problems.push(...r.problems);
    path = r.path;
  }
  const star = hostText.indexOf('*');
  if (star < 0 || (hostText.startsWith('*.') && hostText.indexOf('*', 1) < 0)) return { host: hostText, ...(path ? { path } : {}), problems };
  const dot = hostText.indexOf('.');
  const first = dot < 0 ? hostText : hostText.slice(0, dot);
  const rest = dot < 0 ? '' : hostText.slice(dot + 1);
  const fail = (reason: string, message: string, hint: string) => {
    problems.push({ code: 'MODEL_FQDN', message, hint, params: { value: input, reason } });
    return { host: rest, problems };
  };
  if (rest.includes('*')) {
    return fail('wildcard-position', `"${printable(input)}" has a "*" outside the leftmost label`, 'a "*" may stand only in the first label, as in "*.example.com" or "azgn*.example.com"');
  }
  if ((first.match(/\*/g) ?? []).length > 1) {
    return fail('wildcard-count', `"${printable(input)}" has more than one "*" in its first label`, 'write one "*" in the label (it matches any run of letters, digits and hyphens), e.g. "azgn*.example.com"');
  }
  if (rest === '') {
    return fail('wildcard-suffix', `"${printable(input)}" has no domain after its wildcard label`, 'write the whole name, e.g. "azgn*.servicebus.windows.net"');
  }
  const label = first.toLowerCase();
  const bad = [...label].find((c) => !LABEL_PATTERN_CHAR.test(c));
  if (bad !== undefined) {
    return fail('character', `label "${printable(first)}" of "${printable(input)}" contains "${printable(bad)}"; a wildcard label holds only letters, digits, hyphens and its "*"`, bad === '{' || bad === '}' ? 'placeholders may stand only in the labels after the wildcard label' : 'write an internationalised name in its ASCII (punycode) form');
  }
  if (label.startsWith('-') || label.endsWith('-')) {
    return fail('label-hyphen', `label "${first}" of "${printable(input)}" starts or ends with a hyphen, so no name can match it`, 'a label must start and end with a letter or digit (or the "*")');
  }
  if (label.length - 1 > 63) {
    return fail('label-length', `label "${first.slice(0, 20)}…" of "${printable(input)}" has ${label.length - 1} characters besides its "*"; a label may have at most 63`, 'shorten the label');
  }
  return { host: rest, label, ...(path ? { path } : {}), problems };
}

/** Checks a path (starting with `/`) and returns it in canonical form; a lone `/` is no path at all. */
export function checkPath(raw: string, input = raw): { path?: string; problems: Problem[] } {
  const fail = (reason: string, message: string, hint: string, extra: Record<string, unknown> = {}) => ({
    problems: [{ code: 'MODEL_PATH' as const, message, hint, params: { value: input, reason, ...extra } }],
  });
  if (raw.length > PATH_MAX) return fail('path-length', `the path of "${printable(input.slice(0, 60))}…" is ${raw.length} characters long; fwgen keeps paths to ${PATH_MAX}`, 'give the shortest path that the vendor needs');
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '%') {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return fail('path-escape', `"${printable(input)}" has a "%" that does not start a percent-escape (%XX)`, 'write a literal "%" as %25');
      const code = parseInt(hex, 16);
      if (code < 0x20 || code === 0x7f) return fail('path-character', `"${printable(input)}" holds the percent-encoded control character %${hex.toUpperCase()}`, 'remove it; no vendor path needs a control character', { character: `%${hex.toUpperCase()}` });
      out += `%${hex.toUpperCase()}`;
      i += 2;
      continue;
    }
    if (!PATH_CHAR.test(c)) {
      const braces = c === '{' || c === '}';
      return fail(
        'path-character',
        `the path of "${printable(input)}" contains ${c === '"' ? "'\"'" : `"${printable(c)}"`}, which fwgen does not take in a path`,
        braces
          ? 'placeholders are not allowed in a path; only the host name can hold {parameters}'
          : c === '?' || c === '#'
            ? 'give the path without a query or fragment: targets match a path, not its parameters'
            : 'a path holds letters, digits, "-", ".", "_", "~" and "/"; percent-encode anything else (a space is %20)',
        { character: c },
      );
    }
    out += c;
  }
  const segments = out.split('/').slice(1);
  if (segments.slice(0, -1).some((s) => s === '')) return fail('path-empty-segment', `the path of "${printable(input)}" has an empty segment ("//")`, 'remove the doubled "/"');
  if (segments.some((s) => s === '.' || s === '..')) return fail('path-dot-segment', `the path of "${printable(input)}" has a "." or ".." segment`, 'write the path as the server sees it, without dot segments');
  return { ...(out === '/' ? {} : { path: out }), problems: [] };
}

/** Whether `host` is one name that the wildcard label `label` matches directly below `name`. */
export function labelMatches(label: string, name: string, host: string): boolean {
  if (!host.endsWith('.' + name)) return false;
  const first = host.slice(0, -name.length - 1);
  if (first.includes('.')) return false;
  const [before, after] = label.split('*') as [string, string];
  return first.length >= before.length + after.length && first.startsWith(before) && first.endsWith(after) && /^[a-z0-9-]*$/.test(first.slice(before.length, first.length - after.length));
}

/** Whether a URL path lies at or below `path` (see {@link HostForm}). */
export function pathMatches(path: string, urlPath: string): boolean {
  if (path.endsWith('/')) return urlPath.startsWith(path);
  if (!urlPath.startsWith(path)) return false;
  const next = urlPath[path.length];
  return next === undefined || next === '/' || next === '?';
}
