/**
 * Semantic check for the Azure targets: the set of flows (direction, source, destination, protocol, port) a template
 * allows, read back from its JSON, against the flows the requirements ask for, changed only as the diagnostics say.
 *
 * Expected flows come from the resolved requirements (service tags resolved with the same Service Tags file).
 * Each fidelity diagnostic of the run is then applied to them, by requirement and by its subject (the core's and the
 * emitters' diagnostics share params.subject: `outbound requirement`, `source X`, `X`, `X on tcp:443, udp:53`):
 * drop removes flows, widen replaces an unbound source by `*` or names by the vendor's tags, narrow rewrites a port
 * as the emitter wrote it (params.written). A diagnostic that changes nothing (a widening in how a rule matches, not
 * in what it names) must still match some flow. What is left must equal the template's flows exactly.
 */
import type { Diagnostic } from '../../../lib/model/diagnostic.js';
import type { PortSpec } from '../../../lib/model/requirement-set.js';
import type { ResolvedEndpoint, ResolvedRequirement, ResolvedRequirementSet } from '../../../lib/model/resolved.js';
import { describeEndpoint } from '../../../lib/model/describe.js';
import { formatPort } from '../../../lib/model/port.js';
import ipaddr from 'ipaddr.js';

export interface Flow {
  /** The expected flow this one came from (a name replaced by several tags keeps its id). */
  id: number;
  req: string;
  srcDesc: string;
  dstDesc: string;
  portDesc: string;
  dir: string;
  src: string;
  dst: string;
  proto: string;
  port: string;
}

type Target = 'azure-firewall' | 'azure-nsg';
type Obj = Record<string, unknown>;

export const flowKey = (f: Pick<Flow, 'dir' | 'src' | 'dst' | 'proto' | 'port'>) => `${f.dir} ${f.src} -> ${f.dst} ${f.proto}/${f.port}`;

const portText = (p: PortSpec) => (p.transport === 'any' || (p.from === 1 && p.to === 65535) ? '*' : p.from === p.to ? String(p.from) : `${p.from}-${p.to}`);
const tagName = (e: Extract<ResolvedEndpoint, { kind: 'service-tag' }>) => `tag:${e.resolvedName ?? e.tag}`;

function sources(req: ResolvedRequirement, target: Target): { desc: string; value: string }[] {
  if (!req.sources?.length) return [{ desc: '*', value: '*' }];
  return req.sources.flatMap((s) => {
    const desc = describeEndpoint(s);
    if (s.kind === 'cidr') return [{ desc, value: s.cidr }];
    if (s.kind === 'group') return s.cidrs ? s.cidrs.map((c) => ({ desc, value: c })) : [{ desc, value: `group:${s.group}` }];
    if (s.kind === 'service-tag') return target === 'azure-nsg' ? [{ desc, value: tagName(s) }] : (s.prefixes ?? []).map((c) => ({ desc, value: c }));
    return [{ desc, value: `host:${desc}` }];
  });
}

function destinations(e: ResolvedEndpoint, target: Target): string[] {
  switch (e.kind) {
    case 'host':
      if (target === 'azure-nsg') return [`host:${describeEndpoint(e)}`];
      return e.match === 'exact' ? [`fqdn:${e.name}`] : e.match === 'subdomains' ? [`fqdn:*.${e.name}`] : [`fqdn:${e.name}`, `fqdn:*.${e.name}`];
    case 'cidr':
      return [e.cidr];
    case 'group':
      return e.cidrs ?? [`group:${e.group}`];
    case 'service-tag':
      return [tagName(e)];
  }
}

function protocolPort(e: ResolvedEndpoint, p: PortSpec, target: Target): [string, string] {
  if (target === 'azure-nsg') return p.transport === 'any' ? ['*', '*'] : [p.transport === 'udp' ? 'Udp' : 'Tcp', portText(p)];
  if (e.kind === 'host' && p.transport === 'tcp' && p.from === p.to && p.from <= 64000 && (p.protocol === 'http' || p.protocol === 'https')) return [p.protocol === 'http' ? 'Http' : 'Https', String(p.from)];
  return p.transport === 'any' ? ['Any', '*'] : [p.transport.toUpperCase(), portText(p)];
}

/** What the requirements ask for, before any target's limits. */
export function expectedFlows(set: ResolvedRequirementSet, target: Target): Flow[] {
  const out: Flow[] = [];
  for (const req of set.requirements) {
    const dirs = target === 'azure-firewall' ? ['-'] : req.direction === 'outbound' ? ['Outbound'] : req.direction === 'inbound' ? ['Inbound'] : ['Outbound', 'Inbound'];
    for (const dir of dirs) {
      for (const s of sources(req, target)) {
        for (const d of req.destinations) {
          for (const dst of destinations(d.endpoint, target)) {
            for (const p of d.ports) {
              const [proto, port] = protocolPort(d.endpoint, p, target);
              out.push({ id: out.length, req: req.id, srcDesc: s.desc, dstDesc: describeEndpoint(d.endpoint), portDesc: formatPort(p), dir, src: s.value, dst, proto, port });
            }
          }
        }
      }
    }
  }
  return out;
}

/**
 * Applies the run's diagnostics to the expected flows. Returns the flows and the fidelity diagnostics that matched
 * no flow (there must be none: a diagnostic about nothing is as wrong as a silent change).
 */
export function applyDiagnostics(flows: Flow[], diagnostics: readonly Diagnostic[], set: ResolvedRequirementSet, target: Target): { flows: Flow[]; unmatched: Diagnostic[] } {
  let current = flows;
  const unmatched: Diagnostic[] = [];
  for (const d of diagnostics) {
    if (d.target !== target || !d.requirement) continue;
    const req = set.requirements.find((r) => r.id === d.requirement);
    const p = d.params as { subject?: string; level?: string; from?: string; to?: string[]; written?: string; role?: string };
    // Matched against the flows as asked for, so the order in which diagnostics are applied does not matter.
    const mine = flows.filter((f) => f.req === d.requirement);
    let hit: Flow[];
    let apply: (f: Flow) => Flow[] = (f) => [f];
    if (d.code === 'SAFETY_OVERBROAD') {
      hit = mine.filter((f) => f.src.startsWith('group:') || f.src === '*');
    } else if (d.code === 'FIDELITY_WIDENED' && p.from !== undefined && p.to) {
      // Names replaced by the vendor's service tags.
      hit = mine.filter((f) => f.dstDesc === p.from);
      const tags = p.to.map((written) => {
        const alt = req!.alternatives.find((a) => a.kind === 'service-tag' && (a.region ? `${a.tag}.${a.region}` : a.tag) === written);
        return alt && alt.kind === 'service-tag' ? tagName(alt) : `tag:${written}`;
      });
      apply = (f) => tags.map((t) => ({ ...f, dst: t }));
    } else if (p.subject !== undefined) {
      const subject = p.subject;
      const whole = /^(outbound|inbound|internal) requirement$/.test(subject);
      const source = subject.startsWith('source ') ? subject.slice('source '.length) : undefined;
      hit = mine.filter((f) => {
        if (whole) return true;
        if (source !== undefined) return f.srcDesc === source;
        if (subject === f.dstDesc) return true;
        const prefix = `${f.dstDesc} on `;
        return subject.startsWith(prefix) && subject.slice(prefix.length).split(', ').includes(f.portDesc);
      });
      if (p.level === 'drop' || p.level === 'error') {
        // A dropped source drops the whole requirement.
        if (source !== undefined && hit.length) hit = mine;
        apply = () => [];
      } else if (p.level === 'widen' && source !== undefined) {
        apply = (f) => [{ ...f, src: '*' }];
      } else if (p.level === 'narrow' && p.written) {
        const [proto, port] = p.written.split(':') as [string, string];
        apply = (f) => [{ ...f, proto, port }];
      }
    } else continue;
    if (hit.length === 0) unmatched.push(d);
    const ids = new Set(hit.map((f) => f.id));
    current = current.flatMap((f) => (ids.has(f.id) ? apply(f) : [f]));
  }
  return { flows: current, unmatched };
}

/** Flows between an IPv4 and an IPv6 prefix cannot exist; a target need not (and the NSG does not) write them. */
export function withoutCrossFamily(flows: Flow[]): Flow[] {
  const fam = (x: string) => (/^[0-9a-f:.]+\/\d+$/i.test(x) ? (x.includes(':') ? 6 : 4) : 0);
  return flows.filter((f) => !(fam(f.src) && fam(f.dst) && fam(f.src) !== fam(f.dst)));
}

/** Keys of the flows, with those that an every-port or every-protocol flow of the same pair already covers left out. */
export function normalise(keys: Iterable<{ dir: string; src: string; dst: string; proto: string; port: string }>): string[] {
  const all = [...keys];
  const has = new Set(all.map(flowKey));
  const covered = (f: { dir: string; src: string; dst: string; proto: string; port: string }) =>
    (f.port !== '*' && has.has(flowKey({ ...f, port: '*' }))) ||
    (f.proto !== '*' && f.proto !== 'Any' && (has.has(flowKey({ ...f, proto: '*', port: '*' })) || has.has(flowKey({ ...f, proto: 'Any', port: '*' }))));
  return [...new Set(all.filter((f) => !covered(f)).map(flowKey))].sort();
}

const addressValue = (x: string) => (x === '*' || x.includes('/') ? x : `tag:${x}`);
const list = (single: unknown, plural: unknown) => (plural !== undefined ? (plural as string[]) : [single as string]);

/** The flows an azure-firewall template allows. */
export function firewallTemplateFlows(template: Obj): { dir: string; src: string; dst: string; proto: string; port: string }[] {
  const out: { dir: string; src: string; dst: string; proto: string; port: string }[] = [];
  const resources = template.resources as Obj[];
  // IP Group references resolved to the groups' addresses (the groups of all parts, for a split output).
  const groups = new Map<string, string[]>();
  for (const res of resources) if (res.type === 'Microsoft.Network/ipGroups') groups.set(String(res.name), ((res.properties as Obj).ipAddresses ?? []) as string[]);
  const resolve = (refs: unknown) =>
    ((refs ?? []) as string[]).flatMap((ref) => {
      const name = /^\[resourceId\('Microsoft\.Network\/ipGroups', '([^']+)'\)\]$/.exec(ref)?.[1];
      const entries = name === undefined ? undefined : groups.get(name);
      if (!entries) throw new Error(`unresolved IP Group reference ${ref}`);
      return entries;
    });
  for (const res of resources) {
    for (const c of ((res.properties as Obj).ruleCollections ?? []) as Obj[]) {
      if ((c.action as Obj).type !== 'Allow') continue;
      for (const r of c.rules as Obj[]) {
        for (const src of [...((r.sourceAddresses ?? []) as string[]), ...resolve(r.sourceIpGroups)]) {
          if (r.ruleType === 'ApplicationRule') {
            for (const f of r.targetFqdns as string[]) for (const p of r.protocols as Obj[]) out.push({ dir: '-', src, dst: `fqdn:${f}`, proto: String(p.protocolType), port: String(p.port) });
          } else {
            const dsts = [...((r.destinationAddresses ?? []) as string[]).map(addressValue), ...resolve(r.destinationIpGroups), ...((r.destinationFqdns ?? []) as string[]).map((f) => `fqdn:${f}`)];
            for (const dst of dsts) for (const proto of r.ipProtocols as string[]) for (const port of r.destinationPorts as string[]) out.push({ dir: '-', src, dst, proto, port });
          }
        }
      }
    }
  }
  return out;
}

/** The flows an azure-nsg template allows (Allow rules only; the final Deny is checked apart). */
export function nsgTemplateFlows(template: Obj): { dir: string; src: string; dst: string; proto: string; port: string }[] {
  const rules: Obj[] = [];
  for (const res of template.resources as Obj[]) {
    if (res.type === 'Microsoft.Network/networkSecurityGroups') rules.push(...(((res.properties as Obj).securityRules ?? []) as Obj[]).map((r) => r.properties as Obj));
    else rules.push(res.properties as Obj);
  }
  const out: { dir: string; src: string; dst: string; proto: string; port: string }[] = [];
  for (const p of rules) {
    if (p.access !== 'Allow') continue;
    for (const src of list(p.sourceAddressPrefix, p.sourceAddressPrefixes).map(addressValue))
      for (const dst of list(p.destinationAddressPrefix, p.destinationAddressPrefixes).map(addressValue))
        for (const port of list(p.destinationPortRange, p.destinationPortRanges)) out.push({ dir: String(p.direction), src, dst, proto: String(p.protocol), port });
  }
  return out;
}

type FlowKeyParts = { dir: string; src: string; dst: string; proto: string; port: string };

/**
 * The flows of each list with every address prefix cut into the elementary blocks that the prefixes of all lists
 * together define, so that two lists allowing the same addresses compare equal however their prefixes were merged
 * (10.0.0.0/25 and 10.0.0.128/25 against 10.0.0.0/24). Values that are not prefixes (`*`, tags, names) stay as
 * they are. Then as {@link normalise}.
 */
export function sameAddressFlows(...lists: FlowKeyParts[][]): string[][] {
  const parse = (x: string): { fam: 4 | 6; start: bigint; end: bigint } | undefined => {
    if (!/^[0-9a-f:.]+\/\d+$/i.test(x)) return undefined;
    const [addr, bits] = ipaddr.parseCIDR(x);
    let n = 0n;
    for (const b of addr.toByteArray()) n = (n << 8n) | BigInt(b);
    const width = addr.kind() === 'ipv6' ? 128 : 32;
    const size = 1n << BigInt(width - bits);
    return { fam: width === 128 ? 6 : 4, start: n, end: n + size - 1n };
  };
  const parsed = new Map<string, ReturnType<typeof parse>>();
  const bounds: Record<4 | 6, Set<bigint>> = { 4: new Set(), 6: new Set() };
  for (const list of lists) {
    for (const f of list) {
      for (const v of [f.src, f.dst]) {
        if (parsed.has(v)) continue;
        const p = parse(v);
        parsed.set(v, p);
        if (p) bounds[p.fam].add(p.start).add(p.end + 1n);
      }
    }
  }
  const sorted = { 4: [...bounds[4]].sort(cmpBig), 6: [...bounds[6]].sort(cmpBig) };
  const atomsOf = new Map<string, string[]>();
  const atoms = (v: string): string[] => {
    let out = atomsOf.get(v);
    if (out) return out;
    const p = parsed.get(v);
    if (!p) out = [v];
    else {
      const b = sorted[p.fam];
      out = [];
      for (let i = lowerBound(b, p.start); i < b.length && b[i]! <= p.end; i++) out.push(`ip${p.fam}:${b[i]!.toString(16)}`);
    }
    atomsOf.set(v, out);
    return out;
  };
  return lists.map((list) => {
    const out: FlowKeyParts[] = [];
    for (const f of list) for (const src of atoms(f.src)) for (const dst of atoms(f.dst)) out.push({ ...f, src, dst });
    return normalise(out);
  });
}

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function lowerBound(xs: readonly bigint[], x: bigint): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
