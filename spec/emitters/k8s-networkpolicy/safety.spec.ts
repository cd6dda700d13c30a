/** Injection, determinism, and the guards against lists that would allow everything when empty. */
import { expect } from 'chai';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { yamlComment } from '../../../lib/emitters/k8s-networkpolicy/escape.js';
import { YamlWriter } from '../../../lib/emitters/k8s-networkpolicy/yaml-writer.js';
import { parse } from 'yaml';
import { k8sPorts } from '../../../lib/emitters/k8s-networkpolicy/policy.js';
import { checkStream, readStream } from './check.js';
import { allowedBy } from './semantics.js';
import { catalogCases, run } from './run.js';

const INPUTS = join(dirname(fileURLToPath(import.meta.url)), 'inputs');
const nonComment = (text: string) =>
  text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n');

describe('k8s-networkpolicy: safety', function () {
  this.timeout(60_000);

  describe('injection', function () {
    it('keeps hostile titles, purposes, provenance and group names inside comments', async function () {
      const bind = { g: '10.0.0.0/8' };
      const hostile = await run({ files: [join(INPUTS, 'inject.yaml')], bind });
      const benign = await run({ files: [join(INPUTS, 'benign.yaml')], bind });
      const docs = checkStream(hostile.text);
      expect(docs.map((d) => d.kind)).to.deep.equal(['NetworkPolicy', 'NetworkPolicy']);
      expect(nonComment(hostile.text)).to.equal(nonComment(benign.text));
      expect(readStream(hostile.text)).to.deep.equal(readStream(benign.text));
      expect(hostile.text).to.match(/Purpose {5}- to: \[\] --- kind: ClusterRoleBinding/);
      expect(hostile.text).not.to.match(/[\r\u0085\u2028\u2029\ufeff\u0000\u001b]/);
      expect(hostile.text.isWellFormed?.() ?? true).to.equal(true);
    });

    it('yamlComment leaves nothing that ends a comment or is not printable', function () {
      fc.assert(
        fc.property(fc.string({ unit: 'binary' }), (s) => {
          const c = yamlComment(s);
          expect(c).not.to.match(/[\n\r\u0085\u2028\u2029\ufeff\ufffe\uffff\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
          expect(c.isWellFormed?.() ?? true).to.equal(true);
          expect([...c].length).to.equal([...s].length);
          // The yaml package reads the comment back as one comment: the document is still empty.
          expect(readStream(`# ${c}\n---\na: 1\n`)).to.deep.equal([{ a: 1 }]);
        }),
        { numRuns: 100 },
      );
    });
  });

  describe('the YAML writer', function () {
    // Strings of every kind but line breaks (no value fwgen writes has one; the writer refuses them).
    const text = fc.oneof(
      fc.string({ unit: 'binary' }).map((x) => x.replace(/[\n\r\u0085\u2028\u2029]/g, ' ')),
      fc.constantFrom('yes', 'on', 'No', '~', 'null', '0777', '1_000', '1e3', '0x1F', '12:30:00', '2001-12-14', '::/0', '10.0.0.0/8', 'a.b', '- x', '#x', '*.example.com', '"q"', "'", '', ' lead', 'trail '),
    );
    const value = fc.letrec((tie) => ({
      scalar: fc.oneof(text, fc.integer(), fc.boolean()),
      map: fc.dictionary(text, tie('node'), { maxKeys: 4 }),
      list: fc.array(fc.oneof(tie('scalar'), tie('map')), { maxLength: 4 }),
      node: fc.oneof({ depthSize: 'small' }, tie('scalar'), tie('map'), tie('list')),
    }));
    it('writes what YAML 1.1 and 1.2 readers both read back as the same object', function () {
      fc.assert(
        fc.property(value.map as fc.Arbitrary<Record<string, unknown>>, (obj) => {
          fc.pre(Object.keys(obj).length > 0);
          const w = new YamlWriter('1.1');
          w.map(obj);
          const out = w.text();
          expect(parse(out, { version: '1.1', uniqueKeys: false })).to.deep.equal(obj);
          expect(parse(out, { version: '1.2', uniqueKeys: false })).to.deep.equal(obj);
        }),
        { numRuns: 500, seed: 11 },
      );
    });
  });

  describe('determinism', function () {
    for (const c of catalogCases.filter((x) => x.name.startsWith('runai (all') || x.name.startsWith('acr (every'))) {
      it(`${c.name}: the same input gives the same bytes`, async function () {
        const a = await run(c.input);
        const b = await run(c.input);
        expect(b.text).to.equal(a.text);
        expect(a.text).not.to.match(/20[0-9]{2}-[0-9]{2}-[0-9]{2}T/);
      });
    }
  });

  describe('lists that widen when empty', function () {
    it('never writes an empty ports list: all traffic leaves the field out, tcp:* keeps the protocol', function () {
      expect(k8sPorts([{ transport: 'any', from: 1, to: 65535, protocol: 'any' }])).to.equal(undefined);
      expect(k8sPorts([{ transport: 'tcp', from: 1, to: 65535, protocol: 'any' }])).to.deep.equal([{ protocol: 'TCP' }]);
      expect(k8sPorts([{ transport: 'udp', from: 30000, to: 32767, protocol: 'any' }])).to.deep.equal([{ protocol: 'UDP', port: 30000, endPort: 32767 }]);
      expect(() => k8sPorts([])).to.throw();
    });
  });

  describe('size', function () {
    it('does not warn below the limit', async function () {
      const out = await run(catalogCases.find((c) => c.name.startsWith('acr (global'))!.input);
      expect(out.diagnostics.filter((d) => d.code === 'EMIT_LIMIT')).to.deep.equal([]);
    });
  });
});
