import type { Diagnostic } from '../model/diagnostic.js';
import type { FeedEndpoint, SourceSpan } from '../model/requirement-set.js';
import type { FeedInfo, ResolvedEndpoint } from '../model/resolved.js';
import { FEED_PROVIDERS } from '../feeds/feed-data.js';
import type { FeedSources } from '../feeds/index.js';
import { describeSelector, selectFeedPrefixes } from '../feeds/select.js';

/**
 * An `addressFeed:` endpoint as the CIDRs it stands for: the prefixes the feed publishes for its service and region,
 * aggregated. CIDRs are what every target takes (as it takes a catalog's), so no target needs to know about feeds;
 * the feed file and its publication id go into every output's header through `feeds` on the set.
 */
export function resolveFeedEndpoint(
  e: FeedEndpoint,
  region: string | undefined,
  feeds: FeedSources | undefined,
  where: { requirement: string; span: SourceSpan },
  diagnostics: Diagnostic[],
  used: Set<FeedInfo>,
): ResolvedEndpoint[] {
  const data = feeds?.[e.feed];
  const selector = { feed: e.feed, ...(e.service !== undefined ? { service: e.service } : {}), ...(region !== undefined ? { region } : {}) };
  if (!data) {
    diagnostics.push({
      code: 'FEED_MISSING',
      severity: 'error',
      message: `${where.requirement}: ${describeSelector(selector)} needs the ${e.feed} feed file, and none was given`,
      hint: `download ${FEED_PROVIDERS[e.feed].file} from ${FEED_PROVIDERS[e.feed].url} and pass --feed ${e.feed}=FILE, or name it under \`feeds:\` in fwgen.yaml`,
      span: where.span,
      requirement: where.requirement,
      params: { feed: e.feed },
    });
    return [];
  }
  const r = selectFeedPrefixes(data, selector);
  if ('problem' in r) {
    diagnostics.push({ code: r.problem, severity: 'error', message: `${where.requirement}: ${r.message}`, hint: r.hint, span: where.span, requirement: where.requirement, params: { ...selector } });
    return [];
  }
  used.add(data.info);
  return r.cidrs.map((cidr) => ({ kind: 'cidr' as const, cidr, family: cidr.includes(':') ? (6 as const) : (4 as const) }));
}
