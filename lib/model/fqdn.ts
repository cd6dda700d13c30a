import { domainToASCII } from 'node:url';
import type { Problem } from './problem.js';

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV4_LIKE = /^[0-9.]+$/;

export interface FqdnResult {
  /** The name in lowercase ASCII, without a trailing dot or `*.` prefix. */
  name?: string;
  wildcard: boolean;
  problems: Problem[];
  /** Set when an IDN was converted to its ASCII form. */
  converted?: { from: string; to: string };
}

/**
 * Checks a host name against the DNS grammar (RFC 1035 labels, 253 octets) and the model's wildcard rule:
 * `*` may appear only as a whole leading label, `*.`. Non-ASCII names are converted with IDNA (UTS #46).
 * `requireDot: false` is for templates whose placeholders stand for several labels.
 */
export function checkFqdn(input: string, requireDot = true): FqdnResult {
  const problems: Problem[] = [];
  let text = input;
  let wildcard = false;
  if (text.startsWith('*.')) {
    wildcard = true;
    text = text.slice(2);
  }
  if (text.includes('*')) {
    problems.push({
      code: 'MODEL_FQDN',
      message: `"${input}" has a "*" that is not a whole leading label`,
      hint: 'a wildcard may only be the first label, as in "*.example.com"; to match the name and its subdomains use `match: apex-and-subdomains`',
      params: { value: input, reason: 'wildcard-position' },
    });
    return { wildcard, problems };
  }
  let converted: FqdnResult['converted'];
  // IDNA maps some characters to nothing (zero-width spaces, soft hyphens) and stops at others (line ends), so a name
  // holding them would be silently rewritten into another name. Control, format and separator characters are refused.
  const hidden = /[\p{Cc}\p{Cf}\p{Z}]/u.exec(text);
  if (hidden) {
    const cp = hidden[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    problems.push({
      code: 'MODEL_FQDN',
      message: `"${printable(input, true)}" contains the invisible or control character U+${cp}, which is not allowed in a host name`,
      hint: 'retype the name; copied text often carries hidden characters',
      params: { value: input, reason: 'character', character: hidden[0] },
    });
    return { wildcard, problems };
  }
  if (/[^\x20-\x7e]/.test(text)) {
    const ascii = domainToASCII(text);
    if (!ascii || /[^\x21-\x7e]/.test(ascii)) {
      problems.push({
        code: 'MODEL_IDN',
        message: `"${printable(input, true)}" is not a valid internationalised domain name: IDNA (UTS #46) has no ASCII form for it`,
        hint: 'check for invisible or combining characters and mixed scripts, or write the name in its ASCII (punycode) form, e.g. "xn--bcher-kva.de" for "bücher.de"',
        params: { value: input },
      });
      return { wildcard, problems };
    }
    converted = { from: text, to: ascii };
    text = ascii;
  } else if (/(^|\.)xn--/i.test(text) && !domainToASCII(text)) {
    // An ASCII name can still carry an IDN label; one that does not decode would be rejected by resolvers.
    problems.push({
      code: 'MODEL_IDN',
      message: `"${input}" has an "xn--" label that is not valid punycode`,
      hint: 'copy the ASCII form from a converter, or write the name in Unicode and let fwgen convert it',
      params: { value: input },
    });
    return { wildcard, problems };
  }
  text = text.toLowerCase();
  if (text.endsWith('.')) text = text.slice(0, -1);
  const bad = text.match(/[^a-z0-9.-]/);
  if (bad) {
    const ch = printable(bad[0]);
    problems.push({
      code: 'MODEL_FQDN',
      message: `"${printable(input)}" contains "${ch}", which is not allowed in a host name`,
      hint: urlHost(input) !== undefined
        ? `write the URL's host alone, without scheme, port or path: "${urlHost(input)}"`
        : 'host names use only letters, digits, hyphens and dots; write a URL as its host alone (no scheme, port or path)',
      params: { value: input, reason: 'character', character: bad[0] },
    });
    return { wildcard, problems };
  }
  if (text.length > 253) {
    problems.push({
      code: 'MODEL_FQDN',
      message: `"${shorten(input)}" is ${text.length} octets long; a host name may have at most 253`,
      hint: 'check for a pasted value or a missing separator',
      params: { value: input, reason: 'name-length', length: text.length },
    });
  }
  const labels = text.split('.');
  for (const label of labels) {
    if (label === '') {
      problems.push({
        code: 'MODEL_FQDN',
        message: `"${input}" has an empty label`,
        hint: 'remove the doubled, leading or trailing dot',
        params: { value: input, reason: 'empty-label' },
      });
      break;
    }
    if (label.length > 63) {
      problems.push({
        code: 'MODEL_FQDN',
        message: `label "${label.slice(0, 20)}…" of "${shorten(input)}" is ${label.length} octets long; a label may have at most 63`,
        hint: 'shorten the label or check that a separator is not missing',
        params: { value: input, reason: 'label-length', label, length: label.length },
      });
    } else if (!LABEL.test(label)) {
      problems.push({
        code: 'MODEL_FQDN',
        message: `label "${label}" of "${input}" starts or ends with a hyphen`,
        hint: 'a label must start and end with a letter or digit',
        params: { value: input, reason: 'label-hyphen', label },
      });
    }
  }
  // "*.io" is well formed; that it covers a whole public suffix is for the over-broad check to say.
  if (problems.length === 0 && requireDot && !wildcard && labels.length < 2) {
    problems.push({
      code: 'MODEL_FQDN',
      message: `"${input}" is a single label, not a fully qualified name`,
      hint: 'write the full name, e.g. "registry.example.com"',
      params: { value: input, reason: 'single-label' },
    });
  }
  if (problems.length === 0 && IPV4_LIKE.test(text)) {
    problems.push({
      code: 'MODEL_FQDN',
      message: `"${input}" is an IP address, not a host name`,
      hint: `write it as a CIDR destination: { cidr: ${text}/32 }`,
      params: { value: input, reason: 'ip-address' },
    });
  }
  return { name: problems.length ? undefined : text, wildcard, problems, converted };
}

/**
 * The value with invisible characters (controls, format characters such as U+200B, separators other than a space)
 * made visible; with `marks`, combining marks too, which otherwise merge into the quote before them.
 */
export function printable(s: string, marks = false): string {
  return s.replace(marks ? /[\p{C}\p{M}\p{Z}]/gu : /[\p{C}\p{Z}]/gu, (c) =>
    c === ' ' ? c :
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u{${c.codePointAt(0)!.toString(16)}}`,
  );
}

/** A long value cut in the middle, so a message stays readable. */
function shorten(s: string): string {
  return s.length > 80 ? `${s.slice(0, 40)}…${s.slice(-30)}` : s;
}

function urlHost(s: string): string | undefined {
  if (!s.includes('://')) return undefined;
  try {
    return new URL(s).hostname || undefined;
  } catch {
    return undefined;
  }
}
