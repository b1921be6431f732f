import { describe, expect, it } from 'vitest';
import { captured, bytes, type CapturedPacket } from './fixtures.js';
import { ipv6FromBytes } from '../../../src/vrrp/addr.js';
import {
  authKey, encodeIpv4, encodeIpv6, NO_AUTH, parseIpv4, VRRP_MCAST4, type Auth, type VrrpVersion,
} from '../../../src/vrrp/packet.js';
import { validateIpv4, validateIpv6, type RxExpect, type UnicastChecksumMode } from '../../../src/vrrp/validate.js';

// What keepalived.conf in test/fixtures/vrrp configures for each captured instance.
interface CaseConf {
  version: VrrpVersion; family: 4 | 6; auth: Auth; intervalMs: number; vips: string[];
  unicast: boolean; checksum: UnicastChecksumMode;
}
const v2 = (vips: string[], auth: Auth = NO_AUTH, unicast = false): CaseConf =>
  ({ version: 2, family: 4, auth, intervalMs: 1000, vips, unicast, checksum: 'auto' });
const v3 = (vips: string[], extra: Partial<CaseConf> = {}): CaseConf =>
  ({ version: 3, family: 4, auth: NO_AUTH, intervalMs: 1000, vips, unicast: false, checksum: 'auto', ...extra });
const conf: Record<string, CaseConf> = {
  V2NONE: v2(['10.99.1.1', '10.99.1.2']),
  V2PASS: v2(['10.99.2.1'], { type: 'pass', key: authKey('abc') }),
  V2AH: v2(['10.99.3.1'], { type: 'ah', key: authKey('ahkey') }),
  V3IPV4: v3(['10.99.4.1', '10.99.4.2', '10.99.4.3']),
  V3IPV6: v3(['fd00:99::5', 'fd00:99::6'], { family: 6 }),
  UCV2: v2(['10.99.6.1'], NO_AUTH, true),
  UCV3: v3(['10.99.7.1'], { unicast: true, checksum: 'never' }),
  UCV3OLD: v3(['10.99.8.1'], { unicast: true, checksum: 'old' }),
  V3CENTI: v3(['10.99.9.1'], { intervalMs: 500 }),
};

function expectFor(name: string, vrid: number, ahLastSeq = 0): RxExpect {
  const c = conf[name];
  return {
    family: c.family, version: c.version, vrid, auth: c.auth, advertIntervalMs: c.intervalMs,
    addresses: c.vips, unicast: c.unicast, unicastChecksum: c.checksum, ahLastSeq,
  };
}

function ipv6Parts(pkt: Buffer): { payload: Buffer; src: string; dst: string; hopLimit: number } {
  return { payload: pkt.subarray(40), src: ipv6FromBytes(pkt, 8), dst: ipv6FromBytes(pkt, 24), hopLimit: pkt[7] };
}

function all(name: string): CapturedPacket[] {
  return [...captured[name].adverts, captured[name].shutdown];
}

describe('golden adverts from keepalived 2.2.7', () => {
  it('has every configured case', () => {
    expect(Object.keys(captured).sort()).toEqual(Object.keys(conf).sort());
  });

  for (const name of Object.keys(conf)) {
    const c = conf[name];
    it(`${name}: decodes and re-encodes byte for byte`, () => {
      const { vrid } = captured[name];
      let n = 0;
      for (const p of all(name)) {
        const pkt = bytes(p);
        if (c.family === 6) {
          const rx = ipv6Parts(pkt);
          const r = validateIpv6(rx, expectFor(name, vrid));
          if (!r.ok) throw new Error(`${name}: ${r.reason} ${r.detail}`);
          expect(r.advert).toEqual({ version: 3, vrid, priority: p.priority, advertIntervalMs: c.intervalMs, addresses: c.vips });
          expect(encodeIpv6(r.advert, { src: rx.src, dst: rx.dst }).toString('hex')).toBe(rx.payload.toString('hex'));
        } else {
          const r = validateIpv4(pkt, expectFor(name, vrid));
          if (!r.ok) throw new Error(`${name}: ${r.reason} ${r.detail}`);
          expect(r.advert).toEqual({ version: c.version, vrid, priority: p.priority, advertIntervalMs: c.intervalMs, addresses: c.vips });
          expect(r.switchToOldChecksum).toBe(false);
          const parsed = parseIpv4(pkt);
          if (!parsed.ok || !parsed.raw.ip) throw new Error('parse');
          const again = encodeIpv4(r.advert, {
            src: parsed.raw.ip.src, dst: parsed.raw.ip.dst, id: parsed.raw.ip.id, auth: c.auth,
            ahSeq: parsed.raw.ah?.seq, unicast: c.unicast, oldChecksum: c.checksum === 'old',
          });
          expect(again.toString('hex')).toBe(p.hex);
          expect(r.ahSeq).toBe(c.auth.type === 'ah' ? parsed.raw.ah?.seq : null);
        }
        n++;
      }
      expect(n).toBeGreaterThanOrEqual(3);
    });
  }

  it('AH sequence numbers count up from 1 and replays are refused', () => {
    const [first, second] = captured.V2AH.adverts.map(bytes);
    const a = validateIpv4(first, expectFor('V2AH', 3));
    expect(a.ok && a.ahSeq).toBe(1);
    const b = validateIpv4(second, expectFor('V2AH', 3, 1));
    expect(b.ok && b.ahSeq).toBe(2);
    const replay = validateIpv4(first, expectFor('V2AH', 3, 1));
    expect(replay).toMatchObject({ ok: false, reason: 'auth' });
  });

  it('AH with the wrong key fails', () => {
    const x = { ...expectFor('V2AH', 3), auth: { type: 'ah' as const, key: authKey('ahkex') } };
    expect(validateIpv4(bytes(captured.V2AH.adverts[0]), x)).toMatchObject({ ok: false, reason: 'auth' });
  });

  it('old unicast checksum: auto mode accepts it and asks to switch; never mode drops it', () => {
    const pkt = bytes(captured.UCV3OLD.adverts[0]);
    const auto = validateIpv4(pkt, { ...expectFor('UCV3OLD', 8), unicastChecksum: 'auto' });
    expect(auto).toMatchObject({ ok: true, switchToOldChecksum: true });
    const never = validateIpv4(pkt, { ...expectFor('UCV3OLD', 8), unicastChecksum: 'never' });
    expect(never).toMatchObject({ ok: false, reason: 'checksum' });
    // And a new-style unicast packet is not mistaken for an old one.
    const std = validateIpv4(bytes(captured.UCV3.adverts[0]), { ...expectFor('UCV3', 7), unicastChecksum: 'auto' });
    expect(std).toMatchObject({ ok: true, switchToOldChecksum: false });
  });

  it('old checksum equals the multicast checksum of the same advert', () => {
    const pkt = bytes(captured.UCV3OLD.adverts[0]);
    const r = validateIpv4(pkt, expectFor('UCV3OLD', 8));
    if (!r.ok) throw new Error(r.reason);
    const mc = encodeIpv4(r.advert, { src: '10.99.0.1', dst: VRRP_MCAST4, id: 1 });
    expect(mc.readUInt16BE(26)).toBe(pkt.readUInt16BE(26));
  });
});
