import type { EmitResult, Emitter, EmitterOptions, FidelityTable } from '../../emit/emitter.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import type { ResolvedRequirementSet, ResolvedSetInfo } from '../../model/resolved.js';
import { describeSelector, isDns1123Label, isDns1123Subdomain, parseSelector } from './names.js';
import { requirementRules, TARGET, type K8sPeer, type K8sPort, type Rule, type SetRules } from './policy.js';
import { renderStream, type DocumentPlan } from './render.js';
import { allExact } from '../../emit/fidelity-presets.js';

const byName = { hint: 'use --target cilium (toFQDNs) or squid to allow the name' };
const unbound = { level: 'drop', note: 'the group is not bound to addresses, so no rule can name its systems', hint: 'bind it: --bind GROUP=CIDR,...' } as const;

const fidelity: FidelityTable = allExact({
  'host-exact': { level: 'drop', note: 'a NetworkPolicy matches addresses (ipBlock), not names, and fwgen never resolves names', ...byName },
  'host-subdomains': { level: 'drop', note: 'a NetworkPolicy matches addresses (ipBlock), not wildcard names', ...byName },
  'host-apex-and-subdomains': { level: 'drop', note: 'a NetworkPolicy matches addresses (ipBlock), not wildcard names', ...byName },
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
 * Bytes of JSON above which client-side `kubectl apply` fails: it keeps the object's JSON (and a newline) in the
 * annotation kubectl.kubernetes.io/last-applied-configuration, and all annotations, keys included, may hold 256 KiB.
 */
const APPLY_ANNOTATION_LIMIT = 262144 - 'kubectl.kubernetes.io/last-applied-configuration'.length - 1;
/** A default API server (etcd) refuses requests above 1.5 MiB. */
const ETCD_REQUEST_LIMIT = 1572864;

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

  const docs: DocumentPlan[] = [];
  const counts: string[] = [];
  let egressPolicies = 0;
  for (const info of set.sets) {
    const rules: SetRules = { egress: [], ingress: [] };
    for (const req of set.requirements.filter((r) => r.set === info.id)) requirementRules(req, { podSelector: selectors.pods, diagnostics }, rules);
    if (rules.egress.length) {
      if (options['allow-dns'] === true) rules.egress.unshift(dnsRule(String(options['dns-namespace']), selectors.dns));
      docs.push(policyDocument(`${prefix}${info.id}-egress`, namespace, selectors.pods, 'Egress', rules.egress, info, options));
      egressPolicies++;
    }
    if (rules.ingress.length) docs.push(policyDocument(`${prefix}${info.id}-ingress`, namespace, selectors.pods, 'Ingress', rules.ingress, info, options));
  }
  for (const d of docs) {
    counts.push(d.comment[0]!);
    checkSize(d, diagnostics);
  }
  const lines = [
    ...header,
    '',
    `Kubernetes NetworkPolicy (networking.k8s.io/v1), namespace ${namespace}, pods selected: ${describeSelector(selectors.pods)}.`,
    'Once a policy of a type (Egress, Ingress) selects a pod, that pod may send (receive) only what some policy allows.',
    'ipBlock matches addresses outside the cluster; traffic to a Service ClusterIP, to pods and to nodes is matched',
    'before or after address translation depending on the network plugin (see the target README).',
    ...dnsLines(options, egressPolicies > 0, selectors.dns),
    ...(docs.length ? counts.map((c) => `- ${c}`) : ['No policy: no requirement could be expressed (see the notes below).']),
  ];
  const notes = [...fidelityNotes, ...diagnostics];
  if (notes.length) lines.push('', 'Fidelity notes:', ...notes.map((d) => `- ${d.message}`));
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

function policyDocument(name: string, namespace: string, pods: Record<string, string>, type: 'Egress' | 'Ingress', rules: Rule[], info: ResolvedSetInfo, options: EmitterOptions): DocumentPlan {
  const key = type === 'Egress' ? 'egress' : 'ingress';
  const peerKey = type === 'Egress' ? 'to' : 'from';
  const blocks = rules.flatMap((r) => r.peers ?? []).filter((p) => p.ipBlock);
  const v6 = blocks.filter((p) => p.ipBlock!.cidr.includes(':')).length;
  const object = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'fwgen' } },
    spec: {
      podSelector: Object.keys(pods).length ? { matchLabels: { ...pods } } : {},
      policyTypes: [type],
      [key]: rules.map((r) => {
        if (r.peers && r.peers.length === 0) throw new Error(`${name}: a rule with an empty ${peerKey} list would allow every peer`);
        if (r.ports && r.ports.length === 0) throw new Error(`${name}: a rule with an empty ports list would allow every port`);
        return { ...(r.peers ? { [peerKey]: r.peers } : {}), ...(r.ports ? { ports: r.ports } : {}) };
      }),
    },
  };
  const comment = [`${name}: ${type.toLowerCase()} of ${info.id} (${info.title}): ${rules.length} rule${rules.length === 1 ? '' : 's'}, ${blocks.length} ipBlock${blocks.length === 1 ? '' : 's'} (${blocks.length - v6} IPv4, ${v6} IPv6)`];
  if (type === 'Egress' && options['allow-dns'] !== true) comment.push('DNS is not allowed here (--set allow-dns=false): names will not resolve unless another policy allows DNS');
  return { object, comment, itemComments: [{ path: ['spec', key], comments: rules.map((r) => r.comment) }] };
}

function checkSize(doc: DocumentPlan, diagnostics: Diagnostic[]): void {
  const bytes = Buffer.byteLength(JSON.stringify(doc.object));
  const name = (doc.object.metadata as { name: string }).name;
  if (bytes > ETCD_REQUEST_LIMIT) {
    diagnostics.push({ code: 'EMIT_LIMIT', severity: 'warning', message: `policy ${name} is ${bytes} bytes as JSON, more than the 1.5 MiB a default API server accepts`, hint: 'split the requirements over several sets, or use regional service tags', target: TARGET, params: { policy: name, bytes } });
  } else if (bytes > APPLY_ANNOTATION_LIMIT) {
    diagnostics.push({
      code: 'EMIT_LIMIT',
      severity: 'warning',
      message: `policy ${name} is ${bytes} bytes as JSON: client-side kubectl apply keeps a copy in an annotation limited to 262144 bytes and will fail`,
      hint: 'apply it with kubectl apply --server-side or kubectl create',
      target: TARGET,
      params: { policy: name, bytes },
    });
  }
}
