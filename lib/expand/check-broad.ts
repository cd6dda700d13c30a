import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Diagnostic } from '../model/diagnostic.js';
import type { ResolvedEndpoint, ResolvedRequirement } from '../model/resolved.js';
import type { SourceSpan } from '../model/requirement-set.js';
import { describeEndpoint } from '../model/describe.js';

type Tldts = { getDomain(host: string, opts?: { allowPrivateDomains?: boolean }): string | null };
let tldts: Tldts | undefined;

type SuffixKind = 'icann' | 'private' | 'none';
let known: Record<string, SuffixKind> | undefined;

/**
 * Whether `name` is a public suffix. The answers for the built-in catalogs' wildcards are computed at build time
 * (scripts/build-catalogs.mjs writes dist/data/suffix-kinds.json), so using a catalog does not load the public-suffix
 * list; any other name loads it on first use.
 */
export function suffixKind(name: string): SuffixKind {
  known ??= readKnown();
  const hit = known[name];
  if (hit) return hit;
  tldts ??= createRequire(import.meta.url)('tldts') as Tldts;
  const kind = tldts.getDomain(name) === null ? 'icann' : tldts.getDomain(name, { allowPrivateDomains: true }) === null ? 'private' : 'none';
  known[name] = kind;
  return kind;
}

function readKnown(): Record<string, SuffixKind> {
  try {
    return JSON.parse(readFileSync(new URL('../../dist/data/suffix-kinds.json', import.meta.url), 'utf8')) as Record<string, SuffixKind>;
  } catch {
    return {};
  }
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
      if (e.kind === 'host' && e.match !== 'exact' && req.allowBroad === undefined) {
        const kind = suffixKind(e.name);
        // A partial-label wildcard covers one label's pattern only, but that label may be anyone's name.
        const what = e.match === 'label-wildcard' ? `every name "${e.label}" directly under` : 'every name under';
        if (kind === 'icann') flag(e, d.span, 'destination', `allows ${what} the public suffix "${e.name}"`, true);
        else if (kind === 'private') flag(e, d.span, 'destination', `allows ${what} "${e.name}", a suffix shared by all of the provider's customers`, false);
      }
      if (e.kind === 'cidr' && e.cidr.endsWith('/0')) flag(e, d.span, 'destination', 'allows every address', true);
    }
    for (const s of req.sources ?? []) {
      if (s.kind === 'cidr' && s.cidr.endsWith('/0')) flag(s, req.span, 'source', 'allows every address', true);
    }
  }
  return out;
}
