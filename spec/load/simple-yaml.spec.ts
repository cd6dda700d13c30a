import { expect } from 'chai';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isPair, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { readSimpleYaml } from '../../lib/load/simple-yaml.js';
import type { NodeRange } from '../../lib/model/source-map.js';
import { escapePointerToken } from '../../lib/model/source-map.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** What the `yaml` package gives, built here independently of lib/load: data, and node ranges by JSON Pointer. */
function reference(text: string): { ok: boolean; data?: unknown; ranges: Map<string, NodeRange> } {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true });
  const ranges = new Map<string, NodeRange>();
  if (doc.errors.length || doc.warnings.length) return { ok: false, ranges };
  const walk = (node: Node, pointer: string, keyStart: number | undefined) => {
    if (node.range) ranges.set(pointer, { ...(keyStart !== undefined ? { keyStart } : {}), start: node.range[0], end: node.range[1] });
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (pair.value) walk(pair.value as Node, `${pointer}/${escapePointerToken(key)}`, pair.key.range![0]);
      }
    } else if (isSeq(node)) node.items.forEach((item, i) => walk(item as Node, `${pointer}/${i}`, undefined));
  };
  if (doc.contents) walk(doc.contents as Node, '', undefined);
  return { ok: true, data: doc.toJS(), ranges };
}

/** When the simple reader takes a text, it must read it exactly as yaml does; when it declines, that is fine. */
function agrees(text: string): 'read' | 'declined' {
  const fast = readSimpleYaml(text);
  if (!fast) return 'declined';
  const slow = reference(text);
  expect(slow.ok, `yaml rejects what the simple reader took:\n${text}`).to.equal(true);
  expect(fast.data, text).to.deep.equal(slow.data);
  expect(Object.fromEntries(fast.ranges), text).to.deep.equal(Object.fromEntries(slow.ranges));
  return 'read';
}

const repoYaml = execFileSync('git', ['ls-files', '*.yaml', '*.yml'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').filter(Boolean);

describe('the simple YAML reader', () => {
  it('reads every YAML file in the repository as yaml does, or declines it', () => {
    let read = 0;
    for (const f of repoYaml) if (agrees(readFileSync(join(ROOT, f), 'utf8').replace(/\r\n?/g, '\n')) === 'read') read++;
    // The requirement fixtures are plain YAML; if the reader declined them all it would be doing nothing.
    expect(read).to.be.greaterThan(30);
  });

  it('agrees with yaml on those files after random edits (a character inserted, deleted or a line repeated)', () => {
    const texts = repoYaml.map((f) => readFileSync(join(ROOT, f), 'utf8').replace(/\r\n?/g, '\n')).filter((t) => t.length < 20_000);
    const inserted = fc.constantFrom(' ', ':', '#', '-', '"', "'", '\t', '[', ']', '{', '}', ',', '\n', 'x', '0', '&', '*', '!', '|', '>', '\\', '?');
    let read = 0;
    fc.assert(
      fc.property(fc.nat(texts.length - 1), fc.nat(), fc.oneof(fc.record({ insert: inserted }), fc.constant({ del: true }), fc.constant({ dup: true })), (which, at, edit) => {
        const text = texts[which]!;
        const p = at % (text.length + 1);
        let edited: string;
        if ('insert' in edit) edited = text.slice(0, p) + edit.insert + text.slice(p);
        else if ('del' in edit) edited = text.slice(0, p) + text.slice(p + 1);
        else {
          const start = text.lastIndexOf('\n', p - 1) + 1;
          const end = text.indexOf('\n', p);
          const line = text.slice(start, end < 0 ? text.length : end + 1);
          edited = text.slice(0, start) + line + (line.endsWith('\n') ? '' : '\n') + text.slice(start);
        }
        if (agrees(edited) === 'read') read++;
      }),
      { numRuns: 2000, seed: 42 },
    );
    expect(read).to.be.greaterThan(100);
  });

  it('agrees with yaml on generated documents of scalars, quotes, flows, comments and indentation', () => {
    const word = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,6}$/);
    const scalar = fc.oneof(
      word,
      fc.stringMatching(/^[A-Za-z0-9 .,/:*()=+-]{1,12}$/),
      fc.constantFrom('true', 'False', 'null', '~', '0', '12', '007', '-3', '1.5', '1e3', '0x1f', '.inf', 'tcp:443', 'https:443', '10.0.0.0/8', '*.example.com', 'a #b', 'a#b', 'a: b', 'x:'),
      fc.string({ maxLength: 8 }).map((s) => JSON.stringify(s)),
      fc.string({ maxLength: 8 }).map((s) => `'${s.replace(/'/g, "''")}'`),
      fc.array(word, { maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`),
      fc.array(fc.tuple(word, word), { maxLength: 3 }).map((kv) => `{ ${kv.map(([k, v]) => `${k}: ${v}`).join(', ')} }`),
    );
    const comment = fc.constantFrom('', '', '  # note', ' #', '\t# tab');
    type Tree = { s: string } | { seq: Tree[] } | { map: [string, Tree][] };
    const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        scalar.map((s) => ({ s })),
        fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((seq) => ({ seq })),
        fc.uniqueArray(fc.tuple(word, tie('node')), { minLength: 1, maxLength: 3, selector: ([k]) => k }).map((map) => ({ map })),
      ),
    })).node;
    const render = (t: Tree, indent: number, step: number, notes: string[]): string[] => {
      const pad = ' '.repeat(indent);
      const note = () => notes[indent % Math.max(1, notes.length)] ?? '';
      if ('s' in t) return [`${pad}${t.s}${note()}`];
      if ('map' in t) return t.map.flatMap(([k, v]) => ('s' in v ? [`${pad}${k}: ${v.s}${note()}`] : [`${pad}${k}:${note()}`, ...render(v, indent + step, step, notes)]));
      return t.seq.flatMap((v) => {
        if ('s' in v) return [`${pad}- ${v.s}${note()}`];
        const inner = render(v, indent + 2, step, notes);
        return [`${pad}- ${inner[0]!.slice(indent + 2)}`, ...inner.slice(1)];
      });
    };
    let read = 0;
    fc.assert(
      fc.property(tree, fc.constantFrom(1, 2, 4), fc.array(comment, { maxLength: 3 }), fc.boolean(), (t, step, notes, blank) => {
        if ('s' in t) return;
        const lines = render(t, 0, step, notes);
        const text = (blank ? lines.flatMap((l, i) => (i % 3 === 2 ? [l, ''] : [l])) : lines).join('\n') + '\n';
        if (agrees(text) === 'read') read++;
      }),
      { numRuns: 3000, seed: 7 },
    );
    expect(read).to.be.greaterThan(300);
  });
});
