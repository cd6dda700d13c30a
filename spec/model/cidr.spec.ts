import { expect } from 'chai';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { checkCidr } from '../../lib/model/cidr.js';

/** What checkCidr must say of an IPv4 text, worked out with ipaddr.js alone. */
function expected(text: string): string | undefined {
  const [addr, len] = text.includes('/') ? text.split('/') : [text, '32'];
  if (!ipaddr.IPv4.isValidFourPartDecimal(addr!) || !/^[0-9]{1,3}$/.test(len!) || Number(len) > 32) return undefined;
  const bits = Number(len);
  const network = ipaddr.IPv4.networkAddressFromCIDR(`${addr}/${bits}`).toString();
  return network === ipaddr.parse(addr!).toString() ? `${network}/${bits}` : undefined;
}

describe('checkCidr on IPv4', () => {
  it('gives the canonical prefix exactly when ipaddr.js finds the text a prefix without host bits', () => {
    const octet = fc.oneof(fc.integer({ min: 0, max: 255 }).map(String), fc.constantFrom('256', '999', '00', '01', '007'));
    const text = fc
      .tuple(octet, octet, octet, octet, fc.option(fc.oneof(fc.integer({ min: 0, max: 40 }).map(String), fc.constantFrom('08', '032', '')), { nil: undefined }))
      .map(([a, b, c, d, len]) => `${a}.${b}.${c}.${d}${len === undefined ? '' : `/${len}`}`);
    const aligned = fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 })).map(([n, bits]) => {
      const net = bits === 0 ? 0 : Math.floor(n / 2 ** (32 - bits)) * 2 ** (32 - bits);
      return `${[24, 16, 8, 0].map((s) => Math.floor(net / 2 ** s) % 256).join('.')}/${bits}`;
    });
    fc.assert(
      fc.property(fc.oneof(text, aligned), (t) => {
        const r = checkCidr(t);
        expect(r.cidr, t).to.equal(expected(t));
        expect(r.problems.length === 0, t).to.equal(r.cidr !== undefined);
      }),
      { numRuns: 5000, seed: 3 },
    );
  });
});

describe('checkCidr on IPv4-mapped IPv6', () => {
  it('refuses ::ffff:a.b.c.d prefixes, naming the IPv4 prefix to write, and keeps other IPv6 prefixes', () => {
    for (const [text, ipv4] of [
      ['::ffff:192.0.2.0/120', '192.0.2.0/24'],
      ['::ffff:c000:200/120', '192.0.2.0/24'],
      ['::ffff:0:0/96', '0.0.0.0/0'],
      ['::ffff:10.1.2.3', '10.1.2.3/32'],
      ['::ffff:10.1.2.3/127', '10.1.2.2/31'],
    ] as const) {
      const r = checkCidr(text);
      expect(r.cidr, text).to.equal(undefined);
      expect(r.problems.map((p) => p.code), text).to.deep.equal(['MODEL_CIDR']);
      expect(r.problems[0]!.hint, text).to.equal(`write the IPv4 prefix: ${ipv4}`);
    }
    for (const text of ['::/0', '::/96', '2001:db8::/32', '64:ff9b::/96']) expect(checkCidr(text).cidr, text).to.equal(text);
  });
});
