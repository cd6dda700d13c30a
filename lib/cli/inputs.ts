import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Diagnostic } from '../model/diagnostic.js';
import { FwgenError } from '../model/diagnostic.js';
import type { RequirementSet } from '../model/requirement-set.js';
import type { ExpandInput } from '../expand/index.js';
import { catalogFile, catalogIds } from '../catalogs/index.js';
import { loadRequirementFile, type ReadOptions } from '../load/index.js';
import { didYouMean } from '../model/nearest.js';

/** Splits repeated `name=value` flags into a record; a bare name means `true` where `bare` allows it. */
export function parsePairs(flag: string, values: unknown, bare = false): Record<string, string> {
  const out: Record<string, string> = {};
  const problems: Diagnostic[] = [];
  for (const raw of (Array.isArray(values) ? values : values === undefined ? [] : [values]).map(String)) {
    const eq = raw.indexOf('=');
    if (eq <= 0 && !(bare && eq < 0 && raw)) {
      problems.push({ code: 'USAGE', severity: 'error', message: `--${flag} ${raw}: expected NAME=VALUE`, hint: `e.g. --${flag} region=eastus`, params: { flag, value: raw } });
      continue;
    }
    const name = eq < 0 ? raw : raw.slice(0, eq);
    const value = eq < 0 ? 'true' : raw.slice(eq + 1);
    if (Object.hasOwn(out, name) && out[name] !== value) {
      problems.push({ code: 'USAGE', severity: 'error', message: `--${flag} ${name} is given twice with different values`, hint: 'pass it once', params: { flag, name } });
    }
    out[name] = value;
  }
  if (problems.length) throw new FwgenError(problems);
  return out;
}

export function expandInput(args: Record<string, unknown>): ExpandInput {
  return { params: parsePairs('param', args.param), options: parsePairs('option', args.option, true), bind: parsePairs('bind', args.bind) };
}

/** A built-in catalog id or a file path (`-` for stdin) to the file it names. */
export function sourceFile(spec: string, cwd: string, kind: 'any' | 'catalog' | 'file' = 'any'): string {
  if (spec === '-') return '-';
  if (kind !== 'file') {
    const cat = catalogFile(spec);
    if (cat && (kind === 'catalog' || !existsSync(resolve(cwd, spec)))) return cat;
    if (kind === 'catalog') {
      throw new FwgenError([
        { code: 'USAGE', severity: 'error', message: `no built-in catalog "${spec}"`, hint: didYouMean(spec, catalogIds()) ?? `built-in catalogs: ${catalogIds().join(', ')}`, params: { catalog: spec } },
      ]);
    }
  }
  if (kind === 'any' && !/[./\\]/.test(spec) && !existsSync(resolve(cwd, spec))) {
    throw new FwgenError([
      { code: 'USAGE', severity: 'error', message: `"${spec}" is neither a built-in catalog nor a file`, hint: didYouMean(spec, catalogIds()) ?? `built-in catalogs: ${catalogIds().join(', ')}`, params: { source: spec } },
    ]);
  }
  // Keep the path as the user wrote it, so diagnostics point at the name they know; loadSets reads it from io.cwd.
  return spec;
}

/**
 * Loads every file, reading relative paths from `io.cwd` and `-` from `io.stdin`; throws one FwgenError holding the
 * problems of all of them. Warnings come back with the sets.
 */
export async function loadSets(files: string[], io: ReadOptions): Promise<{ sets: RequirementSet[]; diagnostics: Diagnostic[] }> {
  const results = await Promise.all(files.map((f) => loadRequirementFile(f, { cwd: io.cwd, stdin: io.stdin })));
  const diagnostics = results.flatMap((r) => r.diagnostics);
  if (results.some((r) => !r.set)) throw new FwgenError(diagnostics);
  return { sets: results.map((r) => r.set!), diagnostics };
}
