import { ArmExpression, DEPLOYMENT_TEMPLATE_SCHEMA, NETWORK_API_VERSION, childName, renderTemplate, stringParameter, type TemplateValue } from '../azure-common/arm.js';
import { PRIORITY_MAX, type NsgRule, type Side } from './rules.js';

export interface NsgLayout {
  header: string[];
  notes: string[];
  /** `nsg`: the NSG resource with its rules inline; `rules`: each rule a child resource of an existing NSG. */
  mode: 'nsg' | 'rules';
  /** Default for the nsgName parameter; empty: given when deploying. */
  nsgName: string;
  rules: NsgRule[];
  finalDeny: boolean;
}

export const FINAL_DENY_NAME = 'fwgen-deny-internet-outbound';

/** The ARM template; notes and each rule's requirement and provenance go in `metadata.fwgen`. */
export function nsgTemplate(layout: NsgLayout): string {
  const rules = layout.rules.map(securityRule);
  if (layout.finalDeny) rules.push(finalDeny());
  const parameters: Record<string, TemplateValue> = {
    nsgName: stringParameter(layout.mode === 'nsg' ? 'Name of the network security group' : 'Name of the existing network security group that receives the rules', layout.nsgName || undefined),
  };
  let resources: TemplateValue[];
  if (layout.mode === 'nsg') {
    parameters.location = stringParameter('Location of the network security group', new ArmExpression('[resourceGroup().location]'));
    resources = [
      {
        type: 'Microsoft.Network/networkSecurityGroups',
        apiVersion: NETWORK_API_VERSION,
        name: new ArmExpression("[parameters('nsgName')]"),
        location: new ArmExpression("[parameters('location')]"),
        properties: { securityRules: rules.map((r) => ({ name: r.name, properties: r.properties })) },
      },
    ];
  } else {
    resources = rules.map((r) => ({
      type: 'Microsoft.Network/networkSecurityGroups/securityRules',
      apiVersion: NETWORK_API_VERSION,
      name: childName('nsgName', r.name),
      properties: r.properties,
    }));
  }
  return renderTemplate({
    $schema: DEPLOYMENT_TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    metadata: { fwgen: { header: layout.header, notes: layout.notes, rules: layout.rules.map(ruleMetadata) } },
    parameters,
    resources,
  });
}

interface Written {
  name: string;
  properties: { [key: string]: TemplateValue | undefined };
}

function securityRule(r: NsgRule): Written {
  return {
    name: r.name,
    properties: {
      description: r.description,
      protocol: r.protocol,
      sourcePortRange: '*',
      ...one('destinationPortRange', 'destinationPortRanges', r.ports),
      ...side('sourceAddressPrefix', r.source),
      ...side('destinationAddressPrefix', r.destination),
      access: 'Allow',
      priority: r.priority,
      direction: r.direction,
    },
  };
}

function finalDeny(): Written {
  return {
    name: FINAL_DENY_NAME,
    properties: {
      description: 'fwgen: deny outbound traffic to the Internet that no rule above allows',
      protocol: '*',
      sourcePortRange: '*',
      destinationPortRange: '*',
      sourceAddressPrefix: '*',
      destinationAddressPrefix: 'Internet',
      access: 'Deny',
      priority: PRIORITY_MAX,
      direction: 'Outbound',
    },
  };
}

/** The singular property for one value, the plural one for several. */
function one(single: string, plural: string, values: readonly string[]): Record<string, TemplateValue> {
  return values.length === 1 ? { [single]: values[0]! } : { [plural]: [...values] };
}

function side(field: 'sourceAddressPrefix' | 'destinationAddressPrefix', s: Side): Record<string, TemplateValue> {
  if (s.kind === 'any') return { [field]: '*' };
  if (s.kind === 'tag') return { [field]: s.tag };
  return one(field, field === 'sourceAddressPrefix' ? 'sourceAddressPrefixes' : 'destinationAddressPrefixes', s.cidrs);
}

function ruleMetadata(r: NsgRule): TemplateValue {
  return {
    rule: r.name,
    direction: r.direction,
    priority: r.priority,
    requirement: r.requirement.id,
    purpose: r.requirement.purpose,
    provenance: r.provenance,
    note: r.note,
  };
}
