/** Reads azure-firewall's Terraform output back (HCL parsed by @cdktf/hcl2json) into the ARM template's rule shape. */
import { createRequire } from 'node:module';

type Obj = Record<string, unknown>;
const { parse } = createRequire(import.meta.url)('@cdktf/hcl2json') as { parse: (file: string, text: string) => Promise<Obj> };

/** hcl2json keeps template escapes as written (`$${`, `%%{`); a literal's value has them single. */
function literal(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
  if (Array.isArray(v)) return v.map(literal);
  return v;
}

export interface TerraformGroup {
  label: string;
  name: unknown;
  priority: unknown;
  firewall_policy_id: unknown;
  dependsOn: string[];
  collections: Obj[];
}

/**
 * Every azurerm_firewall_policy_rule_collection_group, its collections shaped as the ARM template's (IP Group
 * references as `[resourceId('Microsoft.Network/ipGroups', 'NAME')]`), and the azurerm_ip_group resources.
 */
export async function terraformOutput(hcl: string): Promise<{ groups: TerraformGroup[]; ipGroups: { label: string; name: string; cidrs: string[]; dependsOn: string[]; resourceGroup: unknown; location: unknown }[]; variables: string[] }> {
  const doc = await parse('azure-firewall.tf', hcl);
  const resource = (doc.resource ?? {}) as Obj;
  const ipGroupResources = (resource.azurerm_ip_group ?? {}) as Record<string, Obj[]>;
  const nameOf = new Map<string, string>();
  const ipGroups = Object.entries(ipGroupResources).map(([label, [g]]) => {
    nameOf.set(label, String(literal(g!.name)));
    return { label, name: String(literal(g!.name)), cidrs: literal(g!.cidrs) as string[], dependsOn: (g!.depends_on ?? []) as string[], resourceGroup: g!.resource_group_name, location: g!.location };
  });
  const ref = (expr: string) => {
    const label = /^\$\{azurerm_ip_group\.([A-Za-z0-9_-]+)\.id\}$/.exec(expr)?.[1];
    if (label === undefined || !nameOf.has(label)) throw new Error(`not a reference to an IP Group of this file: ${expr}`);
    return `[resourceId('Microsoft.Network/ipGroups', '${nameOf.get(label)}')]`;
  };
  const refs = (v: unknown) => (v === undefined ? {} : { list: (v as string[]).map(ref) });
  const groups = Object.entries((resource.azurerm_firewall_policy_rule_collection_group ?? {}) as Record<string, Obj[]>).map(([label, [g]]): TerraformGroup => {
    const collections: Obj[] = [];
    for (const c of (g!.network_rule_collection ?? []) as Obj[]) {
      collections.push({
        ruleCollectionType: 'FirewallPolicyFilterRuleCollection',
        name: literal(c.name),
        priority: c.priority,
        action: { type: c.action },
        rules: ((c.rule ?? []) as Obj[]).map((r) => ({
          ruleType: 'NetworkRule',
          name: literal(r.name),
          description: literal(r.description),
          ipProtocols: literal(r.protocols),
          ...(r.source_addresses ? { sourceAddresses: literal(r.source_addresses) } : {}),
          ...(r.source_ip_groups ? { sourceIpGroups: refs(r.source_ip_groups).list } : {}),
          ...(r.destination_addresses ? { destinationAddresses: literal(r.destination_addresses) } : {}),
          ...(r.destination_ip_groups ? { destinationIpGroups: refs(r.destination_ip_groups).list } : {}),
          ...(r.destination_fqdns ? { destinationFqdns: literal(r.destination_fqdns) } : {}),
          destinationPorts: literal(r.destination_ports),
        })),
      });
    }
    for (const c of (g!.application_rule_collection ?? []) as Obj[]) {
      collections.push({
        ruleCollectionType: 'FirewallPolicyFilterRuleCollection',
        name: literal(c.name),
        priority: c.priority,
        action: { type: c.action },
        rules: ((c.rule ?? []) as Obj[]).map((r) => ({
          ruleType: 'ApplicationRule',
          name: literal(r.name),
          description: literal(r.description),
          protocols: ((r.protocols ?? []) as Obj[]).map((p) => ({ protocolType: p.type, port: p.port })),
          ...(r.source_addresses ? { sourceAddresses: literal(r.source_addresses) } : {}),
          ...(r.source_ip_groups ? { sourceIpGroups: refs(r.source_ip_groups).list } : {}),
          targetFqdns: literal(r.destination_fqdns),
        })),
      });
    }
    return { label, name: literal(g!.name), priority: g!.priority, firewall_policy_id: g!.firewall_policy_id, dependsOn: (g!.depends_on ?? []) as string[], collections };
  });
  return { groups, ipGroups, variables: Object.keys((doc.variable ?? {}) as Obj) };
}

/** The rule collections of the one azurerm_firewall_policy_rule_collection_group, shaped as the ARM template's. */
export async function terraformCollections(hcl: string): Promise<{ group: Obj; collections: Obj[]; variables: string[] }> {
  const out = await terraformOutput(hcl);
  if (out.groups.length !== 1) throw new Error(`expected one rule collection group, found ${out.groups.map((g) => g.label).join(', ')}`);
  const g = out.groups[0]!;
  return { group: { name: g.name, priority: g.priority, firewall_policy_id: g.firewall_policy_id }, collections: g.collections, variables: out.variables };
}
