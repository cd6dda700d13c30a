import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { aggregatePrefixes } from '../../lib/model/aggregate.js';
import { parseServiceTags, tagPrefixes } from '../../lib/service-tags/service-tags.js';
import { loadIndexedSnapshot } from '../../lib/service-tags/snapshot-index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const snapshot = join(root, 'data', 'service-tags', 'ServiceTags_Public_20251028.json');

describe('Service Tags snapshot index (dist/data/service-tags/*.index)', function () {
  type Mod = typeof import('../../lib/service-tags/index.js');
  let built: Mod;
  before(async function () {
    if (!existsSync(join(root, 'dist', 'service-tags', 'index.js'))) this.skip();
    built = (await import(pathToFileURL(join(root, 'dist', 'service-tags', 'index.js')).href)) as Mod;
  });

  it('is used by the build, and gives every tag the prefixes a full parse checks and aggregates', async function () {
    const fromIndex = (await built.loadServiceTagsFile()).data!;
    expect(fromIndex.aggregated, 'the build reads the index').to.be.a('function');
    const full = parseServiceTags(readFileSync(snapshot, 'utf8'), 'ServiceTags_Public_20251028.json').data!;
    expect(fromIndex.info).to.deep.equal(full.info);
    expect([...fromIndex.tags.keys()]).to.deep.equal([...full.tags.keys()]);
    let prefixes = 0;
    for (const [name, tag] of full.tags) {
      const indexed = fromIndex.tags.get(name)!;
      expect([indexed.region, indexed.systemService, indexed.index], name).to.deep.equal([tag.region, tag.systemService, tag.index]);
      expect(indexed.addressPrefixes, name).to.deep.equal(tag.addressPrefixes);
      const checked = tagPrefixes(tag, 'x');
      expect(checked.diagnostics).to.deep.equal([]);
      expect(fromIndex.aggregated!(indexed), name).to.deep.equal(aggregatePrefixes(checked.prefixes));
      prefixes += tag.addressPrefixes.length;
    }
    expect(prefixes).to.equal(93362);
  });

  it('is not used from lib/ sources', function () {
    // These specs run on lib/ through tsx: the index describes the build, not these sources.
    expect(loadIndexedSnapshot(snapshot)).to.equal(undefined);
  });

  it('is not used for a file of the same name and another size', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'fwgen-index-'));
    try {
      const file = join(dir, 'ServiceTags_Public_20251028.json');
      writeFileSync(file, JSON.stringify({ changeNumber: 1, cloud: 'Public', values: [] }));
      const mod = (await import(pathToFileURL(join(root, 'dist', 'service-tags', 'snapshot-index.js')).href)) as { loadIndexedSnapshot: typeof loadIndexedSnapshot };
      expect(mod.loadIndexedSnapshot(snapshot)?.tags.size).to.equal(3039);
      expect(mod.loadIndexedSnapshot(file)).to.equal(undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
