import { expect } from 'chai';
import fc from 'fast-check';
import { XMLBuilder, XMLValidator } from 'fast-xml-parser';
import { writeXml, type XmlTree, type XmlValue } from '../../../lib/emitters/panos/xml.js';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, indentBy: '  ', commentPropName: '#comment', suppressEmptyNode: true });

const NAMES = ['entry', 'member', 'address', 'fqdn', 'ip-netmask', 'static', 'description', 'five-minute', 'rules'];
// Hostile text: every XML special character, comment breakers, and what looks like markup or entities.
const text = fc.stringMatching(/^[a-z &<>'"\-!\]\[;=\/\u00e9\u4e2d]{0,12}$/);
// XMLBuilder writes an attribute whose value is `true` as a bare name; writeXml does not (see its comment).
const attribute = text.filter((s) => s !== 'true');

const tree: fc.Arbitrary<XmlTree> = fc.letrec<{ node: XmlTree; value: XmlValue }>((tie) => ({
  node: fc
    .record({
      name: fc.option(attribute, { nil: undefined }),
      children: fc.array(fc.tuple(fc.constantFrom(...NAMES), tie('value')), { maxLength: 4 }),
    })
    .map(({ name, children }) => {
      const n: XmlTree = {};
      if (name !== undefined) n['@_name'] = name;
      for (const [k, v] of children) n[k] = v;
      return n;
    }),
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, text, tie('node'), fc.array(fc.oneof(text, tie('node')), { maxLength: 3 })),
})).node;

describe('panos: writeXml', () => {
  it('writes the same bytes as XMLBuilder for the forms the emitter uses, hostile text included', () => {
    fc.assert(
      fc.property(tree, text, (body, comment) => {
        const doc: XmlTree = { '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' }, '#comment': ` ${comment} `, config: body };
        const ours = writeXml(doc);
        expect(ours).to.equal(builder.build(doc));
        expect(XMLValidator.validate(ours), ours).to.equal(true);
      }),
      { seed: 7, numRuns: 500 },
    );
  });

  it('keeps an attribute whose value is true, where XMLBuilder writes a bare attribute name', () => {
    const doc: XmlTree = { config: { entry: { '@_name': 'true', description: 'x' } } };
    expect(writeXml(doc)).to.equal('<config>\n  <entry name="true">\n    <description>x</description>\n  </entry>\n</config>\n');
    expect(builder.build(doc)).to.contain('<entry name>');
  });

  it('refuses element and attribute names that are not XML names', () => {
    expect(() => writeXml({ 'a b': 'x' })).to.throw(/element name/);
    expect(() => writeXml({ a: { '@_x"y': 'v' } })).to.throw(/attribute name/);
  });
});
