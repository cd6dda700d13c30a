import type { Diagnostic } from '../../model/diagnostic.js';
import type { PortSpec } from '../../model/requirement-set.js';
import type { ResolvedEndpoint, ResolvedRequirement } from '../../model/resolved.js';
import { describeEndpoint, describeProvenance } from '../../model/describe.js';
import { commentText } from '../../emit/header.js';
import { formatPort } from '../../model/port.js';
import { pushAll } from '../../model/array.js';
import { capNotes as capTextNotes, NOTES_BYTES_MAX } from '../../emit/text.js';

type Tag = Extract<ResolvedEndpoint, { kind: 'service-tag' }>;
type Group = Extract<ResolvedEndpoint, { kind: 'group' }>;

/** What a requirement's sources come to on an address-matching Azure rule. */
export interface SourceSide {
  /** Any source: no sources given, or a group without addresses (which widens the rule; see `unbound`). */
  any: boolean;
  cidrs: string[];
  tags: Tag[];
  /** Groups without addresses: the rule is written for any source. */
  unbound: Group[];
  /** Host names: no Azure address rule can match a client by name. */
  hosts: ResolvedEndpoint[];
}

export function sourceSide(req: ResolvedRequirement): SourceSide {
  const side: SourceSide = { any: !req.sources || req.sources.length === 0, cidrs: [], tags: [], unbound: [], hosts: [] };
  for (const s of req.sources ?? []) {
    if (s.kind === 'cidr') side.cidrs.push(s.cidr);
    else if (s.kind === 'group' && s.cidrs) pushAll(side.cidrs, s.cidrs);
    else if (s.kind === 'group') side.unbound.push(s);
    else if (s.kind === 'service-tag') side.tags.push(s);
    else side.hosts.push(s);
  }
  if (side.unbound.length) side.any = true;
  side.cidrs = uniq(side.cidrs);
  return side;
}

/** The service tag's name as Azure writes it: the Service Tags file's own name for a regional tag. */
export function tagName(t: Tag): string {
  return t.resolvedName ?? t.tag;
}

/**
 * SAFETY_OVERBROAD for a rule written with any source because a source group has no addresses. The fidelity table
 * already makes the core raise FIDELITY_WIDENED for the group (what the target did); this one flags the rule itself
 * as over-broad, so `--strict` and the CLI's "broad" count see it, as they do for a 0.0.0.0/0 source.
 */
export function unboundSourceDiagnostic(target: string, req: ResolvedRequirement, groups: readonly Group[], field: string): Diagnostic {
  const names = groups.map((g) => g.title).join(', ');
  return {
    code: 'SAFETY_OVERBROAD',
    severity: 'warning',
    message: `${req.id}: source ${names} has no addresses, so the rule's ${field} is * and allows every source`,
    hint: `bind the group to its addresses: ${groups.map((g) => `--bind ${g.group.split('/').pop()}=CIDR[,CIDR...]`).join(' ')}`,
    span: req.span,
    target,
    requirement: req.id,
    provenance: req.provenance,
    params: { endpoint: '*', role: 'source', groups: groups.map((g) => g.group) },
  };
}

/** A requirement left out because a source is a host name, which Azure address rules cannot match. */
export function hostSourceDiagnostic(target: string, req: ResolvedRequirement, host: ResolvedEndpoint): Diagnostic {
  return {
    code: 'FIDELITY_DROPPED',
    severity: 'warning',
    message: `${req.id}: requirement dropped: its source ${describeEndpoint(host)} is a host name, which ${target} cannot match as a source`,
    hint: 'give the source as CIDRs or a bound endpoint group',
    span: req.span,
    target,
    requirement: req.id,
    provenance: req.provenance,
    params: { feature: 'source-cidr', level: 'drop', subject: `source ${describeEndpoint(host)}` },
  };
}

/** A fidelity diagnostic an emitter raises itself, shaped like the core's (params.feature/level/subject). */
export function portDiagnostic(
  target: string,
  req: ResolvedRequirement,
  span: ResolvedRequirement['span'],
  level: 'widen' | 'narrow' | 'drop',
  endpoint: ResolvedEndpoint,
  port: PortSpec,
  feature: string,
  note: string,
  hint: string,
  extra: Record<string, unknown> = {},
): Diagnostic {
  const subject = `${describeEndpoint(endpoint)} on ${formatPort(port)}`;
  const code = level === 'widen' ? 'FIDELITY_WIDENED' : level === 'narrow' ? 'FIDELITY_NARROWED' : 'FIDELITY_DROPPED';
  const verb = level === 'widen' ? 'widened' : level === 'narrow' ? 'narrowed' : 'dropped';
  return {
    code,
    severity: 'warning',
    message: `${req.id}: ${subject} ${verb}: ${note}`,
    hint,
    span,
    target,
    requirement: req.id,
    provenance: req.provenance,
    params: { feature, level, subject, ...extra },
  };
}

/**
 * The error for an output with no rule left after the target's own drops (the core refuses the same when its
 * fidelity table drops everything): an allowlist that allows nothing would only cut the systems off.
 */
export function nothingLeftDiagnostic(target: string, requirements: number): Diagnostic {
  return {
    code: 'FIDELITY_DROPPED',
    severity: 'error',
    message: `no requirement is left for ${target} to allow (all ${requirements} dropped, see the warnings), so nothing is written`,
    hint: 'use a target that can express them (fwgen list shows what each target expresses)',
    target,
    params: { dropped: requirements },
  };
}

/** Where a requirement came from, one line per row: `document:line: text`. */
export function provenanceLines(req: ResolvedRequirement): string[] {
  const all = [req.provenance, ...req.destinations.flatMap((d) => d.provenance)];
  return uniq(all.map((p) => commentText(describeProvenance(p) + (p.text ? `: ${p.text.trim()}` : ''))));
}

/**
 * At most `max` characters (code points) of one line of text, with `…` where it was cut: NSG rule descriptions are
 * limited to 140 characters.
 */
export function shortText(text: string, max: number): string {
  const flat = commentText(text).replace(/ {2,}/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= max ? flat : chars.slice(0, max - 1).join('').trimEnd() + '…';
}

/** A rule's description: the requirement id and its purpose. */
export function ruleDescription(req: ResolvedRequirement, max: number): string {
  return shortText(req.purpose ? `${req.id}: ${req.purpose}` : req.id, max);
}

/** Port number or range as Azure writes it: `443`, `8000-8010`, `*` for every port. */
export function portText(p: PortSpec): string {
  if (p.transport === 'any' || (p.from === 1 && p.to === 65535)) return '*';
  return p.from === p.to ? String(p.from) : `${p.from}-${p.to}`;
}

export function uniq<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/**
 * The notes a template carries in its metadata, at most `maxBytes` of them as JSON (an output with thousands of
 * fidelity diagnostics would otherwise fill its templates with them), then one line saying how many were left out;
 * every one is also a diagnostic of the run.
 */
export function capNotes(notes: readonly string[], maxBytes = NOTES_BYTES_MAX): string[] {
  return capTextNotes(notes, { maxBytes, size: (n) => JSON.stringify(n).length + 12, place: 'template' });
}

export { NOTES_BYTES_MAX };

