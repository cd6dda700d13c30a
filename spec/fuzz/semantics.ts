/**
 * Exactly what was asked, for the targets whose specs already read an output back into what it allows: the
 * NetworkPolicy facts, the Cilium rules, the PAN-OS rules through their objects, and the Azure flows must equal the
 * requirements changed only as the diagnostics announce (widened, narrowed or dropped), however the output
 * aggregates or splits. Those readers are the target specs' own (spec/emitters/<target>/semantics.ts, flows.ts).
 */
import type { Diagnostic, OutputFile, ResolvedRequirementSet } from '../../lib/index.js';
import { allowedBy, askedFor, difference } from '../emitters/k8s-networkpolicy/semantics.js';
import { checkStream } from '../emitters/k8s-networkpolicy/check.js';
import { checkSemantics } from '../emitters/cilium/semantics.js';
import { parsePolicies } from '../emitters/cilium/check.js';
import { checkPanosSemantics } from '../emitters/panos/semantics.js';
import { parseVsys } from '../emitters/panos/check.js';
import { externalListFiles } from '../emitters/panos/build.js';
import { applyDiagnostics, expectedFlows, firewallTemplateFlows, nsgTemplateFlows, sameAddressFlows, withoutCrossFamily } from '../emitters/azure-common/flows.js';

type Obj = Record<string, unknown>;
type Options = Record<string, string | number | boolean>;

const labels = (s: unknown): Record<string, string> | undefined =>
  typeof s === 'string' && s !== '' ? Object.fromEntries(s.split(',').map((kv) => kv.split('=') as [string, string])) : undefined;

function k8s(set: ResolvedRequirementSet, files: readonly OutputFile[], diagnostics: readonly Diagnostic[]): string[] {
  // An internal requirement whose IPv4-mapped source is dropped from the ingress side keeps its egress side (the
  // selected pods, announced as widened); the reader drops both. Such cases are left to the other checks.
  const mapped = (e: { kind: string; cidr?: string }) => e.kind === 'cidr' && /^::ffff:/i.test(e.cidr ?? '');
  if (set.requirements.some((r) => r.direction === 'internal' && [...(r.sources ?? []), ...r.destinations.map((d) => d.endpoint)].some(mapped))) return [];
  const docs = files.flatMap((f) => checkStream(f.contents));
  const allowed = allowedBy(docs as never);
  const asked = askedFor(set, diagnostics);
  return [...difference(allowed.facts, asked).map((f) => `allowed but not asked for: ${f}`), ...difference(asked, allowed.facts).map((f) => `asked for but not allowed, without a diagnostic: ${f}`)];
}

function cilium(set: ResolvedRequirementSet, files: readonly OutputFile[], diagnostics: readonly Diagnostic[], o: Options): string[] {
  const policies = files.flatMap((f) => parsePolicies(f.contents));
  // The core keeps a destination and port asked twice once, in the first requirement: a rule of the second may then
  // carry a port its own list lost (a1-b2-c3 on TCP/443 to a name alpha asks on 443). Allowed and asked for.
  const askedElsewhere = (p: string) => {
    const m = /^(\S+): port (TCP|UDP)\/(\d+) is not required$/.exec(p);
    if (!m) return false;
    const port = Number(m[3]);
    const transport = m[2]!.toLowerCase();
    return set.requirements.some((r) => r.id !== m[1] && r.destinations.some((d) => d.ports.some((q) => (q.transport === transport || q.transport === 'any') && q.from <= port && port <= q.to)));
  };
  return checkSemanticsFiltered(set, policies, diagnostics, o).filter((p) => !askedElsewhere(p));
}

function checkSemanticsFiltered(set: ResolvedRequirementSet, policies: ReturnType<typeof parsePolicies>, diagnostics: readonly Diagnostic[], o: Options): string[] {
  return checkSemantics(set, policies.length ? policies : undefined, diagnostics, {
    ...(labels(o.selector) ? { selector: labels(o.selector) } : {}),
    ...(o['group-label'] ? { groupLabel: String(o['group-label']) } : {}),
    doubleStar: o['double-star'] === true,
    dnsLookups: o['dns-lookups'] === 'all' ? 'all' : 'required',
  }).problems;
}

function panos(set: ResolvedRequirementSet, files: readonly OutputFile[], diagnostics: readonly Diagnostic[], o: Options): string[] {
  const xml = files.find((f) => f.path === 'panos.xml')!.contents;
  const problems = checkPanosSemantics(set, parseVsys(xml).entry, diagnostics, {
    externalLists: externalListFiles(xml, files),
    ...(o['from-zone'] ? { fromZone: String(o['from-zone']) } : {}),
    ...(o['to-zone'] ? { toZone: String(o['to-zone']) } : {}),
  }).problems;
  // ssh:22 beside tcp:1-65535 (or udp:4500 beside any) in one requirement: web traffic on that port is asked for by
  // the wider port, not a leak.
  return problems.filter((p) => {
    const m = /^(\S+): .* on (tcp|udp)\/(\d+): allowed by a URL category on a non-web port$/.exec(p);
    if (!m) return true;
    const req = set.requirements.find((r) => r.id === m[1]);
    const port = Number(m[3]);
    // Another port of the requirement asks for it (all traffic, or a TCP range): web traffic on it is asked for.
    return !req?.destinations.some((d) => d.ports.some((q) => q.transport === 'any' || (q.transport === 'tcp' && q.protocol !== 'ssh' && q.from <= port && port <= q.to)));
  });
}

function azure(target: 'azure-firewall' | 'azure-nsg', set: ResolvedRequirementSet, files: readonly OutputFile[], diagnostics: readonly Diagnostic[]): string[] {
  // Terraform is read back by the azure-firewall spec with its own reader; the fuzz suite compares ARM only.
  if (files.some((f) => !f.path.endsWith('.json'))) return [];
  const { flows, unmatched } = applyDiagnostics(expectedFlows(set, target), diagnostics, set, target);
  const problems = unmatched.map((d) => `diagnostic that matches no flow: ${d.message}`);
  const resources = files.flatMap((f) => ((JSON.parse(f.contents) as Obj).resources ?? []) as Obj[]);
  const written = target === 'azure-firewall' ? firewallTemplateFlows({ resources }) : nsgTemplateFlows({ resources });
  const [actual, expected] = sameAddressFlows(written, target === 'azure-nsg' ? withoutCrossFamily(flows) : flows);
  // Compared by coverage, since overlapping requirements (an unbound group's `*` beside a prefix, tcp:1-65535 beside
  // https:443) may be written as one broader flow that each asked-for flow lies in.
  problems.push(...uncovered(actual!, expected!).map((x) => `allowed but not asked for: ${x}`), ...uncovered(expected!, actual!).map((x) => `asked for but not allowed, without a diagnostic: ${x}`));
  return problems;
}

/** Flow keys `DIR SRC -> DST PROTO/PORT` of `a` that no flow of `b` covers (same or `*` source, protocol, port). */
function uncovered(a: readonly string[], b: readonly string[]): string[] {
  const parse = (k: string) => {
    const m = /^(\S+) (\S+) -> (\S+) ([^/\s]+)\/(\S+)$/.exec(k);
    if (!m) throw new Error(`flow key ${k}`);
    return { dir: m[1]!, src: m[2]!, dst: m[3]!, proto: m[4]!, port: m[5]! };
  };
  const byPair = new Map<string, ReturnType<typeof parse>[]>();
  for (const g of b.map(parse)) {
    const key = `${g.dir} ${g.dst}`;
    const list = byPair.get(key);
    if (list) list.push(g);
    else byPair.set(key, [g]);
  }
  const any = (x: string) => x === '*' || /^any$/i.test(x);
  const inRange = (inner: string, outer: string) => {
    if (any(outer) || inner === outer) return true;
    const [a1, a2 = a1] = inner.split('-').map(Number);
    const [b1, b2 = b1] = outer.split('-').map(Number);
    return b1! <= a1! && a2! <= b2!;
  };
  return a.filter((k) => {
    const f = parse(k);
    return !(byPair.get(`${f.dir} ${f.dst}`) ?? []).some((g) => (any(g.src) || g.src === f.src) && (any(g.proto) || g.proto.toLowerCase() === f.proto.toLowerCase()) && inRange(f.port, g.port));
  });
}

/** Differences between what the output allows and what was asked; empty for targets this does not read. */
export function semanticProblems(target: string, set: ResolvedRequirementSet, files: readonly OutputFile[], diagnostics: readonly Diagnostic[], options: Options): string[] {
  // The readers predate host paths (`api.example.com/path`) and label wildcards (`a*.example.com`): such a case is
  // checked by the rest of the suite (engines, schemas, twin, names and addresses given) but not read back here.
  if (set.requirements.some((r) => r.destinations.some((d) => d.endpoint.kind === 'host' && (d.endpoint.path !== undefined || d.endpoint.match === 'label-wildcard')))) return [];
  try {
    switch (target) {
      case 'k8s-networkpolicy':
        return k8s(set, files, diagnostics);
      case 'cilium':
        return cilium(set, files, diagnostics, options);
      case 'panos':
        return panos(set, files, diagnostics, options);
      case 'azure-firewall':
      case 'azure-nsg':
        return azure(target, set, files, diagnostics);
      default:
        return [];
    }
  } catch (e) {
    return [`reading the output back failed: ${(e as Error).message}`];
  }
}
