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

/** The rule collections of the one azurerm_firewall_policy_rule_collection_group, shaped as the ARM template's. */
export async function terraformCollections(hcl: string): Promise<{ group: Obj; collections: Obj[]; variables: string[] }> {
  const doc = await parse('azure-firewall.tf', hcl);
  const groups = (doc.resource as Obj).azurerm_firewall_policy_rule_collection_group as Record<string, Obj[]>;
  const labels = Object.keys(groups);
  if (labels.length !== 1 || groups[labels[0]!]!.length !== 1) throw new Error(`expected one rule collection group, found ${labels.join(', ')}`);
  const g = groups[labels[0]!]![0]!;
  const collections: Obj[] = [];
  for (const c of (g.network_rule_collection ?? []) as Obj[]) {
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
        sourceAddresses: literal(r.source_addresses),
        ...(r.destination_addresses ? { destinationAddresses: literal(r.destination_addresses) } : {}),
        ...(r.destination_fqdns ? { destinationFqdns: literal(r.destination_fqdns) } : {}),
        destinationPorts: literal(r.destination_ports),
      })),
    });
  }
  for (const c of (g.application_rule_collection ?? []) as Obj[]) {
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
        sourceAddresses: literal(r.source_addresses),
        targetFqdns: literal(r.destination_fqdns),
      })),
    });
  }
  return { group: { name: literal(g.name), priority: g.priority, firewall_policy_id: g.firewall_policy_id }, collections, variables: Object.keys((doc.variable ?? {}) as Obj) };
}
