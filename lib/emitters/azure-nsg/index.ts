import type { Emitter, EmitterOptions, FidelityTable } from '../../emit/emitter.js';
import { commentText } from '../../emit/header.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import type { ResolvedRequirementSet } from '../../model/resolved.js';
import { azureName } from '../azure-common/names.js';
import { capNotes, nothingLeftDiagnostic, tagName } from '../azure-common/requirements.js';
import { allocatePriorities, buildRules, NSG_PREFIXES_MAX, NSG_RULES_MAX, PRIORITY_MAX, PRIORITY_MIN, TARGET, type NsgDirection, type NsgRule, type Substitutions } from './rules.js';
import { nsgTemplates, type NsgLayout } from './arm.js';
import { ARM_RESOURCE_BYTES_MAX, ARM_RESOURCES_MAX, ARM_TEMPLATE_BYTES_DEFAULT, ARM_TEMPLATE_BYTES_MAX, type PackProblem } from '../azure-common/template-parts.js';
import { allExact } from '../../emit/fidelity-presets.js';

const bind = 'bind it: --bind GROUP=CIDR,...';
const names = { level: 'drop', note: 'a network security group matches addresses and service tags, not host names', hint: 'use --target azure-firewall or squid to allow the names' } as const;


/**
 * Addresses, bound groups and service tags are exact; names are dropped, and the core puts the vendor's service tags
 * in their place where a requirement gives them (usesAlternatives), with a FIDELITY_WIDENED note. Ports are matched
 * as transport and port; an NSG does not look at the protocol inside (neither does any address filter).
 */
const fidelity: FidelityTable = allExact({
  'host-exact': names,
  'host-subdomains': names,
  'host-apex-and-subdomains': names,
  'host-label-wildcard': names,
  'host-path-http': names,
  'host-path-tls': names,
  'group-destination-unbound': { level: 'drop', note: 'the group has no addresses, and a rule to * would allow every destination', hint: bind },
  // A service tag source is written as the tag itself in sourceAddressPrefix, as NSGs take it.
  'source-group-unbound': { level: 'widen', note: 'the group has no addresses, so the rule\'s sourceAddressPrefix is *: every address the NSG applies to (outbound) or every peer (inbound)', hint: bind },
});

const NAME_OR_EMPTY = '^(?:[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?)?$';

/**
 * Azure network security group: an ARM template with a Microsoft.Network/networkSecurityGroups resource (or only its
 * securityRules, as child resources of an existing NSG), one Allow rule per requirement, destination kind, protocol
 * and address family, priorities from a start value by a step in each direction, and a final Deny to the Internet tag.
 */
const azureNsg: Emitter = {
  id: TARGET,
  describe: 'Azure network security group rules with service tags (ARM template)',
  defaultFile: 'azure-nsg.json',
  fidelity,
  usesAlternatives: true,
  serviceTags: 'tags',
  options: {
    resource: { type: 'string', choices: ['nsg', 'rules'], default: 'nsg', describe: 'nsg: a network security group with its rules; rules: only securityRules, added to an existing NSG' },
    'nsg-name': { type: 'string', default: '', pattern: NAME_OR_EMPTY, describe: 'default for the template parameter nsgName; empty: fwgen-<set ids> for a new NSG, given when deploying for rules' },
    'priority-start': { type: 'integer', default: 100, min: PRIORITY_MIN, max: PRIORITY_MAX, describe: 'priority of the first rule in each direction (100-4096)' },
    'priority-step': { type: 'integer', default: 10, min: 1, max: 1000, describe: 'gap between the priorities of consecutive rules' },
    'final-deny': { type: 'string', choices: ['internet', 'none'], default: 'internet', describe: 'internet: end the outbound rules with Deny to the Internet tag at priority 4096 (NSGs allow all outbound Internet traffic by default); none: leave it out' },
    'max-rules': { type: 'integer', default: NSG_RULES_MAX, min: 1, max: NSG_RULES_MAX, describe: 'refuse to write more security rules than this (an NSG holds 1000)' },
    'max-prefixes': {
      type: 'integer',
      default: NSG_PREFIXES_MAX,
      min: 1,
      max: NSG_PREFIXES_MAX,
      describe: 'refuse to write more source, or more destination, address prefixes (or port ranges) over all rules than this (an NSG holds 4000 of each)',
    },
    'max-rule-prefixes': { type: 'integer', default: NSG_PREFIXES_MAX, min: 1, max: NSG_PREFIXES_MAX, describe: 'split a rule whose source or destination has more address prefixes than this into several rules' },
    'max-template-bytes': { type: 'integer', default: ARM_TEMPLATE_BYTES_DEFAULT, min: 10_000, max: ARM_TEMPLATE_BYTES_MAX, describe: 'split the rules (resource=rules) over several templates of at most this many bytes (ARM: 4 MB a template, 1 MB a deployment job)' },
    'max-template-resources': { type: 'integer', default: ARM_RESOURCES_MAX, min: 1, max: ARM_RESOURCES_MAX, describe: 'at most this many resources in one template (ARM: 800)' },
    'max-resource-bytes': { type: 'integer', default: ARM_RESOURCE_BYTES_MAX, min: 1_000, max: ARM_RESOURCE_BYTES_MAX, describe: 'refuse a resource definition larger than this (ARM: 1 MB)' },
  },
  emit(set, options, context) {
    const { rules, diagnostics } = buildRules(set, substitutions(set, context.fidelity), Number(options['max-rule-prefixes']));
    if (rules.length === 0) return { files: [], diagnostics: [...diagnostics, nothingLeftDiagnostic(TARGET, set.requirements.length)] };
    const start = Number(options['priority-start']);
    const step = Number(options['priority-step']);
    const finalDeny = options['final-deny'] === 'internet' && rules.some((r) => r.direction === 'Outbound');
    const last = allocatePriorities(rules, start, step);
    const limits = checkLimits(rules, last, finalDeny, options);
    if (limits.length) return { files: [], diagnostics: [...diagnostics, ...limits] };
    const layout: NsgLayout = {
      header: context.header.map(commentText),
      notes: capNotes([...context.fidelity, ...diagnostics].map((d) => commentText(d.message))).concat(finalDeny ? [FINAL_DENY_NOTE] : []),
      mode: options.resource === 'rules' ? 'rules' : 'nsg',
      nsgName: String(options['nsg-name']) || (options.resource === 'rules' ? '' : azureName([`fwgen-${set.sets.map((s) => s.id).join('-')}`])),
      rules,
      finalDeny,
    };
    const limitsOf = { maxTemplateBytes: Number(options['max-template-bytes']), maxTemplateResources: Number(options['max-template-resources']), maxResourceBytes: Number(options['max-resource-bytes']) };
    const { files, problems } = nsgTemplates(layout, limitsOf);
    if (problems.length) return { files: [], diagnostics: [...diagnostics, ...problems.map((p) => packDiagnostic(p, layout.mode))] };
    return { files, diagnostics };
  },
};

export default azureNsg;

const FINAL_DENY_NOTE =
  'The last outbound rule, fwgen-deny-internet-outbound (priority 4096), denies all other outbound traffic to the Internet tag, which the NSG default rule AllowInternetOutBound would allow; traffic within the virtual network keeps the default rules. Requirements dropped for this target (see the notes above) are denied by it too: allow them elsewhere (Azure Firewall, Squid), or --set final-deny=none leaves the rule out.';

/**
 * For each requirement, the names the core replaced by service tags, with the tags' names as the Service Tags file
 * writes them (the core's diagnostic names a regional tag by its lowercase region; the requirement's alternatives
 * carry the resolved name).
 */
function substitutions(set: ResolvedRequirementSet, fidelity: readonly Diagnostic[]): Substitutions {
  const out: Substitutions = new Map();
  const byId = new Map(set.requirements.map((r) => [r.id, r]));
  for (const d of fidelity) {
    const p = d.params as { from?: unknown; to?: unknown };
    if (d.code !== 'FIDELITY_WIDENED' || typeof p.from !== 'string' || !Array.isArray(p.to) || !d.requirement) continue;
    const req = byId.get(d.requirement);
    if (!req) continue;
    const to = (p.to as string[]).map((written) => {
      const alt = req.alternatives.find((a) => a.kind === 'service-tag' && (a.region ? `${a.tag}.${a.region}` : a.tag) === written);
      return alt && alt.kind === 'service-tag' ? tagName(alt) : written;
    });
    out.set(req.id, [...(out.get(req.id) ?? []), { from: p.from, to }]);
  }
  return out;
}

function checkLimits(rules: readonly NsgRule[], last: Record<NsgDirection, number>, finalDeny: boolean, options: EmitterOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  const limit = (message: string, hint: string, params: Record<string, unknown>) => out.push({ code: 'EMIT_LIMIT', severity: 'error', message, hint, target: TARGET, params });
  for (const direction of ['Outbound', 'Inbound'] as const) {
    const ceiling = direction === 'Outbound' && finalDeny ? PRIORITY_MAX - 1 : PRIORITY_MAX;
    if (last[direction] > ceiling) {
      const count = rules.filter((r) => r.direction === direction).length;
      limit(
        `${count} ${direction.toLowerCase()} rules need priorities from ${options['priority-start']} to ${last[direction]} by ${options['priority-step']}, past ${ceiling}, the highest an NSG rule${ceiling < PRIORITY_MAX ? ' before the final deny' : ''} can have`,
        'use a smaller --set priority-step or a lower --set priority-start',
        { direction, count, highest: last[direction] },
      );
    }
  }
  const total = rules.length + (finalDeny ? 1 : 0);
  const maxRules = Number(options['max-rules']);
  if (total > maxRules) limit(`${total} security rules are more than ${maxRules}, the most one network security group may hold here`, 'split the requirements over several NSGs (one --catalog or --file each), or raise --set max-rules (at most 1000)', { rules: total, max: maxRules });
  // Every entry counts, a tag or * too; the final deny adds one of each.
  const size = (s: NsgRule['source']) => (s.kind === 'prefixes' ? s.cidrs.length : 1);
  const deny = finalDeny ? 1 : 0;
  const counts = {
    source: rules.reduce((n, r) => n + size(r.source), deny),
    destination: rules.reduce((n, r) => n + size(r.destination), deny),
    'destination port': rules.reduce((n, r) => n + r.ports.length, deny),
  };
  const maxPrefixes = Number(options['max-prefixes']);
  for (const [side, count] of Object.entries(counts)) {
    if (count <= maxPrefixes) continue;
    const what = side === 'destination port' ? 'destination port ranges' : `${side} address prefixes`;
    limit(
      `the rules name ${count} ${what}, more than ${maxPrefixes}, the most one network security group may hold here (Azure: 4000 ${side === 'destination port' ? 'port ranges' : `${side} addresses and ranges`} per NSG)`,
      "an NSG is one per subnet or network interface, so its rules cannot be spread over several: bind groups to fewer, larger prefixes, allow large address lists with --target azure-firewall (IP Groups), or split the requirements over the NSGs of different subnets; --set max-prefixes lowers the limit (at most 4000)",
      { side, count, max: maxPrefixes },
    );
  }
  return out;
}

function packDiagnostic(p: PackProblem, mode: NsgLayout['mode']): Diagnostic {
  const message =
    p.kind === 'resource-bytes'
      ? `${p.label} is ${p.bytes} bytes as an ARM resource definition, more than ${p.max}, the most one may be here (Azure Resource Manager: 1 MB)`
      : `${p.label} needs a template of ${p.bytes} bytes, more than ${p.max}, the most one template may be here`;
  const hint =
    mode === 'nsg'
      ? '--set resource=rules writes each rule as a resource of its own, split over templates as needed (for an existing NSG)'
      : p.kind === 'resource-bytes'
        ? 'raise --set max-resource-bytes (at most 1000000) or --set max-rule-prefixes lower'
        : 'raise --set max-template-bytes (at most 4000000) or --set max-rule-prefixes lower';
  return { code: 'EMIT_LIMIT', severity: 'error', message, hint, target: TARGET, params: { limit: p.kind, bytes: p.bytes, max: p.max } };
}
