import type { Emitter, EmitterOptions, FidelityTable } from '../../emit/emitter.js';
import { commentText } from '../../emit/header.js';
import { azureName } from '../azure-common/names.js';
import { armTemplates, ruleMetadataBytes, templateOverhead } from './arm.js';
import type { FirewallLayout, RuleGroup } from './layout.js';
import { buildRules, TARGET, type FirewallRule, type FirewallRules } from './rules.js';
import { networkCombinations, planGroups } from './groups.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import { ARM_RESOURCE_BYTES_MAX, ARM_RESOURCES_MAX, ARM_TEMPLATE_BYTES_DEFAULT, ARM_TEMPLATE_BYTES_MAX, type PackProblem } from '../azure-common/template-parts.js';

/**
 * Azure Firewall's limits (Azure subscription and service limits, Azure Firewall; see the README for each source):
 * addresses per IP Group, IP Groups per firewall policy, unique source-destination combinations in network rules,
 * the size of the rules in one rule collection group, and rule collection groups per policy.
 */
export const IP_GROUP_ENTRIES_MAX = 5000;
export const IP_GROUPS_MAX = 600;
export const NETWORK_COMBINATIONS_MAX = 20_000;
export const GROUP_BYTES_MAX = 2_000_000;
export const GROUPS_MAX = 90;
const GROUP_PRIORITY_MAX = 65_000;
import { capNotes, nothingLeftDiagnostic } from '../azure-common/requirements.js';
import { terraformFile } from './terraform.js';

const exact = { level: 'exact' } as const;
const pathHint =
  'on Azure Firewall Premium with TLS inspection configured on the policy, --set tls-inspection=true writes targetUrls (host/path) and terminateTLS for HTTPS';
const bind = 'bind it: --bind GROUP=CIDR,...';

/** An Azure resource name, or empty for "not given". */
const NAME_OR_EMPTY = '^(?:[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?)?$';

/**
 * Names are exact in application rules (see targetFqdns in rules.ts for how `*.` matches). Addresses, bound groups
 * and service tags (as tags: Azure Firewall takes them as network rule destinations) are exact in network rules.
 * Ports are exact on addresses; a name on a port an application rule cannot carry is narrowed, widened or dropped
 * by the emitter itself, with its own diagnostic (rules.ts, placeNamePort), since that depends on the pair.
 */
function fidelity(options: EmitterOptions): FidelityTable {
  const urls = options['tls-inspection'] === true;
  return {
  'host-exact': exact,
  'host-subdomains': exact,
  'host-apex-and-subdomains': exact,
  'host-label-wildcard': {
    level: 'widen',
    note: 'targetFqdns takes a "*" only as a leading "*." (Azure Firewall FAQ, wildcards in target FQDNs), so the wildcard label becomes *. and every subdomain of the rest is allowed',
    hint: 'list the exact names the vendor uses, or use --target squid or cilium, which match a partial label',
  },
  'host-path-http': urls ? exact : { level: 'widen', note: 'targetFqdns matches the name only, so the whole host is allowed', hint: pathHint },
  'host-path-tls': urls ? exact : { level: 'widen', note: 'targetFqdns matches the name only, and the path of HTTPS is inside TLS, so the whole host is allowed', hint: pathHint },
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
}

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
    'tls-inspection': {
      type: 'boolean',
      default: false,
      describe: 'write a host with a path as targetUrls (host/path and host/path/*), with terminateTLS on HTTPS rules: needs Azure Firewall Premium with TLS inspection configured on the policy; off, the path is widened to the host',
    },
    format: { type: 'string', choices: ['arm', 'terraform'], default: 'arm', describe: 'arm: an ARM deployment template (azure-firewall.json); terraform: azurerm_firewall_policy_rule_collection_group (azure-firewall.tf)' },
    'policy-name': { type: 'string', default: '', pattern: NAME_OR_EMPTY, describe: 'default for the template parameter firewallPolicyName (the existing policy); empty: given when deploying' },
    'group-name': { type: 'string', default: '', pattern: NAME_OR_EMPTY, describe: 'name of the rule collection group; empty: fwgen-<set ids>' },
    priority: { type: 'integer', default: 1000, min: 100, max: 65000, describe: 'priority of the rule collection group in the policy (100-65000, lower first)' },
    'network-fqdns': {
      type: 'boolean',
      default: false,
      describe: 'write names on ports an application rule cannot carry (TCP other than HTTP/HTTPS, ranges, SSH, UDP, all traffic) as network rules with destinationFqdns; needs DNS proxy on the policy',
    },
    'ip-group-threshold': { type: 'integer', default: 100, min: 1, max: IP_GROUP_ENTRIES_MAX, describe: 'write a rule side with more IPv4 prefixes than this as IP Groups' },
    'max-ip-group-entries': { type: 'integer', default: IP_GROUP_ENTRIES_MAX, min: 1, max: IP_GROUP_ENTRIES_MAX, describe: 'addresses in one IP Group (Azure: 5,000), and inline addresses in one rule' },
    'max-ip-groups': { type: 'integer', default: IP_GROUPS_MAX, min: 0, max: IP_GROUPS_MAX, describe: 'refuse to need more IP Groups than this (Azure: 600 per firewall policy; count the policy\'s other IP Groups)' },
    'max-network-combinations': {
      type: 'integer',
      default: NETWORK_COMBINATIONS_MAX,
      min: 1,
      max: 100_000_000,
      describe: 'refuse network rules with more unique source-destination combinations than this (Azure: 20,000, for the firewall\'s latency)',
    },
    'max-group-bytes': { type: 'integer', default: GROUP_BYTES_MAX, min: 10_000, max: GROUP_BYTES_MAX, describe: 'size of the rules in one rule collection group (Azure: 2 MB, 1 MB for policies created before July 2022); more rules go to further groups' },
    'max-rule-collection-groups': { type: 'integer', default: GROUPS_MAX, min: 1, max: GROUPS_MAX, describe: 'refuse to need more rule collection groups than this (Azure: 90 per policy, 50 for policies created before July 2022)' },
    'max-template-bytes': { type: 'integer', default: ARM_TEMPLATE_BYTES_DEFAULT, min: 10_000, max: ARM_TEMPLATE_BYTES_MAX, describe: 'split the ARM output over templates of at most this many bytes (ARM: 4 MB a template, 1 MB a deployment job)' },
    'max-template-resources': { type: 'integer', default: ARM_RESOURCES_MAX, min: 1, max: ARM_RESOURCES_MAX, describe: 'at most this many resources in one template (ARM: 800)' },
    'max-resource-bytes': { type: 'integer', default: ARM_RESOURCE_BYTES_MAX, min: 1_000, max: ARM_RESOURCE_BYTES_MAX, describe: 'largest resource definition in a template (ARM: 1 MB); caps a rule collection group in the ARM output' },
  },
  emit(set, options, context) {
    const setIds = set.sets.map((s) => s.id);
    const groupName = String(options['group-name']) || azureName([`fwgen-${setIds.join('-')}`]);
    const rules = buildRules(set, {
      networkFqdns: options['network-fqdns'] === true,
      threshold: Number(options['ip-group-threshold']),
      maxEntries: Number(options['max-ip-group-entries']),
      ipGroupPrefix: groupName,
    });
    if (rules.application.length + rules.network.length === 0) return { files: [], diagnostics: [...rules.diagnostics, nothingLeftDiagnostic(TARGET, set.requirements.length)] };
    const terraform = options.format === 'terraform';
    const armLimits = { maxTemplateBytes: Number(options['max-template-bytes']), maxTemplateResources: Number(options['max-template-resources']), maxResourceBytes: Number(options['max-resource-bytes']) };
    const base = {
      header: context.header.map(commentText),
      notes: capNotes([...context.fidelity, ...rules.diagnostics].map((d) => d.message).concat(rules.orderNotes).map(commentText)),
      policyName: String(options['policy-name']),
      ipGroups: rules.ipGroups,
      rules,
    };
    // In ARM a rule collection group is one resource definition too, and takes its rules' metadata into its template.
    const budget = terraform
      ? { group: Number(options['max-group-bytes']), unit: Infinity }
      : { group: Math.min(Number(options['max-group-bytes']), armLimits.maxResourceBytes), unit: armLimits.maxTemplateBytes - templateOverhead(base) };
    const { groups, tooLarge } = planGroups(rules, { name: groupName, priority: Number(options.priority) }, budget, terraform ? undefined : ruleMetadataBytes);
    const limits = checkLimits(rules, groups, tooLarge, options);
    if (limits.length) return { files: [], diagnostics: [...rules.diagnostics, ...limits] };
    const layout: FirewallLayout = { ...base, groups };
    if (terraform) return { files: [{ path: 'azure-firewall.tf', contents: terraformFile(layout) }], diagnostics: rules.diagnostics };
    const { files, problems } = armTemplates(layout, armLimits);
    if (problems.length) return { files: [], diagnostics: [...rules.diagnostics, ...problems.map(packDiagnostic)] };
    return { files, diagnostics: rules.diagnostics };
  },
};

export default azureFirewall;

function limitDiagnostic(message: string, hint: string, params: Record<string, unknown>): Diagnostic {
  return { code: 'EMIT_LIMIT', severity: 'error', message, hint, target: TARGET, params };
}

/** Azure Firewall's limits that splitting cannot meet, each an error naming the limit and its option. */
function checkLimits(rules: FirewallRules, groups: RuleGroup[], tooLarge: { rule: FirewallRule; bytes: number; max: number }[], options: EmitterOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  const ipGroups = rules.ipGroups.reduce((n, s) => n + s.names.length, 0);
  const maxIpGroups = Number(options['max-ip-groups']);
  if (ipGroups > maxIpGroups) {
    out.push(
      limitDiagnostic(
        `the address lists need ${ipGroups} IP Groups of at most ${options['max-ip-group-entries']} addresses, more than ${maxIpGroups}, the most one firewall policy may use here (Azure Firewall: 600 IP Groups per policy)`,
        'aggregate the addresses into fewer, larger prefixes, split the requirements over several policies, or raise --set max-ip-groups (at most 600) or --set max-ip-group-entries (at most 5000)',
        { limit: 'max-ip-groups', count: ipGroups, max: maxIpGroups },
      ),
    );
  }
  const combinations = networkCombinations(rules);
  const maxCombinations = Number(options['max-network-combinations']);
  if (combinations > maxCombinations) {
    out.push(
      limitDiagnostic(
        `the network rules make ${combinations} unique source-destination combinations, more than ${maxCombinations} (Azure Firewall: 20,000 in a policy's network rules, counted as protocols x sources x destinations x ports/14)`,
        `splitting the rules does not lower the count: aggregate the addresses into fewer prefixes, allow names with application rules, or, as Azure documents the limit for the firewall's latency, --set max-network-combinations=${combinations} and watch the firewall's latency probe`,
        { limit: 'max-network-combinations', count: combinations, max: maxCombinations },
      ),
    );
  }
  for (const { rule, bytes, max } of tooLarge.slice(0, 3)) {
    out.push(
      limitDiagnostic(
        `rule ${rule.name} alone is about ${bytes} bytes, more than ${max}, the most one rule collection group (with its notes, in an ARM template) may hold here`,
        'lower --set ip-group-threshold or --set max-ip-group-entries so that its addresses go to IP Groups and its lists into smaller rules, or raise --set max-group-bytes (at most 2000000) or --set max-template-bytes (at most 4000000)',
        { limit: 'max-group-bytes', rule: rule.name, bytes, max },
      ),
    );
  }
  const maxGroups = Number(options['max-rule-collection-groups']);
  if (groups.length > maxGroups) {
    out.push(
      limitDiagnostic(
        `the rules need ${groups.length} rule collection groups, more than ${maxGroups}, the most one firewall policy may hold here (Azure Firewall: 90, or 50 for policies created before July 2022)`,
        'lower --set ip-group-threshold so that addresses go to IP Groups, split the requirements over several policies, or raise --set max-rule-collection-groups (at most 90) if the policy has room',
        { limit: 'max-rule-collection-groups', count: groups.length, max: maxGroups },
      ),
    );
  }
  const last = groups.length ? groups[groups.length - 1]!.priority : 0;
  if (last > GROUP_PRIORITY_MAX) {
    out.push(limitDiagnostic(`the ${groups.length} rule collection groups need priorities ${options.priority} to ${last}, past ${GROUP_PRIORITY_MAX}`, 'use a lower --set priority', { limit: 'priority', highest: last }));
  }
  return out;
}

function packDiagnostic(p: PackProblem): Diagnostic {
  const message =
    p.kind === 'resource-bytes'
      ? `${p.label} is ${p.bytes} bytes as an ARM resource definition, more than ${p.max}, the most one may be here (Azure Resource Manager: 1 MB)`
      : `${p.label} needs a template of ${p.bytes} bytes, more than ${p.max}, the most one template may be here`;
  const hint = p.kind === 'resource-bytes' ? 'lower --set max-ip-group-entries or --set max-group-bytes, or raise --set max-resource-bytes (at most 1000000)' : 'raise --set max-template-bytes (at most 4000000), or lower --set max-ip-group-entries';
  return limitDiagnostic(message, hint, { limit: p.kind === 'resource-bytes' ? 'max-resource-bytes' : 'max-template-bytes', bytes: p.bytes, max: p.max });
}
