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

const NAMING_FORM = /\b(?:in\s+(?:the\s+)?(?:following\s+)?form|format|syntax|notation)\s*(?:is|of)?\s*:?\s*$/i;

/**
 * Is the token a way of writing names ("specify the region in the following format: AzureContainerRegistry.[region
 * name]"), not a name asked for? The sentence teaches a spelling; the reader picks the value.
 */
export function isNamingForm(text: string, token: Token): boolean {
  return NAMING_FORM.test(text.slice(Math.max(0, token.start - 60), token.start));
}

/** Phrases whose alternative comes after them ("or you can allow X", "alternatively, X"). */
const ALTERNATIVE_AFTER = /\b(?:or you can (?:also )?(?:allow|add|use|open)|alternatively|you can also use)\b/i;
/** Phrases whose alternative comes before them ("use X instead of Y", "X can be used as an alternative"). */
const ALTERNATIVE_BEFORE = /\b(?:instead of|instead|in place of|as an alternative|an alternative to)\b/i;

/**
 * Is the token offered only as an alternative in its sentence ("You can use the wildcard *.quay.io instead of
 * cdn0[1-2].quay.io", "or you can allow *.quay.io", "X can be used as an alternative")? Then it is not a rule of
 * its own: the reader chooses it in place of what the document lists. Returns the sentence.
 */
export function alternativeSentence(text: string, token: Token): string | undefined {
  const sentence = sentenceAt(text, token.start);
  const at = token.start - text.indexOf(sentence);
  const after = ALTERNATIVE_AFTER.exec(sentence);
  if (after && at > after.index) return sentence;
  const before = ALTERNATIVE_BEFORE.exec(sentence);
  if (!before) return undefined;
  // "Instead of Y, use X": the alternative follows the comma.
  if (before.index < 3) {
    const comma = sentence.indexOf(',', before.index);
    return comma >= 0 && at > comma ? sentence : undefined;
  }
  // "Allow Y, or use X instead": the alternative is in the clause that holds the phrase.
  const clause = Math.max(sentence.lastIndexOf(',', before.index), sentence.lastIndexOf(';', before.index));
  return at < before.index && at > clause ? sentence : undefined;
}

/** A passage that states ports: its line, section, the ports, and whether it speaks of every endpoint. */
export interface PortStatement {
  line: number;
  section: string | undefined;
  ports: string[];
  /** "All endpoints are reached over port 443": it applies to the whole document. */
  all: boolean;
  text: string;
  /** Lines of the list it belongs to, when it is an item of its own ("Protocol and ports: HTTPS 443"): it speaks for its sibling items, before it or after. */
  scope?: [number, number];
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
  const sibling = statements.find((s) => s.scope && s.scope[0] <= line && line <= s.scope[1]);
  if (sibling) return sibling;
  const before = statements.filter((s) => s.line <= line && !s.scope);
  return [...before].reverse().find((s) => s.section === section) ?? [...before].reverse().find((s) => s.all);
}

/** "X can communicate with each other", "between all X": a group talking to itself. */
export function saysEachOther(text: string): boolean {
  return /\beach other\b|\bone another\b|\bamong themselves\b|\bbetween (?:them|themselves|all)\b|\bfull interconnectivity\b/i.test(text);
}
