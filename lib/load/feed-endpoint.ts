import type { DiagnosticCode } from '../model/codes.js';
import type { EndpointEntry, FeedEndpoint, SourceSpan } from '../model/requirement-set.js';
import { joinPointer } from '../model/source-map.js';

type Raw = Record<string, unknown>;

export interface FeedEndpointContext {
  fail: (pointer: string, code: DiagnosticCode, message: string, hint?: string, params?: Record<string, unknown>, which?: 'value' | 'key') => void;
  checkPlaceholders: (template: string, pointer: string) => boolean;
  spanOf: (pointer: string) => SourceSpan;
}

/** The keys that choose prefixes in each feed, as written in requirement files, and the one each feed needs. */
const KEYS = {
  aws: { allowed: ['service', 'region'], required: 'service', example: '{ addressFeed: aws, service: S3, region: us-east-1 }' },
  gcp: { allowed: ['scope', 'service'], required: undefined, example: '{ addressFeed: gcp, scope: us-central1 }' },
  github: { allowed: ['key'], required: 'key', example: '{ addressFeed: github, key: hooks }' },
} as const;

const FEED_KEYS = ['service', 'scope', 'key'] as const;

/** Keys that only an `addressFeed:` endpoint takes, on an endpoint of another kind: each one an error at its key. */
export function checkStrayFeedKeys(raw: Raw, pointer: string, ctx: FeedEndpointContext): void {
  if (raw.addressFeed !== undefined) return;
  for (const k of FEED_KEYS) {
    if (raw[k] !== undefined) ctx.fail(joinPointer(pointer, k), 'SCHEMA_INVALID', `\`${k}\` applies only to an \`addressFeed:\` endpoint`, `remove \`${k}:\`, or write e.g. ${KEYS.aws.example}`, {}, 'key');
  }
}

/**
 * `{ addressFeed: aws, service: S3, region: us-east-1 }`, `{ addressFeed: gcp, scope: us-central1 }`,
 * `{ addressFeed: github, key: hooks }`: checks which keys the feed takes (the schema has checked each value's type).
 * Google's `scope` and AWS's `region` are both kept as `region`, GitHub's `key` as `service`.
 */
export function readFeedEndpoint(raw: Raw, pointer: string, ctx: FeedEndpointContext): EndpointEntry | undefined {
  const feed = raw.addressFeed;
  if (feed !== 'aws' && feed !== 'gcp' && feed !== 'github') return undefined;
  const spec = KEYS[feed];
  let ok = true;
  for (const k of [...FEED_KEYS, 'region'] as const) {
    if (raw[k] === undefined || (spec.allowed as readonly string[]).includes(k)) continue;
    ok = false;
    ctx.fail(joinPointer(pointer, k), 'SCHEMA_INVALID', `addressFeed ${feed} does not take \`${k}\``, `${feed} takes ${spec.allowed.map((a) => `\`${a}\``).join(' and ')}, e.g. ${spec.example}`, { feed, key: k }, 'key');
  }
  if (spec.required && typeof raw[spec.required] !== 'string') {
    ok = false;
    ctx.fail(pointer, 'SCHEMA_REQUIRED', `addressFeed ${feed} needs \`${spec.required}:\``, `e.g. ${spec.example}`, { feed, missingProperty: spec.required });
  }
  const text = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : undefined);
  const service = feed === 'github' ? text('key') : text('service');
  const region = feed === 'gcp' ? text('scope') : feed === 'aws' ? text('region') : undefined;
  if (region !== undefined && !ctx.checkPlaceholders(region, joinPointer(pointer, feed === 'gcp' ? 'scope' : 'region'))) ok = false;
  if (!ok) return undefined;
  const entry: FeedEndpoint = { kind: 'feed', feed, ...(service !== undefined ? { service } : {}), ...(region !== undefined ? { region } : {}) };
  return { ...entry, pointer, span: ctx.spanOf(pointer) };
}
