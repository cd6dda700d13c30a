import type { Direction, HostMatch, PortSpec, Provenance, SourceDocument, SourceSpan } from './requirement-set.js';

/** A concrete endpoint: every `{parameter}` substituted. */
export type ResolvedEndpoint =
  | { kind: 'host'; name: string; match: HostMatch; label?: string; path?: string }
  | { kind: 'cidr'; cidr: string; family: 4 | 6 }
  | {
      kind: 'service-tag';
      tag: string;
      /** Lowercase region name as the Service Tags file writes it in `properties.region` (e.g. `eastus`). */
      region?: string;
      /** Prefixes, once a Service Tags file has been applied. */
      prefixes?: string[];
      /** The tag's own name in the Service Tags file (e.g. `AzureContainerRegistry.EastUS`). */
      resolvedName?: string;
    }
  | {
      kind: 'group';
      /** Qualified `set/group` id. */
      group: string;
      title: string;
      /** Addresses bound with `--bind`; absent when unbound. */
      cidrs?: string[];
    };

/** One destination of a requirement with the ports it needs, and every row it came from. */
export interface ResolvedDestination {
  endpoint: ResolvedEndpoint;
  ports: PortSpec[];
  /** The row this destination was written in, then any other rows that asked for the same thing. */
  provenance: Provenance[];
  span: SourceSpan;
}

export interface ResolvedRequirement {
  /** Qualified id: `catalog/requirement`. */
  id: string;
  set: string;
  direction: Direction;
  scenario?: string;
  purpose?: string;
  /** Absent: the protected systems themselves (outbound) or any peer (inbound). */
  sources?: ResolvedEndpoint[];
  destinations: ResolvedDestination[];
  /** The vendor's address form of the same need, for targets that cannot match names. */
  alternatives: ResolvedEndpoint[];
  allowBroad?: string;
  provenance: Provenance;
  span: SourceSpan;
}

/** What one requirement set contributed, with the values it was expanded with. */
export interface ResolvedSetInfo {
  id: string;
  title: string;
  vendor?: string;
  source: SourceDocument;
  file: string;
  parameters: Record<string, string | string[]>;
  options: Record<string, string | boolean>;
}

/** Service Tags data a set was resolved with, named in output headers. */
export interface ServiceTagsInfo {
  file: string;
  cloud: string;
  changeNumber: number;
  date?: string;
}

/** A cloud provider's address feed (`addressFeed:` destinations): AWS ip-ranges.json, Google cloud.json, GitHub meta. */
export type FeedProvider = 'aws' | 'gcp' | 'github';

/** An address feed file a set was resolved with, named in output headers like the Service Tags file. */
export interface FeedInfo {
  feed: FeedProvider;
  /** The file's base name. */
  file: string;
  /** What identifies this publication: `syncToken` (AWS, Google), `sha256` of the file (GitHub, which has neither). */
  idName: 'syncToken' | 'sha256';
  id: string;
  /** Publication date YYYY-MM-DD from the file (AWS createDate, Google creationTime); GitHub's has none. */
  date?: string;
}

/** One or more requirement sets with parameters bound and options applied, in canonical order. */
export interface ResolvedRequirementSet {
  sets: ResolvedSetInfo[];
  requirements: ResolvedRequirement[];
  serviceTags?: ServiceTagsInfo;
  /** The address feeds its `addressFeed:` endpoints were resolved from, by provider. */
  feeds?: FeedInfo[];
}
