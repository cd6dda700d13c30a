import { loadTemplates } from '../../emit/templates.js';
import { InternalError } from '../../model/diagnostic.js';
import type { FirewallLayout } from './layout.js';
import { APPLICATION_COLLECTION_PRIORITY, NETWORK_COLLECTION_PRIORITY } from './layout.js';
import type { IpGroupSet } from './ip-groups.js';
import { hclIdentifier, hclList, hclString } from './hcl.js';
import templateSpecs from './templates.js';

/**
 * The same rule collection groups as Terraform: azurerm_firewall_policy_rule_collection_group for the policy whose
 * id the variable firewall_policy_id gives, and azurerm_ip_group for the IP Groups, chained with depends_on as the
 * ARM template chains them. Every value is an HCL literal made by hclString/hclList before it reaches the template,
 * and every reference is built from labels checked by hclIdentifier; comment lines have no control characters.
 */
export function terraformFile(layout: FirewallLayout): string {
  const templates = loadTemplates(templateSpecs as Record<'terraform', unknown>);
  const comment = (s: string) => s.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, ' ');
  const labels = uniqueLabels();
  const ipGroupLabel = new Map<string, string>();
  const ipGroups: { label: string; name: string; cidrs: string; dependsOn: string }[] = [];
  for (const set of layout.ipGroups) {
    set.slices.forEach((slice, i) => {
      const label = labels(set.names[i]!);
      ipGroupLabel.set(set.names[i]!, label);
      ipGroups.push({ label, name: hclString(set.names[i]!), cidrs: hclList(slice, 4), dependsOn: ipGroups.length ? `azurerm_ip_group.${ipGroups[ipGroups.length - 1]!.label}` : '' });
    });
  }
  const refs = (set: IpGroupSet | undefined) => (set ? `[${set.names.map((n) => `azurerm_ip_group.${ipGroupLabel.get(n)}.id`).join(', ')}]` : '');
  const groupLabels: string[] = [];
  const view = {
    header: layout.header.map(comment),
    notes: layout.notes.map(comment),
    ipGroups,
    groups: layout.groups.map((g) => {
      const label = labels(g.name);
      const dependsOn = groupLabels.length ? `azurerm_firewall_policy_rule_collection_group.${groupLabels[groupLabels.length - 1]}` : '';
      groupLabels.push(label);
      return {
        label,
        name: hclString(g.name),
        priority: g.priority,
        dependsOn,
        network: g.network.length
          ? {
              name: hclString(g.networkCollection),
              priority: NETWORK_COLLECTION_PRIORITY,
              rules: g.network.map((r) => ({
                requirement: comment(r.requirement.id),
                provenance: r.provenance.map(comment),
                name: hclString(r.name),
                description: hclString(r.description),
                protocols: hclList(r.ipProtocols, 8),
                sourceAddresses: r.sourceIpGroups ? '' : hclList(r.sourceAddresses, 8),
                sourceIpGroups: refs(r.sourceIpGroups),
                destinationAddresses: r.destinationAddresses.length ? hclList(r.destinationAddresses, 8) : '',
                destinationIpGroups: refs(r.destinationIpGroups),
                destinationFqdns: r.destinationFqdns.length ? hclList(r.destinationFqdns, 8) : '',
                destinationPorts: hclList(r.destinationPorts, 8),
              })),
            }
          : null,
        application: g.application.length
          ? {
              name: hclString(g.applicationCollection),
              priority: APPLICATION_COLLECTION_PRIORITY,
              rules: g.application.map((r) => ({
                requirement: comment(r.requirement.id),
                provenance: r.provenance.map(comment),
                name: hclString(r.name),
                description: hclString(r.description),
                protocols: r.protocols.map((p) => ({ type: p.protocolType, port: p.port })),
                sourceAddresses: r.sourceIpGroups ? '' : hclList(r.sourceAddresses, 8),
                sourceIpGroups: refs(r.sourceIpGroups),
                destinationFqdns: r.urls ? '' : hclList(r.targetFqdns, 8),
                destinationUrls: r.urls ? hclList(r.targetFqdns, 8) : '',
                terminateTls: r.urls === true && r.protocols.some((p) => p.protocolType === 'Https'),
              })),
            }
          : null,
      };
    }),
  };
  return templates.terraform(view).trimEnd() + '\n';
}

/** Labels from names, unique within one resource type's namespace (`a.b` and `a_b` would meet). */
function uniqueLabels(): (name: string) => string {
  const used = new Set<string>();
  return (name) => {
    const base = hclIdentifier(name);
    let label = base;
    for (let n = 2; used.has(label); n++) label = `${base}_${n}`;
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(label)) throw new InternalError(`bad HCL label ${label}`);
    used.add(label);
    return label;
  };
}
