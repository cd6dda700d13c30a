import { DEPLOYMENT_TEMPLATE_SCHEMA, NETWORK_API_VERSION, childName, renderTemplate, stringParameter, type TemplateValue } from '../azure-common/arm.js';
import type { ApplicationRule, FirewallRule, NetworkRule } from './rules.js';
import type { FirewallLayout } from './layout.js';

/**
 * The ARM template: one Microsoft.Network/firewallPolicies/ruleCollectionGroups resource under an existing policy
 * named by the `firewallPolicyName` parameter, with a network and an application filter rule collection (each only
 * when it has rules). Notes and each rule's requirement and provenance are in the template's `metadata.fwgen`,
 * which ARM keeps but does not deploy.
 */
export function armTemplate(layout: FirewallLayout): string {
  const collections: TemplateValue[] = [];
  if (layout.rules.network.length) collections.push(collection(layout.networkCollection, layout.networkPriority, layout.rules.network.map(networkRule)));
  if (layout.rules.application.length) collections.push(collection(layout.applicationCollection, layout.applicationPriority, layout.rules.application.map(applicationRule)));
  return renderTemplate({
    $schema: DEPLOYMENT_TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    metadata: {
      fwgen: {
        header: layout.header,
        notes: layout.notes,
        rules: [...layout.rules.network, ...layout.rules.application].map(ruleMetadata),
      },
    },
    parameters: {
      firewallPolicyName: stringParameter('Name of the existing Azure Firewall Policy that receives the rule collection group', layout.policyName || undefined),
    },
    resources: [
      {
        type: 'Microsoft.Network/firewallPolicies/ruleCollectionGroups',
        apiVersion: NETWORK_API_VERSION,
        name: childName('firewallPolicyName', layout.groupName),
        properties: { priority: layout.groupPriority, ruleCollections: collections },
      },
    ],
  });
}

function collection(name: string, priority: number, rules: TemplateValue[]): TemplateValue {
  return { ruleCollectionType: 'FirewallPolicyFilterRuleCollection', name, priority, action: { type: 'Allow' }, rules };
}

function networkRule(r: NetworkRule): TemplateValue {
  return {
    ruleType: 'NetworkRule',
    name: r.name,
    description: r.description,
    ipProtocols: r.ipProtocols,
    sourceAddresses: r.sourceAddresses,
    destinationAddresses: r.destinationAddresses.length ? r.destinationAddresses : undefined,
    destinationFqdns: r.destinationFqdns.length ? r.destinationFqdns : undefined,
    destinationPorts: r.destinationPorts,
  };
}

function applicationRule(r: ApplicationRule): TemplateValue {
  return {
    ruleType: 'ApplicationRule',
    name: r.name,
    description: r.description,
    protocols: r.protocols.map((p) => ({ protocolType: p.protocolType, port: p.port })),
    sourceAddresses: r.sourceAddresses,
    targetFqdns: r.targetFqdns,
  };
}

function ruleMetadata(r: FirewallRule): TemplateValue {
  return {
    rule: r.name,
    collection: r.kind,
    requirement: r.requirement.id,
    purpose: r.requirement.purpose,
    provenance: r.provenance,
  };
}
