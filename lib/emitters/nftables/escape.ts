import { InternalError } from '../../model/diagnostic.js';
import { commentText } from '../../emit/header.js';
import { fnv1a } from '../../emit/text.js';

/** Text after `# `: an nft comment runs to the line end, so control characters (newlines among them) become spaces. */
export function hashComment(text: string): string {
  return commentText(text);
}

/** Most bytes the kernel keeps for a rule's `comment` (NFTNL_UDATA_COMMENT_MAXLEN); nft refuses a longer one. */
export const RULE_COMMENT_BYTES = 128;

/** Characters a `comment "..."` string may hold here: printable ASCII without `"` (which ends it) and `\`. */
const COMMENT_SAFE = /[^ !#-[\]-~]/g;

/**
 * A rule's `comment "..."` text. nft's quoted strings cannot escape `"`, so anything outside printable ASCII without
 * `"` and `\` becomes `_`; text longer than {@link RULE_COMMENT_BYTES} keeps its start and ends in a hash of the whole.
 */
export function ruleComment(text: string): string {
  const safe = text.replace(COMMENT_SAFE, '_');
  if (safe.length <= RULE_COMMENT_BYTES) return safe;
  const tail = `~${fnv1a(text)}`;
  return safe.slice(0, RULE_COMMENT_BYTES - tail.length) + tail;
}

/** Longest set name written: the kernel takes 255 bytes, but short names keep rules readable. */
export const SET_NAME_MAX = 63;

const IDENTIFIER = /^[a-z][a-z0-9_-]*$/;

/**
 * A set name from its kind (`dst4`, `src6`, ...) and a requirement id: `/` becomes `_` (ids hold only `a-z`, `0-9`
 * and `-`, so names cannot meet). The kind comes first, so a name always starts with a letter and is never an nft
 * keyword. A name longer than {@link SET_NAME_MAX} keeps its start and its suffix and puts a hash of the whole name
 * between them, so it stays unique and readable.
 */
export function setName(kind: string, requirementId: string, suffix = ''): string {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9_-]/g, '_');
  const base = clean(`${kind}_${requirementId.replace(/\//g, '_')}`);
  const tail = clean(suffix);
  const name = base + tail;
  if (name.length <= SET_NAME_MAX) return identifier(name);
  const end = `_${fnv1a(name)}${tail}`;
  return identifier(base.slice(0, SET_NAME_MAX - end.length) + end);
}

/** Guards the promise that a name is one nft identifier; anything else is a bug, not input to escape. */
export function identifier(name: string): string {
  if (!IDENTIFIER.test(name) || name.length > SET_NAME_MAX) throw new InternalError(`refusing to write ${JSON.stringify(name)} as an nft identifier`);
  return name;
}

const V4 = /^(?:[0-9]{1,3}\.){3}[0-9]{1,3}\/[0-9]{1,2}$/;
const V6 = /^[0-9a-f:.]+\/[0-9]{1,3}$/;

/** A CIDR as a set element. Values come from the model's CIDR grammar or the Service Tags loader; this guards it. */
export function nftPrefix(cidr: string, family: 4 | 6): string {
  if (!(family === 4 ? V4 : V6).test(cidr)) throw new InternalError(`refusing to write ${JSON.stringify(cidr)} as an IPv${family} set element`);
  return cidr;
}


export { fnv1a };
