import type { IpGroupSet } from './ip-groups.js';
import type { ApplicationRule, FirewallRules, NetworkRule } from './rules.js';

/** One rule collection group: its network and application filter collections (each only when it has rules). */
export interface RuleGroup {
  name: string;
  priority: number;
  networkCollection: string;
  applicationCollection: string;
  network: NetworkRule[];
  application: ApplicationRule[];
}

/** Priorities of the two collections inside every group. */
export const NETWORK_COLLECTION_PRIORITY = 100;
export const APPLICATION_COLLECTION_PRIORITY = 200;

/** Everything either output format writes: the groups with their rules, the IP Groups, and the notes. */
export interface FirewallLayout {
  /** Header lines (fwgen version, sets, parameters, options), control characters removed. */
  header: string[];
  /** Fidelity and rule-order notes, one line each. */
  notes: string[];
  /** Default for the firewall policy name; empty: the user gives it when deploying. */
  policyName: string;
  groups: RuleGroup[];
  ipGroups: IpGroupSet[];
  rules: FirewallRules;
}
