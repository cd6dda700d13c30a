import type { EmitContext, Emitter, EmitterOptions, FidelityTable, OutputFile } from '../../emit/emitter.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import { loadTemplates } from '../../emit/templates.js';
import { chainName, iptToken, lineComment, ruleComment } from './escape.js';
import { planRules, type ChainRole, type Family, type IpSet, type Plan } from './plan.js';
import templateSpecs from './templates.js';
import { addressOnlyFidelity } from '../../emit/fidelity-presets.js';
import { capNotes } from '../../emit/text.js';

/** Addresses and ports are all iptables matches; names are not. */
const fidelity: FidelityTable = addressOnlyFidelity('iptables');

const FILES: Record<Family, string> = { 4: 'iptables.rules', 6: 'ip6tables.rules' };
const SETS_FILE = 'ipset.restore';
const BUILTINS = ['INPUT', 'FORWARD', 'OUTPUT'];

type Final = 'reject' | 'drop' | 'return';

interface Settings {
  egressFrom: 'OUTPUT' | 'FORWARD';
  ingressFrom: 'INPUT' | 'FORWARD';
  final: Final;
  ingressFinal: Final;
  flushTable: boolean;
  prefix: string;
  threshold: number;
  maxelem: number;
}

/**
 * iptables: an iptables-restore file and an ip6tables-restore file with chains of their own (egress jumped to from
 * OUTPUT or FORWARD, ingress from INPUT or FORWARD), and an `ipset restore` file for address lists longer than the
 * threshold. See lib/emitters/iptables/README.md.
 */
const iptables: Emitter = {
  id: 'iptables',
  describe: 'iptables-restore and ip6tables-restore rules with ipset sets',
  defaultFile: FILES[4],
  fidelity,
  usesAlternatives: true,
  serviceTags: 'prefixes',
  options: {
    'egress-chain': { type: 'string', choices: ['OUTPUT', 'FORWARD'], default: 'OUTPUT', describe: 'built-in chain that jumps to the egress chain: OUTPUT (this host) or FORWARD (a gateway)' },
    'ingress-chain': { type: 'string', choices: ['INPUT', 'FORWARD'], default: 'INPUT', describe: 'built-in chain that jumps to the ingress chain: INPUT (this host) or FORWARD (a gateway)' },
    final: {
      type: 'string',
      choices: ['reject', 'drop', 'return'],
      default: 'reject',
      describe: 'what the egress chain does with traffic no requirement allows: reject (fails at once), drop, or return (to the built-in chain and its policy)',
    },
    'ingress-final': {
      type: 'string',
      choices: ['reject', 'drop', 'return'],
      default: 'drop',
      describe: 'what the ingress chain does with traffic no requirement allows: drop (tells the sender nothing), reject, or return',
    },
    flush: {
      type: 'string',
      choices: ['table', 'chains'],
      default: 'table',
      describe: 'table: a full filter table for iptables-restore (replaces every filter rule); chains: only the fwgen chains, for iptables-restore --noflush (the jumps are added once by hand)',
    },
    'ipset-threshold': { type: 'integer', default: 8, min: 0, max: 1_000_000, describe: 'an address list with more prefixes than this becomes an ipset set' },
    'ipset-maxelem': {
      type: 'integer',
      default: 65536,
      min: 1,
      max: 2 ** 31,
      describe: "maxelem of every hash:net set (ipset's default is 65536, the most entries a set takes); a set with more prefixes gets it doubled until they fit",
    },
    'name-prefix': { type: 'string', default: 'fwgen', pattern: '^[a-z][a-z0-9]{0,11}$', describe: 'prefix of chain names (upper case) and set names' },
  },
  emit(set, options, context) {
    const s = settings(options);
    const plan = planRules(set.requirements, { threshold: s.threshold, prefix: s.prefix });
    if (!plan.chains.egress && !plan.chains.ingress) {
      const dropped = new Set([...context.fidelity, ...plan.diagnostics].filter((d) => d.code === 'FIDELITY_DROPPED' && d.requirement).map((d) => d.requirement));
      const none: Diagnostic = {
        code: 'FIDELITY_DROPPED',
        severity: 'error',
        message: `no requirement is left for iptables to allow (${dropped.size} dropped, see the warnings), so nothing is written: an allowlist that allows nothing would only cut the systems off`,
        hint: 'use --target squid (or a Cilium toFQDNs policy) for requirements given by name, or give them the vendor address form as alternatives',
        target: 'iptables',
        params: { dropped: dropped.size },
      };
      return { files: [], diagnostics: [...plan.diagnostics, none] };
    }
    const templates = loadTemplates(templateSpecs as Record<'rules' | 'ipset', unknown>);
    const notes = capNotes([...context.fidelity, ...plan.diagnostics].map((d) => d.message)).map(lineComment);
    const files: OutputFile[] = [];
    if (plan.sets.length) files.push({ path: SETS_FILE, contents: templates.ipset(ipsetView(plan.sets, s.maxelem, context)).trimEnd() + '\n' });
    for (const family of [4, 6] as const) files.push({ path: FILES[family], contents: templates.rules(rulesView(plan, family, s, context, notes)).trimEnd() + '\n' });
    return { files: files.sort((a, b) => (a.path === FILES[4] ? -1 : b.path === FILES[4] ? 1 : a.path < b.path ? -1 : 1)), diagnostics: plan.diagnostics };
  },
};

export default iptables;

function settings(o: EmitterOptions): Settings {
  return {
    egressFrom: o['egress-chain'] === 'FORWARD' ? 'FORWARD' : 'OUTPUT',
    ingressFrom: o['ingress-chain'] === 'FORWARD' ? 'FORWARD' : 'INPUT',
    final: finalOption(o.final, 'reject'),
    ingressFinal: finalOption(o['ingress-final'], 'drop'),
    flushTable: o.flush !== 'chains',
    prefix: String(o['name-prefix'] ?? 'fwgen'),
    threshold: Number(o['ipset-threshold'] ?? 8),
    maxelem: Number(o['ipset-maxelem'] ?? MAXELEM),
  };
}

function finalOption(v: unknown, fallback: Final): Final {
  return v === 'reject' || v === 'drop' || v === 'return' ? v : fallback;
}

interface ChainView {
  name: string;
  from: string;
  about: string;
  preamble: string[];
  blocks: Plan['blocks'][Family][ChainRole];
  final: string[];
}

function rulesView(plan: Plan, family: Family, s: Settings, context: EmitContext, notes: string[]) {
  const cmd = family === 4 ? 'iptables' : 'ip6tables';
  const chains: ChainView[] = [];
  const shared = s.egressFrom === 'FORWARD' && s.ingressFrom === 'FORWARD' && plan.chains.egress && plan.chains.ingress;
  // Jump order: ingress first, so that when both hang off FORWARD the ingress chain can return what it does not
  // allow and the egress chain's final policy decides (the union of both allowlists).
  if (plan.chains.ingress) {
    const name = chainName(s.prefix, 'INGRESS');
    const final = shared ? 'return' : s.ingressFinal;
    chains.push({
      name,
      from: s.ingressFrom,
      about: `inbound and internal requirements, jumped to from ${s.ingressFrom}; ends with ${final}${shared ? ' so that the egress chain, also jumped to from FORWARD, decides' : ''}`,
      preamble: preamble(family, s.ingressFrom),
      blocks: plan.blocks[family].ingress,
      final: finalRules(family, final),
    });
  }
  if (plan.chains.egress) {
    chains.push({
      name: chainName(s.prefix, 'EGRESS'),
      from: s.egressFrom,
      about: `outbound and internal requirements, jumped to from ${s.egressFrom}; ends with ${s.final}`,
      preamble: preamble(family, s.egressFrom),
      blocks: plan.blocks[family].egress,
      final: finalRules(family, s.final),
    });
  }
  const jumps = chains.map((c) => `-A ${c.from} -j ${c.name}`);
  for (const c of chains) c.about = lineComment(`${c.name}: ${c.about}`);
  const sets = plan.sets.filter((x) => x.family === family);
  const about = s.flushTable
    ? [
        `Load${sets.length ? ` after ${SETS_FILE}` : ''} with: ${cmd}-restore ${FILES[family]}`,
        'This is the whole filter table: loading it replaces every filter rule (built-in chains ACCEPT, the fwgen chains',
        'below decide), and loading it again gives the same rules. To keep other rules, use --set flush=chains.',
      ]
    : [
        `Load${sets.length ? ` after ${SETS_FILE}` : ''} with: ${cmd}-restore --noflush ${FILES[family]}`,
        'This holds only the fwgen chains: loading it replaces their rules and leaves every other rule alone.',
        'The jumps are not in this file (a reload would add them twice); add each once:',
        ...chains.map((c, i) => {
          // Inserted in the same order as the table form appends them: ingress before egress in a shared chain.
          const position = chains.slice(0, i + 1).filter((x) => x.from === c.from).length;
          return `  ${cmd} -C ${c.from} -j ${c.name} 2>/dev/null || ${cmd} -I ${c.from} ${position} -j ${c.name}`;
        }),
      ];
  return {
    header: context.header.map(lineComment),
    about: about.map(lineComment),
    notes,
    table: s.flushTable,
    builtins: BUILTINS,
    chains,
    jumps: s.flushTable ? jumps : [],
  };
}

/** What every fwgen chain lets through first: loopback, replies to allowed traffic, and IPv6 neighbour discovery. */
function preamble(family: Family, from: string): string[] {
  const out: string[] = [];
  const comment = (text: string) => `-m comment --comment ${ruleComment(text)}`;
  if (from === 'OUTPUT') out.push(`-o lo ${comment('fwgen: loopback')} -j ACCEPT`);
  if (from === 'INPUT') out.push(`-i lo ${comment('fwgen: loopback')} -j ACCEPT`);
  out.push(`-m conntrack --ctstate ESTABLISHED,RELATED ${comment('fwgen: replies and related traffic')} -j ACCEPT`);
  if (family === 6 && from !== 'FORWARD') {
    // Without neighbour discovery no IPv6 address on the link can be reached at all; hop limit 255 proves the
    // packet was not routed (RFC 4861).
    for (const type of ['router-solicitation', 'router-advertisement', 'neighbour-solicitation', 'neighbour-advertisement']) {
      out.push(`-p ipv6-icmp -m icmp6 --icmpv6-type ${iptToken(type)} -m hl --hl-eq 255 ${comment('fwgen: IPv6 neighbour discovery')} -j ACCEPT`);
    }
  }
  return out;
}

function finalRules(family: Family, final: Final): string[] {
  const comment = `-m comment --comment ${ruleComment(`fwgen: final ${final}`)}`;
  if (final === 'drop') return [`${comment} -j DROP`];
  if (final === 'return') return [`${comment} -j RETURN`];
  return [`-p tcp ${comment} -j REJECT --reject-with tcp-reset`, `${comment} -j REJECT --reject-with ${family === 4 ? 'icmp-port-unreachable' : 'icmp6-port-unreachable'}`];
}

/**
 * ipset's default maxelem, the most entries a hash set takes (ipset(8), "maxelem"); a bigger set gets it doubled until
 * it fits, so its `create` line rarely changes.
 */
const MAXELEM = 65536;

function ipsetView(sets: readonly IpSet[], least: number, context: EmitContext) {
  return {
    header: context.header.map(lineComment),
    sets: sets.map((x) => {
      let maxelem = least;
      const name = iptToken(x.name);
      while (maxelem < x.cidrs.length) maxelem *= 2;
      return {
        name,
        family: x.family === 4 ? 'inet' : 'inet6',
        maxelem,
        about: lineComment(`${x.cidrs.length} IPv${x.family} prefixes, for ${x.usedBy.join(', ')}`),
        // One `add` line per prefix, joined here: an #each in the template allocates a frame per entry (74,588 at
        // 100,000 prefixes).
        adds: x.cidrs.map((c) => `add ${name} ${iptToken(c)} -exist`).join('\n'),
      };
    }),
  };
}
