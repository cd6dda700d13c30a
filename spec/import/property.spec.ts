// Property: whatever the document, `importDocument` either drafts a file the loader accepts or says it found
// nothing (IMPORT_EMPTY); it never throws, and the same text always gives the same bytes. Documents are built from
// fragments of every shape it reads, mixed with noise that looks like names, ports and markup.
import { expect } from 'chai';
import fc from 'fast-check';
import { importDocument } from '../../lib/import/index.js';
import { loadRequirementSet } from '../../lib/load/load-text.js';

const names = fc.constantFrom(
  'a.example.com', '*.b.example.net', '<region>.c.example.org', '{tenant_name}.d.example.com', 'https://e.example.com/', 'f.example.com:8443',
  '10.0.0.0/8', '192.0.2.1 - 192.0.2.9', '0.0.0.0', '2001:db8::/32', 'AzureCloud', 'Storage.WestEurope', 'foo.*.bar.com', '-bad-.example.com',
  'x'.repeat(70) + '.example.com', 'e.g.', 'README.md', 'Run:ai', '`g.example.com`', '**h.example.com**', 'All nodes', 'Vendor API FQDN', 'ICMP', '',
  'ü.example.com', 'xn--zz.example.com', 'a\u200bb.example.com', '{% raw %}', '<br>', '|', '\\|',
);
const ports = fc.constantFrom('443', 'https:443', 'HTTPS', '80, 443', 'TCP 8000-8100', 'udp/53', 'ICMP', 'any', '', '70000', '443/tcp', 'TCP');
const words = fc.constantFrom('Destination', 'Port', 'Protocol', 'Source', 'Direction', 'Purpose', 'Name', 'Service tag', 'Notes', 'Inbound', 'Outbound');
const cell = fc.oneof(names, ports, words, fc.array(names, { maxLength: 3 }).map((xs) => xs.join(', ')));

const fragment = fc.oneof(
  fc.array(words, { minLength: 1, maxLength: 5 }).chain((head) =>
    fc.array(fc.array(cell, { minLength: 0, maxLength: head.length + 1 }), { maxLength: 4 }).map((rows) =>
      [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')}${r.length % 2 ? ' |' : ''}`)].join('\n'),
    ),
  ),
  fc.tuple(fc.constantFrom('#', '##', '###'), words).map(([h, w]) => `${h} ${w} rules`),
  fc.tuple(names, ports).map(([n, p]) => `- ${n} on port ${p}`),
  fc.tuple(names, names).map(([a, b]) => `Allow access to ${a}, for example ${b}.`),
  fc.array(names, { maxLength: 3 }).map((xs) => ['```', ...xs, '```'].join('\n')),
  fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { maxLength: 3 }).map((rows) => ['|===', '|Host |Port', '', ...rows.map((r) => `|${r[0]} |${r[1]}`), '|==='].join('\n')),
  fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { maxLength: 3 }).map((rows) => ['.. list-table::', '   :header-rows: 1', '', '   * - Endpoint', '     - Port', ...rows.flatMap((r) => [`   * - ${r[0]}`, `     - ${r[1]}`])].join('\n')),
  fc.string({ maxLength: 40 }),
);
const doc = fc.array(fragment, { maxLength: 8 }).map((fs) => fs.join('\n\n'));

describe('fwgen import: any document', function () {
  it('drafts a file the loader accepts, or reports IMPORT_EMPTY; never throws; same text, same bytes', function () {
    this.timeout(120_000);
    fc.assert(
      fc.property(doc, fc.constantFrom('doc.md', 'doc.txt', 'doc.rst', 'doc.adoc'), (text, file) => {
        const r = importDocument(text, { file });
        if (r.yaml === undefined) {
          expect(r.diagnostics.map((d) => d.code)).to.include('IMPORT_EMPTY');
          return;
        }
        const loaded = loadRequirementSet(r.yaml, 'draft.yaml');
        expect(loaded.diagnostics.filter((d) => d.severity === 'error'), r.yaml).to.deep.equal([]);
        expect(importDocument(text, { file }).yaml).to.equal(r.yaml);
      }),
      { numRuns: 300, seed: 9 },
    );
  });
});
