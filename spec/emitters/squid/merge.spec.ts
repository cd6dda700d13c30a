/**
 * Host merging in one acl: whatever mix of exact names, `*.name` and name-and-subdomains a requirement holds, the
 * fragment parses (squid refuses `name` beside `.name` and warns about `.a.name` beside `.name`) and means what the
 * requirement means, in both subdomain modes. Meaning is checked by reading the acl entries as squid does
 * (`name` exact, `.name` the name and below, dstdom_regex as a regular expression) over every name of a small
 * universe; parsing by squid -k parse with WARNING and ERROR lines refused.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import type { ResolvedRequirementSet } from '../../../lib/model/resolved.js';
import type { HostMatch } from '../../../lib/model/requirement-set.js';
import { emitTarget } from '../../../lib/emit/run-emitter.js';
import { getEmitter } from '../../../lib/emit/registry.js';
import { engineAvailable, requireEngine, squidParse } from '../../helpers/engines.js';

const BASES = ['example.com', 'example.net'];
const LABELS = ['a', 'b', 'x'];

/** Every name with up to three labels from LABELS above each base, and the bases themselves. */
function universe(): string[] {
  const out: string[] = [];
  const grow = (name: string, depth: number) => {
    out.push(name);
    if (depth < 3) for (const l of LABELS) grow(`${l}.${name}`, depth + 1);
  };
  for (const b of BASES) grow(b, 0);
  out.push('evil-example.com', 'example.com.evil.test', 'aexample.com', 'a.bexample.com');
  return out;
}

const endpointArb = fc.record({
  labels: fc.array(fc.constantFrom(...LABELS), { maxLength: 2 }),
  base: fc.constantFrom(...BASES),
  match: fc.constantFrom<HostMatch>('exact', 'subdomains', 'apex-and-subdomains'),
});

function resolvedSet(endpoints: { name: string; match: HostMatch }[]): ResolvedRequirementSet {
  const span = { file: 'merge.yaml', line: 1, col: 1 };
  const provenance = { document: 'merge.md' };
  return {
    sets: [{ id: 'p', title: 'Property', source: { document: 'merge.md' }, file: 'merge.yaml', parameters: {}, options: {} }],
    requirements: [
      {
        id: 'p/r',
        set: 'p',
        direction: 'outbound',
        destinations: endpoints.map((e) => ({ endpoint: { kind: 'host' as const, name: e.name, match: e.match }, ports: [{ transport: 'tcp' as const, from: 443, to: 443, protocol: 'https' as const }], provenance: [provenance], span })),
        alternatives: [],
        provenance,
        span,
      },
    ],
  };
}

/** What the fragment allows on CONNECT :443, read the way squid reads dstdomain and dstdom_regex entries. */
function allowedBy(fragment: string): (host: string) => boolean {
  const acls = new Map<string, ((h: string) => boolean)[]>();
  for (const m of fragment.matchAll(/^acl (\S+) (dstdomain -n|dstdom_regex -n -i) (\S+)$/gm)) {
    const [, name, type, value] = m as unknown as [string, string, string, string];
    const test =
      type === 'dstdomain -n'
        ? value.startsWith('.')
          ? (h: string) => h === value.slice(1) || h.endsWith(value)
          : (h: string) => h === value
        : ((re) => (h: string) => re.test(h))(new RegExp(value, 'i'));
    acls.set(name, [...(acls.get(name) ?? []), test]);
  }
  const rules = [...fragment.matchAll(/^http_access allow fwgen_connect fwgen_port_443 (\S+)$/gm)].map((m) => m[1]!);
  return (host) => rules.some((r) => (acls.get(r) ?? []).some((t) => t(host)));
}

function required(endpoints: { name: string; match: HostMatch }[], mode: 'exact' | 'widen'): (host: string) => boolean {
  return (host) =>
    endpoints.some((e) => {
      const below = host.endsWith(`.${e.name}`);
      if (e.match === 'exact') return host === e.name;
      if (e.match === 'subdomains') return below || (mode === 'widen' && host === e.name);
      return below || host === e.name;
    });
}

describe('squid: host entries of one acl are merged so that squid accepts them, keeping their meaning', function () {
  this.timeout(60_000);
  const names = universe();

  for (const mode of ['exact', 'widen'] as const) {
    it(`subdomains=${mode}: random mixes of exact, *.name and name-and-subdomains`, async function () {
      const squid = await getEmitter('squid');
      const parse = engineAvailable('squid');
      if (!parse) requireEngine(this, 'squid');
      let parsed = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(endpointArb, { minLength: 1, maxLength: 7 }), async (raw) => {
          const endpoints = raw.map((e) => ({ name: [...e.labels, e.base].join('.'), match: e.match }));
          const r = emitTarget(resolvedSet(endpoints), squid, { subdomains: mode });
          expect(r.files, JSON.stringify(r.diagnostics)).to.have.length(1);
          const fragment = r.files[0]!.contents;
          const got = allowedBy(fragment);
          const want = required(endpoints, mode);
          const wrong = names.filter((h) => got(h) !== want(h));
          expect(wrong, `${JSON.stringify(endpoints)}\n${fragment}`).to.deep.equal([]);
          // No entry lies under another dotted entry of the same dstdomain acl.
          const dst = [...fragment.matchAll(/^acl (\S+) dstdomain -n (\S+)$/gm)].map((m) => m[2]!);
          for (const d of dst.filter((x) => x.startsWith('.'))) {
            for (const other of dst) if (other !== d) expect(other === d.slice(1) || other.endsWith(d), `${other} under ${d}\n${fragment}`).to.equal(false);
          }
          if (parse && parsed < 40) {
            parsed++;
            const p = squidParse(fragment);
            expect(p.ok && p.warnings.length === 0 && p.errors.length === 0, `${JSON.stringify(endpoints)}\n${p.output}`).to.equal(true);
          }
        }),
        { numRuns: 300, seed: mode === 'exact' ? 20261123 : 20261124 },
      );
      expect(parsed).to.be.greaterThan(0);
    });
  }
});
