import { describe, expect, it } from 'vitest';
import { canonicalAddress, compareAddresses, ipv4ToBytes, ipv6FromBytes, ipv6ToBytes } from '../../../src/vrrp/addr.js';

describe('addresses', () => {
  it('formats IPv6 per RFC 5952', () => {
    const cases: Array<[string, string]> = [
      ['fe80:0:0:0:0:0:0:1', 'fe80::1'], ['::', '::'], ['::1', '::1'], ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:0db8:0000:0001:0001:0001:0001:0001', '2001:db8:0:1:1:1:1:1'], ['ff02::12', 'ff02::12'],
      ['::ffff:192.0.2.1', '::ffff:c000:201'], ['1:0:0:2::3', '1:0:0:2::3'], ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
    ];
    for (const [inp, out] of cases) expect(canonicalAddress(6, inp)).toBe(out);
    expect(ipv6FromBytes(ipv6ToBytes('fd00:99::5'), 0)).toBe('fd00:99::5');
  });
  it('rejects garbage', () => {
    for (const bad of ['1.2.3', '1.2.3.256', 'a.b.c.d', '']) expect(() => ipv4ToBytes(bad)).toThrow();
    for (const bad of ['1::2::3', '1:2:3:4:5:6:7', 'g::1', '1:2:3:4:5:6:7:8:9']) expect(() => ipv6ToBytes(bad)).toThrow();
  });
  it('orders numerically', () => {
    expect(compareAddresses(4, '10.0.0.9', '10.0.0.10')).toBeLessThan(0);
    expect(compareAddresses(6, 'fe80::10', 'fe80::9')).toBeGreaterThan(0);
    expect(compareAddresses(4, '10.0.0.1', '10.0.0.1')).toBe(0);
  });
});
