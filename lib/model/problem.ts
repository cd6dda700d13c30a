import type { DiagnosticCode } from './codes.js';

/** A problem found in one value, before it is placed at a source position. */
export interface Problem {
  code: DiagnosticCode;
  message: string;
  hint?: string;
  params: Record<string, unknown>;
}
