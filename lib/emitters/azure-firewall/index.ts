import type { Emitter, EmitterOptions, FidelityTable } from '../../emit/emitter.js';
import { commentText } from '../../emit/header.js';
import { azureName } from '../azure-common/names.js';
import { armTemplate } from './arm.js';
import type { FirewallLayout } from './layout.js';
import { buildRules, TARGET } from './rules.js';
import { nothingLeftDiagnostic } from '../azure-common/requirements.js';
import { terraformFile } from './terraform.js';

const exact = { level: 'exact' } as const;
const bind = 'bind it: --bind GROUP=CIDR,...';

/** An Azure resource name, or empty for "not given". */
const NAME_OR_EMPTY = '^(?:[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?)?$';

/**
 * Names are exact in application rules (see targetFqdns in rules.ts for how `*.` matches). Addresses, bound groups
 * and service tags (as tags: Azure Firewall takes them as network rule destinations) are exact in network rules.
 * Ports are exact on addresses; a name on a port an application rule cannot carry is narrowed, widened or dropped
 * by the emitter itself, with its own diagnostic (rules.ts, placeNamePort), since that depends on the pair.
 */
const fidelity: FidelityTable = {
  'host-exact': exact,
  'host-subdomains': exact,
  'host-apex-and-subdomains': exact,
  cidr: exact,
  'service-tag': exact,
  'group-destination': exact,
  'group-destination-unbound': { level: 'drop', note: 'the group has no addresses, and a network rule to * would allow every destination', hint: bind },
  'source-cidr': exact,
  // The core gives the tag's prefixes (serviceTags), so a tag source is matched by address like a CIDR.
  'source-service-tag': exact,
  'source-group': exact,
  'source-group-unbound': { level: 'widen', note: 'the group has no addresses, so the rule\'s sourceAddresses is *: every source the firewall sees', hint: bind },
  'port-http': exact,
  'port-https': exact,
  'port-tcp': exact,
  'port-ssh': exact,
  'port-udp': exact,
  'all-traffic': exact,
  outbound: exact,
  inbound: {
    level: 'narrow',
    note: 'a network rule allows inbound traffic that is routed through the firewall (from peered networks or on-premises); traffic from the internet reaches the firewall only through a DNAT rule on its public address, which fwgen does not write',
    hint: 'add a DNAT rule collection for internet-facing services, or use --target azure-nsg on the destination subnet',
  },
  internal: exact,
};

/**
 * Azure Firewall: an ARM template with one rule collection group for an existing firewall policy, holding a network
 * rule collection (addresses, service tags, non-HTTP ports) and an application rule collection (names on HTTP and
 * HTTPS), or the same group as Terraform (--set format=terraform).
 */
const azureFirewall: Emitter = {
  id: 'azure-firewall',
  describe: 'Azure Firewall Policy rule collection group (ARM template)',
  defaultFile: 'azure-firewall.json',
  fidelity,
  serviceTags: 'tags',
  options: {
    format: { type: 'string', choices: ['arm', 'terraform'], default: 'arm', describe: 'arm: an ARM deployment template (azure-firewall.json); terraform: azurerm_firewall_policy_rule_collection_group (azure-firewall.tf)' },
    'policy-name': { type: 'string', default: '', pattern: NAME_OR_EMPTY, describe: 'default for the template parameter firewallPolicyName (the existing policy); empty: given when deploying' },
    'group-name': { type: 'string', default: '', pattern: NAME_OR_EMPTY, describe: 'name of the rule collection group; empty: fwgen-<set ids>' },
    priority: { type: 'integer', default: 1000, min: 100, max: 65000, describe: 'priority of the rule collection group in the policy (100-65000, lower first)' },
    'network-fqdns': {
      type: 'boolean',
      default: false,
      describe: 'write names on ports an application rule cannot carry (TCP other than HTTP/HTTPS, ranges, SSH, UDP, all traffic) as network rules with destinationFqdns; needs DNS proxy on the policy',
    },
  },
  emit(set, options, context) {
    const rules = buildRules(set, { networkFqdns: options['network-fqdns'] === true });
    if (rules.application.length + rules.network.length === 0) return { files: [], diagnostics: [...rules.diagnostics, nothingLeftDiagnostic(TARGET, set.requirements.length)] };
    const layout = layoutFor(set.sets.map((s) => s.id), options, rules, [...context.header], [...context.fidelity, ...rules.diagnostics].map((d) => d.message));
    const terraform = options.format === 'terraform';
    return {
      files: [terraform ? { path: 'azure-firewall.tf', contents: terraformFile(layout) } : { path: 'azure-firewall.json', contents: armTemplate(layout) }],
      diagnostics: rules.diagnostics,
    };
  },
};

export default azureFirewall;

function layoutFor(setIds: string[], options: EmitterOptions, rules: FirewallLayout['rules'], header: string[], messages: string[]): FirewallLayout {
  const groupName = String(options['group-name']) || azureName([`fwgen-${setIds.join('-')}`]);
  return {
    header: header.map(commentText),
    notes: [...messages, ...rules.orderNotes].map(commentText),
    policyName: String(options['policy-name']),
    groupName,
    groupPriority: Number(options.priority),
    networkCollection: azureName([`${groupName}-network`]),
    networkPriority: 100,
    applicationCollection: azureName([`${groupName}-application`]),
    applicationPriority: 200,
    rules,
  };
}
