import { describe, expect, it } from 'vitest';
import { AdvertIo } from '../../../src/vrrp/advert-io.js';
import { authKey, NO_AUTH, parseIpv4 } from '../../../src/vrrp/packet.js';
import type { WireParams } from '../../../src/vrrp/types.js';
import { captured, bytes } from './fixtures.js';

const wire = (over: Partial<WireParams> = {}): WireParams => ({
  family: 4, version: 2, vrid: 3, auth: NO_AUTH, addresses: ['10.99.3.1'], interfaceName: 'eth0',
  sourceAddress: '10.99.0.5', unicastPeers: [], checkUnicastSrc: false, unicastChecksum: 'auto', skipCheckAdvAddr: false, ...over,
});
const ipId = (p: Buffer): number => p.readUInt16BE(4);

describe('AdvertIo', () => {
  it('numbers IP ids from 1 and sends multicast to 224.0.0.18', () => {
    const io = new AdvertIo(wire(), 1000);
    const a = io.build(100);
    const b = io.build(100);
    expect(a.map((x) => x.dst)).toEqual(['224.0.0.18']);
    expect([ipId(a[0].pkt), ipId(b[0].pkt)]).toEqual([1, 2]);
  });

  it('one copy per unicast peer, same id', () => {
    const io = new AdvertIo(wire({ unicastPeers: ['10.99.0.2', '10.99.0.3'] }), 1000);
    const out = io.build(100);
    expect(out.map((x) => x.dst)).toEqual(['10.99.0.2', '10.99.0.3']);
    expect(out.map((x) => ipId(x.pkt))).toEqual([1, 1]);
  });

  it('accepts keepalived AH adverts and then refuses their replay; our next advert continues the sequence', () => {
    const io = new AdvertIo(wire({ auth: { type: 'ah', key: authKey('ahkey') } }), 1000);
    const [p1, p2] = captured.V2AH.adverts.map(bytes);
    expect(io.receive({ family: 4, packet: p1 })).toMatchObject({ ok: true, event: { priority: 200, src: '10.99.0.1' } });
    expect(io.receive({ family: 4, packet: p2 }).ok).toBe(true);
    expect(io.receive({ family: 4, packet: p1 })).toMatchObject({ ok: false, reason: 'auth' });
    expect(io.drops.auth).toBe(1);
    const mine = parseIpv4(io.build(150)[0].pkt);
    expect(mine.ok && mine.raw.ah?.seq).toBe(3);
  });

  it('two lvsd ends understand each other with AH', () => {
    const auth = { type: 'ah' as const, key: authKey('k') };
    const a = new AdvertIo(wire({ auth, sourceAddress: '10.99.0.5' }), 1000);
    const b = new AdvertIo(wire({ auth, sourceAddress: '10.99.0.6' }), 1000);
    for (let i = 0; i < 3; i++) expect(b.receive({ family: 4, packet: a.build(120)[0].pkt }).ok).toBe(true);
  });

  it('switches to the old unicast checksum when a peer uses it (auto)', () => {
    const io = new AdvertIo(wire({ version: 3, vrid: 8, addresses: ['10.99.8.1'], sourceAddress: '10.99.0.2', unicastPeers: ['10.99.0.1'] }), 1000);
    expect(io.oldChecksum).toBe(false);
    expect(io.receive({ family: 4, packet: bytes(captured.UCV3OLD.adverts[0]) }).ok).toBe(true);
    expect(io.oldChecksum).toBe(true);
  });

  it('check_unicast_src: only listed peers are heard', () => {
    const w = wire({ version: 3, vrid: 7, addresses: ['10.99.7.1'], sourceAddress: '10.99.0.2', unicastChecksum: 'never' });
    const pkt = bytes(captured.UCV3.adverts[0]); // from 10.99.0.1
    expect(new AdvertIo({ ...w, unicastPeers: ['10.99.0.9'] }, 1000).receive({ family: 4, packet: pkt }).ok).toBe(true);
    const strict = new AdvertIo({ ...w, unicastPeers: ['10.99.0.9'], checkUnicastSrc: true }, 1000);
    expect(strict.receive({ family: 4, packet: pkt })).toMatchObject({ ok: false, reason: 'address-list' });
    expect(new AdvertIo({ ...w, unicastPeers: ['10.99.0.1'], checkUnicastSrc: true }, 1000).receive({ family: 4, packet: pkt }).ok).toBe(true);
  });

  it('counts drops by reason', () => {
    const io = new AdvertIo(wire({ vrid: 1, addresses: ['10.99.1.1', '10.99.1.2'] }), 2000);
    expect(io.receive({ family: 4, packet: bytes(captured.V2NONE.adverts[0]) })).toMatchObject({ ok: false, reason: 'interval' });
    expect(io.receive({ family: 4, packet: bytes(captured.V2PASS.adverts[0]) })).toMatchObject({ ok: false, reason: 'vrid' });
    expect(io.drops).toMatchObject({ interval: 1, vrid: 1 });
    expect(io.received).toBe(2);
  });

  it('skip_check_adv_addr: the known master may send another address list', () => {
    const io = new AdvertIo(wire({ vrid: 1, addresses: ['10.99.1.1', '10.99.1.9'], skipCheckAdvAddr: true }), 1000);
    const pkt = bytes(captured.V2NONE.adverts[0]);
    expect(io.receive({ family: 4, packet: pkt })).toMatchObject({ ok: false, reason: 'address-list' });
  });

  it('compares addresses in canonical form whatever the config spelling', () => {
    const io = new AdvertIo(wire({ family: 6, version: 3, vrid: 5, addresses: ['FD00:99:0::0005', 'fd00:0099::6'], sourceAddress: 'FE80::2' }), 1000);
    const cap = bytes(captured.V3IPV6.adverts[0]);
    expect(io.receive({ family: 6, payload: cap.subarray(40), src: 'fe80::1' }).ok).toBe(true);
  });

  it('IPv6: builds and receives', () => {
    const w6 = wire({ family: 6, version: 3, vrid: 5, addresses: ['fd00:99::5', 'fd00:99::6'], sourceAddress: 'fe80::2' });
    const io = new AdvertIo(w6, 1000);
    const cap = bytes(captured.V3IPV6.adverts[0]);
    expect(io.receive({ family: 6, payload: cap.subarray(40), src: 'fe80::1' })).toMatchObject({ ok: true, event: { priority: 120 } });
    const [{ dst, pkt }] = io.build(100);
    expect(dst).toBe('ff02::12');
    const peer = new AdvertIo({ ...w6, sourceAddress: 'fe80::1' }, 1000);
    expect(peer.receive({ family: 6, payload: pkt, src: 'fe80::2' }).ok).toBe(true);
  });
});

describe('AdvertIo multicast group (mcast_dst_ip)', () => {
  it('adverts go to the configured group (canonical IPv6 text), else the RFC group', () => {
    expect(new AdvertIo(wire(), 1000).build(100)[0].dst).toBe('224.0.0.18');
    const io = new AdvertIo(wire({ multicastGroup: '224.0.0.99' }), 1000);
    const [{ dst, pkt }] = io.build(100);
    expect(dst).toBe('224.0.0.99');
    expect([...pkt.subarray(16, 20)]).toEqual([224, 0, 0, 99]);
    expect(new AdvertIo(wire({ family: 6, version: 3, addresses: ['fd00::1'], sourceAddress: 'fe80::1', multicastGroup: 'FF02::0099' }), 1000).group()).toBe('ff02::99');
  });
});
