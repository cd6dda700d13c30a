/**
 * One generated case through the library in-process (load, expand, emit, as `fwgen emit` does), and the checks
 * that need no engine: a rejection is clean (every error positioned in the file, or about a command-line value, and
 * rendered on its own lines), an acceptance passes the offline schema checks, writes no address outside what the
 * input gave, no name it did not give (or wider than given), and has the same skeleton as the same case with every
 * free-text field replaced by plain text.
 */
import ipaddr from 'ipaddr.js';
import { emitTarget, expand, formatDiagnostics, getEmitter, hasErrors, loadRequirementSet, loadServiceTagsFile, resolveServiceTags } from '../../lib/index.js';
import type { Diagnostic, OutputFile, ResolvedEndpoint, ResolvedRequirementSet, ServiceTagsData } from '../../lib/index.js';
import { caseText, neutralise, type FuzzCase } from './cases.js';
import { TARGETS } from './targets.js';
import { semanticProblems } from './semantics.js';

let tags: ServiceTagsData | undefined;
async function serviceTags(): Promise<ServiceTagsData> {
  if (!tags) {
    const r = await loadServiceTagsFile();
    if (!r.data) throw new Error('no Service Tags snapshot');
    tags = r.data;
  }
  return tags;
}

export type Outcome =
  | { kind: 'rejected'; file: string; text: string; diagnostics: Diagnostic[] }
  | { kind: 'accepted'; file: string; text: string; files: OutputFile[]; diagnostics: Diagnostic[]; resolved: ResolvedRequirementSet };

export const fileName = (c: FuzzCase) => (c.format === 'json' ? 'input.json' : 'input.yaml');

/** Load, expand and emit; a throw here (anything but a returned diagnostic) is a bug the caller reports. */
export async function compileCase(target: string, c: FuzzCase): Promise<Outcome> {
  const file = fileName(c);
  const text = caseText(c);
  const loaded = loadRequirementSet(text, file);
  if (!loaded.set || hasErrors(loaded.diagnostics)) return { kind: 'rejected', file, text, diagnostics: loaded.diagnostics };
  const expanded = expand([loaded.set], { params: c.params, bind: c.bind });
  const diagnostics = [...loaded.diagnostics, ...expanded.diagnostics];
  if (!expanded.set || hasErrors(diagnostics)) return { kind: 'rejected', file, text, diagnostics };
  const data = await serviceTags();
  const result = emitTarget(expanded.set, await getEmitter(target), c.set, { serviceTags: data });
  diagnostics.push(...result.diagnostics);
  if (hasErrors(diagnostics)) return { kind: 'rejected', file, text, diagnostics };
  return { kind: 'accepted', file, text, files: result.files, diagnostics, resolved: resolveLeniently(expanded.set, data) };
}

/**
 * Service tags resolved requirement by requirement: a target resolves only the tags it uses, so a requirement it
 * drops for another reason may name a tag the file does not know (then that requirement keeps no prefixes).
 */
function resolveLeniently(set: ResolvedRequirementSet, data: ServiceTagsData): ResolvedRequirementSet {
  const whole = resolveServiceTags(set, data).set;
  if (whole) return whole;
  return { ...set, requirements: set.requirements.map((r) => resolveServiceTags({ ...set, requirements: [r] }, data).set?.requirements[0] ?? r) };
}

/** Codes of errors about a value given on the command line or a target option, which have no place in the file. */
const UNPOSITIONED = /^(USAGE|EXPAND_|EMIT_|OPTION_|TARGET_|SAFETY_|LIMIT_|FIDELITY_)/;

export function rejectionProblems(o: Extract<Outcome, { kind: 'rejected' }>): string[] {
  const problems: string[] = [];
  const lines = o.text.split('\n').length + 1;
  for (const d of o.diagnostics.filter((x) => x.severity === 'error')) {
    if (d.span) {
      const s = d.span;
      if (s.file !== o.file || !(s.line >= 1 && s.line <= lines) || !(s.col >= 1)) problems.push(`error ${d.code} at ${s.file}:${s.line}:${s.col}, not a position in ${o.file}`);
    } else if (!UNPOSITIONED.test(d.code)) problems.push(`error ${d.code} without a position: ${d.message}`);
  }
  const rendered = formatDiagnostics(o.diagnostics);
  // Quoted input reaches the terminal escaped: no control character but the line ends, no bidi control.
  const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.exec(rendered);
  if (raw) problems.push(`diagnostics print U+${raw[0].charCodeAt(0).toString(16).padStart(4, '0')} as is`);
  for (const l of rendered.split('\n')) {
    if (l === '') continue;
    if (!/^(?:input\.(?:yaml|json):\d+:\d+: |fwgen: |  hint: )/.test(l)) problems.push(`diagnostic output line not of the report's form: ${JSON.stringify(l.slice(0, 200))}`);
    if (/^\s+at .*\(.*:\d+:\d+\)$/.test(l)) problems.push(`stack trace in the diagnostics: ${l}`);
  }
  if (!o.diagnostics.some((d) => d.severity === 'error')) problems.push('rejected without an error');
  return problems;
}

type Net = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** A prefix, with an IPv4-mapped IPv6 one (::ffff:a.b.c.d/96+n) as the IPv4 prefix it stands for. */
function net(text: string): Net | undefined {
  let n: Net;
  try {
    if (text.includes('/')) n = ipaddr.parseCIDR(text);
    else {
      const a = ipaddr.parse(text);
      n = [a, a.kind() === 'ipv4' ? 32 : 128];
    }
  } catch {
    return undefined;
  }
  const [a, bits] = n;
  if (a.kind() === 'ipv6' && bits >= 96 && (a as ipaddr.IPv6).isIPv4MappedAddress()) return [(a as ipaddr.IPv6).toIPv4Address(), bits - 96];
  return n;
}

function endpoints(set: ResolvedRequirementSet): ResolvedEndpoint[] {
  return set.requirements.flatMap((r) => [...r.destinations.map((d) => d.endpoint), ...(r.sources ?? []), ...r.alternatives]);
}

/** Addresses every target may write whatever the input: loopback, link-local, multicast listener and neighbour discovery. */
const FIXED = ['127.0.0.0/8', '::1/128', 'fe80::/10', 'ff02::/16'];
const FIXED_BY_TARGET: Record<string, string[]> = { nftables: FIXED, iptables: FIXED };

/** Whether `a` lies inside one of `universe` (same family). */
function inside(a: Net, universe: Net[]): boolean {
  return universe.some(([n, bits]) => n.kind() === a[0].kind() && a[1] >= bits && (a[0] as ipaddr.IPv4).match(n as ipaddr.IPv4, bits));
}

export function addressUniverse(target: string, set: ResolvedRequirementSet): { nets: Net[]; broad: Set<string> } {
  const texts: string[] = [];
  for (const e of endpoints(set)) {
    if (e.kind === 'cidr') texts.push(e.cidr);
    if (e.kind === 'group') texts.push(...(e.cidrs ?? []));
    if (e.kind === 'service-tag') texts.push(...(e.prefixes ?? []));
  }
  const broad = new Set(texts.filter((t) => /\/0$/.test(t)));
  return { nets: texts.map(net).filter((n): n is Net => !!n), broad };
}

/** A written name as `{ base, wild }`: `.x`, `*.x`, `**.x`, `x/` (PAN-OS URL lists) and squid's subdomain regex. */
export function nameForm(written: string): { base: string; wild: boolean } {
  const rx = /^regex:\^\(\[\^\.\]\+\\\.\)\+(.*)\$$/.exec(written);
  if (rx) return { base: rx[1]!.replace(/\\(.)/g, '$1'), wild: true };
  const m = /^(\*\*\.|\*\.|\.)?(.*?)\/?$/.exec(written)!;
  return { base: m[2]!, wild: !!m[1] };
}

export async function acceptanceProblems(target: string, c: FuzzCase, o: Extract<Outcome, { kind: 'accepted' }>): Promise<string[]> {
  const info = TARGETS[target]!;
  const problems: string[] = [...(await info.offline(o.files)).map((p) => `schema: ${p}`)];
  const { addresses, names } = await info.values(o.files);
  const { nets } = addressUniverse(target, o.resolved);
  const fixed = (FIXED_BY_TARGET[target] ?? []).map(net) as Net[];
  for (const a of new Set(addresses)) {
    const n = net(a);
    if (!n) continue;
    if (inside(n, nets)) continue;
    if (inside(n, fixed)) continue;
    problems.push(`address ${a} written, but no destination, source or binding of the input holds it`);
  }
  const hosts = endpoints(o.resolved).filter((e): e is Extract<ResolvedEndpoint, { kind: 'host' }> => e.kind === 'host');
  // A label wildcard (`a*.example.com`) as the targets write it: the pattern itself, or squid's regex of it.
  const labelForms = new Set(
    hosts.filter((h) => h.match === 'label-wildcard' && h.label).flatMap((h) => [`${h.label}.${h.name}`, `regex:^${h.label!.replace('*', '[a-z0-9-]*')}\\.${h.name.replace(/\./g, '\\.')}$`]),
  );
  for (const w of new Set(names)) {
    if (labelForms.has(w)) continue;
    const { base, wild } = nameForm(w);
    const given = hosts.filter((h) => h.name.toLowerCase() === base.toLowerCase());
    if (given.length === 0) problems.push(`name ${w} written, but the input names no ${base}`);
    else if (wild && given.every((h) => h.match === 'exact')) problems.push(`name ${w} matches more than the exact ${base} the input gave`);
  }
  problems.push(...semanticProblems(target, o.resolved, o.files, o.diagnostics, c.set).map((p) => `semantics: ${p}`));
  const twin = await compileCase(target, neutralise(c));
  if (twin.kind === 'rejected') problems.push(`the same case with plain free text is rejected: ${formatDiagnostics(twin.diagnostics).slice(0, 1000)}`);
  else {
    const a = JSON.stringify(await info.skeleton(o.files));
    const b = JSON.stringify(await info.skeleton(twin.files));
    if (a !== b) problems.push(`free text changed the structure:\n${firstDifference(a, b)}`);
  }
  return problems;
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `hostile: ...${JSON.stringify(a.slice(Math.max(0, i - 150), i + 250))}\nplain:   ...${JSON.stringify(b.slice(Math.max(0, i - 150), i + 250))}`;
}
