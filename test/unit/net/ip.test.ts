import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ipToBytes, bytesToIp, familyOf, macToBytes, bytesToMac } from '../../../src/net/ip.js';

describe('ip text <-> bytes', () => {
  it('IPv4', () => {
    expect(ipToBytes('10.1.2.255').toString('hex')).toBe('0a0102ff');
    expect(bytesToIp(Buffer.from([192, 168, 0, 1]))).toBe('192.168.0.1');
  });
  it('IPv6 forms: ::, embedded IPv4, leading and trailing compression', () => {
    expect(ipToBytes('::').toString('hex')).toBe('0'.repeat(32));
    expect(ipToBytes('::1').toString('hex')).toBe(`${'0'.repeat(31)}1`);
    expect(ipToBytes('fe80::').toString('hex')).toBe(`fe80${'0'.repeat(28)}`);
    expect(ipToBytes('2001:db8::10').toString('hex')).toBe('20010db8000000000000000000000010');
    expect(ipToBytes('::ffff:10.1.2.3').toString('hex')).toBe('00000000000000000000ffff0a010203');
    expect(ipToBytes('1:2:3:4:5:6:7:8').toString('hex')).toBe('00010002000300040005000600070008');
  });
  it('IPv6 text is RFC 5952 (what `ip addr` prints)', () => {
    expect(bytesToIp(ipToBytes('2001:0db8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1');
    expect(bytesToIp(ipToBytes('2001:db8:0:1:1:1:1:1'))).toBe('2001:db8:0:1:1:1:1:1');
    expect(bytesToIp(ipToBytes('fe80::5'))).toBe('fe80::5');
  });
  it('round trip for any 16 bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (a) => {
      const b = Buffer.from(a);
      expect(ipToBytes(bytesToIp(b)).equals(b)).toBe(true);
    }), { numRuns: 500 });
  });
  it('family and bad input', () => {
    expect(familyOf('10.0.0.1')).toBe(4);
    expect(familyOf('fe80::1')).toBe(6);
    expect(() => familyOf('10.0.0.256')).toThrow(/not an IP/);
  });
  it('MAC text', () => {
    expect(macToBytes('00:00:5e:00:01:33').toString('hex')).toBe('00005e000133');
    expect(bytesToMac(Buffer.from('02000000000a', 'hex'))).toBe('02:00:00:00:00:0a');
    expect(() => macToBytes('00:00:5e:00:01')).toThrow(/bad MAC/);
  });
});
