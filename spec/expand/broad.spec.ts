import { expect } from 'chai';
import { loadRequirementSet } from '../../lib/load/load-text.js';
import { expand } from '../../lib/expand/index.js';

const doc = (destinations: string, extra = '') => `id: x
title: X
source: { document: d }
requirements:
  - id: a
    destinations: ${destinations}
    ports: [https:443]
${extra}    provenance: {}
`;

function broad(destinations: string, extra = '') {
  const loaded = loadRequirementSet(doc(destinations, extra), 'x.yaml');
  expect(loaded.diagnostics.filter((d) => d.severity === 'error'), 'loads').to.deep.equal([]);
  const r = expand([loaded.set!], {});
  return r.diagnostics.filter((d) => d.code === 'SAFETY_OVERBROAD').map((d) => [d.severity, d.span?.col, d.params.endpoint]);
}

describe('over-broad rules', () => {
  it('a wildcard over a public suffix is an error at the destination', () => {
    expect(broad('["*.io", { host: co.uk, match: apex-and-subdomains }]')).to.deep.equal([
      ['error', 20, '*.io'],
      ['error', 28, 'co.uk and *.co.uk'],
    ]);
  });

  it('a partial-label wildcard is flagged by the suffix after its label, as *.name is', () => {
    expect(broad('["foo*.com", "*cdn.co.uk", "azgn*.example.com", "*eh.servicebus.windows.net"]')).to.deep.equal([
      ['error', 20, 'foo*.com'],
      ['error', 32, '*cdn.co.uk'],
      // servicebus.windows.net is a private suffix: every customer's namespaces that end in "eh".
      ['warning', 67, '*eh.servicebus.windows.net'],
    ]);
    expect(broad('["foo*.com"]', '    allowBroad: the vendor names every such host\n')).to.deep.equal([]);
  });

  it("a wildcard over a suffix shared by a provider's customers is a warning", () => {
    expect(broad('["*.blob.core.windows.net", "*.github.io"]')).to.deep.equal([
      ['warning', 20, '*.blob.core.windows.net'],
      ['warning', 47, '*.github.io'],
    ]);
  });

  it('a prefix of length 0 is an error, as a destination and as a source', () => {
    expect(broad('["0.0.0.0/0", "::/0"]')).to.deep.equal([
      ['error', 20, '0.0.0.0/0'],
      ['error', 33, '::/0'],
    ]);
    expect(broad('["registry.example.com"]', '    direction: inbound\n    sources: ["0.0.0.0/0"]\n').map((x) => x[2])).to.deep.equal(['0.0.0.0/0']);
  });

  it('an ordinary wildcard, or one whose requirement says why in allowBroad, is not flagged', () => {
    expect(broad('["*.data.mcr.microsoft.com", "*.quay.io"]')).to.deep.equal([]);
    expect(broad('["*.io"]', '    allowBroad: the vendor allows every .io name\n')).to.deep.equal([]);
  });
});
