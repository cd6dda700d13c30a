/**
 * Kubernetes' own rules for names and labels (k8s.io/apimachinery/pkg/util/validation), so that every name, namespace
 * and label fwgen writes is one the API server accepts, and every option value is checked before it reaches YAML.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** A namespace name: a DNS-1123 label, at most 63 characters. */
export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

/** An object name such as a NetworkPolicy's: a DNS-1123 subdomain, at most 253 characters. */
export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}

/** A label key: an optional DNS-1123 subdomain prefix and `/`, then a name of at most 63 characters. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && !isDns1123Subdomain(prefix)) return `the prefix of label key "${key}" is not a DNS-1123 subdomain (lowercase letters, digits, "-" and ".", at most 253)`;
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return `label key "${key}" is not valid: its name must be 1 to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`;
  }
  return undefined;
}

export function labelValueProblem(key: string, value: string): string | undefined {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    return `label value "${value}" of "${key}" is not valid: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`;
  }
  return undefined;
}

/**
 * Reads a selector written `key=value,key=value` into matchLabels, keys in the order written. The empty string is
 * the empty selector (every pod). Returns the problems instead when any pair is not a valid label.
 */
export function parseSelector(text: string): { labels?: Record<string, string>; problems: string[] } {
  const problems: string[] = [];
  const labels: Record<string, string> = {};
  if (text.trim() === '') return { labels, problems };
  for (const raw of text.split(',')) {
    const item = raw.trim();
    const eq = item.indexOf('=');
    if (eq < 0) {
      problems.push(`"${item}" is not key=value`);
      continue;
    }
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    const bad = labelKeyProblem(key) ?? labelValueProblem(key, value);
    if (bad) problems.push(bad);
    else if (Object.hasOwn(labels, key)) problems.push(`label key "${key}" is given twice`);
    else labels[key] = value;
  }
  return problems.length ? { problems } : { labels, problems };
}

/** A selector for display in comments and messages: `{}` for every pod, else `key=value,...`. */
export function describeSelector(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return pairs.length ? pairs.join(',') : '{} (every pod in the namespace)';
}
