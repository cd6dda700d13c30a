import { APPLY_ANNOTATION_LIMIT, MAX_OBJECT_BYTES, beyondApply } from '../kubernetes-common/object-size.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import { InternalError } from '../../model/diagnostic.js';
import { partName, splitItems, type SplitContainer, type SplitItem } from '../k8s-networkpolicy/split.js';
import { dnsSpec, fqdnKey, policyObject, type BuiltSpecs, type FqdnSelector, type Policy, type PolicyOptions, type Rule, type Selector, type Spec } from './policy.js';

/**
 * One policy's specs as one object or, past `max-object-bytes` of JSON, as several (NAME, NAME-2, ...), each with
 * a share of every toCIDRSet, fromCIDRSet and toFQDNs list, with the same endpoint selector and ports. Cilium adds up
 * every policy that selects an endpoint, so together they allow exactly what one object would. Each object that has
 * toFQDNs entries for an endpoint selector carries that selector's DNS spec for those names (Cilium merges the DNS
 * rules of all policies the same way). Rules of other kinds (toEndpoints, fromEntities) stay whole in the first
 * object. Which object an entry goes to is decided by the shared splitter (jump consistent hashing; see
 * ../k8s-networkpolicy/split.ts).
 */
export function policyParts(built: BuiltSpecs, o: PolicyOptions, budget: number, diagnostics: Diagnostic[]): SizedPolicy[] {
  const plan = planItems(built, o);
  const name = built.name;
  const emptyBytes = jsonBytes(policyObject(name, o, []));
  const result = splitItems({ baseBytes: (p) => emptyBytes + (partName(name, p).length - name.length) + (p === 0 ? plan.fixedBytes : 0), containers: plan.containers, items: plan.items, budget });
  if (!result.ok) {
    diagnostics.push(tooLarge(name, result.reason, result.bytes, budget));
    return [];
  }
  if (result.parts > 1 && partName(name, result.parts - 1).length > 253) {
    diagnostics.push({ code: 'EMIT_OPTION', severity: 'error', message: `--set name: ${name} is too long for the names of its ${result.parts} parts (${partName(name, result.parts - 1)} passes 253 characters)`, hint: 'give a shorter --set name', target: 'cilium', params: { option: 'name' } });
    return [];
  }
  // Entries per rule per object, and names per endpoint selector per object, in their order; per object, the specs
  // that have entries in it, in spec order (items come in spec order), so that each object visits its own specs
  // rather than all of them: objects and specs both grow with the destinations.
  const entries = new Map<string, unknown[]>();
  const lookups = new Map<string, Map<string, FqdnSelector>>();
  const specsOfPart: number[][] = Array.from({ length: result.parts }, () => []);
  plan.items.forEach((_, i) => {
    const at = plan.where[i]!;
    const p = result.partOf[i]!;
    const k = `${p}/${at.spec}.${at.rule}`;
    const list = entries.get(k);
    if (list) list.push(at.entry);
    else {
      entries.set(k, [at.entry]);
      const specs = specsOfPart[p]!;
      if (specs[specs.length - 1] !== at.spec) specs.push(at.spec);
    }
    if (at.lookup !== undefined) {
      const lk = `${p}/${at.lookup}`;
      const names = lookups.get(lk) ?? new Map<string, FqdnSelector>();
      names.set(fqdnKey(at.entry as FqdnSelector), at.entry as FqdnSelector);
      lookups.set(lk, names);
    }
  });
  const policies: SizedPolicy[] = [];
  for (let p = 0; p < result.parts; p++) {
    const specs: Spec[] = [];
    plan.selectors.forEach((selector, si) => {
      const names = lookups.get(`${p}/${si}`);
      if (names) specs.push(dnsSpec(selector, [...names.values()], o));
    });
    // The first object also holds the rules that are not split, so it goes through every spec once.
    for (const si of p === 0 ? built.specs.keys() : specsOfPart[p]!) {
      const spec = built.specs[si]!;
      const dir = spec.egress ? 'egress' : 'ingress';
      const rules: Rule[] = [];
      (spec[dir] ?? []).forEach((rule, ri) => {
        const kind = listOf(rule);
        if (!kind) {
          if (p === 0) rules.push(rule);
          return;
        }
        const list = entries.get(`${p}/${si}.${ri}`);
        if (list) rules.push({ ...rule, [kind]: list });
      });
      if (rules.length) specs.push({ description: spec.description, endpointSelector: spec.endpointSelector, [dir]: rules });
    }
    // An object without specs would add nothing: none is written (Cilium refuses a policy without specs).
    if (specs.length === 0) continue;
    const policy = policyObject(partName(name, p), o, specs);
    const bytes = jsonBytes(policy);
    if (bytes > budget) throw new InternalError(`${policy.metadata.name} is ${bytes} bytes of JSON, over the ${budget} the split planned for`);
    if (bytes > APPLY_ANNOTATION_LIMIT) diagnostics.push(beyondApply('cilium', policy.metadata.name, bytes, budget));
    policies.push({ policy, bytes });
  }
  return policies;
}

/** A policy object and its size as JSON (measured once, for the limit and the header). */
export interface SizedPolicy {
  policy: Policy;
  bytes: number;
}


type ListKey = 'toCIDRSet' | 'fromCIDRSet' | 'toFQDNs';

/** The list of a rule that is shared out, if any. */
function listOf(rule: Rule): ListKey | undefined {
  return rule.toCIDRSet ? 'toCIDRSet' : rule.fromCIDRSet ? 'fromCIDRSet' : rule.toFQDNs ? 'toFQDNs' : undefined;
}

interface Plan {
  fixedBytes: number;
  containers: SplitContainer[];
  items: SplitItem[];
  /** Per item: its spec, its rule within the spec, its entry, and for a name the index of its endpoint selector's DNS spec. */
  where: { spec: number; rule: number; entry: unknown; lookup?: number }[];
  selectors: Selector[];
}

function planItems(built: BuiltSpecs, o: PolicyOptions): Plan {
  const containers: SplitContainer[] = [];
  const items: SplitItem[] = [];
  const where: Plan['where'] = [];
  const selectors: Selector[] = [];
  const dnsContainer = new Map<string, { lookup: number; container: number }>();
  let fixedBytes = 0;
  built.specs.forEach((spec, si) => {
    const dir = spec.egress ? 'egress' : 'ingress';
    const rules = spec[dir] ?? [];
    const fixed = rules.filter((r) => !listOf(r));
    if (fixed.length) fixedBytes += jsonBytes({ ...spec, [dir]: fixed }) + 1;
    if (fixed.length === rules.length) return;
    const specContainer = containers.length;
    containers.push({ bytes: jsonBytes({ ...spec, [dir]: [] }) + 1 });
    rules.forEach((rule, ri) => {
      const kind = listOf(rule);
      if (!kind) return;
      const ruleContainer = containers.length;
      containers.push({ bytes: jsonBytes({ ...rule, [kind]: [] }) + 1, parent: specContainer });
      let dns: { lookup: number; container: number } | undefined;
      if (kind === 'toFQDNs') {
        // One DNS spec per endpoint selector and object, however many toFQDNs rules share the selector.
        const key = JSON.stringify(spec.endpointSelector);
        dns = dnsContainer.get(key);
        if (!dns) {
          dns = { lookup: selectors.length, container: containers.length };
          selectors.push(spec.endpointSelector);
          containers.push({ bytes: jsonBytes(dnsSpec(spec.endpointSelector, [], o)) + 1 });
          dnsContainer.set(key, dns);
        }
      }
      for (const entry of rule[kind]!) {
        const bytes = jsonBytes(entry) + 1;
        // A name is written twice when the DNS rule lists the names: in toFQDNs and in the DNS spec.
        const mirrored = kind === 'toFQDNs' && o.dnsLookups === 'required' ? bytes : 0;
        items.push({ key: kind === 'toFQDNs' ? fqdnKey(entry as FqdnSelector) : (entry as { cidr: string }).cidr, bytes: bytes + mirrored, containers: dns ? [ruleContainer, dns.container] : [ruleContainer] });
        where.push({ spec: si, rule: ri, entry, ...(dns ? { lookup: dns.lookup } : {}) });
      }
    });
  });
  return { fixedBytes, containers, items, where, selectors };
}

function jsonBytes(v: unknown): number {
  return Buffer.byteLength(JSON.stringify(v));
}

function tooLarge(name: string, reason: 'base' | 'item' | 'no-fit', bytes: number, budget: number): Diagnostic {
  const what =
    reason === 'base'
      ? `its rules that are not split (toEndpoints, fromEntities) take ${bytes} bytes of JSON`
      : reason === 'item'
        ? `one prefix or name with its rule and spec takes ${bytes} bytes of JSON in an object of its own`
        : `its ${bytes} bytes of JSON cannot be shared out so that every object stays within the limit`;
  return {
    code: 'EMIT_LIMIT',
    severity: 'error',
    message: `policy ${name}: ${what}, more than max-object-bytes (${budget})`,
    hint: `raise --set max-object-bytes=N (at most ${APPLY_ANNOTATION_LIMIT} for client-side kubectl apply, ${MAX_OBJECT_BYTES} in all)`,
    target: 'cilium',
    params: { policy: name, bytes, limit: budget, option: 'max-object-bytes' },
  };
}

