// GARP and unsolicited NA frames against the ones keepalived 2.2.7 sent in a netns
// (test/fixtures/net/keepalived-frames.json and .pcap, recorded by capture-keepalived.sh).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { gratuitousArp, unsolicitedNa, icmpv6Checksum } from '../../../src/net/announce/frames.js';
import { ipToBytes, macToBytes } from '../../../src/net/ip.js';
import { vrrpMac } from '../../../src/net/vmac.js';

const golden = JSON.parse(readFileSync(join(__dirname, '../../fixtures/net/keepalived-frames.json'), 'utf8')) as
  { interfaceMac: string; garp: string; garpVmac: string; na: string };
const mac = macToBytes(golden.interfaceMac);

describe('announcement frames match keepalived', () => {
  it('gratuitous ARP from the interface MAC', () => {
    expect(golden.garp.length).toBe(84);
    expect(gratuitousArp(mac, ipToBytes('10.1.2.100')).toString('hex')).toBe(golden.garp);
  });
  it('gratuitous ARP from the VRRP virtual MAC (use_vmac, VRID 53)', () => {
    expect(gratuitousArp(vrrpMac(53), ipToBytes('10.1.2.101')).toString('hex')).toBe(golden.garpVmac);
  });
  it('unsolicited NA: override flag, hop limit 255, to ff02::1, checksum', () => {
    expect(golden.na.length).toBe(172);
    expect(unsolicitedNa(mac, ipToBytes('2001:db8::100'), false).toString('hex')).toBe(golden.na);
  });
  it('router flag changes only the flags and the checksum', () => {
    const plain = unsolicitedNa(mac, ipToBytes('2001:db8::100'), false);
    const router = unsolicitedNa(mac, ipToBytes('2001:db8::100'), true);
    expect(router[54 + 4]).toBe(0xa0);
    expect(plain[54 + 4]).toBe(0x20);
    expect(router.subarray(54 + 8).equals(plain.subarray(54 + 8))).toBe(true);
  });
  it('wrong address families are refused', () => {
    expect(() => gratuitousArp(mac, ipToBytes('2001:db8::1'))).toThrow(/IPv4/);
    expect(() => unsolicitedNa(mac, ipToBytes('10.0.0.1'), false)).toThrow(/IPv6/);
  });
  it('any NA verifies: the checksum over pseudo-header and message (checksum included) is 0', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 6, maxLength: 6 }), fc.boolean(), (a, m, r) => {
      const f = unsolicitedNa(Buffer.from(m), Buffer.from(a), r);
      const icmp = f.subarray(54);
      // Summing a message that already holds its checksum gives 0xffff, i.e. ~ = 0.
      expect(icmpv6Checksum(f.subarray(22, 38), f.subarray(38, 54), icmp)).toBe(0);
    }), { numRuns: 300 });
  });
});
