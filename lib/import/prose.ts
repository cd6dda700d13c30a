/**
 * Reading prose and bullet lists: which names a sentence asks access for, which it only gives as an example, what
 * port a passage states for the endpoints around it, and sentences about endpoint groups talking to each other
 * ("all Kubernetes nodes can communicate with each other across all necessary ports").
 */
import type { Token } from './tokens.js';
import { portsInProse } from './ports.js';

/** Words of a sentence that asks for access (or says something must be reachable). */
const ACCESS = /\b(allow|allowed|allowing|allows|access|accessible|open|opened|reach|reachable|reached|connect|connects|connection|connections|whitelist|whitelisted|allowlist|allowlisted|permit|permitted|must|need|needs|needed|required|requires|require|ensure|unblock|communicate|egress|outbound|inbound)\b/i;

export function asksForAccess(text: string): boolean {
  return ACCESS.test(text);
}

const EXAMPLE = /(?:\be\.g\.|\bfor (?:example|instance)\b|\bsuch as\b|\bexamples?\b|\bsample\b)[\s:,]*[^.;!?]{0,40}$/i;

/** Is the token given as an example ("Example: myregistry.azurecr.io", "such as X", "e.g. X")? */
export function isExample(text: string, token: Token): boolean {
  const before = text.slice(Math.max(0, token.start - 80), token.start);
  const sentence = before.split(/(?<=(?:[^A-Z.]|[A-Z]{2})[.!?])\s+(?=[A-Z])/).pop() ?? before;
  return EXAMPLE.test(sentence);
}

/** A passage that states ports: its line, section, the ports, and whether it speaks of every endpoint. */
export interface PortStatement {
  line: number;
  section: string | undefined;
  ports: string[];
  /** "All endpoints are reached over port 443": it applies to the whole document. */
  all: boolean;
  text: string;
}

export function portStatement(text: string, line: number, section: string | undefined): PortStatement | undefined {
  const ports = portsInProse(text);
  if (ports.length === 0 || ports.includes('any')) return undefined;
  // Quote the sentences that say it ("... over HTTPS ...", "All endpoints are reached over port 443.").
  const numbered = sentencesOf(text).filter((s) => /\d/.test(s) && portsInProse(s).length > 0);
  const said = numbered.length ? numbered : sentencesOf(text).filter((s) => portsInProse(s).length > 0);
  return { line, section, ports, all: /\b(all|every)\s+(endpoints?|hosts?|urls?|fqdns?|connections?|traffic|services?)\b/i.test(text), text: (said.length ? said : [text]).join(' ') };
}

/** Sentences of a passage, split after ". " (not after "e.g." and friends). */
export function sentencesOf(text: string): string[] {
  return text.split(/(?<=(?:[^A-Z.]|[A-Z]{2})[.!?])\s+(?=[A-Z`<{(>"])/);
}

/** The sentence of `text` around offset `at`. */
export function sentenceAt(text: string, at: number): string {
  let start = 0;
  for (const part of sentencesOf(text)) {
    const i = text.indexOf(part, start);
    if (i <= at && at < i + part.length) return part.trim();
    start = i + part.length;
  }
  return text.trim();
}

/** Words that make a requirement conditional: "if enabled", "optionally", "only when". */
export function conditionIn(sentence: string): string | undefined {
  return /\b(if|when|whenever|optional|optionally|unless|only if|only when|in case)\b[^,;.)—–]{0,40}/i.exec(sentence)?.[0].trim();
}

/**
 * The port statement that applies at `line` in `section`: the nearest one before it that speaks of every endpoint,
 * or the nearest one before it in the same section. `sameSection` says which kind it was.
 */
export function statementFor(statements: readonly PortStatement[], line: number, section: string | undefined): PortStatement | undefined {
  const before = statements.filter((s) => s.line <= line);
  return [...before].reverse().find((s) => s.section === section) ?? [...before].reverse().find((s) => s.all);
}

/** "X can communicate with each other", "between all X": a group talking to itself. */
export function saysEachOther(text: string): boolean {
  return /\beach other\b|\bone another\b|\bamong themselves\b|\bbetween (?:them|themselves|all)\b|\bfull interconnectivity\b/i.test(text);
}
