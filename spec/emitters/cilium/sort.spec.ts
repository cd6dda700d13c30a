/** sortFqdns (one key per selector, a native sort) must give exactly the order of a sort by compareFqdn. */
import { expect } from 'chai';
import fc from 'fast-check';
import { compareFqdn, sortFqdns } from '../../../lib/emitters/cilium/policy.js';

const label = fc.constantFrom('a', 'b', 'ab', 'a-b', 'z9', 'api', 'x', 'data');
const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.'));
const selector = fc.oneof(
  name.map((n) => ({ matchName: n })),
  name.map((n) => ({ matchPattern: `*.${n}` })),
  fc.tuple(label, name).map(([l, n]) => ({ matchPattern: `${l}*.${n}` })),
);

describe('cilium: sortFqdns', () => {
  it('orders 2,000 generated lists as a sort by compareFqdn does, duplicates included', () => {
    fc.assert(
      fc.property(fc.array(selector, { maxLength: 40 }), (list) => {
        expect(sortFqdns(list)).to.deep.equal([...list].sort(compareFqdn));
      }),
      { numRuns: 2000, seed: 7 },
    );
  });
});
