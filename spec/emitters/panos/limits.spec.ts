/**
 * PAN-OS at its limits: object counts past the chosen platform's capacity are errors naming the limit and the
 * option; lists longer than the members of one group are split (and nested) and stay valid and exact; long lists
 * can be External Dynamic Lists, written as files of their own.
 */
import { expect } from 'chai';
import { emitTarget } from '../../../lib/emit/run-emitter.js';
import { getEmitter } from '../../../lib/emit/registry.js';
import type { EmitterOptions } from '../../../lib/emit/emitter.js';
import type { ResolvedEndpoint, ResolvedRequirementSet } from '../../../lib/model/resolved.js';
import { requireEngine, xmllintCheck } from '../../helpers/engines.js';
import { checkStructure, parseVsys, referenceAvailable, type Entry } from './check.js';
import { checkPanosSemantics } from './semantics.js';
import { externalListFiles, oneRequirement } from './build.js';

/** `n` /32s two apart, so that none merges with another: n objects. */
function spaced(n: number, base = 0x0a000000): string[] {
  return Array.from({ length: n }, (_, i) => {
    const a = base + 2 * i;
    return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/32`;
  });
}
const cidrs = (xs: string[]): ResolvedEndpoint[] => xs.map((cidr) => ({ kind: 'cidr', cidr, family: 4 }));

async function run(set: ResolvedRequirementSet, options: EmitterOptions = {}) {
  return emitTarget(set, await getEmitter('panos'), options);
}

function rules(xml: string): Entry[] {
  return (parseVsys(xml).entry.rulebase!.security!.rules as { entry: Entry[] }).entry;
}

/** xmllint, the samples' structure, and the semantic check with the given member limit. */
function valid(ctx: Mocha.Context, set: ResolvedRequirementSet, result: Awaited<ReturnType<typeof run>>, maxMembers?: number): string {
  expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).to.deep.equal([]);
  const xml = result.files[0]!.contents;
  const lint = xmllintCheck(xml);
  expect(lint.ok, lint.output).to.equal(true);
  if (referenceAvailable()) expect(checkStructure(xml)).to.deep.equal([]);
  else if (process.env.FWGEN_REQUIRE_ENGINES === '1') throw new Error('PAN-OS reference samples missing');
  else console.warn(`SKIPPED structure check (no PAN-OS reference samples): ${ctx.test?.fullTitle() ?? ''}`);
  const report = checkPanosSemantics(set, parseVsys(xml).entry, result.diagnostics, { externalLists: externalListFiles(xml, result.files), ...(maxMembers ? { maxMembers } : {}) });
  expect(report.problems).to.deep.equal([]);
  return xml;
}

describe('panos limits', function () {
  before(function () {
    requireEngine(this, 'xmllint');
  });

  describe('object counts', function () {
    it('refuses more address objects than the platform holds, naming the limit and the options', async function () {
      const r = await run(oneRequirement(cidrs(spaced(10_001))));
      expect(r.files).to.deep.equal([]);
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      expect(errors.map((d) => [d.code, d.params.limit, d.params.count, d.params.max])).to.deep.equal([['EMIT_LIMIT', 'max-address-objects', 10_001, 10_000]]);
      expect(errors[0]!.message).to.contain('--set platform=vm-tier1');
      expect(errors[0]!.hint).to.contain('--set max-address-objects=N').and.to.contain('--set address-lists=edl');
    });
    it('takes them on a larger platform, or with a number given', async function () {
      const set = oneRequirement(cidrs(spaced(10_001)));
      expect((await run(set, { platform: 'vm-tier2' })).files).to.have.length(1);
      expect((await run(set, { 'max-address-objects': 10_001 })).files).to.have.length(1);
      const lower = await run(oneRequirement(cidrs(spaced(5))), { platform: 'vm-tier4', 'max-address-objects': 4 });
      expect(lower.diagnostics.map((d) => d.message)).to.deep.equal(['5 address objects are more than 4, the most the platform holds (--set max-address-objects=4)']);
    });
    it('counts address groups and FQDN objects against their own limits', async function () {
      const hosts: ResolvedEndpoint[] = ['a', 'b', 'c'].map((h) => ({ kind: 'host', name: `${h}.example.com`, match: 'exact' }));
      const r = await run(oneRequirement([...hosts, ...cidrs(spaced(7))]), { 'max-fqdn-objects': 2, 'max-address-groups': 2, 'group-members': 2 });
      expect(r.diagnostics.map((d) => [d.params.limit, d.params.count, d.params.max])).to.have.deep.members([
        ['max-fqdn-objects', 3, 2],
        // 10 members in groups of 2: 5, then 3, then 2 groups.
        ['max-address-groups', 10, 2],
      ]);
    });
  });
});
