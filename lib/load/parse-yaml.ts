import { isMap, isPair, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import type { Diagnostic } from '../model/diagnostic.js';
import { SourceMap, joinPointer, type NodeRange } from '../model/source-map.js';

export interface ParsedSource {
  data: unknown;
  sourceMap: SourceMap;
  diagnostics: Diagnostic[];
}

/** Parses YAML or JSON (a JSON document is YAML 1.2) and records the position of every node by JSON Pointer. */
export function parseYaml(text: string, file: string): ParsedSource {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true });
  const ranges = new Map<string, NodeRange>();
  if (doc.contents) collect(doc.contents as Node, '', undefined, ranges);
  const sourceMap = new SourceMap(file, text, ranges);
  const diagnostics: Diagnostic[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) {
    const pos = sourceMap.position(e.pos[0]);
    const duplicate = e.code === 'DUPLICATE_KEY';
    diagnostics.push({
      code: duplicate ? 'LOAD_DUPLICATE_KEY' : 'LOAD_YAML_SYNTAX',
      severity: 'error',
      message: firstLine(e.message),
      hint: duplicate ? 'remove or rename one of the two keys' : 'check indentation, quoting and that every `key:` is followed by a space',
      span: { file, line: pos.line, col: pos.col },
      params: { yamlCode: e.code },
    });
  }
  let data: unknown = undefined;
  if (doc.errors.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      diagnostics.push({
        code: 'LOAD_YAML_SYNTAX',
        severity: 'error',
        message: (e as Error).message,
        span: { file, line: 1, col: 1 },
        params: {},
      });
    }
  }
  return { data, sourceMap, diagnostics };
}

function collect(node: Node, pointer: string, keyStart: number | undefined, ranges: Map<string, NodeRange>): void {
  const range = node.range;
  if (range) ranges.set(pointer, { keyStart, start: range[0], end: range[1] });
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const keyNode = pair.key as Node | null;
      const child = joinPointer(pointer, key);
      if (pair.value) collect(pair.value as Node, child, keyNode?.range?.[0], ranges);
      else if (keyNode?.range) ranges.set(child, { keyStart: keyNode.range[0], start: keyNode.range[0], end: keyNode.range[1] });
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      if (item) collect(item as Node, joinPointer(pointer, i), undefined, ranges);
    });
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
