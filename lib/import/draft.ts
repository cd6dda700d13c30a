/** The requirement set being drafted: requirements, parameters, groups, and what was found but not imported. */
import type { Direction } from '../model/requirement-set.js';
import { slug } from './inline.js';

/** An endpoint as it is written in the YAML: a string (host, `*.host`, `{param}.host`, CIDR) or an object. */
export type YamlEndpoint = string | { host: string; match: 'apex-and-subdomains' } | { serviceTag: string; region?: string } | { group: string };

export interface DraftRequirement {
  line: number;
  /** What the id is made from: the scenario or section, and a name or number within it. */
  idScope: string;
  idName: string;
  scenario?: string;
  direction?: Direction;
  sources?: YamlEndpoint[];
  destinations: YamlEndpoint[];
  ports: string[];
  purpose?: string;
  alternatives?: YamlEndpoint[];
  /** The document gives every address ("*") as the destination: said so, so the draft still compiles (and a review note asks to check it). */
  allowBroad?: string;
  provenance: { section?: string; line: number; row?: number; text: string };
  /** Comment lines above the requirement (how it was read). */
  comments: string[];
  /** Comment lines marked "review:", each also a warning on stderr. */
  review: string[];
  origin: 'table' | 'list' | 'prose' | 'code';
}

export interface DraftParameter {
  name: string;
  kind: 'string' | 'enum';
  format?: 'fqdn';
  values?: Record<string, string>;
  /** Placeholders as written (`<registry-name>`), or the words that named it ("control plane FQDN"). */
  written: Set<string>;
  /** Lines of the requirements that use it. */
  lines: Set<number>;
  /** The document's own sentences about it, with their lines. */
  definitions: { line: number; text: string }[];
  /** Named from words rather than a placeholder. */
  fromWords: boolean;
  review: string[];
  comments: string[];
}

export interface DraftGroup {
  id: string;
  title: string;
  lines: Set<number>;
}

/** Something found in the document that is not in the model: a comment in the file and (unless a note) a warning. */
export interface Finding {
  line: number;
  message: string;
  hint?: string;
  severity: 'warning' | 'note';
  code: 'IMPORT_NOT_IMPORTED' | 'IMPORT_UNCLASSIFIED' | 'IMPORT_REVIEW';
}

export class Draft {
  readonly requirements: DraftRequirement[] = [];
  readonly parameters = new Map<string, DraftParameter>();
  readonly groups = new Map<string, DraftGroup>();
  readonly findings: Finding[] = [];
  /** Service tags named outside a service-tag column: name → lines. */
  readonly serviceTags = new Map<string, Set<number>>();
  /** Of those, the ones the shipped Service Tags snapshot does not have. */
  readonly unknownTags = new Set<string>();
  private readonly mentioned = new Set<string>();
  links = 0;
  linkLines = new Set<number>();

  /** The parameter for a placeholder slug: `registry-name` → `registry` (a trailing "-name" is the placeholder's wording). */
  parameter(placeholderSlug: string, written: string, line: number, wholeHost = false): DraftParameter {
    const name = parameterName(placeholderSlug);
    let p = this.parameters.get(name);
    if (!p) {
      p = { name, kind: 'string', written: new Set(), lines: new Set(), definitions: [], fromWords: false, review: [], comments: [] };
      this.parameters.set(name, p);
    }
    p.written.add(written);
    p.lines.add(line);
    if (wholeHost) p.format = 'fqdn';
    return p;
  }

  group(title: string, line: number): { group: DraftGroup; created: boolean } {
    const id = groupId(title);
    const existing = this.groups.get(id);
    if (existing) {
      existing.lines.add(line);
      return { group: existing, created: false };
    }
    const g = { id, title: title.replace(/\s+/g, ' ').trim(), lines: new Set([line]) };
    this.groups.set(id, g);
    return { group: g, created: true };
  }

  /** True the first time `key` is asked about: for saying something once, at its first use. */
  firstMention(key: string): boolean {
    if (this.mentioned.has(key)) return false;
    this.mentioned.add(key);
    return true;
  }

  tag(name: string, line: number, known: boolean): void {
    const lines = this.serviceTags.get(name) ?? new Set<number>();
    lines.add(line);
    this.serviceTags.set(name, lines);
    if (!known) this.unknownTags.add(name);
  }
}

export function parameterName(placeholderSlug: string): string {
  const stripped = placeholderSlug.replace(/-name$/, '');
  return idText(stripped || placeholderSlug, 64) || 'value';
}

export function groupId(title: string): string {
  return idText(slug(title), 64) || 'group';
}

/** A slug cut to `max` characters at a hyphen where possible, valid as a model id. */
export function idText(s: string, max: number): string {
  let t = slug(s);
  if (t.length > max) {
    t = t.slice(0, max);
    const cut = t.lastIndexOf('-');
    if (cut > max / 2) t = t.slice(0, cut);
  }
  return t.replace(/-+$/, '');
}
