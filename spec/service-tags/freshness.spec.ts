import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { daysBetween, serviceTagsDate, tagsAgeDiagnostic, today } from '../../lib/service-tags/freshness.js';
import { runCli } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const snapshot = join(root, 'data', 'service-tags', 'ServiceTags_Public_20251028.json');

describe('Service Tags age warning (TAGS_STALE)', function () {
  describe('the date of a file', function () {
    it('comes from the name Microsoft gives it, and only from a real calendar date', function () {
      expect(serviceTagsDate('ServiceTags_Public_20251027.json')).to.equal('2025-10-27');
      expect(serviceTagsDate('/x/y/ServiceTags_AzureGovernment_20260720.json')).to.equal('2026-07-20');
      expect(serviceTagsDate('ServiceTags_Public.json')).to.equal(undefined);
      expect(serviceTagsDate('tags_20251399.json')).to.equal(undefined);
      expect(serviceTagsDate('ServiceTags_Public_20250229.json')).to.equal(undefined);
      expect(serviceTagsDate('ServiceTags_Public_20240229.json')).to.equal('2024-02-29');
    });

    it('is compared with today (FWGEN_TODAY pins it) in whole days', function () {
      expect(today({ FWGEN_TODAY: '2025-11-27' })).to.equal('2025-11-27');
      expect(today({ FWGEN_TODAY: 'yesterday' })).to.match(/^\d{4}-\d{2}-\d{2}$/);
      expect(daysBetween('2025-10-28', '2025-11-27')).to.equal(30);
      expect(daysBetween('2025-10-28', '2026-03-30')).to.equal(153);
    });
  });

  describe('tagsAgeDiagnostic', function () {
    const info = { file: 'ServiceTags_Public_20251028.json', changeNumber: 375, date: '2025-10-28' };
    it('warns past the threshold, not at it, and never with 0', function () {
      expect(tagsAgeDiagnostic(info, 30, '2025-11-27')).to.equal(undefined);
      const d = tagsAgeDiagnostic(info, 30, '2025-11-28')!;
      expect(d).to.include({ code: 'TAGS_STALE', severity: 'warning' });
      expect(d.params).to.include({ ageDays: 31, maxAgeDays: 30, changeNumber: 375, date: '2025-10-28' });
      expect(d.message).to.contain('31 days old');
      expect(tagsAgeDiagnostic(info, 0, '2030-01-01')).to.equal(undefined);
    });

    it('says when the age cannot be told, rather than guessing it from the clock', function () {
      const d = tagsAgeDiagnostic({ file: 'tags.json', changeNumber: 9 }, 30, '2025-11-28')!;
      expect(d.code).to.equal('TAGS_STALE');
      expect(d.message).to.contain('cannot tell how old tags.json');
    });
  });

  describe('fwgen emit', function () {
    let dir: string;
    before(function () {
      dir = mkdtempSync(join(tmpdir(), 'fwgen-age-'));
      // A plain service tag for azure-nsg: exact, so the age warning is the only warning.
      writeFileSync(
        join(dir, 'tags.yaml'),
        'id: tags\ntitle: Tags\nsource: { document: spec }\nrequirements:\n  - id: acr\n    destinations: [{ serviceTag: AzureContainerRegistry }]\n    ports: [https:443]\n    provenance: { line: 1 }\n',
      );
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
    const emit = (env: Record<string, string>, ...extra: string[]) => runCli(['emit', '--file', 'tags.yaml', '--target', 'azure-nsg', ...extra], { cwd: dir, env: { ...process.env, ...env } });

    it('warns on stderr only: stdout is the same bytes, and --strict still exits 0', async function () {
      const fresh = await emit({ FWGEN_TODAY: '2025-11-01' }, '--strict');
      const old = await emit({ FWGEN_TODAY: '2026-12-06' }, '--strict');
      expect(fresh.code, fresh.stderr).to.equal(0);
      expect(fresh.stderr).not.to.contain('TAGS_STALE');
      expect(old.code, old.stderr).to.equal(0);
      expect(old.stderr).to.contain('fwgen: warning[TAGS_STALE]: ServiceTags_Public_20251028.json (changeNumber 375, published 2025-10-28) is 404 days old, older than 30 days');
      expect(old.stdout).to.equal(fresh.stdout);
      expect(old.stdout).not.to.contain('TAGS_STALE');
    });

    it('--max-tags-age sets the threshold, 0 turns it off, anything else is a usage error', async function () {
      expect((await emit({ FWGEN_TODAY: '2026-12-06' }, '--max-tags-age', '500')).stderr).not.to.contain('TAGS_STALE');
      expect((await emit({ FWGEN_TODAY: '2026-12-06' }, '--max-tags-age', '0')).stderr).not.to.contain('TAGS_STALE');
      expect((await emit({ FWGEN_TODAY: '2025-11-08' }, '--max-tags-age', '10')).stderr).to.contain('is 11 days old, older than 10 days');
      const bad = await emit({}, '--max-tags-age', 'ten');
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.contain('--max-tags-age ten: expected a whole number of days');
    });

    it('is raised by every target that reads the file (iptables too), and not when none is read', async function () {
      const r = await runCli(['emit', '--file', 'tags.yaml', '--target', 'iptables', '--out', join(dir, 'ipt')], { cwd: dir, env: { ...process.env, FWGEN_TODAY: '2026-12-06' } });
      expect(r.stderr).to.contain('TAGS_STALE');
      const squid = await runCli(['emit', '--catalog', 'mcr', '--target', 'squid'], { cwd: dir, env: { ...process.env, FWGEN_TODAY: '2026-12-06' } });
      expect(squid.code).to.equal(0);
      expect(squid.stderr).not.to.contain('TAGS_STALE');
    });

    it('a file whose name carries no date is reported as of unknown age', async function () {
      copyFileSync(snapshot, join(dir, 'tags.json'));
      const r = await emit({ FWGEN_TODAY: '2025-11-01' }, '--service-tags', 'tags.json');
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stderr).to.contain('warning[TAGS_STALE]: cannot tell how old tags.json (changeNumber 375) is');
    });

    it('--service-tags FOLDER uses its newest dated file', async function () {
      const folder = join(dir, 'service-tags');
      mkdirSync(folder);
      copyFileSync(snapshot, join(folder, 'ServiceTags_Public_20251028.json'));
      const text = readFileSync(snapshot, 'utf8').replace('"changeNumber": 375', '"changeNumber": 376');
      writeFileSync(join(folder, 'ServiceTags_Public_20251104.json'), text);
      const r = await emit({ FWGEN_TODAY: '2025-11-05' }, '--service-tags', 'service-tags');
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain('ServiceTags_Public_20251104.json (cloud Public, changeNumber 376, 2025-11-04)');
      writeFileSync(join(folder, 'ServiceTags_China_20260720.json'), '{}');
      const mixed = await emit({}, '--service-tags', 'service-tags');
      expect(mixed.code).to.equal(2);
      expect(mixed.stderr).to.contain('holds files of several clouds (ServiceTags_China, ServiceTags_Public)');
    });
  });
});
