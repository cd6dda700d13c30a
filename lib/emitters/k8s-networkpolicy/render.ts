import { YamlWriter } from './yaml-writer.js';

/** One YAML document: the object, comment lines above it, and comment lines above any of its list items. */
export interface DocumentPlan {
  object: Record<string, unknown>;
  comment: string[];
  /** Comment lines for list items (the rules of `spec.egress` / `spec.ingress`), by item object. */
  itemComments: Map<object, string[]>;
}

/**
 * A YAML stream: the header as comment lines, then each document after `---`. Written with the YAML 1.1 reading in
 * mind, so that every string a YAML 1.1 reader (kubectl's) would take for a boolean, a number or null (`yes`, `on`,
 * `0777`, `1_000`, `~`) is quoted; no anchors or aliases; no folded lines. Every comment line is escaped
 * ({@link yamlComment}).
 */
export function renderStream(header: readonly string[], docs: readonly DocumentPlan[]): string {
  const comments = new Map<object, string[]>();
  for (const d of docs) for (const [k, v] of d.itemComments) comments.set(k, v);
  const w = new YamlWriter('1.1', comments);
  w.comment(header);
  for (const plan of docs) {
    w.line('---');
    if (plan.comment.length) {
      w.comment(plan.comment);
      w.line('');
    }
    w.map(plan.object);
  }
  return w.text();
}
