import { ArmExpression, DEPLOYMENT_TEMPLATE_SCHEMA, NETWORK_API_VERSION, childName, renderTemplate, stringParameter, type TemplateValue } from '../azure-common/arm.js';
import { packTemplates, partFileName, partResources, type PackProblem, type TemplateLimits, type TemplateUnit } from '../azure-common/template-parts.js';
import type { OutputFile } from '../../emit/emitter.js';
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

/**
 * The ARM templates: notes and each rule's requirement and provenance go in `metadata.fwgen`. With `nsg`, one
 * template holding the NSG resource; with `rules`, the rules as child resources, over as many templates as the ARM
 * limits need (the parts may be deployed in any order: each rule stands alone).
 */
export function nsgTemplates(layout: NsgLayout, limits: TemplateLimits): { files: OutputFile[]; problems: PackProblem[] } {
  const rules = layout.rules.map(securityRule);
  if (layout.finalDeny) rules.push(finalDeny());
  let units: TemplateUnit[];
  if (layout.mode === 'nsg') {
    units = [
      {
        resource: {
          type: 'Microsoft.Network/networkSecurityGroups',
          apiVersion: NETWORK_API_VERSION,
          name: new ArmExpression("[parameters('nsgName')]"),
          location: new ArmExpression("[parameters('location')]"),
          properties: { securityRules: rules.map((r) => ({ name: r.name, properties: r.properties })) },
        },
        metadata: layout.rules.map(ruleMetadata),
        label: 'the network security group',
      },
    ];
  } else {
    units = rules.map((r, i) => ({
      resource: { type: 'Microsoft.Network/networkSecurityGroups/securityRules', apiVersion: NETWORK_API_VERSION, name: childName('nsgName', r.name), properties: r.properties },
      metadata: i < layout.rules.length ? [ruleMetadata(layout.rules[i]!)] : [],
      label: `security rule ${r.name}`,
    }));
  }
  const { parts, problems } = packTemplates(units, limits, (part, index, count) => renderPart(layout, part, index, count));
  return { files: parts.map((contents, i) => ({ path: partFileName('azure-nsg', i + 1, parts.length), contents })), problems };
}

function renderPart(layout: NsgLayout, units: readonly TemplateUnit[], part: number, parts: number): string {
  const parameters: Record<string, TemplateValue> = {
    nsgName: stringParameter(layout.mode === 'nsg' ? 'Name of the network security group' : 'Name of the existing network security group that receives the rules', layout.nsgName || undefined),
  };
  if (layout.mode === 'nsg') parameters.location = stringParameter('Location of the network security group', new ArmExpression('[resourceGroup().location]'));
  return renderTemplate({
    $schema: DEPLOYMENT_TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    metadata: {
      fwgen: {
        header: layout.header,
        ...(parts > 1 ? { part: `${part} of ${parts}: the rules are split over ${parts} templates to stay within Azure Resource Manager's limits; deploy each of them` } : {}),
        notes: layout.notes,
        rules: units.flatMap((u) => u.metadata),
      },
    },
    parameters,
    resources: partResources(units),
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
