import ipaddr from 'ipaddr.js';
import type { Problem } from './problem.js';

export interface CidrResult {
  /** Canonical form: network address and prefix length, IPv6 compressed. */
  cidr?: string;
  family?: 4 | 6;
  problems: Problem[];
}

/** Parses an IPv4 or IPv6 prefix; a bare address is taken as a /32 or /128. Host bits must be zero. */
export function checkCidr(input: string): CidrResult {
  const text = input.trim();
  const quick = canonicalIPv4(text);
  if (quick) return { cidr: quick, family: 4, problems: [] };
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  let bits: number;
  try {
    if (text.includes('/')) {
      const parts = text.split('/');
      const [a, b] = parts as [string, string];
      if (parts.length !== 2 || !/^[0-9]{1,3}$/.test(b)) throw new Error('prefix');
      addr = ipaddr.parse(a);
      bits = Number(b);
    } else {
      addr = ipaddr.parse(text);
      bits = addr.kind() === 'ipv4' ? 32 : 128;
    }
    if (addr.kind() === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(text.split('/')[0]!)) throw new Error('form');
  } catch {
    return {
      problems: [
        {
          code: 'MODEL_CIDR',
          message: `"${input}" is not an IPv4 or IPv6 prefix`,
          hint: 'write an address and prefix length, e.g. "10.0.0.0/8" or "2001:db8::/32"',
          params: { value: input },
        },
      ],
    };
  }
  const max = addr.kind() === 'ipv4' ? 32 : 128;
  if (bits > max) {
    return {
      problems: [
        {
          code: 'MODEL_CIDR',
          message: `"${input}" has prefix length ${bits}; an ${addr.kind() === 'ipv4' ? 'IPv4' : 'IPv6'} prefix has at most ${max}`,
          hint: `use a prefix length from 0 to ${max}`,
          params: { value: input },
        },
      ],
    };
  }
  if (addr.kind() === 'ipv6' && bits >= 96 && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    // An IPv4 packet is never an IPv6 one on the wire: written into IPv6 rules this would match nothing, and read
    // as IPv4 it is a guess. The user says which.
    const v4 = networkAddress((addr as ipaddr.IPv6).toIPv4Address(), bits - 96);
    return {
      problems: [
        {
          code: 'MODEL_CIDR',
          message: `"${input}" is an IPv4-mapped IPv6 prefix, which no IPv6 packet on the wire carries (IPv4 traffic is matched by IPv4 rules)`,
          hint: `write the IPv4 prefix: ${v4.toString()}/${bits - 96}`,
          params: { value: input, ipv4: `${v4.toString()}/${bits - 96}` },
        },
      ],
    };
  }
  const network = networkAddress(addr, bits);
  const canonical = `${network.toString()}/${bits}`;
  const family = addr.kind() === 'ipv4' ? 4 : 6;
  if (network.toString() !== addr.toString()) {
    return {
      family,
      problems: [
        {
          code: 'MODEL_CIDR_HOST_BITS',
          message: `"${input}" has host bits set`,
          hint: `did you mean ${canonical}?`,
          params: { value: input, network: canonical },
        },
      ],
    };
  }
  return { cidr: canonical, family, problems: [] };
}

function networkAddress(addr: ipaddr.IPv4 | ipaddr.IPv6, bits: number): ipaddr.IPv4 | ipaddr.IPv6 {
  const bytes = addr.toByteArray();
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    bytes[i] = bytes[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return ipaddr.fromByteArray(bytes);
}

export function cidrFamily(cidr: string): 4 | 6 {
  return cidr.includes(':') ? 6 : 4;
}


/**
 * The common case without ipaddr.js: a canonical IPv4 prefix (or address) with no host bits, as it stands. Anything
 * else, valid or not, is left to the full check, which also explains what is wrong.
 */
export function canonicalIPv4(text: string): string | undefined {
  // A scan by character codes, equivalent to the regular expression it replaced (spec/model/canonical-ipv4.spec.ts):
  // the match array and its five strings were most of what loading 100,000 prefixes allocated here.
  let n = 0;
  let value = 0;
  let digits = 0;
  let field = 0;
  let bits = 32;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : -1;
    if (c >= 48 && c <= 57) {
      if (digits === 1 && value === 0) return undefined;
      value = value * 10 + (c - 48);
      if (++digits > (field === 4 ? 2 : 3)) return undefined;
      continue;
    }
    if (digits === 0) return undefined;
    if (field < 4) {
      if (value > 255) return undefined;
      n = n * 256 + value;
    } else bits = value;
    if (c === 46 && field < 3) field++;
    else if (c === 47 && field === 3) field = 4;
    else if (c === -1 && field >= 3) break;
    else return undefined;
    value = 0;
    digits = 0;
  }
  if (bits > 32) return undefined;
  if (bits < 32 && n % 2 ** (32 - bits) !== 0) return undefined;
  return field === 3 ? `${text}/32` : text;
}
