import { describe, expect, it } from 'vitest';
import { internetChecksum } from '../../../src/vrrp/checksum.js';
import { DROP_REASONS, newDropCounts } from '../../../src/vrrp/drop-reasons.js';
import { authKey, encodeIpv4, encodeIpv6, NO_AUTH, VRRP_MCAST4, VRRP_MCAST6, type Advert } from '../../../src/vrrp/packet.js';
import { validateIpv4, validateIpv6, type RxExpect } from '../../../src/vrrp/validate.js';

const advert: Advert = { version: 2, vrid: 51, priority: 100, advertIntervalMs: 1000, addresses: ['192.0.2.10', '192.0.2.11'] };
const x2: RxExpect = {
  family: 4, version: 2, vrid: 51, auth: NO_AUTH, advertIntervalMs: 1000, addresses: ['192.0.2.11', '192.0.2.10'],
  unicast: false, unicastChecksum: 'auto', ahLastSeq: 0,
};
const good = (): Buffer => encodeIpv4(advert, { src: '192.0.2.1', dst: VRRP_MCAST4, id: 7 });
/** Fixes the IPv4 header checksum after a test edits the header. */
function reIpSum(b: Buffer): Buffer {
  b.writeUInt16BE(0, 10);
  b.writeUInt16BE(internetChecksum(b, 0, 20), 10);
  return b;
}

describe('validateIpv4 drop reasons', () => {
  it('accepts a well-formed advert (addresses in any order)', () => {
    expect(validateIpv4(good(), x2)).toMatchObject({ ok: true, src: '192.0.2.1', advert });
  });

  const cases: Array<[string, () => Buffer, Partial<RxExpect>, string]> = [
    ['truncated below IP header', () => good().subarray(0, 12), {}, 'length'],
    ['truncated inside VRRP header', () => good().subarray(0, 25), {}, 'length'],
    ['truncated address list', () => good().subarray(0, 40), {}, 'length'],
    ['extra trailing bytes', () => Buffer.concat([good(), Buffer.alloc(4)]), {}, 'length'],
    ['IP total length disagrees', () => { const b = good(); b.writeUInt16BE(100, 2); return reIpSum(b); }, {}, 'length'],
    ['TTL 254', () => { const b = good(); b[8] = 254; return reIpSum(b); }, {}, 'ttl'],
    ['TTL 1', () => encodeIpv4(advert, { src: '192.0.2.1', dst: VRRP_MCAST4, id: 7, ttl: 1 }), {}, 'ttl'],
    ['version 3 to a v2 instance', () => encodeIpv4({ ...advert, version: 3 }, { src: '192.0.2.1', dst: VRRP_MCAST4, id: 1 }), {}, 'version'],
    // The expected length follows the packet's own version, as keepalived computes it.
    ['version 3 header, v2 length', () => { const b = good(); b[20] = 0x31; return b; }, {}, 'length'],
    ['type 2', () => { const b = good(); b[20] = 0x22; return b; }, {}, 'type'],
    ['bad checksum', () => { const b = good(); b[26] ^= 0x01; return b; }, {}, 'checksum'],
    ['address flipped (checksum now wrong)', () => { const b = good(); b[31] ^= 0x80; return b; }, {}, 'checksum'],
    ['other VRID', () => encodeIpv4({ ...advert, vrid: 52 }, { src: '192.0.2.1', dst: VRRP_MCAST4, id: 1 }), {}, 'vrid'],
    ['interval 2 s', () => encodeIpv4({ ...advert, advertIntervalMs: 2000 }, { src: '192.0.2.1', dst: VRRP_MCAST4, id: 1 }), {}, 'interval'],
    ['fewer addresses', () => encodeIpv4({ ...advert, addresses: ['192.0.2.10'] }, { src: '192.0.2.1', dst: VRRP_MCAST4, id: 1 }), {}, 'address-list'],
    ['other address', () => encodeIpv4({ ...advert, addresses: ['192.0.2.10', '192.0.2.12'] }, { src: '192.0.2.1', dst: VRRP_MCAST4, id: 1 }), {}, 'address-list'],
    ['unicast advert to multicast instance', () => encodeIpv4(advert, { src: '192.0.2.1', dst: '192.0.2.2', id: 1 }), {}, 'address-list'],
    ['multicast advert to unicast instance', () => good(), { unicast: true }, 'address-list'],
    ['unicast from a non-peer', () => encodeIpv4(advert, { src: '192.0.2.9', dst: '192.0.2.2', id: 1 }), { unicast: true, unicastPeers: ['192.0.2.1'] }, 'address-list'],
    ['PASS advert to no-auth instance', () => encodeIpv4(advert, { src: '192.0.2.1', dst: VRRP_MCAST4, id: 1, auth: { type: 'pass', key: authKey('pw') } }), {}, 'auth'],
    ['wrong password', () => encodeIpv4(advert, { src: '192.0.2.1', dst: VRRP_MCAST4, id: 1, auth: { type: 'pass', key: authKey('pw') } }), { auth: { type: 'pass', key: authKey('pw2') } }, 'auth'],
    ['no-auth advert to PASS instance', () => good(), { auth: { type: 'pass', key: authKey('pw') } }, 'auth'],
    ['unknown auth type 7', () => { const b = good(); b[24] = 7; return b; }, {}, 'auth'],
    ['plain advert to AH instance', () => good(), { auth: { type: 'ah', key: authKey('k') } }, 'auth'],
    ['AH advert to plain instance', () => encodeIpv4(advert, { src: '192.0.2.1', dst: VRRP_MCAST4, id: 1, auth: { type: 'ah', key: authKey('k') } }), {}, 'auth'],
    ['AH with altered TTL-independent field (id)', () => {
      const b = encodeIpv4(advert, { src: '192.0.2.1', dst: VRRP_MCAST4, id: 1, auth: { type: 'ah', key: authKey('k') } });
      b.writeUInt16BE(2, 4); return reIpSum(b);
    }, { auth: { type: 'ah', key: authKey('k') } }, 'auth'],
    ['AH SPI not the source', () => {
      const b = encodeIpv4(advert, { src: '192.0.2.1', dst: VRRP_MCAST4, id: 1, auth: { type: 'ah', key: authKey('k') } });
      b.writeUInt32BE(1, 24); return b;
    }, { auth: { type: 'ah', key: authKey('k') } }, 'auth'],
  ];
  for (const [name, make, over, reason] of cases) {
    it(`${name} -> ${reason}`, () => {
      const r = validateIpv4(make(), { ...x2, ...over });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.reason).toBe(reason);
        expect(r.detail.length).toBeGreaterThan(0);
      }
    });
  }

  it('AH survives TOS and TTL rewriting on unicast (mutable fields zeroed in the ICV)', () => {
    const auth = { type: 'ah' as const, key: authKey('k') };
    const b = encodeIpv4(advert, { src: '192.0.2.1', dst: '192.0.2.2', id: 1, auth, unicast: true });
    b[1] = 0; b[8] = 60; reIpSum(b);
    expect(validateIpv4(b, { ...x2, auth, unicast: true })).toMatchObject({ ok: true, ahSeq: 1 });
  });

  it('never throws on random bytes', () => {
    let seed = 1;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
    const counts = newDropCounts();
    for (let i = 0; i < 2000; i++) {
      const b = Buffer.alloc(rnd() % 80);
      for (let j = 0; j < b.length; j++) b[j] = rnd() & 0xff;
      if (b.length > 0) b[0] = 0x45;
      const r = validateIpv4(b, x2);
      expect(r.ok).toBe(false);
      if (!r.ok) counts[r.reason]++;
    }
    expect(Object.keys(counts)).toEqual([...DROP_REASONS]);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(2000);
    expect(counts.length).toBeGreaterThan(0);
  });
});

describe('validateIpv6', () => {
  const a6: Advert = { version: 3, vrid: 5, priority: 200, advertIntervalMs: 100, addresses: ['2001:db8::1'] };
  const x6: RxExpect = { ...x2, family: 6, version: 3, vrid: 5, advertIntervalMs: 1000, addresses: ['2001:db8::1'] };
  const rx = (over: Partial<{ payload: Buffer; hopLimit: number | null; dst: string }> = {}) => ({
    payload: encodeIpv6(a6, { src: 'fe80::1', dst: VRRP_MCAST6 }), src: 'fe80::1', dst: VRRP_MCAST6, hopLimit: 255, ...over,
  });
  it('accepts, and a v3 interval differing from ours is not a drop', () => {
    expect(validateIpv6(rx(), x6)).toMatchObject({ ok: true, advert: a6 });
  });
  it('drops by reason', () => {
    expect(validateIpv6(rx({ hopLimit: 64 }), x6)).toMatchObject({ ok: false, reason: 'ttl' });
    expect(validateIpv6(rx({ dst: 'ff02::13' }), x6)).toMatchObject({ ok: false, reason: 'checksum' });
    expect(validateIpv6(rx({ payload: rx().payload.subarray(0, 20) }), x6)).toMatchObject({ ok: false, reason: 'length' });
    expect(validateIpv6(rx({ payload: rx().payload.subarray(0, 4) }), x6)).toMatchObject({ ok: false, reason: 'length' });
    expect(validateIpv6(rx(), { ...x6, vrid: 6 })).toMatchObject({ ok: false, reason: 'vrid' });
    expect(validateIpv6(rx(), { ...x6, addresses: ['2001:db8::2'] })).toMatchObject({ ok: false, reason: 'address-list' });
    const t = rx().payload; t[0] = 0x32;
    expect(validateIpv6(rx({ payload: t }), x6)).toMatchObject({ ok: false, reason: 'type' });
  });
  it('accepts an unknown hop limit (socket without ancillary data)', () => {
    expect(validateIpv6(rx({ hopLimit: null }), x6).ok).toBe(true);
  });
});
