/**
 * The quick IPv4 path of checkCidr (canonicalIPv4) scans character codes; it must accept exactly what the regex it
 * replaced accepted, with the same result, or a prefix would load differently (or a bad one pass unexplained).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { canonicalIPv4 } from '../../lib/model/cidr.js';

const IPV4_CIDR = /^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})(?:\/(0|[1-9][0-9]?))?$/;

function reference(text: string): string | undefined {
  const m = IPV4_CIDR.exec(text);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    n = n * 256 + octet;
  }
  const bits = m[5] === undefined ? 32 : Number(m[5]);
  if (bits > 32) return undefined;
  if (bits < 32 && n % 2 ** (32 - bits) !== 0) return undefined;
  return m[5] === undefined ? `${text}/32` : text;
}

const piece = fc.oneof(
  fc.integer({ min: 0, max: 300 }).map(String),
  fc.constantFrom('0', '00', '01', '007', '255', '256', '1000', '', ' ', '-1', 'a', '٣'),
);
const sep = fc.constantFrom('.', '.', '.', '/', '', '..', ':', ' ');
const candidate = fc.oneof(
  fc.tuple(piece, piece, piece, piece, fc.option(fc.integer({ min: 0, max: 40 }).map(String))).map(([a, b, c, d, len]) => `${a}.${b}.${c}.${d}${len === null ? '' : `/${len}`}`),
  fc.array(fc.tuple(piece, sep), { maxLength: 7 }).map((xs) => xs.map(([p, s]) => p + s).join('')),
  fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9', '.', '/', 'x'), maxLength: 20 }),
);

describe('canonicalIPv4 (the quick path of checkCidr)', () => {
  it('agrees with the regular expression it replaced on 20,000 generated strings', () => {
    fc.assert(
      fc.property(candidate, (text) => {
        expect(canonicalIPv4(text), JSON.stringify(text)).to.equal(reference(text));
      }),
      { numRuns: 20_000, seed: 13 },
    );
  });

  it('on the edge cases', () => {
    for (const t of ['0.0.0.0/0', '10.0.0.0/8', '10.0.0.1/8', '1.2.3.4', '1.2.3.4/32', '1.2.3.4/33', '01.2.3.4', '1.2.3.4/01', '1.2.3', '1.2.3.4.5', '1.2.3.4/', '/8', '255.255.255.255', '256.0.0.0', '1.2.3.4/3 ', '192.168.0.0/16'])
      expect(canonicalIPv4(t), t).to.equal(reference(t));
  });
});
