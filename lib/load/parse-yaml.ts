import { isCollection, isMap, isPair, isScalar, isSeq, parseDocument, visit, type Document, type Node, type YAMLError } from 'yaml';
import type { Diagnostic } from '../model/diagnostic.js';
import { readSimpleYaml } from './simple-yaml.js';
import { SourceMap, joinPointer, type NodeRange } from '../model/source-map.js';

export interface ParsedSource {
  data: unknown;
  sourceMap: SourceMap;
  diagnostics: Diagnostic[];
}

/**
 * Parses YAML or JSON (a JSON document is YAML 1.2) and records the position of every node by JSON Pointer. Plain
 * documents go through the simple reader; the rest, and every document with a problem, through the `yaml` package.
 */
export function parseYaml(text: string, file: string): ParsedSource {
  const simple = readSimpleYaml(text);
  if (simple) return { data: simple.data, sourceMap: new SourceMap(file, text, simple.ranges), diagnostics: [] };
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true });
  const ranges = new Map<string, NodeRange>();
  const firstKeys: Map<number, { key: string; first: number }> = new Map();
  if (doc.contents) collect(doc.contents as Node, '', undefined, ranges, firstKeys);
  const sourceMap = new SourceMap(file, text, ranges);
  const diagnostics: Diagnostic[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) diagnostics.push(yamlDiagnostic(e, doc, text, sourceMap, firstKeys));
  let data: unknown = undefined;
  if (doc.errors.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      const alias = unresolvedAlias(doc);
      const pos = sourceMap.position(alias?.range?.[0] ?? 0);
      diagnostics.push({
        code: 'LOAD_YAML_SYNTAX',
        severity: 'error',
        message: alias ? `alias *${alias.source} refers to no anchor &${alias.source} before it` : (e as Error).message,
        hint: alias ? `define \`&${alias.source}\` on a value above this line, or write the value out` : undefined,
        span: { file, line: pos.line, col: pos.col },
        params: {},
      });
    }
  }
  return { data, sourceMap, diagnostics };
}

function yamlDiagnostic(e: YAMLError, doc: Document, text: string, sourceMap: SourceMap, firstKeys: Map<number, { key: string; first: number }>): Diagnostic {
  const file = sourceMap.file;
  const params = { yamlCode: e.code };
  if (e.code === 'DUPLICATE_KEY') {
    const pos = sourceMap.position(e.pos[0]);
    const dup = firstKeys.get(e.pos[0]);
    const firstAt = dup ? sourceMap.position(dup.first) : undefined;
    return {
      code: 'LOAD_DUPLICATE_KEY',
      severity: 'error',
      message: dup && firstAt ? `key "${dup.key}" is given twice; the first is on line ${firstAt.line}` : firstLine(e.message),
      hint: 'remove or rename one of the two keys',
      span: { file, line: pos.line, col: pos.col },
      params: { ...params, ...(dup && firstAt ? { key: dup.key, firstLine: firstAt.line } : {}) },
    };
  }
  // yaml reports an unclosed `[` or `{` where it gave up, often lines later; the bracket that was never closed is what to fix.
  const closer = /end with a ([\]}])/.exec(e.message)?.[1];
  const opener = closer ? unclosedFlow(doc, text, e.pos[0], closer) : undefined;
  if (opener !== undefined) {
    const pos = sourceMap.position(opener);
    const open = closer === ']' ? '[' : '{';
    return {
      code: 'LOAD_YAML_SYNTAX',
      severity: 'error',
      message: `this "${open}" is never closed with "${closer}"`,
      hint: `add the "${closer}" at the end of the ${open === '[' ? 'list' : 'mapping'}, before the next key`,
      span: { file, line: pos.line, col: pos.col },
      params,
    };
  }
  const pos = sourceMap.position(e.pos[0]);
  return {
    code: 'LOAD_YAML_SYNTAX',
    severity: 'error',
    message: firstLine(e.message),
    hint: e.code === 'TAB_AS_INDENT' ? 'indent with spaces, not tabs' : 'check indentation, quoting and that every `key:` is followed by a space',
    span: { file, line: pos.line, col: pos.col },
    params,
  };
}

/** The offset of the innermost flow collection opened before `offset` whose closing bracket is missing. */
function unclosedFlow(doc: Document, text: string, offset: number, closer: string): number | undefined {
  let best: number | undefined;
  visit(doc, (_key, node) => {
    if (!isCollection(node) || !node.flow || !node.range) return;
    const [start, end] = node.range;
    if (start >= offset || text.slice(start, end).trimEnd().endsWith(closer)) return;
    if (best === undefined || start > best) best = start;
  });
  return best;
}

function unresolvedAlias(doc: Document): { source: string; range?: [number, number, number] | null } | undefined {
  let found: { source: string; range?: [number, number, number] | null } | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (!found && node.resolve(doc) === undefined) found = node;
    },
  });
  return found;
}

function collect(node: Node, pointer: string, keyStart: number | undefined, ranges: Map<string, NodeRange>, firstKeys: Map<number, { key: string; first: number }>): void {
  const range = node.range;
  if (range) ranges.set(pointer, { keyStart, start: range[0], end: range[1] });
  if (isMap(node)) {
    const seen = new Map<string, number>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const keyNode = pair.key as Node | null;
      const keyOffset = keyNode?.range?.[0];
      if (keyOffset !== undefined) {
        // A repeated key: remember where it was first given, and keep that first one's position for its pointer.
        const first = seen.get(key);
        if (first !== undefined) {
          firstKeys.set(keyOffset, { key, first });
          continue;
        }
        seen.set(key, keyOffset);
      }
      const child = joinPointer(pointer, key);
      if (pair.value) collect(pair.value as Node, child, keyOffset, ranges, firstKeys);
      else if (keyNode?.range) ranges.set(child, { keyStart: keyNode.range[0], start: keyNode.range[0], end: keyNode.range[1] });
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      if (item) collect(item as Node, joinPointer(pointer, i), undefined, ranges, firstKeys);
    });
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
