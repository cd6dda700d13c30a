/**
 * The requirement model: what a vendor document asks for, before parameters are bound.
 * Loaded from YAML or JSON by `loadRequirementSet`; see `schemas/requirement-set.schema.json`.
 */

/** Which way traffic flows, seen from the systems being protected. */
export type Direction = 'outbound' | 'inbound' | 'internal';

/**
 * What a host name matches.
 * - `exact`: only this name (`mcr.microsoft.com`).
 * - `subdomains`: names below it at any depth, not the name itself (`*.data.mcr.microsoft.com`,
 *   as Azure Firewall and most vendor documents mean it).
 * - `apex-and-subdomains`: the name and everything below it (what Squid's `.example.com` means).
 * - `label-wildcard`: one label matching `label` (a pattern holding one `*`, as in `azgn*`), directly below `name`
 *   (`azgn*.servicebus.windows.net`). The `*` stands for zero or more letters, digits and hyphens within that label,
 *   as Cilium's matchPattern reads it; it never crosses a dot.
 */
export type HostMatch = 'exact' | 'subdomains' | 'apex-and-subdomains' | 'label-wildcard';

export type Transport = 'tcp' | 'udp' | 'any';
export type AppProtocol = 'http' | 'https' | 'ssh' | 'any';

/** A port or port range with its transport and application protocol. `transport: 'any'` means all traffic. */
export interface PortSpec {
  transport: Transport;
  from: number;
  to: number;
  protocol: AppProtocol;
}

/** Where a requirement came from in the vendor's document. */
export interface Provenance {
  document: string;
  section?: string;
  line?: number;
  row?: number;
  /** The vendor's own words, kept as written (typos included). */
  text?: string;
}

/** A source position in a requirement file, 1-based. */
export interface SourceSpan {
  file: string;
  line: number;
  col: number;
  endLine?: number;
  endCol?: number;
}

/** Option values that must all hold for an entry to apply. */
export type Condition = Record<string, string | boolean>;

/**
 * A host name, possibly holding `{parameter}` placeholders. `name` never carries the `*.` prefix, nor for
 * `label-wildcard` the wildcard label, which is `label`. `path` (`/pkiops/certs`) narrows the match to URLs whose
 * path is that path or lies below it (see lib/model/host-form.ts); it can be seen only in plain HTTP.
 */
export interface HostEndpoint {
  kind: 'host';
  name: string;
  match: HostMatch;
  /** For `label-wildcard`: the leftmost label, holding one `*` (`azgn*`, `*eh`). */
  label?: string;
  path?: string;
}
export interface CidrEndpoint {
  kind: 'cidr';
  cidr: string;
}
/** A cloud service tag; `region` (possibly a `{parameter}`) selects its regional form. */
export interface ServiceTagEndpoint {
  kind: 'service-tag';
  tag: string;
  region?: string;
}
/** A named group of systems that the user binds to addresses later (`--bind group=CIDR,...`). */
export interface GroupEndpoint {
  kind: 'group';
  group: string;
}
/**
 * Prefixes from a cloud provider's published feed (`--feed aws=FILE`), resolved while expanding into CIDRs:
 * AWS by `service` and `region`, Google by `scope` (kept in `region`) and `service`, GitHub by `key` (kept in
 * `service`). `region` may hold `{parameter}` placeholders.
 */
export interface FeedEndpoint {
  kind: 'feed';
  feed: 'aws' | 'gcp' | 'github';
  service?: string;
  region?: string;
}
export type Endpoint = HostEndpoint | CidrEndpoint | ServiceTagEndpoint | GroupEndpoint | FeedEndpoint;

/** An endpoint as written in a requirement, with an optional condition and its JSON Pointer. */
export type EndpointEntry = Endpoint & { when?: Condition; pointer: string; span: SourceSpan };

export type ParameterKind = 'string' | 'enum' | 'list';

export interface Parameter {
  name: string;
  description?: string;
  kind: ParameterKind;
  /** For `string` and each item of `list`: a regular expression the value must match. */
  pattern?: string;
  /** For `string` and `list` items: `fqdn` checks the value with the host-name grammar. */
  format?: 'fqdn';
  /** For `enum`: allowed values and their labels (e.g. `eus` → `East US`). */
  values?: Record<string, string>;
  default?: string | string[];
  pointer: string;
  span: SourceSpan;
}

export interface OptionDef {
  name: string;
  description?: string;
  /** A choice among values; absent means a boolean option. */
  values?: string[];
  default: string | boolean;
  pointer: string;
  span: SourceSpan;
}

export interface EndpointGroup {
  id: string;
  title: string;
  description?: string;
  pointer: string;
  span: SourceSpan;
}

export interface Requirement {
  id: string;
  scenario?: string;
  direction: Direction;
  /** Absent: the protected systems themselves (outbound) or any peer (inbound). */
  sources?: EndpointEntry[];
  destinations: EndpointEntry[];
  ports: PortSpec[];
  purpose?: string;
  when?: Condition;
  /** The vendor's address form of the same need (service tags or ranges), for targets that cannot say names. */
  alternatives?: EndpointEntry[];
  /** Why an over-broad destination or source is intended; without it such a rule is an error. */
  allowBroad?: string;
  provenance: Provenance;
  pointer: string;
  span: SourceSpan;
}

export interface SourceDocument {
  document: string;
  url?: string;
  sections?: string[];
}

/** A vendor's requirements as loaded from one file. */
export interface RequirementSet {
  id: string;
  title: string;
  vendor?: string;
  source: SourceDocument;
  parameters: Parameter[];
  options: OptionDef[];
  groups: EndpointGroup[];
  requirements: Requirement[];
  /** The file it was loaded from, as given to the loader. */
  file: string;
}
