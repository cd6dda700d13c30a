import type { Emitter, EmitterOptions, FidelityTable } from '../../emit/emitter.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import { InternalError } from '../../model/diagnostic.js';
import type { ResolvedRequirement } from '../../model/resolved.js';
import { describeEndpoint } from '../../model/describe.js';
import { loadTemplates } from '../../emit/templates.js';
import { endpointAddresses } from '../../emit/addresses.js';
import { hashComment, identifier } from './escape.js';
import { capNotes, provenanceTexts } from '../../emit/text.js';
import { planRequirement, ruleText, type RequirementPlan } from './plan.js';
import templateSpecs from './templates.js';
import { addressOnlyFidelity } from '../../emit/fidelity-presets.js';

const fidelity: FidelityTable = addressOnlyFidelity('nftables');

type ChainName = 'input' | 'forward' | 'output';

/** Which base chains a requirement's rules go in: on the host itself, or on a router between the systems and the rest. */
function chainsFor(req: ResolvedRequirement, mode: string): ChainName[] {
  if (mode === 'forward') return ['forward'];
  if (req.direction === 'outbound') return ['output'];
  if (req.direction === 'inbound') return ['input'];
  return ['input', 'output'];
}

/**
 * Accepted before any requirement when the chain refuses the rest: replies, loopback, and the IPv6 link control
 * without which IPv6 stops working: neighbour and router discovery, and multicast listener queries and reports
 * (switches that snoop MLD stop forwarding neighbour solicitations to a host that never reports).
 */
function firstRules(chain: ChainName): string[] {
  const rules = ['ct state established,related accept'];
  if (chain === 'input') rules.push('iifname "lo" accept');
  if (chain === 'output') rules.push('oifname "lo" accept');
  if (chain !== 'forward') rules.push(`icmpv6 type { ${IPV6_LINK.join(', ')} } accept`);
  return rules;
}

const IPV6_LINK = ['nd-neighbor-solicit', 'nd-neighbor-advert', 'nd-router-solicit', 'nd-router-advert', 'mld-listener-query', 'mld-listener-report', 'mld2-listener-report'];

const REJECT = ['meta l4proto tcp reject with tcp reset', 'reject with icmpx type admin-prohibited'];

/**
 * nftables: one `table inet` script for `nft -f`. Each requirement gets named interval sets of its addresses (one per
 * side, family and port set) and one rule per family and transport, in the base chains its direction needs.
 */
const nftables: Emitter = {
  id: 'nftables',
  describe: 'an nft -f script: table inet fwgen with interval sets',
  defaultFile: 'fwgen.nft',
  fidelity,
  usesAlternatives: true,
  serviceTags: 'prefixes',
  options: {
    mode: {
      type: 'string',
      choices: ['host', 'forward'],
      default: 'host',
      describe: 'host: chains output (outbound), input (inbound) and both (internal) on the systems themselves; forward: one forward chain on a router in front of them',
    },
    policy: {
      type: 'string',
      choices: ['drop', 'reject', 'accept'],
      default: 'drop',
      describe: 'what happens to traffic no requirement allows: drop it, reject it (TCP reset, ICMP admin-prohibited), or accept it (rules only mark what is required)',
    },
    essentials: {
      type: 'boolean',
      default: true,
      describe: 'with policy drop or reject, first accept replies (ct state established,related), loopback, and IPv6 neighbour discovery and multicast listener messages',
    },
    counters: { type: 'boolean', default: false, describe: 'count packets and bytes on every requirement rule' },
    table: { type: 'string', default: 'fwgen', pattern: '^fwgen[a-z0-9_]{0,27}$', describe: 'name of the inet table the script replaces (fwgen followed by letters, digits, _)' },
  },
  emit(set, options, context) {
    const templates = loadTemplates(templateSpecs as Record<'script', unknown>);
    const diagnostics: Diagnostic[] = [];
    const plans: RequirementPlan[] = [];
    for (const req of set.requirements) {
      const why = nameSource(req);
      if (why) {
        diagnostics.push(why);
        continue;
      }
      const plan = planRequirement(req);
      if (plan.rules.length === 0) diagnostics.push(noRule(req));
      else plans.push(plan);
    }
    const view = scriptView(plans, options, context.header, [...context.fidelity, ...diagnostics]);
    return { files: [{ path: 'fwgen.nft', contents: templates.script(view).trimEnd() + '\n' }], diagnostics };
  },
};

export default nftables;

function scriptView(plans: RequirementPlan[], options: EmitterOptions, header: string[], notes: Diagnostic[]) {
  const policy = String(options.policy);
  const refuses = policy !== 'accept';
  const counters = options.counters === true;
  const sets = plans.flatMap((p) => p.sets);
  checkUnique(sets.map((s) => s.name));
  const order: ChainName[] = ['input', 'forward', 'output'];
  const chains = order
    .map((name) => {
      const rules = plans
        .filter((p) => chainsFor(p.requirement, String(options.mode)).includes(name))
        .map((p) => ({
          id: hashComment(p.requirement.id),
          ...(p.requirement.purpose ? { purpose: hashComment(p.requirement.purpose) } : {}),
          provenance: provenanceLines(p.requirement),
          lines: p.rules.map((r) => ruleText(r, counters)),
        }));
      return {
        name,
        policy: refuses ? 'drop' : 'accept',
        first: refuses && options.essentials === true ? firstRules(name) : [],
        rules,
        last: policy === 'reject' ? REJECT : [],
      };
    })
    .filter((c) => c.rules.length);
  return {
    table: identifier(String(options.table)),
    header: header.map(hashComment),
    dropPolicy: refuses,
    reject: policy === 'reject',
    notes: capNotes(notes.map((d) => d.message)).map(hashComment),
    sets: sets.map((s) => ({
      name: s.name,
      type: s.family === 4 ? 'ipv4_addr' : 'ipv6_addr',
      comment: hashComment(`${s.name.startsWith('src') ? 'sources' : 'destinations'}: ${s.describes}`),
      // Joined here, not with #each in the template: one frame per element adds up at 100,000 prefixes.
      elements: s.elements.map((e) => `\t\t\t${e},`).join('\n'),
    })),
    chains,
  };
}

function provenanceLines(req: ResolvedRequirement): string[] {
  return [...new Set(provenanceTexts(req, true).map(hashComment))];
}

function checkUnique(names: string[]): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new InternalError(`set name ${n} is used twice`);
    seen.add(n);
  }
}

/** A host name as a source: nftables matches addresses only, and names are never resolved, so the requirement goes. */
function nameSource(req: ResolvedRequirement): Diagnostic | undefined {
  const bad = (req.sources ?? []).find((s) => s.kind === 'host');
  if (!bad) return undefined;
  return {
    code: 'FIDELITY_DROPPED',
    severity: 'warning',
    message: `${req.id}: requirement dropped: its source ${describeEndpoint(bad)} is a host name, and nftables matches addresses only`,
    hint: 'give the source as CIDRs or a bound endpoint group (--bind GROUP=CIDR,...), or use --target squid or cilium',
    span: req.span,
    target: 'nftables',
    requirement: req.id,
    provenance: req.provenance,
    params: { feature: 'source-cidr', level: 'drop', subject: `source ${describeEndpoint(bad)}` },
  };
}

/** A requirement whose sources and destinations share no address family (or have no addresses) yields no rule. */
function noRule(req: ResolvedRequirement): Diagnostic {
  const fams = (eps: { v4: string[]; v6: string[] }[]) => {
    const f = [eps.some((a) => a.v4.length) ? 'IPv4' : '', eps.some((a) => a.v6.length) ? 'IPv6' : ''].filter(Boolean);
    return f.length ? f.join(' and ') : 'no addresses';
  };
  const src = req.sources?.length ? fams(req.sources.map(endpointAddresses)) : 'any';
  const dst = fams(req.destinations.map((d) => endpointAddresses(d.endpoint)));
  return {
    code: 'FIDELITY_DROPPED',
    severity: 'warning',
    message: `${req.id}: requirement dropped: no rule can match it (sources: ${src}; destinations: ${dst})`,
    hint: 'bind groups to addresses of the family the other side uses, or check the Service Tags file',
    span: req.span,
    target: 'nftables',
    requirement: req.id,
    provenance: req.provenance,
    params: { feature: 'cidr', level: 'drop', subject: 'requirement' },
  };
}
