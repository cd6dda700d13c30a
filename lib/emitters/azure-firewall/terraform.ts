import { loadTemplates } from '../../emit/templates.js';
import type { FirewallLayout } from './layout.js';
import { hclIdentifier, hclList, hclString } from './hcl.js';
import templateSpecs from './templates.js';

/**
 * The same rule collection group as Terraform: azurerm_firewall_policy_rule_collection_group, for the policy whose id
 * the variable firewall_policy_id gives. Every value is an HCL literal made by hclString/hclList before it reaches
 * the template; comment lines have no control characters (the layout's header and notes are commentText already).
 */
export function terraformFile(layout: FirewallLayout): string {
  const templates = loadTemplates(templateSpecs as Record<'terraform', unknown>);
  const comment = (s: string) => s.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, ' ');
  const { network, application } = layout.rules;
  const view = {
    header: layout.header.map(comment),
    notes: layout.notes.map(comment),
    label: hclIdentifier(layout.groupName),
    name: hclString(layout.groupName),
    priority: layout.groupPriority,
    network: network.length
      ? {
          name: hclString(layout.networkCollection),
          priority: layout.networkPriority,
          rules: network.map((r) => ({
            requirement: comment(r.requirement.id),
            provenance: r.provenance.map(comment),
            name: hclString(r.name),
            description: hclString(r.description),
            protocols: hclList(r.ipProtocols, 8),
            sourceAddresses: hclList(r.sourceAddresses, 8),
            destinationAddresses: r.destinationAddresses.length ? hclList(r.destinationAddresses, 8) : '',
            destinationFqdns: r.destinationFqdns.length ? hclList(r.destinationFqdns, 8) : '',
            destinationPorts: hclList(r.destinationPorts, 8),
          })),
        }
      : null,
    application: application.length
      ? {
          name: hclString(layout.applicationCollection),
          priority: layout.applicationPriority,
          rules: application.map((r) => ({
            requirement: comment(r.requirement.id),
            provenance: r.provenance.map(comment),
            name: hclString(r.name),
            description: hclString(r.description),
            protocols: r.protocols.map((p) => ({ type: p.protocolType, port: p.port })),
            sourceAddresses: hclList(r.sourceAddresses, 8),
            destinationFqdns: hclList(r.targetFqdns, 8),
          })),
        }
      : null,
  };
  return templates.terraform(view).trimEnd() + '\n';
}
