import { azureName } from '../azure-common/names.js';
import { ruleBytes } from './arm.js';
import type { RuleGroup } from './layout.js';
import type { FirewallRule, FirewallRules } from './rules.js';

/** What a rule collection group costs besides its rules: the resource, its two collections' headers. */
const GROUP_OVERHEAD = 1_000;

/**
 * The rules in rule collection groups of at most `budget.group` bytes (Azure Firewall: the size of the rules in one
 * group; in ARM also one resource definition), network rules first, then application rules, in their order; a group
 * is named `<name>`, then `<name>-2`, ..., at consecutive priorities. In ARM a group also takes its rules' metadata
 * into its template, so with `extra` (a rule's metadata bytes) a group stays within `budget.unit` too. Every rule is
 * Allow, so how they are split changes no flow.
 */
export function planGroups(
  rules: FirewallRules,
  base: { name: string; priority: number },
  budget: { group: number; unit: number },
  extra: (r: FirewallRule) => number = () => 0,
): { groups: RuleGroup[]; tooLarge: { rule: FirewallRule; bytes: number; max: number }[] } {
  const groups: RuleGroup[] = [];
  const tooLarge: { rule: FirewallRule; bytes: number; max: number }[] = [];
  const open = (): RuleGroup => {
    const name = groups.length === 0 ? base.name : azureName([`${base.name}-${groups.length + 1}`]);
    const g: RuleGroup = { name, priority: base.priority + groups.length, networkCollection: azureName([`${name}-network`]), applicationCollection: azureName([`${name}-application`]), network: [], application: [] };
    groups.push(g);
    return g;
  };
  let current: RuleGroup | undefined;
  let bytes = 0;
  let unitBytes = 0;
  const place = (rule: FirewallRule) => {
    const size = ruleBytes(rule);
    const more = extra(rule);
    if (GROUP_OVERHEAD + size > budget.group) tooLarge.push({ rule, bytes: GROUP_OVERHEAD + size, max: budget.group });
    else if (GROUP_OVERHEAD + size + more > budget.unit) tooLarge.push({ rule, bytes: GROUP_OVERHEAD + size + more, max: budget.unit });
    if (!current || ((bytes + size > budget.group || unitBytes + size + more > budget.unit) && current.network.length + current.application.length > 0)) {
      current = open();
      bytes = GROUP_OVERHEAD;
      unitBytes = GROUP_OVERHEAD;
    }
    if (rule.kind === 'network') current.network.push(rule);
    else current.application.push(rule);
    bytes += size;
    unitBytes += size + more;
  };
  for (const r of rules.network) place(r);
  for (const r of rules.application) place(r);
  return { groups, tooLarge };
}

/**
 * Azure Firewall's count of unique source-destination combinations in network rules: per rule, IP protocols x
 * source addresses x destination addresses x (destination ports / 14, rounded up), IP Groups counted by their
 * entries.
 */
export function networkCombinations(rules: FirewallRules): number {
  let total = 0;
  for (const r of rules.network) {
    const sources = r.sourceAddresses.length + (r.sourceIpGroups?.entries.length ?? 0);
    const destinations = r.destinationAddresses.length + (r.destinationIpGroups?.entries.length ?? 0) + r.destinationFqdns.length;
    total += r.ipProtocols.length * sources * destinations * Math.ceil(r.destinationPorts.length / 14);
  }
  return total;
}
