import { InternalError } from '../../model/diagnostic.js';
import { commentText } from '../../emit/header.js';

const TOKEN = /^[A-Za-z0-9._\-/:^$()[\]+\\*]+$/;

/**
 * A value placed as one squid.conf token. Values come from the model's validated grammar (host names, CIDRs, ids),
 * so this only guards the promise: anything that could end a token or a line is a bug, not input to escape.
 */
export function squidToken(value: string): string {
  if (!TOKEN.test(value)) throw new InternalError(`refusing to write ${JSON.stringify(value)} as a squid.conf token`);
  return value;
}

/** Text after `# `: squid.conf comments end at the line end, so control characters become spaces. */
export function squidComment(text: string): string {
  return commentText(text);
}

/** An acl name from a requirement id: squid accepts letters, digits, `_` and `-`; `/` and `.` become `_`. */
export function aclName(...parts: string[]): string {
  return squidToken(['fwgen', ...parts].join('_').replace(/[^A-Za-z0-9_-]/g, '_'));
}

/** A dstdom_regex matching names below `name` at any depth, not `name` itself. Dots escaped, anchored at both ends. */
export function subdomainRegex(name: string): string {
  return squidToken(`^([^.]+\\.)+${name.replace(/\./g, '\\.')}$`);
}
