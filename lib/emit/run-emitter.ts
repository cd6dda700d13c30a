import type { Diagnostic } from '../model/diagnostic.js';
import { InternalError, sortDiagnostics } from '../model/diagnostic.js';
import type { ResolvedRequirementSet } from '../model/resolved.js';
import type { EmitResult, Emitter, EmitterOptions } from './emitter.js';
import { applyFidelity, resolveFidelity } from './fidelity.js';
import { headerLines } from './header.js';
import { didYouMean } from '../model/nearest.js';
import { isBuiltinEmitter } from './registry.js';
import { version as fwgenVersion } from '../version.js';
import type { ServiceTagsData } from '../service-tags/service-tags.js';
import { resolveServiceTags, usesServiceTags } from '../service-tags/resolve.js';

export interface EmitEnvironment {
  /** A parsed Service Tags file, for targets that use service tags (see `needsServiceTags`). */
  serviceTags?: ServiceTagsData;
}

/** Whether emitting this set for this target needs a Service Tags file. */
export function needsServiceTags(set: ResolvedRequirementSet, emitter: Emitter): boolean {
  return emitter.serviceTags !== undefined && usesServiceTags(set);
}

/**
 * Checks options, applies the target's fidelity table, and runs its emitter. Returns every diagnostic;
 * `files` is empty when any is an error. A third-party emitter sees the set frozen in place, so `set` may come back
 * frozen; fwgen's own emitters are not frozen for, as freezing 100,000 destinations costs more than emitting them.
 */
export function emitTarget(set: ResolvedRequirementSet, emitter: Emitter, rawOptions: Record<string, unknown> = {}, env: EmitEnvironment = {}): EmitResult {
  const { options, diagnostics: optionProblems } = checkOptions(emitter, rawOptions);
  if (optionProblems.length) return { files: [], diagnostics: optionProblems };
  const fidelity = applyFidelity(set, emitter, resolveFidelity(emitter, options));
  if (fidelity.diagnostics.some((d) => d.severity === 'error')) return { files: [], diagnostics: sortDiagnostics(fidelity.diagnostics) };
  if (fidelity.set.requirements.length === 0 && set.requirements.length > 0) {
    // An allowlist that allows nothing would only cut the systems off: refuse rather than write one.
    const d: Diagnostic = {
      code: 'FIDELITY_DROPPED',
      severity: 'error',
      message: `no requirement is left for ${emitter.id} to allow (all ${set.requirements.length} dropped, see the warnings), so nothing is written`,
      hint: 'use a target that can express them (fwgen list shows what each target expresses), or give names the vendor\'s address form as `alternatives`',
      target: emitter.id,
      params: { dropped: set.requirements.length },
    };
    return { files: [], diagnostics: sortDiagnostics([...fidelity.diagnostics, d]) };
  }
  let prepared = fidelity.set;
  if (needsServiceTags(prepared, emitter)) {
    if (!env.serviceTags) {
      const d: Diagnostic = { code: 'TAGS_FILE', severity: 'error', message: `target ${emitter.id} needs a Service Tags file for the service tags in these requirements`, hint: 'pass --service-tags FILE, or the shipped snapshot is used by the CLI', target: emitter.id, params: {} };
      return { files: [], diagnostics: sortDiagnostics([...fidelity.diagnostics, d]) };
    }
    const r = resolveServiceTags(prepared, env.serviceTags);
    if (!r.set) return { files: [], diagnostics: sortDiagnostics([...fidelity.diagnostics, ...r.diagnostics]) };
    prepared = r.set;
  }
  const version = fwgenVersion();
  let result: EmitResult;
  try {
    result = emitter.emit(isBuiltinEmitter(emitter) ? prepared : deepFreeze(prepared), options, {
      version,
      header: headerLines(prepared, emitter.id, version),
      fidelity: fidelity.diagnostics,
    });
  } catch (e) {
    throw new InternalError(`emitter ${emitter.id} failed: ${(e as Error).message}`, { cause: e });
  }
  for (const f of result.files) {
    if (f.contents.includes('\r') || (f.contents.length && !f.contents.endsWith('\n'))) {
      throw new InternalError(`emitter ${emitter.id} wrote ${f.path} without plain \\n line ends`);
    }
  }
  const diagnostics = sortDiagnostics([...fidelity.diagnostics, ...result.diagnostics]);
  return { files: diagnostics.some((d) => d.severity === 'error') ? [] : result.files, diagnostics };
}

function checkOptions(emitter: Emitter, raw: Record<string, unknown>): { options: EmitterOptions; diagnostics: Diagnostic[] } {
  const specs = emitter.options ?? {};
  const options: EmitterOptions = {};
  const diagnostics: Diagnostic[] = [];
  const bad = (name: string, message: string, hint?: string) =>
    diagnostics.push({ code: 'EMIT_OPTION', severity: 'error', message: `--set ${name}: ${message}`, ...(hint ? { hint } : {}), target: emitter.id, params: { option: name } });
  for (const name of Object.keys(raw)) {
    if (!Object.hasOwn(specs, name)) {
      const known = Object.keys(specs);
      bad(name, `target ${emitter.id} has no option of that name`, didYouMean(name, known) ?? (known.length ? `options: ${known.join(', ')}` : `${emitter.id} takes no options`));
    }
  }
  for (const [name, spec] of Object.entries(specs)) {
    const v = raw[name];
    if (v === undefined) {
      options[name] = spec.default;
      continue;
    }
    if (spec.type === 'boolean') {
      if (v === true || v === 'true') options[name] = true;
      else if (v === false || v === 'false') options[name] = false;
      else bad(name, `expected true or false, not "${String(v)}"`);
    } else if (spec.type === 'integer') {
      const n = typeof v === 'number' ? v : /^-?[0-9]+$/.test(String(v)) ? Number(v) : NaN;
      if (!Number.isInteger(n) || (spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        bad(name, `expected a whole number${spec.min !== undefined ? ` from ${spec.min}` : ''}${spec.max !== undefined ? ` to ${spec.max}` : ''}, not "${String(v)}"`);
      } else options[name] = n;
    } else {
      const s = String(v);
      if (spec.choices && !spec.choices.includes(s)) bad(name, `"${s}" is not one of: ${spec.choices.join(', ')}`, didYouMean(s, spec.choices));
      else if (spec.pattern && !new RegExp(spec.pattern, 'u').test(s)) bad(name, `"${s}" does not match ${spec.pattern}`);
      else options[name] = s;
    }
  }
  return { options, diagnostics };
}

/**
 * Freezes the set in place so an emitter cannot change what the next target sees. In place, not a frozen copy: a
 * copy of 100,000 destinations costs more than the emit. An object already frozen was frozen here, with everything
 * below it, so a set shared by several targets is walked once.
 */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
