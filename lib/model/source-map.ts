import type { SourceSpan } from './requirement-set.js';

/** Offsets of one node: where its key starts (if any) and where its value starts and ends. */
export interface NodeRange {
  keyStart?: number;
  start: number;
  end: number;
}

/** Maps JSON Pointers to positions in one file, kept apart from the data it describes. */
export class SourceMap {
  readonly file: string;
  private readonly lineStarts: number[];
  private readonly ranges: Map<string, NodeRange>;

  constructor(file: string, text: string, ranges: Map<string, NodeRange>) {
    this.file = file;
    this.ranges = ranges;
    this.lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; col: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - this.lineStarts[lo]! + 1 };
  }

  /** The span of the node at `pointer`, or of its nearest ancestor that has one. `key` points at its key. */
  span(pointer: string, which: 'value' | 'key' = 'value'): SourceSpan {
    let p = pointer;
    for (;;) {
      const r = this.ranges.get(p);
      if (r) {
        // A key with no value (`provenance:`) has an empty value range at the end of its line; point at the key instead.
        const useKey = r.keyStart !== undefined && (which === 'key' || r.end <= r.start);
        const startOffset = useKey ? r.keyStart! : r.start;
        const s = this.position(startOffset);
        const e = this.position(Math.max(r.start, r.end));
        return { file: this.file, line: s.line, col: s.col, endLine: e.line, endCol: e.col };
      }
      if (p === '') return { file: this.file, line: 1, col: 1 };
      p = p.slice(0, p.lastIndexOf('/'));
    }
  }

  has(pointer: string): boolean {
    return this.ranges.has(pointer);
  }
}

export function escapePointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function joinPointer(base: string, ...tokens: (string | number)[]): string {
  return base + tokens.map((t) => '/' + escapePointerToken(t)).join('');
}
