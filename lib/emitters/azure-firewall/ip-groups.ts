import { azureName } from '../azure-common/names.js';

/**
 * An address list written as IP Groups (Microsoft.Network/ipGroups): its entries in slices of at most the entries
 * one group takes, one group per slice. Rules reference all of them.
 */
export interface IpGroupSet {
  /** The entries in address order, as the rule would have listed them. */
  entries: string[];
  slices: string[][];
  /** One name per slice, given by the first rule that uses the list (see nameIpGroups). */
  names: string[];
}

/** One way of writing a rule's side: addresses inline, or IP Groups; `dim` qualifies the rule's name. */
export interface SideVariant {
  addresses: string[];
  ipGroups?: IpGroupSet;
  dim: string;
}

export interface IpGroupOptions {
  /** A side with more IPv4 prefixes than this is written as IP Groups. */
  threshold: number;
  /** Entries in one IP Group, and inline addresses in one rule. */
  maxEntries: number;
}

/**
 * The IP Groups of one output, one set per distinct address list: rules with the same list (a source group bound to
 * many requirements, the TCP and UDP rules of one requirement) share its groups.
 */
export class IpGroupRegistry {
  readonly sets: IpGroupSet[] = [];
  private readonly byContent = new Map<string, IpGroupSet>();

  constructor(readonly options: IpGroupOptions) {}

  private place(entries: string[]): IpGroupSet {
    const key = entries.join(',');
    let set = this.byContent.get(key);
    if (!set) {
      const slices: string[][] = [];
      for (let i = 0; i < entries.length; i += this.options.maxEntries) slices.push(entries.slice(i, i + this.options.maxEntries));
      set = { entries, slices, names: [] };
      this.byContent.set(key, set);
      this.sets.push(set);
    }
    return set;
  }

  /**
   * How a rule side is written. IP Groups hold IPv4 prefixes only (Azure documents IPv4 formats for them); IPv6
   * prefixes and service tags stay inline. A rule names one kind of address per side, as the portal's source and
   * destination types do, so a side with both becomes two rules; an inline list longer than an IP Group may be is
   * cut into rules of at most that many. Every variant together allows exactly what the side did.
   */
  variants(list: readonly string[]): SideVariant[] {
    const { threshold, maxEntries } = this.options;
    if (list.length <= threshold) return [{ addresses: [...list], dim: '' }];
    const v4: string[] = [];
    const rest: string[] = [];
    for (const x of list) (x.includes('/') && !x.includes(':') ? v4 : rest).push(x);
    const out: SideVariant[] = [];
    let inline: string[] = [...list];
    if (v4.length > threshold) {
      out.push({ addresses: [], ipGroups: this.place(v4), dim: 'ipg' });
      inline = rest;
    }
    const parts = Math.ceil(inline.length / maxEntries);
    for (let i = 0; i < parts; i++) out.push({ addresses: inline.slice(i * maxEntries, (i + 1) * maxEntries), dim: parts > 1 ? `part${i + 1}` : '' });
    return out;
  }
}

/** Names the groups of a set the first time a rule uses it: `<rule collection group>.<rule>.<src|dst>.<n>`. */
export function nameIpGroups(set: IpGroupSet | undefined, prefix: string, ruleName: string, side: 'src' | 'dst'): void {
  if (!set || set.names.length) return;
  set.names = set.slices.map((_, i) => azureName([prefix, ruleName, side, String(i + 1)]));
}
