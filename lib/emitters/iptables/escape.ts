import { InternalError } from '../../model/diagnostic.js';
import { fnv1a, wrapComment } from '../../emit/text.js';

/**
 * One argument of an iptables rule or an ipset command, unquoted. Values come from the model's validated grammar
 * (canonical CIDRs, port numbers, chain and set names the emitter makes), so this only guards that promise:
 * anything that could end an argument or a line is a bug, not input to escape.
 */
const TOKEN = /^[A-Za-z0-9._:/,-]+$/;

export function iptToken(value: string): string {
  if (!TOKEN.test(value)) throw new InternalError(`refusing to write ${JSON.stringify(value)} as an iptables argument`);
  return value;
}

/**
 * Longest `-m comment --comment` text: the kernel's xt_comment keeps 256 bytes with the final NUL
 * (XT_MAX_COMMENT_LEN), and iptables refuses a longer comment.
 */
export const RULE_COMMENT_MAX = 255;

/**
 * The text of `-m comment --comment "..."`, quoted. iptables-restore splits a line at spaces outside double quotes
 * and reads `\` as an escape, so only letters, digits, spaces and `._/:,=+@()-` are kept; every other character
 * (control characters, newlines, quotes, backslashes, non-ASCII) becomes `_`. Cut to {@link RULE_COMMENT_MAX} characters.
 */
export function ruleComment(text: string): string {
  const clean = text.replace(/[^A-Za-z0-9 ._/:,=+@()-]/g, '_').slice(0, RULE_COMMENT_MAX).trim();
  return `"${clean || '-'}"`;
}

/**
 * Most UTF-8 bytes of text on one `#` comment line. iptables-restore reads lines into a 10240-byte buffer and ipset
 * restore into a 1024-byte one; a longer line is read as several, and every piece after the first is parsed as a
 * command. Lines are cut well below both (and wrapped at spaces where one is near, for the reader).
 */
export const COMMENT_LINE_BYTES = 160;

/**
 * Text after `# ` in an iptables-restore or ipset restore file: control characters (newlines among them) become
 * spaces, and text longer than {@link COMMENT_LINE_BYTES} continues on further `#   ` lines.
 */
export function lineComment(text: string): string {
  return wrapComment(text, COMMENT_LINE_BYTES, '\n#   ');
}


/** Longest ipset name: IPSET_MAXNAMELEN is 32 bytes with the final NUL. */
export const SET_NAME_MAX = 31;

/**
 * A set name from the name prefix, a requirement id and a suffix (`d4`, `s6`, `d4-2`): letters, digits, `_` and `-`
 * (`/` and other characters become `_`). A name longer than {@link SET_NAME_MAX} keeps its start and its suffix and puts a
 * hash of the whole name between them, so it stays unique, stable and readable.
 */
export function setName(prefix: string, id: string, suffix: string): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');
  const name = `${clean(prefix)}-${clean(id)}-${clean(suffix)}`;
  if (name.length <= SET_NAME_MAX) return iptToken(name);
  const tail = `-${fnv1a(name).slice(0, 6)}-${clean(suffix)}`;
  return iptToken(name.slice(0, SET_NAME_MAX - tail.length).replace(/[-_]+$/, '') + tail);
}

/** Longest chain name iptables accepts (XT_EXTENSION_MAXNAMELEN is 29 with the final NUL). */
export const CHAIN_NAME_MAX = 28;

export function chainName(prefix: string, what: 'EGRESS' | 'INGRESS'): string {
  const name = `${prefix.toUpperCase()}-${what}`;
  if (name.length > CHAIN_NAME_MAX || !/^[A-Z][A-Z0-9_-]*$/.test(name)) throw new InternalError(`chain name ${name} is not valid`);
  return name;
}

