import { expect } from 'chai';
import fc from 'fast-check';
import { compareStrings, sortedOrder } from '../../lib/model/order.js';

/** The order a stable comparison sort gives: by key, then by position. */
function reference(keys: string[]): number[] {
  return keys.map((_, i) => i).sort((a, b) => compareStrings(keys[a]!, keys[b]!) || a - b);
}

describe('model: sortedOrder', () => {
  // Short lists take the comparison sort; from 256 keys, ASCII keys of up to 64 characters are radix sorted.
  const key = fc.oneof(
    fc.stringMatching(/^[0-9a-f.:/]{0,18}$/),
    fc.string({ maxLength: 70 }),
    fc.constantFrom('', '1.2.3.4/32', '1.2.3.4/3', '10.0.0.0/8', '9.0.0.0/8', '1.2.3.4', 'é', '\0', '~'),
  );

  it('orders keys as a stable code-unit sort does, long lists and short, ASCII or not', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(key, { maxLength: 1200, size: 'max' }), fc.array(fc.stringMatching(/^[ -~]{0,64}$/), { minLength: 256, maxLength: 600, size: 'max' })), (keys) => {
        expect(Array.from(sortedOrder(keys))).to.deep.equal(reference(keys));
      }),
      { seed: 13, numRuns: 200 },
    );
  });

  it('radix sorts a list of CIDRs with duplicates, prefixes of each other and unequal lengths', () => {
    const keys: string[] = [];
    for (let i = 0; i < 3000; i++) keys.push(`${(i * 7919) % 256}.${i % 3}.0.0/${8 + (i % 25)}`, `${i % 256}.0.0.0`);
    expect(Array.from(sortedOrder(keys))).to.deep.equal(reference(keys));
  });

  it('puts a key before the same key with more after it, even a NUL', () => {
    const keys = ['a\0', 'a', ...Array.from({ length: 300 }, (_, i) => `k${i}`)];
    const order = Array.from(sortedOrder(keys));
    expect(order.slice(0, 2)).to.deep.equal([1, 0]);
    expect(order).to.deep.equal(reference(keys));
  });
});
