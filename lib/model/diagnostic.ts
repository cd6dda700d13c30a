import type { DiagnosticCode } from './codes.js';
import type { Provenance, SourceSpan } from './requirement-set.js';

export type Severity = 'error' | 'warning' | 'note';

/** A problem or a fidelity note, as data. `message` never contains a file position; the CLI adds it. */
export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  /** How to fix it. */
  hint?: string;
  /** JSON Pointer into the input document. */
  path?: string;
  span?: SourceSpan;
  /** Emitter id, on fidelity and safety diagnostics. */
  target?: string;
  /** Requirement id, on diagnostics about one requirement. */
  requirement?: string;
  provenance?: Provenance;
  params: Record<string, unknown>;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

const FWGEN_ERROR = Symbol.for('fwgen.FwgenError');

/** Bad user input, carrying every diagnostic that explains it. */
export class FwgenError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    const first = diagnostics.find((d) => d.severity === 'error') ?? diagnostics[0];
    super(first ? first.message : 'invalid input');
    this.name = 'FwgenError';
    this.diagnostics = diagnostics;
    Object.defineProperty(this, FWGEN_ERROR, { value: true });
  }

  /**
   * Recognises a FwgenError from another copy of this module too (a plugin with its own fwgen, or one file loaded
   * both as CommonJS and as ESM), so bad input is never reported as an internal error.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[FWGEN_ERROR] === true;
  }
}

/** A bug in fwgen or in an emitter; never caused by input alone. */
export class InternalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InternalError';
  }
}

/** Orders diagnostics by file, line and column, then by code, so output is stable. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => {
    const fa = a.span?.file ?? '';
    const fb = b.span?.file ?? '';
    if (fa !== fb) return fa < fb ? -1 : 1;
    const la = a.span?.line ?? 0;
    const lb = b.span?.line ?? 0;
    if (la !== lb) return la - lb;
    const ca = a.span?.col ?? 0;
    const cb = b.span?.col ?? 0;
    if (ca !== cb) return ca - cb;
    if (a.code !== b.code) return a.code < b.code ? -1 : 1;
    return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
  });
}
