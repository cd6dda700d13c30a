/**
 * Both Azure targets write the minimal prefix set (what Python's collapse_addresses gives) for a requirement's
 * addresses, user CIDRs and Service Tag prefixes alike, checked against the independent reference implementation
 * (spec/helpers/reference-prefixes.ts) on random sets of both families.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { loadRequirementSet } from '../../../lib/load/load-text.js';
import { expand } from '../../../lib/expand/index.js';
import { referenceKeys, referenceMinimal } from '../../helpers/reference-prefixes.js';
import { runSet, serviceTags } from './run.js';
import { templateAddresses } from './template-addresses.js';
import { tagPrefixes as tagPrefixesOf } from '../../../lib/service-tags/service-tags.js';

/** Prefixes crowded into 10.0.0.0/22 and 2001:db8::/120, so that random sets have siblings, neighbours and nested blocks. */
const v4 = fc.integer({ min: 22, max: 32 }).chain((len) =>
  fc.integer({ min: 0, max: 2 ** (len - 22) - 1 }).map((b) => {
    const n = b * 2 ** (32 - len);
    return `10.0.${Math.floor(n / 256)}.${n % 256}/${len}`;
  }),
);
const v6 = fc.integer({ min: 120, max: 128 }).chain((len) => fc.integer({ min: 0, max: 2 ** (len - 120) - 1 }).map((b) => `2001:db8::${(b * 2 ** (128 - len)).toString(16)}/${len}`));
const cidrs = fc.uniqueArray(fc.oneof({ weight: 3, arbitrary: v4 }, { weight: 1, arbitrary: v6 }), { minLength: 1, maxLength: 40 });
/** Small tags of the shipped Service Tags file, written as prefixes where a target takes no tag (firewall sources). */
const tags = fc.subarray(['WindowsVirtualDesktop', 'AzureDataLake', 'StorageMover', 'AzureMonitorForSAP'], { maxLength: 2 });

function setOf(sources: string[], sourceTags: string[], destinations: string[]) {
  const list = (xs: string[]) => xs.map((x) => `      - ${x.includes(':') ? JSON.stringify(x) : x}`).join('\n');
  const text = [
    'id: agg',
    'title: Aggregation',
    'source: { document: agg.md }',
    'requirements:',
    '  - id: r',
    `    sources:\n${list(sources)}${sourceTags.map((t) => `\n      - { serviceTag: ${t} }`).join('')}`,
    `    destinations:\n${list(destinations)}`,
    '    ports: [tcp:443]',
    '    provenance: { line: 1 }',
    '',
  ].join('\n');
  const loaded = loadRequirementSet(text, 'agg.yaml');
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
  const expanded = expand([loaded.set!], {});
  expect(expanded.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
  return { set: expanded.set!, diagnostics: expanded.diagnostics };
}

async function tagPrefixes(names: string[]): Promise<string[]> {
  const data = await serviceTags();
  return names.flatMap((n) => tagPrefixesOf(data.tags.get(n)!, 'tags').prefixes);
}

describe('azure targets: aggregation against the reference', function () {
  this.timeout(120_000);

  it('the generators make prefixes that merge', function () {
    // Guards the property below against random sets that never aggregate.
    const samples = fc.sample(cidrs, 200);
    expect(samples.filter((s) => referenceMinimal(s).length < s.length).length).to.be.greaterThan(50);
  });

  for (const target of ['azure-firewall', 'azure-nsg'] as const) {
    it(`${target}: sources and destinations are the minimal prefixes of the CIDRs${target === 'azure-firewall' ? ' and the source tags\' prefixes' : ''}`, async function () {
      await fc.assert(
        fc.asyncProperty(cidrs, cidrs, tags, async (src, dst, srcTags) => {
          const useTags = target === 'azure-firewall' ? srcTags : [];
          // The NSG writes nothing (an error) when no family is on both sides; that case is not aggregation's.
          if (target === 'azure-nsg') fc.pre(src.some((s) => dst.some((d) => s.includes(':') === d.includes(':'))));
          const run = await runSet(target, setOf(src, useTags, dst));
          expect(run.result.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
          const written = templateAddresses(run.result.files);
          const allSources = [...src, ...(await tagPrefixes(useTags))];
          // An NSG rule holds one family; a family on one side only can never match, and the NSG writes no rule for it.
          const fam = (c: string) => (c.includes(':') ? 6 : 4);
          const both = (xs: string[], other: string[]) => (target === 'azure-nsg' ? xs.filter((c) => other.some((o) => fam(o) === fam(c))) : xs);
          expect(referenceKeys(written.destinations)).to.deep.equal(referenceMinimal(both(dst, allSources)));
          expect(referenceKeys(written.sources)).to.deep.equal(referenceMinimal(both(allSources, dst)));
        }),
        { numRuns: 60 },
      );
    });
  }
});
