import { APPLY_ANNOTATION_LIMIT, MAX_OBJECT_BYTES, beyondApply, maxObjectBytesOption } from '../kubernetes-common/object-size.js';
import type { EmitResult, Emitter, EmitterOptions, FidelityTable } from '../../emit/emitter.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import type { ResolvedRequirementSet, ResolvedSetInfo } from '../../model/resolved.js';
import { describeSelector, isDns1123Label, isDns1123Subdomain, parseSelector } from './names.js';
import { requirementRules, TARGET, type K8sPeer, type K8sPort, type Rule, type SetRules } from './policy.js';
import { renderStream, type DocumentPlan } from './render.js';
import { partName, splitItems, type SplitContainer, type SplitItem } from './split.js';
import { InternalError } from '../../model/diagnostic.js';
import { allExact } from '../../emit/fidelity-presets.js';
import { pushAll } from '../../model/array.js';
import { capNotes } from '../../emit/text.js';

const byName = { hint: 'use --target cilium (toFQDNs) or squid to allow the name' };
const unbound = { level: 'drop', note: 'the group is not bound to addresses, so no rule can name its systems', hint: 'bind it: --bind GROUP=CIDR,...' } as const;

const fidelity: FidelityTable = allExact({
  'host-exact': { level: 'drop', note: 'a NetworkPolicy matches addresses (ipBlock), not names, and fwgen never resolves names', ...byName },
  'host-subdomains': { level: 'drop', note: 'a NetworkPolicy matches addresses (ipBlock), not wildcard names', ...byName },
  'host-apex-and-subdomains': { level: 'drop', note: 'a NetworkPolicy matches addresses (ipBlock), not wildcard names', ...byName },
  'host-label-wildcard': { level: 'drop', note: 'a NetworkPolicy matches addresses (ipBlock), not wildcard names', ...byName },
  'host-path-http': { level: 'drop', note: 'a NetworkPolicy matches addresses (ipBlock), not names or URL paths', ...byName },
  'host-path-tls': { level: 'drop', note: 'a NetworkPolicy matches addresses (ipBlock), not names or URL paths', ...byName },
  'group-destination-unbound': unbound,
  'source-group-unbound': unbound,
  'all-traffic': {
    level: 'narrow',
    note: 'a rule without ports allows every TCP, UDP and SCTP port; whether other protocols such as ICMP pass depends on the network plugin',
    hint: 'use --target iptables or nftables to allow every protocol',
  },
});

const DNS1123_LABEL_PATTERN = '^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/**
 * Kubernetes NetworkPolicy (networking.k8s.io/v1): per requirement set, one policy for egress and one for ingress,
 * each rule an ipBlock list with ports. Names cannot be expressed; the core replaces them with the vendor's address
 * form where the requirement gives one (service tags, resolved to prefixes) and drops them otherwise.
 */
const k8sNetworkPolicy: Emitter = {
  id: TARGET,
  describe: 'Kubernetes NetworkPolicy (networking.k8s.io/v1) YAML',
  defaultFile: 'networkpolicy.yaml',
  fidelity,
  usesAlternatives: true,
  serviceTags: 'prefixes',
  options: {
    namespace: { type: 'string', default: 'default', pattern: DNS1123_LABEL_PATTERN, describe: 'namespace of the policies (a DNS-1123 label)' },
    'pod-selector': {
      type: 'string',
      default: '',
      describe: 'labels of the pods the policies apply to, as key=value,key=value; empty: every pod in the namespace',
    },
    'name-prefix': {
      type: 'string',
      default: 'fwgen-',
      pattern: '^[a-z0-9.-]{0,200}$',
      describe: 'start of each policy name; the name is PREFIX + set id + -egress or -ingress, a DNS-1123 subdomain',
    },
    'allow-dns': {
      type: 'boolean',
      default: true,
      describe: 'also allow egress to the cluster DNS (UDP and TCP 53); without it the selected pods cannot resolve names unless another policy allows DNS',
    },
    'dns-namespace': { type: 'string', default: 'kube-system', pattern: DNS1123_LABEL_PATTERN, describe: 'namespace of the cluster DNS pods' },
    'dns-selector': { type: 'string', default: 'k8s-app=kube-dns', describe: 'labels of the cluster DNS pods, as key=value,...; empty: every pod in dns-namespace' },
    'max-object-bytes': maxObjectBytesOption,
  },
  emit(set, options, context) {
    return emitPolicies(set, options, context.header, context.fidelity);
  },
};

export default k8sNetworkPolicy;

interface Selectors {
  pods: Record<string, string>;
  dns: Record<string, string>;
}

function emitPolicies(set: ResolvedRequirementSet, options: EmitterOptions, header: readonly string[], fidelityNotes: readonly Diagnostic[]): EmitResult {
  const diagnostics: Diagnostic[] = [];
  const selectors = readSelectors(options, diagnostics);
  const prefix = String(options['name-prefix']);
  for (const s of set.sets) {
    for (const name of [`${prefix}${s.id}-egress`, `${prefix}${s.id}-ingress`]) {
      if (!isDns1123Subdomain(name)) optionProblem(diagnostics, 'name-prefix', `policy name "${name}" is not a DNS-1123 subdomain (lowercase letters, digits, "-" and ".", at most 253)`);
    }
  }
  if (!selectors || diagnostics.length) return { files: [], diagnostics };
  const namespace = String(options.namespace);
  if (!isDns1123Label(namespace)) throw new Error(`namespace "${namespace}" passed the option check`);

  const budget = Number(options['max-object-bytes']);
  const docs: DocumentPlan[] = [];
  let egressPolicies = 0;
  let split = false;
  // One pass over the requirements, not one per set.
  const bySet = new Map<string, SetRules>(set.sets.map((s) => [s.id, { egress: [], ingress: [] }]));
  for (const req of set.requirements) requirementRules(req, { podSelector: selectors.pods, diagnostics }, bySet.get(req.set)!);
  const policy = { namespace, pods: selectors.pods, options, budget, diagnostics };
  for (const info of set.sets) {
    const rules = bySet.get(info.id)!;
    for (const type of ['Egress', 'Ingress'] as const) {
      const list = type === 'Egress' ? rules.egress : rules.ingress;
      if (!list.length) continue;
      if (type === 'Egress' && options['allow-dns'] === true) list.unshift(dnsRule(String(options['dns-namespace']), selectors.dns));
      const parts = policyDocuments(`${prefix}${info.id}-${type.toLowerCase()}`, type, list, info, policy);
      if (parts.length > 1) split = true;
      pushAll(docs, parts);
      if (type === 'Egress') egressPolicies++;
    }
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { files: [], diagnostics };
  const counts = docs.map((d) => d.comment[0]!);
  const lines = [
    ...header,
    '',
    `Kubernetes NetworkPolicy (networking.k8s.io/v1), namespace ${namespace}, pods selected: ${describeSelector(selectors.pods)}.`,
    'Once a policy of a type (Egress, Ingress) selects a pod, that pod may send (receive) only what some policy allows.',
    'ipBlock matches addresses outside the cluster; traffic to a Service ClusterIP, to pods and to nodes is matched',
    'before or after address translation depending on the network plugin (see the target README).',
    ...dnsLines(options, egressPolicies > 0, selectors.dns),
    ...(split ? splitLines(budget) : []),
    ...(docs.length ? counts.map((c) => `- ${c}`) : ['No policy: no requirement could be expressed (see the notes below).']),
  ];
  const notes = [...fidelityNotes, ...diagnostics];
  if (notes.length) lines.push('', 'Fidelity notes:', ...capNotes(notes.map((d) => d.message)).map((m) => `- ${m}`));
  if (egressPolicies && options['allow-dns'] === true) {
    diagnostics.push({
      code: 'FIDELITY_WIDENED',
      severity: 'note',
      message: `egress to the cluster DNS (${describeDns(options, selectors.dns)}, UDP and TCP 53) is allowed besides the requirements: an egress policy without it breaks name resolution`,
      hint: '--set allow-dns=false if another policy allows DNS',
      target: TARGET,
      params: { feature: 'port-udp', level: 'widen', subject: 'cluster DNS' },
    });
  }
  return { files: [{ path: 'networkpolicy.yaml', contents: renderStream(lines, docs) }], diagnostics };
}

function readSelectors(options: EmitterOptions, diagnostics: Diagnostic[]): Selectors | undefined {
  const pods = parseSelector(String(options['pod-selector']));
  const dns = parseSelector(String(options['dns-selector']));
  for (const p of pods.problems) optionProblem(diagnostics, 'pod-selector', p);
  for (const p of dns.problems) optionProblem(diagnostics, 'dns-selector', p);
  return pods.labels && dns.labels ? { pods: pods.labels, dns: dns.labels } : undefined;
}

function optionProblem(diagnostics: Diagnostic[], option: string, message: string): void {
  diagnostics.push({ code: 'EMIT_OPTION', severity: 'error', message: `--set ${option}: ${message}`, hint: 'see Kubernetes label and name syntax: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/', target: TARGET, params: { option } });
}

/** Egress to the cluster DNS pods on UDP and TCP 53, by namespace name label (set by Kubernetes 1.21+) and pod labels. */
function dnsRule(namespace: string, labels: Record<string, string>): Rule {
  const peer: K8sPeer = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } };
  if (Object.keys(labels).length) peer.podSelector = { matchLabels: { ...labels } };
  const ports: K8sPort[] = [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ];
  return { peers: [peer], ports, comment: ['cluster DNS (--set allow-dns=true): without it the selected pods cannot resolve names'] };
}

function describeDns(options: EmitterOptions, labels: Record<string, string>): string {
  const pods = Object.keys(labels).length ? `pods ${describeSelector(labels)}` : 'every pod';
  return `${pods} in namespace ${String(options['dns-namespace'])}`;
}

function dnsLines(options: EmitterOptions, anyEgress: boolean, labels: Record<string, string>): string[] {
  if (!anyEgress) return [];
  if (options['allow-dns'] === true) return [`DNS: each egress policy also allows ${describeDns(options, labels)} on UDP and TCP 53, so names resolve.`];
  return ['DNS IS NOT ALLOWED (--set allow-dns=false): name resolution in the selected pods will break', 'unless another NetworkPolicy allows egress to the cluster DNS on UDP and TCP 53.'];
}

interface PolicyContext {
  namespace: string;
  pods: Record<string, string>;
  options: EmitterOptions;
  budget: number;
  diagnostics: Diagnostic[];
}

/**
 * The policy of one type for a set, as one object or, when its JSON would pass `max-object-bytes`, as several with the
 * same podSelector and each rule's ipBlocks shared out among them (see split.ts). Rules whose peers are not ipBlocks
 * (the DNS rule, the selected pods, any peer) stay whole in the first object.
 */
function policyDocuments(name: string, type: 'Egress' | 'Ingress', rules: Rule[], info: ResolvedSetInfo, ctx: PolicyContext): DocumentPlan[] {
  const key = type === 'Egress' ? 'egress' : 'ingress';
  const peerKey = type === 'Egress' ? 'to' : 'from';
  const ruleObject = (r: Rule, peers: K8sPeer[] | undefined) => {
    if (peers && peers.length === 0) throw new InternalError(`${name}: a rule with an empty ${peerKey} list would allow every peer`);
    if (r.ports && r.ports.length === 0) throw new InternalError(`${name}: a rule with an empty ports list would allow every port`);
    return { ...(peers ? { [peerKey]: peers } : {}), ...(r.ports ? { ports: r.ports } : {}) };
  };
  const objectOf = (partName: string, ruleObjects: object[]) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: partName, namespace: ctx.namespace, labels: { 'app.kubernetes.io/managed-by': 'fwgen' } },
    spec: { podSelector: Object.keys(ctx.pods).length ? { matchLabels: { ...ctx.pods } } : {}, policyTypes: [type], [key]: ruleObjects },
  });
  const splittable = (r: Rule) => r.peers !== undefined && r.peers.every((p) => p.ipBlock);
  const emptyBytes = jsonBytes(objectOf(name, []));
  let fixedBytes = 0;
  const containers: SplitContainer[] = [];
  const items: SplitItem[] = [];
  const itemPeers: K8sPeer[] = [];
  const containerOf: number[] = [];
  const ruleOfContainer: number[] = [];
  for (const [i, r] of rules.entries()) {
    if (!splittable(r)) {
      fixedBytes += jsonBytes(ruleObject(r, r.peers)) + 1;
      containerOf.push(-1);
      continue;
    }
    const c = containers.length;
    containerOf.push(c);
    ruleOfContainer.push(i);
    containers.push({ bytes: jsonBytes({ [peerKey]: [], ...(r.ports ? { ports: r.ports } : {}) }) + 1 });
    // {"ipBlock":{"cidr":"..."}} and a comma; every CIDR is ASCII.
    for (const peer of r.peers!) {
      items.push({ key: peer.ipBlock!.cidr, bytes: 23 + peer.ipBlock!.cidr.length, containers: [c] });
      itemPeers.push(peer);
    }
  }
  const result = splitItems({ baseBytes: (p) => emptyBytes + (partName(name, p).length - name.length) + (p === 0 ? fixedBytes : 0), containers, items, budget: ctx.budget });
  if (!result.ok) {
    ctx.diagnostics.push(tooLarge(name, result.reason, result.bytes, ctx.budget));
    return [];
  }
  // Per container, its peers in each part, in their order (address order); per part, the rules that have peers in it,
  // in rule order (items come in rule order), so that each part visits its own rules rather than all of them: parts and
  // rules both grow with the destinations.
  const byPart = containers.map(() => new Map<number, K8sPeer[]>());
  const rulesOfPart: number[][] = Array.from({ length: result.parts }, () => []);
  items.forEach((it, i) => {
    const c = it.containers[0]!;
    const m = byPart[c]!;
    const p = result.partOf[i]!;
    const list = m.get(p);
    if (list) list.push(itemPeers[i]!);
    else {
      m.set(p, [itemPeers[i]!]);
      rulesOfPart[p]!.push(ruleOfContainer[c]!);
    }
  });
  const docs: DocumentPlan[] = [];
  for (let p = 0; p < result.parts; p++) {
    const partRules: { rule: Rule; object: object; peers?: K8sPeer[] }[] = [];
    // The first part also holds the rules that are not split, so it goes through every rule once.
    for (const i of p === 0 ? rules.keys() : rulesOfPart[p]!) {
      const r = rules[i]!;
      const c = containerOf[i]!;
      if (c < 0) {
        if (p === 0) partRules.push({ rule: r, object: ruleObject(r, r.peers), ...(r.peers ? { peers: r.peers } : {}) });
        continue;
      }
      const peers = byPart[c]!.get(p);
      if (peers) partRules.push({ rule: r, object: ruleObject(r, peers), peers });
    }
    // An object without rules would add nothing (the others isolate the pods already): none is written.
    if (partRules.length === 0) continue;
    const pname = partName(name, p);
    const object = objectOf(pname, partRules.map((x) => x.object));
    const bytes = jsonBytes(object);
    if (bytes > ctx.budget) throw new InternalError(`${pname} is ${bytes} bytes of JSON, over the ${ctx.budget} the split planned for`);
    if (bytes > APPLY_ANNOTATION_LIMIT) ctx.diagnostics.push(beyondApply(TARGET, pname, bytes, ctx.budget));
    const blocks = partRules.flatMap((x) => x.peers ?? []).filter((x) => x.ipBlock);
    const v6 = blocks.filter((x) => x.ipBlock!.cidr.includes(':')).length;
    const of = result.parts > 1 ? `, part ${p + 1} of ${result.parts}` : '';
    const n = partRules.length;
    const comment = [`${pname}: ${type.toLowerCase()} of ${info.id} (${info.title})${of}: ${n} rule${n === 1 ? '' : 's'}, ${blocks.length} ipBlock${blocks.length === 1 ? '' : 's'} (${blocks.length - v6} IPv4, ${v6} IPv6), ${bytes} bytes as JSON`];
    if (type === 'Egress' && ctx.options['allow-dns'] !== true) comment.push('DNS is not allowed here (--set allow-dns=false): names will not resolve unless another policy allows DNS');
    docs.push({ object, comment, itemComments: new Map(partRules.map((x) => [x.object, x.rule.comment])) });
  }
  return docs;
}

function jsonBytes(v: unknown): number {
  return Buffer.byteLength(JSON.stringify(v));
}

function splitLines(budget: number): string[] {
  return [
    `A policy whose JSON would pass ${budget} bytes (--set max-object-bytes) is split into objects NAME, NAME-2, ...`,
    'with the same pod selector, each holding part of every ipBlock list: together they allow exactly the same.',
    'When a later run writes fewer parts, delete the ones it no longer writes (or apply with --prune and the',
    'label app.kubernetes.io/managed-by=fwgen), or their addresses stay allowed.',
  ];
}

function tooLarge(name: string, reason: 'base' | 'item' | 'no-fit', bytes: number, budget: number): Diagnostic {
  const what =
    reason === 'base'
      ? `its rules that are not split (the DNS rule, pod selectors, rules for any peer) take ${bytes} bytes of JSON`
      : reason === 'item'
        ? `one ipBlock with its rule (and that rule's ports) takes ${bytes} bytes of JSON in an object of its own`
        : `its ${bytes} bytes of JSON cannot be shared out so that every object stays within the limit`;
  return {
    code: 'EMIT_LIMIT',
    severity: 'error',
    message: `policy ${name}: ${what}, more than max-object-bytes (${budget})`,
    hint: `raise --set max-object-bytes=N (at most ${APPLY_ANNOTATION_LIMIT} for client-side kubectl apply, ${MAX_OBJECT_BYTES} in all), or give the rule fewer ports`,
    target: TARGET,
    params: { policy: name, bytes, limit: budget, option: 'max-object-bytes' },
  };
}

