import type { Diagnostic } from '../model/diagnostic.js';
import type { ResolvedRequirementSet } from '../model/resolved.js';
import type { HostMatch } from '../model/requirement-set.js';

/**
 * What a requirement asks of a target, one closed list so a typo in an emitter's fidelity table does not compile.
 * Destination kinds, source kinds, port kinds and directions are each one feature.
 */
export const features = [
  'host-exact',
  'host-subdomains',
  'host-apex-and-subdomains',
  'host-label-wildcard',
  'host-path-http',
  'host-path-tls',
  'cidr',
  'service-tag',
  'group-destination',
  'group-destination-unbound',
  'source-cidr',
  'source-service-tag',
  'source-group',
  'source-group-unbound',
  'port-http',
  'port-https',
  'port-tcp',
  'port-ssh',
  'port-udp',
  'all-traffic',
  'outbound',
  'inbound',
  'internal',
] as const;
export type Feature = (typeof features)[number];

/**
 * How a target expresses a feature. Everything but `exact` becomes a diagnostic raised by the core, so no emitter can
 * forget one: `widen` allows more than required, `narrow` less, `drop` leaves the requirement out, `error` refuses.
 * `note` says what happens and `hint` what to do instead.
 */
export type Fidelity =
  | { level: 'exact' }
  | { level: 'widen' | 'narrow' | 'drop' | 'error'; note: string; hint?: string };

export type FidelityTable = Readonly<Record<Feature, Fidelity>>;

export interface OutputFile {
  /** Relative path; the CLI writes the first file to --out or stdout. */
  path: string;
  /** `\n` line ends and a final newline. */
  contents: string;
}

export interface EmitResult {
  files: OutputFile[];
  diagnostics: Diagnostic[];
}

export interface EmitterOptionSpec {
  type: 'boolean' | 'string' | 'integer';
  describe: string;
  default: boolean | string | number;
  choices?: readonly string[];
  /** For strings: what a valid value looks like, checked by the core before `emit` runs. */
  pattern?: string;
  min?: number;
  max?: number;
}

export type EmitterOptions = Record<string, boolean | string | number>;

/** A host endpoint as `matchesHost` sees it: `label` is set for `label-wildcard`. */
export interface HostPattern {
  name: string;
  match: HostMatch;
  label?: string;
}

/** What the core passes to every emitter besides the requirements. */
export interface EmitContext {
  /** fwgen's version, for the output header. */
  version: string;
  /** Header lines that name the sets, their parameters and options, and the fwgen version; no timestamps. */
  header: string[];
  /** Fidelity diagnostics the core raised for this target, for emitters that list them in the output. */
  fidelity: Diagnostic[];
}

/**
 * One target. `emit` is pure: no I/O, no clock, no environment, and it must not change `set`.
 * The core has already removed what the target drops (per `fidelity`) and raised every fidelity diagnostic.
 */
export interface Emitter {
  id: string;
  describe: string;
  /** Default output file name, e.g. `squid.conf`. */
  defaultFile: string;
  /** How each feature is expressed; may depend on the options. */
  fidelity: FidelityTable | ((options: EmitterOptions) => FidelityTable);
  /** Whether, for names it cannot express, the target uses the vendor's address form (service tags, ranges). */
  usesAlternatives?: boolean;
  /**
   * How the target uses service tags: `prefixes` needs their addresses, `tags` writes the tag names (which the core
   * still checks against a Service Tags file). Absent: the target has no use for them.
   */
  serviceTags?: 'prefixes' | 'tags';
  options?: Readonly<Record<string, EmitterOptionSpec>>;
  /**
   * Whether the target's rule for a host endpoint lets `host` through, for `fwgen explain`. Absent: the model's own
   * meaning of the match mode (exact; subdomains at any depth; apex and subdomains).
   */
  matchesHost?(endpoint: HostPattern, host: string, options: EmitterOptions): boolean;
  emit(set: ResolvedRequirementSet, options: EmitterOptions, context: EmitContext): EmitResult;
}
