import { createRequire } from 'node:module';
import type { Diagnostic } from '../model/diagnostic.js';
import type { ResolvedEndpoint, ResolvedRequirement } from '../model/resolved.js';
import type { SourceSpan } from '../model/requirement-set.js';
import { describeEndpoint } from '../model/describe.js';

type Tldts = { getDomain(host: string, opts?: { allowPrivateDomains?: boolean }): string | null };
let tldts: Tldts | undefined;

/** Loaded on first use: the public-suffix list costs start-up time that only wildcard names need. */
function suffixKind(name: string): 'icann' | 'private' | undefined {
  tldts ??= createRequire(import.meta.url)('tldts') as Tldts;
  if (tldts.getDomain(name) === null) return 'icann';
  if (tldts.getDomain(name, { allowPrivateDomains: true }) === null) return 'private';
  return undefined;
}

/**
 * Flags rules that allow far more than a vendor can mean: a wildcard over a public suffix (`*.io`), a prefix of
 * length 0. Those are errors unless the requirement says why with `allowBroad`. A wildcard over a shared hosting
 * suffix (`*.blob.core.windows.net`, every customer's storage) is a warning.
 */
export function checkBroad(requirements: readonly ResolvedRequirement[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const req of requirements) {
    const flag = (e: ResolvedEndpoint, span: SourceSpan, role: string, why: string, severe: boolean) => {
      if (req.allowBroad !== undefined) return;
      out.push({
        code: 'SAFETY_OVERBROAD',
        severity: severe ? 'error' : 'warning',
        message: `${req.id}: ${role} ${describeEndpoint(e)} ${why}`,
        hint: severe ? 'narrow it, or add `allowBroad: <reason>` to the requirement if the vendor really asks for it' : 'prefer the vendor\'s dedicated names where it offers them; `allowBroad: <reason>` records that this is intended',
        span,
        requirement: req.id,
        provenance: req.provenance,
        params: { endpoint: describeEndpoint(e), role },
      });
    };
    for (const d of req.destinations) {
      const e = d.endpoint;
      if (e.kind === 'host' && e.match !== 'exact') {
        const kind = suffixKind(e.name);
        if (kind === 'icann') flag(e, d.span, 'destination', `allows every name under the public suffix "${e.name}"`, true);
        else if (kind === 'private') flag(e, d.span, 'destination', `allows every name under "${e.name}", a suffix shared by all of the provider's customers`, false);
      }
      if (e.kind === 'cidr' && e.cidr.endsWith('/0')) flag(e, d.span, 'destination', 'allows every address', true);
    }
    for (const s of req.sources ?? []) {
      if (s.kind === 'cidr' && s.cidr.endsWith('/0')) flag(s, req.span, 'source', 'allows every address', true);
    }
  }
  return out;
}
