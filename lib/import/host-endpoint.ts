/**
 * A host token as the draft writes it: `name`, `*.name`, `{host, match: apex-and-subdomains}`, a partial-label
 * wildcard (`azgn*.servicebus.windows.net`) and a host with a path (`www.microsoft.com/pkiops/certs`), the last two
 * in the string forms the model reads (lib/model/host-form.ts). A path the model cannot take (a query, a
 * placeholder, a character outside RFC 3986's unreserved ones) makes no rule: the caller gets a review note instead.
 */
import { checkPath } from '../model/host-form.js';
import type { YamlEndpoint } from './draft.js';
import type { HostToken } from './tokens.js';

export function hostEndpoint(t: HostToken, name: string): { endpoint: YamlEndpoint } | { problem: string } {
  const base = t.match === 'subdomains' ? `*.${name}` : name;
  if (t.path === undefined) return { endpoint: t.match === 'apex-and-subdomains' ? { host: name, match: 'apex-and-subdomains' } : base };
  const checked = checkPath(t.path);
  if (checked.problems.length) {
    return { problem: `review: "${t.raw}": ${checked.problems[0]!.message}; not a rule: add ${t.name} with the path the vendor needs by hand` };
  }
  if (t.match === 'apex-and-subdomains') return { problem: `review: "${t.raw}": a leading-dot name with a path has no form in the model; not a rule: add it by hand` };
  return { endpoint: `${base}${checked.path ?? ''}` };
}
