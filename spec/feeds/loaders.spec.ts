import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFeed, selectFeedPrefixes, type FeedProvider } from '../../lib/feeds/index.js';
import { feedAgeDiagnostic } from '../../lib/feeds/freshness.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const read = (name: string) => readFileSync(join(fixtures, name), 'utf8');
const load = (feed: FeedProvider, name: string) => parseFeed(feed, read(name), name);

/** 1-based line and column of the `n`th occurrence of `needle` in a fixture, found independently of the loader. */
function positionOf(name: string, needle: string, n = 1): string {
  const text = read(name);
  let at = -1;
  for (let i = 0; i < n; i++) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`${needle} not in ${name}`);
  const before = text.slice(0, at);
  return `${before.split('\n').length}:${at - before.lastIndexOf('\n')}`;
}

const where = (r: { diagnostics: { span?: { line: number; col: number }; params: Record<string, unknown> }[] }) =>
  r.diagnostics.map((d) => `${String(d.params.path)} ${d.span!.line}:${d.span!.col}`);

describe('address feeds: loaders', function () {
  describe('AWS ip-ranges.json', function () {
    it('reads the sample: syncToken, createDate as the date, IPv4 and IPv6 prefixes with service and region', function () {
      const r = load('aws', 'ip-ranges.json');
      expect(r.diagnostics).to.deep.equal([]);
      expect(r.data!.info).to.deep.equal({ feed: 'aws', file: 'ip-ranges.json', idName: 'syncToken', id: '1761862386', date: '2025-10-30' });
      expect(r.data!.prefixes).to.have.length(26);
      expect(r.data!.prefixes.filter((p) => p.cidr.includes(':'))).to.have.length(7);
      expect(r.data!.prefixes[1]).to.deep.equal({ cidr: '3.5.0.0/19', service: 'S3', region: 'us-east-1' });
    });

    it('selects by service and region without case, aggregated (two adjacent /16s are one /15), IPv4 then IPv6', function () {
      const data = load('aws', 'ip-ranges.json').data!;
      const r = selectFeedPrefixes(data, { feed: 'aws', service: 's3', region: 'US-EAST-1' });
      expect(r).to.deep.equal({
        cidrs: ['3.5.0.0/19', '16.15.176.0/20', '18.34.0.0/19', '52.216.0.0/15', '54.231.0.0/17', '54.231.128.0/19', '2600:1fa0:8000::/39', '2600:1ff8:e000::/40', '2600:1ff9:e000::/40'],
        matched: 10,
      });
      expect(selectFeedPrefixes(data, { feed: 'aws', service: 'S3' })).to.have.property('matched', 13);
    });

    it('answers an unknown service or region with the nearest names in the file', function () {
      const data = load('aws', 'ip-ranges.json').data!;
      expect(selectFeedPrefixes(data, { feed: 'aws', service: 'S4' })).to.include({ problem: 'FEED_UNKNOWN', hint: 'did you mean S3?' });
      const r = selectFeedPrefixes(data, { feed: 'aws', service: 'S3', region: 'us-east-2' });
      expect(r).to.have.property('problem', 'FEED_NO_REGION');
      expect((r as { hint: string }).hint).to.equal('did you mean us-east-1? regions: eu-west-1, us-east-1');
    });

    it('reports each broken prefix and missing key at its JSON path and line:col', function () {
      const name = 'broken/aws-bad-prefix.json';
      expect(where(load('aws', name))).to.deep.equal([
        `$.prefixes[1].ip_prefix ${positionOf(name, '"52.216.0.1/15"')}`,
        `$.prefixes[2].ip_prefix ${positionOf(name, '"2600:1fa0:8000::/39"')}`,
        // No `service` at all: the position is that of the entry that lacks it.
        `$.ipv6_prefixes[0].service ${positionOf(name, '{', 5)}`,
      ]);
      expect(load('aws', name).diagnostics[0]!.message).to.contain('host bits set');
    });

    it('reports a syncToken that is not a string of digits, a date that is not one, and a list that is not an array', function () {
      const name = 'broken/aws-no-date.json';
      expect(where(load('aws', name))).to.deep.equal([
        `$.syncToken ${positionOf(name, '1761862386')}`,
        `$.createDate ${positionOf(name, '"2025-13-30')}`,
        `$.ipv6_prefixes ${positionOf(name, '{}')}`,
      ]);
    });

    it('reports a JSON syntax error at its line and column', function () {
      const r = load('aws', 'broken/aws-syntax.json');
      expect(r.diagnostics).to.have.length(1);
      expect(`${r.diagnostics[0]!.span!.line}:${r.diagnostics[0]!.span!.col}`).to.equal(positionOf('broken/aws-syntax.json', '"service"'));
      expect(r.diagnostics[0]!.code).to.equal('FEED_FILE');
    });
  });

  describe('Google cloud.json', function () {
    it('reads the sample: syncToken, creationTime as the date, prefixes by scope and service', function () {
      const r = load('gcp', 'cloud.json');
      expect(r.diagnostics).to.deep.equal([]);
      expect(r.data!.info).to.deep.equal({ feed: 'gcp', file: 'cloud.json', idName: 'syncToken', id: '1761822289207', date: '2025-10-30' });
      expect(r.data!.prefixes).to.have.length(14);
    });

    it('selects a scope, aggregated (34.16.0.0/17 and 34.16.128.0/17 are 34.16.0.0/16)', function () {
      const data = load('gcp', 'cloud.json').data!;
      expect(selectFeedPrefixes(data, { feed: 'gcp', region: 'us-central1' })).to.deep.equal({
        cidrs: ['34.16.0.0/16', '34.28.0.0/14', '34.33.0.0/16', '35.184.0.0/16', '35.188.0.0/17', '2600:1900:4000::/44'],
        matched: 7,
      });
      expect(selectFeedPrefixes(data, { feed: 'gcp', region: 'us-central2' })).to.include({ problem: 'FEED_NO_REGION' });
    });

    it('reports an entry with both or the wrong prefix key at its position', function () {
      const name = 'broken/gcp-both.json';
      expect(where(load('gcp', name))).to.deep.equal([`$.prefixes[1] ${positionOf(name, '{', 3)}`, `$.prefixes[2].ipv6Prefix ${positionOf(name, '"34.16.0.0/17"')}`]);
    });
  });

  describe('GitHub meta', function () {
    it('reads every list of CIDRs (not ssh_keys, domains or flags) and names the file by its SHA-256', function () {
      const r = load('github', 'meta.json');
      expect(r.diagnostics).to.deep.equal([]);
      expect(r.data!.info).to.include({ feed: 'github', file: 'meta.json', idName: 'sha256' });
      expect(r.data!.info.id).to.match(/^[0-9a-f]{16}$/);
      expect(r.data!.info).to.not.have.property('date');
      const keys = [...new Set(r.data!.prefixes.map((p) => p.service))];
      expect(keys).to.deep.equal(['hooks', 'web', 'api', 'git', 'github_enterprise_importer', 'packages', 'pages', 'importer', 'actions', 'actions_macos', 'codespaces', 'dependabot', 'copilot']);
    });

    it('selects a key, aggregated (4.148.0.0/16 and the /18, /19, /19 and /17 that fill 4.149.0.0/16 are one /15)', function () {
      const data = load('github', 'meta.json').data!;
      expect(selectFeedPrefixes(data, { feed: 'github', service: 'actions' })).to.deep.equal({ cidrs: ['4.148.0.0/15', '4.150.0.0/18', '13.64.0.0/15'], matched: 8 });
      expect(selectFeedPrefixes(data, { feed: 'github', service: 'hook' })).to.include({ problem: 'FEED_UNKNOWN', hint: 'did you mean hooks?' });
    });

    it('reports a bad prefix and a value that is not a string at their positions', function () {
      const name = 'broken/github-bad.json';
      expect(where(load('github', name))).to.deep.equal([`$.hooks[2] ${positionOf(name, '"140.82.112.0/33"')}`, `$.web[1] ${positionOf(name, '42')}`]);
    });
  });

  describe('age', function () {
    const aws = { feed: 'aws' as const, file: 'ip-ranges.json', idName: 'syncToken' as const, id: '1761862386', date: '2025-10-30' };
    it('warns past the threshold by the date inside the file, never with 0', function () {
      expect(feedAgeDiagnostic(aws, 30, '2025-11-29')).to.equal(undefined);
      expect(feedAgeDiagnostic(aws, 30, '2025-11-30')).to.include({ code: 'FEED_STALE', severity: 'warning' });
      expect(feedAgeDiagnostic(aws, 0, '2030-01-01')).to.equal(undefined);
    });

    it('notes that GitHub meta carries no date instead of guessing one from the clock or the mtime', function () {
      const d = feedAgeDiagnostic({ feed: 'github', file: 'meta.json', idName: 'sha256', id: 'abc' }, 30, '2030-01-01')!;
      expect(d).to.include({ code: 'FEED_UNDATED', severity: 'note' });
    });
  });
});
