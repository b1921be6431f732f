// lvsd's own isIP/isIPv4/isIPv6 (grammar/ip.ts) decide as node:net's, which lvsd no longer loads.
import { isIP as netIP, isIPv4 as netV4, isIPv6 as netV6 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIP, isIPv4, isIPv6 } from '../../../grammar/ip.js';

const samples = [
  '', '0.0.0.0', '255.255.255.255', '256.1.1.1', '01.1.1.1', '1.1.1', '1.1.1.1.', '.1.1.1.1', '1..1.1', '1.1.1.1 ', '10.0.0.1',
  '::', ':::', '::1', '1::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '1:2:3:4:5:6:7::8', '1:2:3:4:5:6:7:8:9', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7:',
  '::ffff:1.2.3.4', '::1.2.3.4', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6::1.2.3.4', '1:2:3:4:5::1.2.3.4', '1.2.3.4::', '::1.2.3', '::01.2.3.4',
  'fe80::1%eth0', 'fe80::1%', 'fe80::1%a b', 'fe80::1%1.2:3-x', '%eth0', '2001:DB8::aBcD', '12345::', 'g::1', '1::2::3', '::1:', '1:::2',
];

describe('IP address texts as node:net decides', () => {
  it.each(samples)('%j', (s) => {
    expect([isIPv4(s), isIPv6(s), isIP(s)]).toEqual([netV4(s), netV6(s), netIP(s)]);
  });
  it('for any text of address characters', () => {
    const text = fc.array(fc.constantFrom(...'0123456789abcdefABCDEFg:.%-x '.split(''), '::', '255', '1.2.3.4', 'ffff'), { maxLength: 24 }).map((a) => a.join(''));
    fc.assert(fc.property(text, (s) => {
      expect([isIPv4(s), isIPv6(s), isIP(s)]).toEqual([netV4(s), netV6(s), netIP(s)]);
    }), { numRuns: 20000 });
  });
});
