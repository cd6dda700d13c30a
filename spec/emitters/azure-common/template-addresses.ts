/**
 * The address prefixes the Azure targets' ARM templates name, over all files of one output: NSG security rules
 * (inline or child resources) and firewall network rules, with IP Group references resolved to the groups' entries.
 */
type Obj = Record<string, unknown>;

const isPrefix = (x: string) => /^[0-9a-f:.]+\/\d+$/i.test(x);

/** `[resourceId('Microsoft.Network/ipGroups', 'NAME')]` to NAME. */
export function ipGroupRef(expr: string): string {
  const m = /^\[resourceId\('Microsoft\.Network\/ipGroups', '([^']+)'\)\]$/.exec(expr);
  if (!m) throw new Error(`not an IP Group reference: ${expr}`);
  return m[1]!;
}

/** Every resource of every template file. */
export function templateResources(files: readonly { contents: string }[]): Obj[] {
  return files.flatMap((f) => (JSON.parse(f.contents) as Obj).resources as Obj[]);
}

/** IP Group name to its entries, over all files. */
export function ipGroupEntries(resources: readonly Obj[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const r of resources) {
    if (r.type !== 'Microsoft.Network/ipGroups') continue;
    const name = /'([^']+)'\)\]$/.exec(String(r.name))?.[1] ?? String(r.name);
    groups.set(name, ((r.properties as Obj).ipAddresses ?? []) as string[]);
  }
  return groups;
}

export function templateAddresses(files: readonly { contents: string }[]): { sources: string[]; destinations: string[] } {
  const resources = templateResources(files);
  const groups = ipGroupEntries(resources);
  const sources = new Set<string>();
  const destinations = new Set<string>();
  const add = (to: Set<string>, single: unknown, plural: unknown) => {
    for (const x of plural !== undefined ? (plural as string[]) : single !== undefined ? [single as string] : []) if (isPrefix(x)) to.add(x);
  };
  const addGroups = (to: Set<string>, refs: unknown) => {
    for (const ref of (refs ?? []) as string[]) for (const x of groups.get(ipGroupRef(ref)) ?? []) to.add(x);
  };
  for (const r of resources) {
    if (r.type === 'Microsoft.Network/networkSecurityGroups' || r.type === 'Microsoft.Network/networkSecurityGroups/securityRules') {
      const rules = r.type === 'Microsoft.Network/networkSecurityGroups' ? (((r.properties as Obj).securityRules ?? []) as Obj[]).map((x) => x.properties as Obj) : [r.properties as Obj];
      for (const p of rules) {
        if (p.access !== 'Allow') continue;
        add(sources, p.sourceAddressPrefix, p.sourceAddressPrefixes);
        add(destinations, p.destinationAddressPrefix, p.destinationAddressPrefixes);
      }
    } else if (r.type === 'Microsoft.Network/firewallPolicies/ruleCollectionGroups') {
      for (const c of ((r.properties as Obj).ruleCollections ?? []) as Obj[]) {
        for (const rule of (c.rules ?? []) as Obj[]) {
          if (rule.ruleType !== 'NetworkRule') continue;
          add(sources, undefined, rule.sourceAddresses ?? []);
          add(destinations, undefined, rule.destinationAddresses ?? []);
          addGroups(sources, rule.sourceIpGroups);
          addGroups(destinations, rule.destinationIpGroups);
        }
      }
    }
  }
  return { sources: [...sources], destinations: [...destinations] };
}
