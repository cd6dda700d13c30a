/**
 * Checks for Cilium output, standing in for the Cilium API server (no Cilium or Kubernetes engine runs here):
 * the CRD schemas of Cilium 1.18.2 through ajv (see spec/schemas/cilium/SOURCE.md), the port values the schema's
 * unanchored pattern lets through, and a model of Cilium's name matching for the semantic specs.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv, { type ValidateFunction } from 'ajv';
import ipaddr from 'ipaddr.js';
import { parseAllDocuments } from 'yaml';

const SCHEMAS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas', 'cilium');

let validators: Record<string, ValidateFunction> | undefined;

function load(): Record<string, ValidateFunction> {
  if (validators) return validators;
  const ajv = new Ajv({ allErrors: true, strictTypes: false, strictTuples: false });
  for (const k of ['x-kubernetes-int-or-string', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-preserve-unknown-fields']) ajv.addKeyword(k);
  ajv.addFormat('cidr', {
    type: 'string',
    validate: (s: string) => {
      try {
        ipaddr.parseCIDR(s);
        return true;
      } catch {
        return false;
      }
    },
  });
  ajv.addFormat('idn-hostname', true);
  ajv.addFormat('date-time', true);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  const read = (f: string) => JSON.parse(readFileSync(join(SCHEMAS, f), 'utf8').replace(/\\\\PC/g, '\\\\P{C}')) as object;
  validators = {
    CiliumNetworkPolicy: ajv.compile(read('ciliumnetworkpolicy-v2.json')),
    CiliumClusterwideNetworkPolicy: ajv.compile(read('ciliumclusterwidenetworkpolicy-v2.json')),
  };
  return validators;
}

export interface Policy {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  specs: Spec[];
}
export interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values: string[] }[];
}
export interface PortEntry {
  port: string;
  endPort?: number;
  protocol?: string;
}
export interface Rule {
  toFQDNs?: ({ matchName: string } | { matchPattern: string })[];
  toCIDRSet?: { cidr: string }[];
  toEndpoints?: Selector[];
  fromCIDRSet?: { cidr: string }[];
  fromEndpoints?: Selector[];
  fromEntities?: string[];
  toPorts?: { ports: PortEntry[]; rules?: { dns: ({ matchName: string } | { matchPattern: string })[] } }[];
}
export interface Spec {
  description: string;
  endpointSelector: Selector;
  egress?: Rule[];
  ingress?: Rule[];
}

/** Parses the output: exactly one YAML document (or none, when nothing was left to allow). */
export function parsePolicy(text: string): Policy | undefined {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error('not YAML documents');
  if (docs.length === 0) return undefined;
  if (docs.length !== 1) throw new Error(`expected one YAML document, found ${docs.length}`);
  const doc = docs[0]!;
  if (doc.errors.length) throw new Error(doc.errors.map((e) => e.message).join('; '));
  const value = doc.toJS() as Policy | null;
  return value ?? undefined;
}

/** Parses a stream of policies (one or more documents; none when nothing was left to allow). */
export function parsePolicies(text: string): Policy[] {
  const docs = parseAllDocuments(text, { version: '1.1' });
  if (!Array.isArray(docs)) throw new Error('not YAML documents');
  const again = parseAllDocuments(text, { version: '1.2' });
  const out = docs.map((doc) => {
    if (doc.errors.length) throw new Error(doc.errors.map((e) => e.message).join('; '));
    return doc.toJS({ maxAliasCount: 0 }) as Policy | null;
  });
  // kubectl reads YAML 1.1: both readings must agree.
  if (JSON.stringify(out) !== JSON.stringify((again as { toJS(): unknown }[]).map((d) => d.toJS()))) throw new Error('YAML 1.1 and 1.2 read the stream differently');
  return out.filter((p): p is Policy => p !== null);
}

/** Every problem the CRD schema and the port checks find; empty when the policy is valid. */
export function validatePolicy(policy: Policy): string[] {
  const v = load()[policy.kind];
  if (!v) return [`unknown kind ${policy.kind}`];
  const problems: string[] = [];
  if (!v(policy)) problems.push(...(v.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`));
  if (policy.apiVersion !== 'cilium.io/v2') problems.push(`apiVersion ${policy.apiVersion}`);
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(policy.metadata.name) || policy.metadata.name.length > 253) problems.push(`bad name ${policy.metadata.name}`);
  if (policy.kind === 'CiliumNetworkPolicy' && !policy.metadata.namespace) problems.push('namespaced policy without namespace');
  if (policy.kind === 'CiliumClusterwideNetworkPolicy' && policy.metadata.namespace) problems.push('clusterwide policy with a namespace');
  if (!Array.isArray(policy.specs) || policy.specs.length === 0) problems.push('no specs: Cilium refuses an empty policy');
  for (const [si, spec] of (policy.specs ?? []).entries()) {
    if (!spec.egress && !spec.ingress) problems.push(`specs/${si}: neither egress nor ingress`);
    for (const [dir, rules] of [['egress', spec.egress ?? []], ['ingress', spec.ingress ?? []]] as const) {
      for (const [ri, rule] of rules.entries()) {
        const at = `specs/${si}/${dir}/${ri}`;
        const l3 = ['toFQDNs', 'toCIDRSet', 'toEndpoints', 'fromCIDRSet', 'fromEndpoints', 'fromEntities'].filter((k) => k in rule);
        if (rule.toFQDNs && l3.length > 1) problems.push(`${at}: toFQDNs shares a rule with ${l3.join(', ')}`);
        if (l3.length === 0) problems.push(`${at}: no peer selector (would allow everything)`);
        for (const tp of rule.toPorts ?? []) {
          if (tp.ports.length > 40) problems.push(`${at}: more than 40 ports`);
          for (const p of tp.ports) {
            if (!/^(0|[1-9][0-9]{0,4})$/.test(p.port) || Number(p.port) > 65535) problems.push(`${at}: port ${JSON.stringify(p.port)} is not a number from 0 to 65535`);
            if (p.endPort !== undefined && (p.endPort <= Number(p.port) || p.endPort > 65535 || p.port === '0')) problems.push(`${at}: endPort ${p.endPort} after port ${p.port}`);
            if (p.protocol !== 'TCP' && p.protocol !== 'UDP') problems.push(`${at}: protocol ${String(p.protocol)}`);
          }
        }
        for (const c of [...(rule.toCIDRSet ?? []), ...(rule.fromCIDRSet ?? [])]) {
          const [a, bits] = ipaddr.parseCIDR(c.cidr);
          if (`${a.toString()}/${bits}` !== c.cidr) problems.push(`${at}: cidr ${c.cidr} is not canonical`);
        }
      }
    }
  }
  return problems;
}

/**
 * Cilium's DNS pattern semantics (pkg/fqdn/matchpattern): `*` is zero or more of [-a-zA-Z0-9_] within one label;
 * from 1.19 a leading `**.` is one or more whole labels. Before 1.19 `**` was two `*`, i.e. one label.
 */
export function patternRegex(pattern: string, version: '1.18' | '1.19' = '1.19'): RegExp {
  const p = pattern.toLowerCase().replace(/\.$/, '') + '.';
  if (/^\*+\.?$/.test(pattern)) return /^([-a-z0-9_]+\.)+$|^\.$/;
  let re = '';
  let start = 0;
  const stars = /^\*+/.exec(p)?.[0].length ?? 0;
  if (version === '1.19' && stars >= 2 && p[stars] === '.') {
    re += '([-a-z0-9_]+(\\.[-a-z0-9_]+)*)\\.';
    start = stars + 1;
  }
  for (let i = start; i < p.length; i++) {
    const c = p[i]!;
    if (c === '.') re += '\\.';
    else if (c === '*') {
      while (p[i + 1] === '*') i++;
      re += '[-a-z0-9_]*';
    } else re += c;
  }
  return new RegExp(`^${re}$`);
}

/** Whether one toFQDNs (or DNS rule) entry matches a name, as Cilium would. */
export function fqdnMatches(sel: { matchName: string } | { matchPattern: string }, name: string, version: '1.18' | '1.19' = '1.19'): boolean {
  const fq = name.toLowerCase().replace(/\.?$/, '.');
  if ('matchName' in sel) return sel.matchName.toLowerCase().replace(/\.?$/, '.') === fq;
  return patternRegex(sel.matchPattern, version).test(fq);
}

/** Whether a toPorts list allows a TCP or UDP port (absent toPorts: every port and protocol). */
export function portAllowed(toPorts: Rule['toPorts'], protocol: 'TCP' | 'UDP', port: number): boolean {
  if (!toPorts) return true;
  return toPorts.some((tp) =>
    tp.ports.some((p) => (p.protocol === protocol || p.protocol === 'ANY' || !p.protocol) && (p.port === '0' || (port >= Number(p.port) && port <= (p.endPort ?? Number(p.port))))),
  );
}
