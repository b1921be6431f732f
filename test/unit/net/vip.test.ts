import { describe, it, expect } from 'vitest';
import { resolveVip, parseScope, vipText } from '../../../src/net/vip.js';
import { vrrpMac, defaultVmacName, linkLocalFromMac } from '../../../src/net/vmac.js';
import { bytesToIp } from '../../../src/net/ip.js';

describe('VIP options as keepalived reads them', () => {
  it('default prefix: /32 and /128', () => {
    expect(resolveVip({ address: '10.0.0.1', ifindex: 2 }).prefixLength).toBe(32);
    expect(resolveVip({ address: '2001:db8::1', ifindex: 2 }).prefixLength).toBe(128);
    expect(vipText(resolveVip({ address: '10.0.0.1', prefixLength: 24, ifindex: 2 }))).toBe('10.0.0.1/24');
  });
  it('brd + and - set or clear the host bits; explicit brd is kept', () => {
    expect(resolveVip({ address: '10.1.2.3', prefixLength: 24, ifindex: 2, broadcast: '+' }).broadcast?.toString('hex')).toBe('0a0102ff');
    expect(resolveVip({ address: '10.1.2.3', prefixLength: 24, ifindex: 2, broadcast: '-' }).broadcast?.toString('hex')).toBe('0a010200');
    expect(resolveVip({ address: '10.1.2.3', prefixLength: 0, ifindex: 2, broadcast: '+' }).broadcast?.toString('hex')).toBe('ffffffff');
    expect(resolveVip({ address: '10.1.2.3', prefixLength: 24, ifindex: 2, broadcast: '10.1.2.9' }).broadcast?.toString('hex')).toBe('0a010209');
  });
  it('brd refused where keepalived refuses it', () => {
    expect(() => resolveVip({ address: '10.1.2.3', prefixLength: 31, ifindex: 2, broadcast: '+' })).toThrow(/too long/);
    expect(() => resolveVip({ address: '2001:db8::1', ifindex: 2, broadcast: '+' })).toThrow(/IPv4 only/);
    expect(() => resolveVip({ address: '10.1.2.3', ifindex: 2, broadcast: 'x' })).toThrow();
  });
  it('scope words and numbers', () => {
    expect(parseScope('host')).toBe(254);
    expect(parseScope('link')).toBe(253);
    expect(parseScope('site')).toBe(200);
    expect(parseScope('global')).toBe(0);
    expect(parseScope('nowhere')).toBe(255);
    expect(parseScope('17')).toBe(17);
    expect(() => parseScope('256')).toThrow(/invalid scope/);
    expect(() => parseScope('galaxy')).toThrow(/invalid scope/);
  });
  it('bad prefix and ifindex', () => {
    expect(() => resolveVip({ address: '10.0.0.1', prefixLength: 33, ifindex: 2 })).toThrow(/prefix/);
    expect(() => resolveVip({ address: '10.0.0.1', ifindex: 0 })).toThrow(/ifindex/);
  });
  it('VRRP virtual MAC and vmac name', () => {
    expect(vrrpMac(1).toString('hex')).toBe('00005e000101');
    expect(vrrpMac(255, 6).toString('hex')).toBe('00005e0002ff');
    expect(() => vrrpMac(0)).toThrow(/VRID/);
    expect(defaultVmacName(51)).toBe('vrrp.51');
    expect(bytesToIp(linkLocalFromMac(Buffer.from('020000000101', 'hex')))).toBe('fe80::ff:fe00:101');
    expect(bytesToIp(linkLocalFromMac(Buffer.from('525400abcdef', 'hex')))).toBe('fe80::5054:ff:feab:cdef');
  });
});
