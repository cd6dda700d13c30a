import type { Emitter, EmitterOptions, Fidelity, FidelityTable } from '../../emit/emitter.js';
import { sortDiagnostics, type Diagnostic } from '../../model/diagnostic.js';
import { commentText } from '../../emit/header.js';
import { buildSpecs, type PolicyOptions } from './policy.js';
import { policyParts } from './parts.js';
import { maxObjectBytesOption } from '../kubernetes-common/object-size.js';
import { YamlWriter } from '../k8s-networkpolicy/yaml-writer.js';
import { LABEL_KEY, LABEL_LIST, parseLabels } from './values.js';
import { pushAll } from '../../model/array.js';
import { labelMatches } from '../../model/host-form.js';
import { capNotes } from '../../emit/text.js';

const exact = { level: 'exact' } as const;

/** Cilium's `*.` covers one label; `**.` (cilium/cilium#43420, first released in 1.19) covers any number. */
const oneLabel = "Cilium's *.name matches one label only: a.name is allowed, a.b.name is not";
const doubleStarHint = 'on Cilium 1.19 or later use --set double-star=true (**.name matches subdomains at any depth), or --target squid or azure-firewall';

function unboundGroup(options: EmitterOptions): Fidelity {
  return options['group-label']
    ? exact
    : {
        level: 'drop',
        note: 'an unbound endpoint group has no addresses for a CIDR rule (or label its endpoints and --set group-label=KEY to select them by label)',
        hint: 'bind it (--bind GROUP=CIDR,...), or label its endpoints and --set group-label=KEY',
      };
}

function fidelity(options: EmitterOptions): FidelityTable {
  const ds = options['double-star'] === true;
  return {
    'host-exact': exact,
    'host-subdomains': ds ? exact : { level: 'narrow', note: oneLabel, hint: doubleStarHint },
    'host-apex-and-subdomains': ds ? exact : { level: 'narrow', note: `written as matchName name and matchPattern *.name; ${oneLabel}`, hint: doubleStarHint },
    // Cilium's matchPattern reads `*` as zero or more of [-a-zA-Z0-9] (pkg/fqdn/matchpattern), the model's meaning.
    'host-label-wildcard': exact,
    'host-path-http': { level: 'widen', note: 'toFQDNs matches names, not URL paths, so the whole host is allowed', hint: 'use --target squid to match the path of plain HTTP requests' },
    'host-path-tls': { level: 'widen', note: 'toFQDNs matches names, not URL paths, and the path of HTTPS is inside TLS, so the whole host is allowed', hint: 'use --target squid to match the path of plain HTTP requests; the path of HTTPS can be matched only where TLS is inspected' },
    cidr: exact,
    'service-tag': exact,
    'group-destination': exact,
    'group-destination-unbound': unboundGroup(options),
    'source-cidr': exact,
    // Inbound: fromCIDRSet of the tag's prefixes; outbound: the protected side, like any other source.
    'source-service-tag': exact,
    'source-group': exact,
    'source-group-unbound': unboundGroup(options),
    'port-http': exact,
    'port-https': exact,
    'port-tcp': exact,
    'port-ssh': exact,
    'port-udp': exact,
    'all-traffic': exact,
    outbound: exact,
    inbound: exact,
    internal: options['group-label']
      ? exact
      : {
          level: 'narrow',
          note: "internal peers are matched by address, and Cilium's CIDR rules never match pods and match nodes only when the agent runs with policy-cidr-match-mode=nodes (Cilium 1.15+)",
          hint: 'label the systems and --set group-label=KEY so that the groups are selected by label',
        },
  };
}

/**
 * Cilium: one CiliumNetworkPolicy (or CiliumClusterwideNetworkPolicy) whose `specs` hold one rule set per requirement,
 * each with a description naming the requirement, plus the DNS rules that toFQDNs needs.
 */
const cilium: Emitter = {
  id: 'cilium',
  describe: 'CiliumNetworkPolicy with toFQDNs, toCIDRSet and DNS rules (YAML)',
  defaultFile: 'cilium-policy.yaml',
  fidelity,
  serviceTags: 'prefixes',
  options: {
    namespace: { type: 'string', default: 'default', pattern: '^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$', describe: 'namespace of the CiliumNetworkPolicy (ignored with clusterwide=true)' },
    name: {
      type: 'string',
      default: '',
      pattern: '^(?=.{0,253}$)(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*)?$',
      describe: 'metadata.name of the policy (default: fwgen- and the requirement set ids)',
    },
    clusterwide: { type: 'boolean', default: false, describe: 'write a CiliumClusterwideNetworkPolicy instead of a namespaced CiliumNetworkPolicy' },
    selector: {
      type: 'string',
      default: '',
      pattern: LABEL_LIST,
      describe: 'endpoint selector for the protected systems, as key=value,...; empty selects every endpoint (of the namespace, unless clusterwide)',
    },
    'group-label': {
      type: 'string',
      default: '',
      pattern: `^(?:${LABEL_KEY})?$`,
      describe:
        'label key whose value names an endpoint group (e.g. fwgen.io/group=all-kubernetes-nodes): groups on the protected side become endpoint selectors and unbound peer groups toEndpoints/fromEndpoints; in a namespaced policy these select endpoints of its namespace only',
    },
    'dns-selector': {
      type: 'string',
      default: 'k8s:io.kubernetes.pod.namespace=kube-system,k8s:k8s-app=kube-dns',
      pattern: LABEL_LIST,
      describe: 'labels of the cluster DNS pods that the automatic DNS rule allows on port 53, as key=value,... (default: kube-dns/CoreDNS in kube-system)',
    },
    'dns-lookups': {
      type: 'string',
      choices: ['required', 'all'],
      default: 'required',
      describe: 'which names the DNS rule lets the endpoints look up: required (only the names the rules allow) or all (matchPattern "*"; needed when the pods also resolve cluster service names or search-domain forms)',
    },
    'double-star': {
      type: 'boolean',
      default: false,
      describe: 'write subdomain wildcards as **.name (any depth; Cilium 1.19 or later, cilium/cilium#43420). Older Cilium reads **.name as *.name, one label',
    },
    'max-object-bytes': maxObjectBytesOption,
  },
  matchesHost(e, host, options) {
    if (e.match === 'exact') return host === e.name;
    if (e.match === 'label-wildcard') return labelMatches(e.label ?? '*', e.name, host);
    if (e.match === 'apex-and-subdomains' && host === e.name) return true;
    if (!host.endsWith('.' + e.name)) return false;
    // *.name stands for exactly one label; **.name (Cilium 1.19+) for one or more.
    const labels = host.slice(0, -e.name.length - 1).split('.').length;
    return options['double-star'] === true || labels === 1;
  },
  emit(set, options, context) {
    const diagnostics: Diagnostic[] = [];
    const selector = parseLabels(String(options.selector));
    const dnsSelector = parseLabels(String(options['dns-selector']));
    for (const [name, r] of [['selector', selector], ['dns-selector', dnsSelector]] as const) {
      if (r.duplicate) diagnostics.push({ code: 'EMIT_OPTION', severity: 'error', message: `--set ${name}: label ${r.duplicate} is given twice`, hint: 'give each label key once', target: 'cilium', params: { option: name } });
    }
    if (diagnostics.length) return { files: [], diagnostics };
    const po: PolicyOptions = {
      clusterwide: options.clusterwide === true,
      namespace: String(options.namespace),
      name: String(options.name),
      selector: selector.labels,
      dnsSelector: dnsSelector.labels,
      groupLabel: String(options['group-label']),
      dnsLookups: options['dns-lookups'] === 'all' ? 'all' : 'required',
      doubleStar: options['double-star'] === true,
    };
    const built = buildSpecs(set, po);
    pushAll(diagnostics, built.diagnostics);
    const budget = Number(options['max-object-bytes']);
    const policies = built.specs.length ? policyParts(built, po, budget, diagnostics) : [];
    if (diagnostics.some((d) => d.severity === 'error')) return { files: [], diagnostics };
    const notes = capNotes(sortDiagnostics([...context.fidelity, ...diagnostics]).map((d) => `${d.severity}: ${d.message}`));
    const parts =
      policies.length > 1
        ? [
            '',
            `The policy's JSON would pass ${budget} bytes (--set max-object-bytes), so it is split into ${policies.length} objects with the`,
            'same endpoint selectors, each holding part of every toCIDRSet, fromCIDRSet and toFQDNs list: together they allow',
            'exactly the same. When a later run writes fewer, delete the ones it no longer writes (or apply with --prune and',
            'the label app.kubernetes.io/managed-by=fwgen), or their addresses and names stay allowed.',
            ...policies.map(({ policy, bytes }) => `  ${policy.metadata.name}: ${policy.specs.length} specs, ${bytes} bytes as JSON`),
          ]
        : [];
    const lines = [...context.header, ...parts, ...(notes.length ? ['', 'Fidelity notes:', ...notes.map((n) => `  ${n}`)] : [])];
    // Comment lines (control characters flattened, so none can end early), then the documents; no anchors and
    // aliases, so a reader and kubectl see every selector written out; strings quoted for YAML 1.1 readers (kubectl).
    const comments = lines.map((l) => `# ${commentText(l)}`.trimEnd()).join('\n') + '\n';
    let body = '# Nothing to allow: every requirement was dropped (see the notes above).\n';
    if (policies.length) {
      const w = new YamlWriter('1.1');
      policies.forEach(({ policy }, i) => {
        if (i > 0) w.line('---');
        w.map(policy as unknown as Record<string, unknown>);
      });
      body = w.text();
    }
    return { files: [{ path: 'cilium-policy.yaml', contents: `${comments}\n${body}` }], diagnostics };
  },
};

export default cilium;
