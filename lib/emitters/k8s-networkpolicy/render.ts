import { Document, isMap, isSeq } from 'yaml';
import { yamlComment } from './escape.js';

/** One YAML document: the object, comment lines above it, and comment lines above each item of the lists named. */
export interface DocumentPlan {
  object: Record<string, unknown>;
  comment: string[];
  /** Path (e.g. `['spec', 'egress']`) to a list, and comment lines for each of its items, by index. */
  itemComments: { path: string[]; comments: string[][] }[];
}

/**
 * A YAML stream: the header as comment lines, then each document after `---`. Objects are serialised by the yaml
 * package with the YAML 1.1 schema, so that every string a YAML 1.1 reader (kubectl's) would take for a boolean, a
 * number or null (`yes`, `on`, `0777`, `1_000`, `~`) is quoted; no anchors or aliases; no folded lines. Every comment
 * line goes through {@link yamlComment}.
 */
export function renderStream(header: readonly string[], docs: readonly DocumentPlan[]): string {
  let out = commentLines(header);
  for (const plan of docs) {
    const doc = new Document(plan.object, { version: '1.1', aliasDuplicateObjects: false });
    if (plan.comment.length) doc.commentBefore = commentBlock(plan.comment);
    for (const { path, comments } of plan.itemComments) {
      const list = doc.getIn(path, true);
      if (!isSeq(list)) throw new Error(`no list at ${path.join('.')}`);
      comments.forEach((lines, i) => {
        const item = list.items[i];
        if (!isMap(item)) throw new Error(`no item ${i} at ${path.join('.')}`);
        if (lines.length) item.commentBefore = commentBlock(lines);
      });
    }
    out += '---\n' + doc.toString({ lineWidth: 0, indentSeq: true });
  }
  return out;
}

/** The text the yaml package writes as comment lines: each line of it gets `#` in front. */
function commentBlock(lines: readonly string[]): string {
  return lines.map((l) => (l === '' ? '' : ' ' + yamlComment(l))).join('\n');
}

function commentLines(lines: readonly string[]): string {
  return lines.map((l) => (l === '' ? '#\n' : `# ${yamlComment(l)}\n`)).join('');
}
