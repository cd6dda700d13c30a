/**
 * The "real engine" for NetworkPolicy output, as far as one can run here (see /work/shared/ENGINES.md): no
 * kubeconform, kubeval or API server, so
 *  1. ajv in strict mode against the upstream strict JSON schema (spec/schemas/kubernetes/, copied from the shared
 *     reference, compiled as its README says: `$schema` removed, `x-kubernetes-*` registered as annotations), and
 *  2. the checks the schema cannot make, from the API server's own validation (ValidateNetworkPolicy in
 *     kubernetes/pkg/apis/networking/validation): names, labels, protocols, port numbers and ranges, CIDR syntax
 *     in its canonical form, one kind of peer per entry; plus fwgen's own rule that no list that widens when empty
 *     (`to`, `from`, `ports`) is ever empty.
 * The YAML is read both as YAML 1.2 and as YAML 1.1 (kubectl reads 1.1), and both readings must agree.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv';
import formatsModule from 'ajv-formats';
import ipaddr from 'ipaddr.js';
import { parseAllDocuments } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
export const SCHEMA_FILE = join(here, '..', '..', 'schemas', 'kubernetes', 'networkpolicy-networking-v1.json');

type AnyObject = Record<string, unknown>;
const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;
const addFormats = (formatsModule as unknown as { default: typeof formatsModule }).default ?? formatsModule;

let validate: ((data: unknown) => boolean) & { errors?: unknown[] | null };

/** The strict schema, compiled once per process in ajv's full strict mode. */
export function schemaValidator(): typeof validate {
  if (validate) return validate;
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as AnyObject;
  delete schema.$schema;
  const ajv = new (Ajv as unknown as new (o: object) => InstanceType<typeof AjvModule>)({ strict: true, allErrors: true });
  (addFormats as unknown as (a: unknown) => void)(ajv);
  for (const k of ['x-kubernetes-group-version-kind', 'x-kubernetes-list-map-keys', 'x-kubernetes-list-type', 'x-kubernetes-map-type', 'x-kubernetes-patch-merge-key', 'x-kubernetes-patch-strategy', 'x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-unions']) {
    ajv.addKeyword({ keyword: k, schemaType: ['string', 'array', 'object', 'boolean'] });
  }
  validate = ajv.compile(schema) as typeof validate;
  return validate;
}

/** Every document of a YAML stream, as YAML 1.1 would read it; throws when the two readings differ or YAML is bad. */
export function readStream(text: string): AnyObject[] {
  const read = (version: '1.1' | '1.2') =>
    parseAllDocuments(text, { version, uniqueKeys: true }).map((d) => {
      if (d.errors.length) throw new Error(`YAML ${version}: ${d.errors.map((e) => e.message).join('; ')}`);
      return d.toJS({ maxAliasCount: 0 }) as unknown;
    });
  const v11 = read('1.1');
  const v12 = read('1.2');
  if (JSON.stringify(v11) !== JSON.stringify(v12)) throw new Error('YAML 1.1 and 1.2 read the stream differently');
  if (/^\s*[&*!]|[:-]\s+[&*!]/m.test(text.split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n'))) throw new Error('anchors, aliases or tags in the output');
  return v11.filter((d) => d !== null) as AnyObject[];
}

/** All problems with one NetworkPolicy object; empty when the API server would take it. */
export function checkPolicy(obj: AnyObject): string[] {
  const v = schemaValidator();
  const problems: string[] = [];
  if (!v(obj)) problems.push(...(v.errors ?? []).map((e) => `schema: ${JSON.stringify(e)}`));
  if (obj.apiVersion !== 'networking.k8s.io/v1' || obj.kind !== 'NetworkPolicy') problems.push('not a networking.k8s.io/v1 NetworkPolicy');
  const meta = (obj.metadata ?? {}) as AnyObject;
  if (typeof meta.name !== 'string' || !isSubdomain(meta.name)) problems.push(`metadata.name ${String(meta.name)} is not a DNS-1123 subdomain`);
  if (typeof meta.namespace !== 'string' || !isLabel(meta.namespace)) problems.push(`metadata.namespace ${String(meta.namespace)} is not a DNS-1123 label`);
  problems.push(...labelProblems((meta.labels ?? {}) as AnyObject, 'metadata.labels'));
  const spec = (obj.spec ?? {}) as AnyObject;
  problems.push(...selectorProblems(spec.podSelector, 'spec.podSelector', false));
  const types = (spec.policyTypes ?? []) as unknown[];
  if (types.length === 0 || types.length > 2 || new Set(types).size !== types.length || types.some((t) => t !== 'Ingress' && t !== 'Egress')) problems.push(`spec.policyTypes ${JSON.stringify(types)}`);
  for (const [key, peerKey] of [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const) {
    const rules = spec[key] as AnyObject[] | undefined;
    if (rules === undefined) continue;
    if (!types.includes(key === 'ingress' ? 'Ingress' : 'Egress')) problems.push(`spec.${key} without its policy type`);
    rules.forEach((r, i) => {
      const at = `spec.${key}[${i}]`;
      const peers = r[peerKey] as AnyObject[] | undefined;
      if (peers !== undefined && peers.length === 0) problems.push(`${at}.${peerKey} is an empty list (allows every peer)`);
      (peers ?? []).forEach((p, j) => problems.push(...peerProblems(p, `${at}.${peerKey}[${j}]`)));
      const ports = r.ports as AnyObject[] | undefined;
      if (ports !== undefined && ports.length === 0) problems.push(`${at}.ports is an empty list (allows every port)`);
      (ports ?? []).forEach((p, j) => problems.push(...portProblems(p, `${at}.ports[${j}]`)));
    });
  }
  return problems;
}

/** Parses a stream and checks every document; returns the objects, throwing with every problem found. */
export function checkStream(text: string): AnyObject[] {
  if (text.includes('\r') || !text.endsWith('\n')) throw new Error('not plain \\n line ends');
  const docs = readStream(text);
  const problems = docs.flatMap((d, i) => checkPolicy(d).map((p) => `document ${i + 1}: ${p}`));
  const names = docs.map((d) => (d.metadata as AnyObject).name);
  if (new Set(names).size !== names.length) problems.push(`policy names repeat: ${names.join(', ')}`);
  if (problems.length) throw new Error(problems.slice(0, 20).join('\n'));
  return docs;
}

function peerProblems(p: AnyObject, at: string): string[] {
  const out: string[] = [];
  if (p.ipBlock !== undefined) {
    if (p.podSelector !== undefined || p.namespaceSelector !== undefined) out.push(`${at}: ipBlock with a selector`);
    const b = p.ipBlock as AnyObject;
    const bad = cidrProblem(String(b.cidr));
    if (bad) out.push(`${at}.ipBlock.cidr: ${bad}`);
    for (const e of (b.except ?? []) as string[]) {
      const badE = cidrProblem(e);
      if (badE) out.push(`${at}.ipBlock.except: ${badE}`);
      else if (!bad && !within(e, String(b.cidr))) out.push(`${at}.ipBlock.except ${e} is not inside ${String(b.cidr)}`);
    }
  } else if (p.podSelector === undefined && p.namespaceSelector === undefined) {
    out.push(`${at}: a peer needs ipBlock, podSelector or namespaceSelector`);
  }
  if (p.podSelector !== undefined) out.push(...selectorProblems(p.podSelector, `${at}.podSelector`, false));
  if (p.namespaceSelector !== undefined) out.push(...selectorProblems(p.namespaceSelector, `${at}.namespaceSelector`, false));
  return out;
}

function portProblems(p: AnyObject, at: string): string[] {
  const out: string[] = [];
  if (p.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(p.protocol as string)) out.push(`${at}.protocol ${String(p.protocol)}`);
  if (p.port !== undefined) {
    if (typeof p.port === 'number') {
      if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) out.push(`${at}.port ${p.port} out of range`);
    } else if (typeof p.port !== 'string' || !/^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/.test(p.port)) out.push(`${at}.port ${String(p.port)} is not a port name`);
  }
  if (p.endPort !== undefined) {
    if (typeof p.port !== 'number') out.push(`${at}.endPort needs a numeric port`);
    else if (typeof p.endPort !== 'number' || !Number.isInteger(p.endPort) || p.endPort < p.port || p.endPort > 65535) out.push(`${at}.endPort ${String(p.endPort)} is not from port to 65535`);
  }
  return out;
}

function selectorProblems(sel: unknown, at: string, required: boolean): string[] {
  if (sel === undefined || sel === null) return required ? [`${at} missing`] : [];
  const s = sel as AnyObject;
  const out = labelProblems((s.matchLabels ?? {}) as AnyObject, `${at}.matchLabels`);
  for (const e of (s.matchExpressions ?? []) as AnyObject[]) out.push(...labelProblems({ [String(e.key)]: '' }, `${at}.matchExpressions`));
  return out;
}

function labelProblems(labels: AnyObject, at: string): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    const slash = k.indexOf('/');
    const prefix = slash < 0 ? undefined : k.slice(0, slash);
    const name = slash < 0 ? k : k.slice(slash + 1);
    if ((prefix !== undefined && !isSubdomain(prefix)) || name.length > 63 || !/^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(name)) out.push(`${at}: key ${k}`);
    if (typeof v !== 'string' || v.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v)) out.push(`${at}: value ${String(v)} of ${k}`);
  }
  return out;
}

/**
 * Kubernetes 1.33+ (strict IP validation) takes a CIDR in canonical form only: no leading zeros, host bits zero,
 * IPv6 compressed as RFC 5952 writes it (checked against the WHATWG URL parser's serialiser), no IPv4-mapped IPv6.
 */
export function cidrProblem(cidr: string): string | undefined {
  const m = /^([^/]+)\/([0-9]{1,3})$/.exec(cidr);
  if (!m) return `${cidr} is not ADDRESS/BITS`;
  const [, addrText, bitsText] = m as unknown as [string, string, string];
  if (!ipaddr.isValid(addrText)) return `${cidr}: bad address`;
  const addr = ipaddr.parse(addrText);
  const bits = Number(bitsText);
  if (String(bits) !== bitsText) return `${cidr}: leading zero in the prefix length`;
  if (addr.kind() === 'ipv4') {
    if (!ipaddr.IPv4.isValidFourPartDecimal(addrText) || addrText.split('.').some((o) => o.length > 1 && o.startsWith('0'))) return `${cidr}: not dotted decimal without leading zeros`;
    if (bits > 32) return `${cidr}: prefix length over 32`;
  } else {
    if (bits > 128) return `${cidr}: prefix length over 128`;
    if ((addr as ipaddr.IPv6).isIPv4MappedAddress()) return `${cidr}: IPv4-mapped IPv6`;
    const canonical = new URL(`http://[${addrText}]/`).hostname.slice(1, -1);
    if (canonical !== addrText) return `${cidr}: not canonical (${canonical})`;
  }
  const network = addr.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(cidr).toString() : networkV6(addr as ipaddr.IPv6, bits);
  if (network !== addr.toString()) return `${cidr}: host bits set`;
  return undefined;
}

function networkV6(a: ipaddr.IPv6, bits: number): string {
  const bytes = a.toByteArray().map((b, i) => b & (0xff << (8 - Math.max(0, Math.min(8, bits - i * 8)))) & 0xff);
  return ipaddr.fromByteArray(bytes).toString();
}

function within(inner: string, outer: string): boolean {
  const [a, abits] = ipaddr.parseCIDR(inner);
  const o = ipaddr.parseCIDR(outer);
  return a.kind() === o[0].kind() && abits > o[1] && (a as ipaddr.IPv4).match(o as [ipaddr.IPv4, number]);
}

function isLabel(s: string): boolean {
  return s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s);
}

function isSubdomain(s: string): boolean {
  return s.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s);
}
