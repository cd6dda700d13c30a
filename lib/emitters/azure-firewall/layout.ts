import type { FirewallRules } from './rules.js';

/** Everything either output format writes: the rules, their containers' names and priorities, and the notes. */
export interface FirewallLayout {
  /** Header lines (fwgen version, sets, parameters, options), control characters removed. */
  header: string[];
  /** Fidelity and rule-order notes, one line each. */
  notes: string[];
  /** Default for the firewall policy name; empty: the user gives it when deploying. */
  policyName: string;
  groupName: string;
  groupPriority: number;
  networkCollection: string;
  networkPriority: number;
  applicationCollection: string;
  applicationPriority: number;
  rules: FirewallRules;
}
