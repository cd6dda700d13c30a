import { expect } from 'chai';
import { loadRequirementSet } from '../../lib/load/load-text.js';

const file = (dest: string, extra = '') => `id: t
title: T
source: { document: d }
groups: { g: { title: G } }
requirements:
  - id: r
    destinations: [${JSON.stringify(dest)}]
    ports: [https:443]
${extra}    provenance: {}
`;

describe('names that IDNA would silently rewrite', () => {
  for (const [what, name] of [
    ['a zero-width space', 'a\u200bb.example.com'],
    ['a soft hyphen', 'ab\u00adc.example.com'],
    ['a line break and a Squid directive', 'api.example.com\nhttp_access allow all'],
    ['a no-break space', 'api.example.com\u00a0'],
  ] as const) {
    it(`refuses ${what} instead of converting it away`, () => {
      const r = loadRequirementSet(file(name), 'x.yaml');
      expect(r.set).to.equal(undefined);
      expect(r.diagnostics.map((d) => [d.code, d.span?.line])).to.deep.equal([['MODEL_FQDN', 7]]);
      expect(r.diagnostics[0]!.message).to.match(/U\+[0-9A-F]{4}/);
    });
  }

  it('still converts a plain internationalised name', () => {
    const r = loadRequirementSet(file('bücher.example'), 'x.yaml');
    expect(r.set?.requirements[0]!.destinations[0]).to.include({ kind: 'host', name: 'xn--bcher-kva.example' });
  });
});
