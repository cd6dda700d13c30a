import ipaddr from 'ipaddr.js';
import { InternalError } from '../../model/diagnostic.js';
import { commentText } from '../../emit/header.js';

/**
 * Values that reach a Cilium policy. The YAML serialiser quotes and escapes every string, so nothing here can break
 * the document; these checks make sure each value also means to Cilium what the model meant (a name, a pattern, a
 * prefix, a label), so a bug shows as an error instead of a policy that allows something else.
 */

/** `matchName`: Cilium's CRD pattern, and the model's own host grammar (lowercase labels, no wildcard). */
const MATCH_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
/** Cilium's limit for `matchName` and `matchPattern` (MaxFQDNLength). */
export const MAX_FQDN_SELECTOR = 255;

export function matchName(name: string): string {
  if (!MATCH_NAME.test(name) || name.length > MAX_FQDN_SELECTOR) throw new InternalError(`refusing to write ${JSON.stringify(name)} as a Cilium matchName`);
  return name;
}

/** `*.name` or (Cilium 1.19+) `**.name`: a wildcard only as the whole leftmost label. */
export function matchPattern(prefix: '*' | '**', name: string): string {
  const pattern = `${prefix}.${matchName(name)}`;
  if (pattern.length > MAX_FQDN_SELECTOR) throw new InternalError(`matchPattern ${pattern} is longer than ${MAX_FQDN_SELECTOR}`);
  return pattern;
}

/**
 * A partial-label wildcard, `azgn*.name`: Cilium reads `*` as zero or more of [-a-zA-Z0-9] (ToRegexp in
 * pkg/fqdn/matchpattern), within the label, as the model does.
 */
export function labelPattern(label: string, name: string): string {
  if (!/^[a-z0-9-]*\*[a-z0-9-]*$/.test(label)) throw new InternalError(`refusing wildcard label ${JSON.stringify(label)}`);
  const pattern = `${label}.${matchName(name)}`;
  if (pattern.length > MAX_FQDN_SELECTOR) throw new InternalError(`matchPattern ${pattern} is longer than ${MAX_FQDN_SELECTOR}`);
  return pattern;
}

/** A canonical prefix, as the model writes it; re-parsed so nothing else can pass as a `cidr`. */
export function cidrValue(cidr: string): string {
  try {
    const [addr, bits] = ipaddr.parseCIDR(cidr);
    if (`${addr.toString()}/${bits}` !== cidr) throw new Error('not canonical');
  } catch {
    throw new InternalError(`refusing to write ${JSON.stringify(cidr)} as a Cilium cidr`);
  }
  return cidr;
}

/** Orders prefixes by family, then address, then length, so output does not depend on input order. */
export function compareCidrs(a: string, b: string): number {
  const [pa, la] = ipaddr.parseCIDR(a);
  const [pb, lb] = ipaddr.parseCIDR(b);
  const ba = pa.toByteArray();
  const bb = pb.toByteArray();
  if (ba.length !== bb.length) return ba.length - bb.length;
  for (let i = 0; i < ba.length; i++) if (ba[i] !== bb[i]) return ba[i]! - bb[i]!;
  return la - lb;
}

// Label keys: an optional Cilium source (`k8s:`, `any:`), an optional DNS-subdomain prefix and `/`, then a name.
const LABEL_NAME = '[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';
const DNS_SUBDOMAIN = '[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)*';
export const LABEL_KEY = `(?:[a-z0-9]+:)?(?:${DNS_SUBDOMAIN}/)?${LABEL_NAME}`;
/** A label value: empty, or what Kubernetes allows (63 characters at most). */
export const LABEL_VALUE = `(?:${LABEL_NAME})?`;
/** `key=value,key=value`, as the `selector` and `dns-selector` options take it (empty: every endpoint). */
export const LABEL_LIST = `^(?:${LABEL_KEY}=${LABEL_VALUE}(?:,${LABEL_KEY}=${LABEL_VALUE})*)?$`;

const LABEL_KEY_RE = new RegExp(`^${LABEL_KEY}$`);
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE}$`);

export function labelKey(key: string): string {
  if (!LABEL_KEY_RE.test(key) || key.length > 317) throw new InternalError(`refusing to write ${JSON.stringify(key)} as a label key`);
  return key;
}

export function labelValue(value: string): string {
  if (!LABEL_VALUE_RE.test(value)) throw new InternalError(`refusing to write ${JSON.stringify(value)} as a label value`);
  return value;
}

/** Parses a checked `key=value,...` option into matchLabels sorted by key; `duplicate` names a key given twice. */
export function parseLabels(text: string): { labels: Record<string, string>; duplicate?: string } {
  const labels: Record<string, string> = {};
  if (text === '') return { labels };
  const pairs = text.split(',').map((p) => {
    const i = p.indexOf('=');
    return [labelKey(p.slice(0, i)), labelValue(p.slice(i + 1))] as const;
  });
  for (const [k, v] of [...pairs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (Object.hasOwn(labels, k)) return { labels, duplicate: k };
    labels[k] = v;
  }
  return { labels };
}

/** Free text for a `description` field: one line, no control characters (the serialiser quotes the rest). */
export function descriptionText(s: string): string {
  return commentText(s).replace(/ {2,}/g, ' ').trim();
}
