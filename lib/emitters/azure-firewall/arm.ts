import { ArmExpression, DEPLOYMENT_TEMPLATE_SCHEMA, NETWORK_API_VERSION, childName, renderTemplate, renderValue, stringParameter, type TemplateValue } from '../azure-common/arm.js';
import { packTemplates, partFileName, partResources, type PackProblem, type TemplateLimits, type TemplateUnit } from '../azure-common/template-parts.js';
import type { OutputFile } from '../../emit/emitter.js';
import type { IpGroupSet } from './ip-groups.js';
import type { ApplicationRule, FirewallRule, NetworkRule } from './rules.js';
import { APPLICATION_COLLECTION_PRIORITY, NETWORK_COLLECTION_PRIORITY, type FirewallLayout, type RuleGroup } from './layout.js';

/** `[resourceId('Microsoft.Network/ipGroups', 'NAME')]`: an IP Group of the resource group deployed to. */
export function ipGroupRef(name: string): ArmExpression {
  return new ArmExpression(`[resourceId('Microsoft.Network/ipGroups', '${name}')]`);
}

function groupRef(name: string): ArmExpression {
  return new ArmExpression(`[resourceId('Microsoft.Network/firewallPolicies/ruleCollectionGroups', parameters('firewallPolicyName'), '${name}')]`);
}

/**
 * The ARM templates: the IP Groups (Microsoft.Network/ipGroups, in the resource group deployed to) and the rule
 * collection groups (Microsoft.Network/firewallPolicies/ruleCollectionGroups) of an existing policy named by the
 * `firewallPolicyName` parameter, in that order, over as many templates as ARM's limits need; the parts are
 * deployed in order, so a rule's IP Groups exist before it. IP Groups, and rule collection groups, are chained
 * with dependsOn: Azure Firewall updates a policy's rule collection groups, and IP Groups that firewalls use, one
 * at a time. Notes and each rule's requirement and provenance are in `metadata.fwgen`, which ARM keeps but does
 * not deploy.
 */
export function armTemplates(layout: FirewallLayout, limits: TemplateLimits): { files: OutputFile[]; problems: PackProblem[] } {
  const units: TemplateUnit[] = [];
  let previous: { key: string; ref: ArmExpression } | undefined;
  for (const set of layout.ipGroups) {
    set.slices.forEach((slice, i) => {
      const name = set.names[i]!;
      const key = `ipg:${name}`;
      units.push({
        resource: { type: 'Microsoft.Network/ipGroups', apiVersion: NETWORK_API_VERSION, name, location: new ArmExpression("[parameters('location')]"), properties: { ipAddresses: slice } },
        metadata: [],
        label: `IP Group ${name}`,
        key,
        dependsOn: previous ? [previous] : [],
      });
      previous = { key, ref: ipGroupRef(name) };
    });
  }
  let previousGroup: { key: string; ref: ArmExpression } | undefined;
  for (const g of layout.groups) {
    const key = `rcg:${g.name}`;
    const uses = new Set<string>();
    for (const r of [...g.network, ...g.application]) for (const set of ipGroupsOf(r)) for (const n of set.names) uses.add(n);
    units.push({
      resource: { type: 'Microsoft.Network/firewallPolicies/ruleCollectionGroups', apiVersion: NETWORK_API_VERSION, name: childName('firewallPolicyName', g.name), properties: groupProperties(g) },
      metadata: [...g.network, ...g.application].map(ruleMetadata),
      label: `rule collection group ${g.name}`,
      key,
      dependsOn: [...(previousGroup ? [previousGroup] : []), ...[...uses].map((n) => ({ key: `ipg:${n}`, ref: ipGroupRef(n) }))],
    });
    previousGroup = { key, ref: groupRef(g.name) };
  }
  const { parts, problems } = packTemplates(units, limits, (part, index, count, measure) => renderPart(layout, part, index, count, measure === true));
  return { files: parts.map((contents, i) => ({ path: partFileName('azure-firewall', i + 1, parts.length), contents })), problems };
}

function renderPart(layout: FirewallLayout, units: readonly TemplateUnit[], part: number, parts: number, measure: boolean): string {
  const parameters: Record<string, TemplateValue> = {};
  const has = (type: string) => measure || units.some((u) => u.resource.type === type);
  if (has('Microsoft.Network/firewallPolicies/ruleCollectionGroups') || !layout.ipGroups.length) {
    parameters.firewallPolicyName = stringParameter('Name of the existing Azure Firewall Policy that receives the rule collection group', layout.policyName || undefined);
  }
  if (has('Microsoft.Network/ipGroups')) parameters.location = stringParameter('Location of the IP Groups', new ArmExpression('[resourceGroup().location]'));
  return renderTemplate({
    $schema: DEPLOYMENT_TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    metadata: {
      fwgen: {
        header: layout.header,
        ...(parts > 1 ? { part: `${part} of ${parts}: deploy the parts in order (a rule's IP Groups are in its part or an earlier one)` } : {}),
        notes: layout.notes,
        rules: units.flatMap((u) => u.metadata),
      },
    },
    parameters,
    resources: partResources(units),
  });
}

function groupProperties(g: RuleGroup): TemplateValue {
  const collections: TemplateValue[] = [];
  if (g.network.length) collections.push(collection(g.networkCollection, NETWORK_COLLECTION_PRIORITY, g.network.map(networkRule)));
  if (g.application.length) collections.push(collection(g.applicationCollection, APPLICATION_COLLECTION_PRIORITY, g.application.map(applicationRule)));
  return { priority: g.priority, ruleCollections: collections };
}

function collection(name: string, priority: number, rules: TemplateValue[]): TemplateValue {
  return { ruleCollectionType: 'FirewallPolicyFilterRuleCollection', name, priority, action: { type: 'Allow' }, rules };
}

function refs(set: IpGroupSet | undefined): ArmExpression[] | undefined {
  return set ? set.names.map(ipGroupRef) : undefined;
}

export function ipGroupsOf(r: FirewallRule): IpGroupSet[] {
  return [r.sourceIpGroups, r.kind === 'network' ? r.destinationIpGroups : undefined].filter((s): s is IpGroupSet => s !== undefined);
}

export function networkRule(r: NetworkRule): TemplateValue {
  return {
    ruleType: 'NetworkRule',
    name: r.name,
    description: r.description,
    ipProtocols: r.ipProtocols,
    sourceAddresses: r.sourceIpGroups ? undefined : r.sourceAddresses,
    sourceIpGroups: refs(r.sourceIpGroups),
    destinationAddresses: r.destinationAddresses.length ? r.destinationAddresses : undefined,
    destinationIpGroups: refs(r.destinationIpGroups),
    destinationFqdns: r.destinationFqdns.length ? r.destinationFqdns : undefined,
    destinationPorts: r.destinationPorts,
  };
}

export function applicationRule(r: ApplicationRule): TemplateValue {
  return {
    ruleType: 'ApplicationRule',
    name: r.name,
    description: r.description,
    protocols: r.protocols.map((p) => ({ protocolType: p.protocolType, port: p.port })),
    sourceAddresses: r.sourceIpGroups ? undefined : r.sourceAddresses,
    sourceIpGroups: refs(r.sourceIpGroups),
    targetFqdns: r.urls ? undefined : r.targetFqdns,
    targetUrls: r.urls ? r.targetFqdns : undefined,
    terminateTLS: r.urls && r.protocols.some((p) => p.protocolType === 'Https') ? true : undefined,
  };
}

/**
 * What a rule adds to its rule collection group, as written in the template (a rule sits 10 spaces deep in the
 * group resource, 14 in the template: the larger is counted), with each IP Group reference counted as the full resource ID Azure stores (at most about 300
 * characters: subscription, resource group and group names) rather than the shorter expression.
 */
export function ruleBytes(r: FirewallRule): number {
  const text = renderValue(r.kind === 'network' ? networkRule(r) : applicationRule(r));
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  const groups = ipGroupsOf(r).reduce((n, s) => n + s.names.length, 0);
  return text.length + lines * 14 + 2 + groups * 300;
}

/** What a rule's entry in `metadata.fwgen.rules` adds to its template. */
export function ruleMetadataBytes(r: FirewallRule): number {
  const text = renderValue(ruleMetadata(r));
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  return text.length + lines * 8 + 2;
}

/** What any template part costs besides its resources and their metadata (as packTemplates measures it). */
export function templateOverhead(layout: Omit<FirewallLayout, 'groups'>): number {
  return renderPart({ ...layout, groups: [] }, [], 99, 99, true).length + 16;
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
