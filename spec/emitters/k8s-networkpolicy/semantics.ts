/**
 * What a NetworkPolicy stream allows, as a set of `direction peer protocol ports` facts, and what the requirements
 * ask for minus exactly what the diagnostics say was dropped or replaced, in the same form. The spec compares the
 * two: anything allowed that was not asked for, or asked for and missing without a diagnostic, is a failure.
 *
 * Facts: `egress 192.0.2.0/24 TCP 443-443`, `ingress * UDP 53-53` (any peer), `ingress self any` (the selected pods),
 * `egress 10.0.0.0/8 any` (all traffic). The DNS rule (a namespaceSelector peer) is returned apart. Addresses are
 * compared as sets, not as the prefixes written: per direction and port, both sides' prefixes become the minimal
 * prefixes covering them, computed by the independent reference (spec/helpers/reference-prefixes.ts), so a policy
 * that aggregates, or splits a list over several objects, allows the same facts as the requirements exactly when it
 * allows the same addresses.
 */
import type { Diagnostic, ResolvedEndpoint, ResolvedRequirementSet } from 'fwgen';
import { describeEndpoint } from 'fwgen';
import type { PortSpec } from '../../../lib/model/requirement-set.js';
import ipaddr from 'ipaddr.js';
import { referenceMinimal } from '../../helpers/reference-prefixes.js';

type AnyObject = Record<string, any>;

export interface Allowed {
  facts: Set<string>;
  dnsRules: AnyObject[];
}

export function allowedBy(docs: readonly AnyObject[]): Allowed {
  const facts = new Set<string>();
  const addresses = new Addresses();
  const dnsRules: AnyObject[] = [];
  for (const d of docs) {
    const ownSelector = JSON.stringify(d.spec.podSelector.matchLabels ?? {});
    for (const [dir, peerKey] of [
      ['egress', 'to'],
      ['ingress', 'from'],
    ] as const) {
      for (const rule of (d.spec[dir] ?? []) as AnyObject[]) {
        const peers = rule[peerKey] as AnyObject[] | undefined;
        if (peers?.some((p) => p.namespaceSelector)) {
          dnsRules.push(rule);
          continue;
        }
        const names = peers === undefined ? ['*'] : peers.map((p) => (p.ipBlock ? p.ipBlock.cidr : JSON.stringify(p.podSelector.matchLabels ?? {}) === ownSelector && !p.namespaceSelector ? 'self' : `?${JSON.stringify(p)}`));
        const ports = rule.ports === undefined ? ['any'] : (rule.ports as AnyObject[]).map((p) => `${p.protocol ?? 'TCP'} ${p.port ?? 1}-${p.endPort ?? p.port ?? 65535}`);
        for (const n of names) for (const p of ports) (isCidr(n) ? addresses.add(dir, p, n) : facts.add(`${dir} ${n} ${p}`));
      }
    }
  }
  addresses.into(facts);
  return { facts, dnsRules };
}

const isCidr = (s: string) => /^[0-9a-f.:]+\/[0-9]+$/.test(s);

/** Prefixes per direction and port, turned into facts for the minimal prefixes covering them (the reference's). */
class Addresses {
  private readonly byKey = new Map<string, string[]>();
  add(dir: string, port: string, cidr: string): void {
    const k = `${dir}\n${port}`;
    const list = this.byKey.get(k);
    if (list) list.push(cidr);
    else this.byKey.set(k, [cidr]);
  }
  into(facts: Set<string>): void {
    for (const [k, cidrs] of this.byKey) {
      const [dir, port] = k.split('\n') as [string, string];
      for (const c of referenceMinimal(cidrs)) facts.add(`${dir} ${referenceText(c)} ${port}`);
    }
  }
}

/** A reference key (`family|len|net`) as a canonical CIDR, so facts read like the policy. */
function referenceText(key: string): string {
  const [family, len, net] = key.split('|') as [string, string, string];
  let n = BigInt(net);
  const bytes: number[] = [];
  for (let i = 0; i < (family === '4' ? 4 : 16); i++, n >>= 8n) bytes.unshift(Number(n & 255n));
  return `${ipaddr.fromByteArray(bytes).toString()}/${len}`;
}

/**
 * The facts the requirements ask for, given the diagnostics of the emit. `set` is the expanded set with service tags
 * resolved to prefixes (resolveServiceTags), before the target's fidelity table. Every host destination must be
 * accounted for by a diagnostic (replaced by the vendor's address form, or dropped), else this throws: a name
 * that vanished silently is a bug.
 */
export function askedFor(set: ResolvedRequirementSet, diagnostics: readonly Diagnostic[]): Set<string> {
  const facts = new Set<string>();
  const byAddress = new Addresses();
  const add = (dir: string, peer: string, port: string) => (isCidr(peer) ? byAddress.add(dir, port, peer) : facts.add(`${dir} ${peer} ${port}`));
  for (const req of set.requirements) {
    const mine = diagnostics.filter((d) => d.requirement === req.id);
    const droppedSubject = (subject: string) => mine.some((d) => d.code === 'FIDELITY_DROPPED' && (d.params as AnyObject).subject === subject);
    if (droppedSubject(`${req.direction} requirement`)) continue;
    if ((req.sources ?? []).some((s) => droppedSubject(`source ${describeEndpoint(s)}`))) continue;
    const refused = new Set(mine.filter((d) => d.code === 'FIDELITY_DROPPED' && Array.isArray((d.params as AnyObject).cidrs)).flatMap((d) => (d.params as AnyObject).cidrs as string[]));
    const kept: { addresses: string[]; ports: PortSpec[] }[] = [];
    for (const dest of req.destinations) {
      const e = dest.endpoint;
      const described = describeEndpoint(e);
      if (e.kind === 'host') {
        const replaced = diagnostics.find((d) => d.code === 'FIDELITY_WIDENED' && (d.params as AnyObject).from === described && d.span?.line === dest.span.line && d.span?.col === dest.span.col);
        if (replaced) {
          for (const alt of req.alternatives) kept.push({ addresses: addresses(alt), ports: dest.ports });
          continue;
        }
        if (!droppedSubject(described)) throw new Error(`${req.id}: ${described} is neither replaced nor dropped by any diagnostic`);
        continue;
      }
      if (droppedSubject(described)) continue;
      kept.push({ addresses: addresses(e), ports: dest.ports });
    }
    const portFacts = (ports: PortSpec[]) => (ports.some((p) => p.transport === 'any') ? ['any'] : ports.map((p) => `${p.transport.toUpperCase()} ${p.from}-${p.to}`));
    if (req.direction !== 'inbound') {
      for (const k of kept) for (const a of k.addresses) if (!refused.has(a)) for (const p of portFacts(k.ports)) add('egress', a, p);
    }
    if (req.direction !== 'outbound' && kept.length) {
      const from = req.sources?.length ? req.sources.flatMap(addresses).filter((a) => !refused.has(a)) : [req.direction === 'inbound' ? '*' : 'self'];
      for (const k of kept) for (const a of from) for (const p of portFacts(k.ports)) add('ingress', a, p);
    }
  }
  byAddress.into(facts);
  return facts;
}

function addresses(e: ResolvedEndpoint): string[] {
  if (e.kind === 'cidr') return [e.cidr];
  if (e.kind === 'group') return e.cidrs ?? [];
  if (e.kind === 'service-tag') {
    if (!e.prefixes) throw new Error(`service tag ${describeEndpoint(e)} not resolved`);
    return e.prefixes;
  }
  throw new Error(`no addresses for ${describeEndpoint(e)}`);
}

export function difference(a: Set<string>, b: Set<string>): string[] {
  return [...a].filter((x) => !b.has(x)).sort();
}
