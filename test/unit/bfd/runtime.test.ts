// The BFD runtime over a stand-in of its socket edge (the real one is exercised in
// test/netns/bfd): demultiplexing, drops by reason, events, AdminDown at stop.
import { describe, expect, it } from 'vitest';
import { BfdRuntime, type BfdChange } from '../../../src/bfd/runtime.js';
import { decodeControl, encodeControl, type BfdControl } from '../../../src/bfd/packet.js';
import type { BfdSockets, Received } from '../../../src/bfd/udp-socket.js';
import { bfdSpecsFromModel, type BfdInstanceSpec } from '../../../src/bfd/from-model.js';
import type { Model } from '../../../src/config/model.js';
import { fakeClock } from '../check/fake-clock.js';

function edge() {
  const listeners: Array<(r: Received) => void> = [];
  const sent: Array<{ to: string; p: BfdControl; ttl: number; source?: string }> = [];
  const closed: string[] = [];
  const wantTtl: boolean[] = [];
  const sockets: BfdSockets = {
    async listen(_f, onPacket, _e, o) {
      listeners.push(onPacket);
      wantTtl.push(o?.ttl === true);
      return { ttl: o?.ttl === true, close: () => void closed.push('listen') };
    },
    async sender(o) {
      return {
        port: 49152,
        send: (data) => {
          const d = decodeControl(data);
          if (d.ok) sent.push({ to: o.neighbor, p: d.packet, ttl: o.ttl, ...(o.source ? { source: o.source } : {}) });
        },
        close: () => closed.push(`sender:${o.neighbor}`),
      };
    },
  };
  const deliver = (address: string, p: Partial<BfdControl> | Buffer, ttl?: number) => {
    const data = Buffer.isBuffer(p) ? p : encodeControl({
      diag: 0, state: 'Down', poll: false, final: false, cpi: false, demand: false, detectMult: 3, myDiscr: 0xabc, yourDiscr: 0,
      desiredMinTxUs: 1_000_000, requiredMinRxUs: 100_000, requiredMinEchoRxUs: 0, ...p,
    });
    for (const l of listeners) l({ data, address, port: 50000, ...(ttl !== undefined ? { ttl } : {}) });
  };
  return { sockets, sent, closed, deliver, listeners, wantTtl };
}

const spec = (name: string, neighbor: string): BfdInstanceSpec => ({
  name, family: 4, neighbor, source: '10.0.0.1', minRxUs: 100_000, minTxUs: 100_000, idleTxUs: 1_000_000, multiplier: 3,
  passive: false, ttl: 255, maxHops: 0, weight: 0, reverse: false, toVrrp: true, toChecker: true,
});

describe('BFD runtime', () => {
  it('finds the session by neighbour address while Your Discriminator is 0, then by discriminator; reports up/down', async () => {
    const e = edge();
    const fc = fakeClock(0);
    let r = 0.1;
    const rt = await BfdRuntime.start([spec('A', '10.0.0.2'), spec('B', '10.0.0.3')], { sockets: e.sockets, clock: fc.clock, random: () => (r += 0.1) % 1 });
    const events: Array<[string, BfdChange]> = [];
    rt.on('up', (c) => events.push(['up', c]));
    rt.on('down', (c) => events.push(['down', c]));
    expect(e.listeners).toHaveLength(1); // one IPv4 listener for both
    const [a, b] = rt.status();
    expect(a.localDiscr).not.toBe(b.localDiscr);
    e.deliver('10.0.0.3', { state: 'Down' });
    expect(rt.status()[1].state).toBe('Init');
    expect(rt.status()[0].state).toBe('Down');
    e.deliver('::ffff:10.0.0.3', { state: 'Up', yourDiscr: b.localDiscr });
    expect(rt.isUp('B')).toBe(true);
    expect(events).toEqual([['up', { name: 'B', from: 'Init', to: 'Up', diag: 0 }]]);
    // discriminator wins over the address; an unknown one is dropped
    e.deliver('10.9.9.9', { state: 'Down', yourDiscr: b.localDiscr, myDiscr: 0xabc });
    expect(rt.isUp('B')).toBe(false);
    expect(events.at(-1)).toEqual(['down', { name: 'B', from: 'Up', to: 'Down', diag: 3 }]);
    e.deliver('10.0.0.2', { state: 'Up', yourDiscr: 0x12345 });
    e.deliver('10.0.0.9', { state: 'Down' });
    e.deliver('10.0.0.2', Buffer.alloc(10));
    expect(rt.drops.counts).toMatchObject({ 'no-session': 2, short: 1 });
    // sending: to the neighbour, TTL 255, from the source address
    fc.advance(2_000_000);
    expect(e.sent.some((s) => s.to === '10.0.0.2' && s.ttl === 255 && s.source === '10.0.0.1')).toBe(true);
    await rt.stop();
    const admin = e.sent.filter((s) => s.p.state === 'AdminDown');
    expect(admin.map((s) => s.to).sort()).toEqual(['10.0.0.2', '10.0.0.3']);
    expect(admin.every((s) => s.p.diag === 7)).toBe(true);
    expect(e.closed.sort()).toEqual(['listen', 'sender:10.0.0.2', 'sender:10.0.0.3']);
  });

  it('drops packets whose TTL is more than max_hops below the configured TTL (255: no check)', async () => {
    const e = edge();
    const rt = await BfdRuntime.start([spec('A', '10.0.0.2'), { ...spec('B', '10.0.0.3'), maxHops: 2 }, { ...spec('C', '10.0.0.4'), maxHops: 255 }],
      { sockets: e.sockets, clock: fakeClock(0).clock });
    e.deliver('10.0.0.2', { state: 'Down' }, 254);
    e.deliver('10.0.0.3', { state: 'Down' }, 252);
    e.deliver('10.0.0.3', { state: 'Down' }, 253);
    e.deliver('10.0.0.4', { state: 'Down' }, 1);
    expect(rt.drops.counts.ttl).toBe(2);
    expect(e.wantTtl).toEqual([true]);
    expect(rt.status().map((s) => s.state)).toEqual(['Down', 'Init', 'Init']);
    e.deliver('10.0.0.2', { state: 'Down' }, 255);
    e.deliver('10.0.0.2', { state: 'Down' });
    expect(rt.status()[0].received).toBe(2);
    await rt.stop();
  });

  it('asks for no TTL (no raw socket) when every instance of the family has max_hops 255', async () => {
    const e = edge();
    const rt = await BfdRuntime.start([{ ...spec('A', '10.0.0.2'), maxHops: 255 }], { sockets: e.sockets, clock: fakeClock(0).clock });
    expect(e.wantTtl).toEqual([false]);
    await rt.stop();
  });

  it('does not report a neighbour taken AdminDown as down (RFC 5882 3.2, as keepalived)', async () => {
    const e = edge();
    const rt = await BfdRuntime.start([spec('A', '10.0.0.2')], { sockets: e.sockets, clock: fakeClock(0).clock });
    const downs: string[] = [];
    rt.on('down', (c) => downs.push(c.name));
    const mine = rt.status()[0].localDiscr;
    e.deliver('10.0.0.2', { state: 'Init', yourDiscr: mine });
    expect(rt.isUp('A')).toBe(true);
    e.deliver('10.0.0.2', { state: 'AdminDown', yourDiscr: mine, diag: 7 });
    expect(rt.status()[0]).toMatchObject({ state: 'Down', diag: 3 });
    expect(downs).toEqual([]);
    await rt.stop(false);
    expect(e.sent.filter((s) => s.p.state === 'AdminDown')).toEqual([]);
  });

  it('counts per instance: states entered (kept across a restart by update), and refused packets its neighbour sent', async () => {
    const e = edge();
    const fc = fakeClock(0);
    const rt = await BfdRuntime.start([spec('A', '10.0.0.2'), { ...spec('B', '10.0.0.3'), maxHops: 2 }], { sockets: e.sockets, clock: fc.clock });
    const a = () => rt.status().find((x) => x.name === 'A');
    expect(a()?.transitions).toEqual({ AdminDown: 0, Down: 0, Init: 0, Up: 0 });
    const mine = a()?.localDiscr ?? 0;
    e.deliver('10.0.0.2', { state: 'Init', yourDiscr: mine });
    expect(a()?.state).toBe('Up');
    fc.advance(3_500_000); // 3 x the peer's 1 s transmit interval without a packet: Down (detection expired)
    expect(a()?.state).toBe('Down');
    e.deliver('10.0.0.2', { state: 'Down' });
    expect(a()?.transitions).toEqual({ AdminDown: 0, Down: 1, Init: 1, Up: 1 });
    // malformed from A's neighbour, a stale discriminator from it, junk from a stranger, a low TTL for B
    e.deliver('10.0.0.2', Buffer.alloc(10));
    e.deliver('10.0.0.2', { state: 'Up', yourDiscr: (mine + 1) >>> 0 || 1 });
    e.deliver('10.0.0.9', Buffer.alloc(30, 0xff));
    e.deliver('10.0.0.3', { state: 'Down' }, 200);
    expect(a()?.drops).toEqual({ short: 1, 'no-session': 1 });
    expect(rt.status().find((x) => x.name === 'B')?.drops).toEqual({ ttl: 1 });
    expect(rt.drops.counts).toMatchObject({ short: 1, 'no-session': 1, version: 1, ttl: 1 });
    // A changed (multiplier): its session restarts, its counters go on; B removed: its counters go
    await rt.update([{ ...spec('A', '10.0.0.2'), multiplier: 4 }]);
    expect(rt.status().map((x) => x.name)).toEqual(['A']);
    expect(a()).toMatchObject({ state: 'Down', drops: { short: 1, 'no-session': 1 }, transitions: { AdminDown: 1, Down: 1, Init: 1, Up: 1 } });
    await rt.update([{ ...spec('A', '10.0.0.2'), multiplier: 4 }, spec('B', '10.0.0.3')]);
    expect(rt.status().find((x) => x.name === 'B')?.drops).toEqual({});
    await rt.stop();
  });

  it('maps bfd_instance blocks: IPv4 ttl, IPv6 hoplimit, vrrp/checker receivers', () => {
    const model = { bfd_instance: [
      { name: 'V4', neighbor_ip: { addr: '10.0.0.2', family: 4 }, min_rx: 5000, min_tx: 6000, idle_tx: 2_000_000, multiplier: 2, ttl: 250, hoplimit: 64, max_hops: 0, weight: { weight: 5, reverse: true }, passive: true },
      { name: 'V6', neighbor_ip: { addr: 'fd00::2', family: 6 }, source_ip: { addr: 'fd00::1', family: 6 }, ttl: 255, hoplimit: 10, vrrp: true },
      { name: 'C', neighbor_ip: { addr: '10.0.0.3', family: 4 }, checker: true },
      { name: 'NONE' },
    ] } as unknown as Model;
    const [v4, v6, c, ...rest] = bfdSpecsFromModel(model);
    expect(rest).toEqual([]);
    expect(v4).toMatchObject({ family: 4, ttl: 250, minRxUs: 5000, minTxUs: 6000, idleTxUs: 2_000_000, multiplier: 2, passive: true, weight: 5, reverse: true, toVrrp: true, toChecker: true });
    expect(v4.source).toBeUndefined();
    expect(v6).toMatchObject({ family: 6, ttl: 10, source: 'fd00::1', toVrrp: true, toChecker: false });
    expect(c).toMatchObject({ toVrrp: false, toChecker: true, minRxUs: 10_000, multiplier: 5 });
  });
});
