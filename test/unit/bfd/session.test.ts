import { describe, expect, it } from 'vitest';
import { BfdSession, type SessionConfig, type StateChange } from '../../../src/bfd/session.js';
import type { BfdControl } from '../../../src/bfd/packet.js';
import { fakeClock, type FakeClock } from '../check/fake-clock.js';

const MS = 1000;
const S = 1_000_000;

const base: SessionConfig = { minRxUs: 100 * MS, minTxUs: 100 * MS, idleTxUs: 1 * S, multiplier: 3, passive: false };

interface Side {
  s: BfdSession;
  sent: Array<{ at: number; p: BfdControl }>;
  changes: Array<StateChange & { at: number }>;
  /** deliver this side's packets to the other one */
  link: boolean;
}

function side(fc: FakeClock, cfg: Partial<SessionConfig>, discr: number, deliver: (p: BfdControl) => void, random = () => 0.5): Side {
  const me: Side = { s: undefined as unknown as BfdSession, sent: [], changes: [], link: true };
  me.s = new BfdSession({ ...base, ...cfg }, {
    clock: fc.clock, random, localDiscr: discr,
    send: (p) => {
      me.sent.push({ at: fc.now, p });
      if (me.link) deliver(p);
    },
    onChange: (c) => me.changes.push({ ...c, at: fc.now }),
  });
  return me;
}

/** Two sessions joined by a 1 ms link on one fake clock. */
function pair(a: Partial<SessionConfig> = {}, b: Partial<SessionConfig> = {}) {
  const fc = fakeClock(0);
  const hop = (to: () => Side) => (p: BfdControl) => { fc.clock.setTimer(() => to().s.receive(p), 1); };
  const A: Side = side(fc, a, 0x1111, hop(() => B));
  const B: Side = side(fc, b, 0x2222, hop(() => A));
  return { fc, A, B };
}

function upBoth(a: Partial<SessionConfig> = {}, b: Partial<SessionConfig> = {}) {
  const p = pair(a, b);
  p.A.s.start();
  p.B.s.start();
  p.fc.advance(5 * S);
  expect(p.A.s.state).toBe('Up');
  expect(p.B.s.state).toBe('Up');
  return p;
}

describe('BFD session', () => {
  it('sends Down packets at the idle interval, jittered to 75-100%', () => {
    for (const [r, gap] of [[0, 750 * MS], [0.5, 875 * MS], [0.999, 999.75 * MS]] as const) {
      const fc = fakeClock(0);
      const a = side(fc, {}, 7, () => undefined, () => r);
      a.s.start();
      fc.advance(3 * S);
      expect(a.sent.length).toBe(Math.floor(3 * S / gap));
      expect(a.sent[1].at - a.sent[0].at).toBeCloseTo(gap, 3);
      expect(a.sent[0].p).toMatchObject({ state: 'Down', myDiscr: 7, yourDiscr: 0, desiredMinTxUs: 1 * S, requiredMinRxUs: 100 * MS, detectMult: 3, poll: false });
    }
  });

  it('keeps jitter to 75-90% when the detect multiplier is 1', () => {
    const fc = fakeClock(0);
    const a = side(fc, { multiplier: 1 }, 7, () => undefined, () => 0.999);
    expect(a.s.jitteredUs()).toBeLessThanOrEqual(0.9 * S);
    expect(a.s.jitteredUs()).toBeGreaterThan(0.89 * S);
    const b = side(fc, { multiplier: 1 }, 8, () => undefined, () => 0);
    expect(b.s.jitteredUs()).toBe(0.75 * S);
  });

  it('comes Up through Down -> Init -> Up, polls the faster interval, and the Final ends it', () => {
    const { A, B } = upBoth({}, { minRxUs: 200 * MS, minTxUs: 50 * MS, multiplier: 5 });
    expect(A.changes.map((c) => c.to)).toEqual(A.changes[0].to === 'Init' ? ['Init', 'Up'] : ['Up']);
    expect(A.s.remoteDiscr).toBe(0x2222);
    expect(B.s.remoteDiscr).toBe(0x1111);
    // each side sent one Poll run, answered by exactly one Final (sent at once)
    for (const [me, peer] of [[A, B], [B, A]] as const) {
      const firstPoll = me.sent.find((x) => x.p.poll);
      expect(firstPoll?.p.state).toBe('Up');
      const fin = peer.sent.find((x) => x.p.final);
      expect(fin).toBeDefined();
      expect(fin!.at - firstPoll!.at).toBe(1 * MS); // answered on receipt (1 ms link)
      expect(me.s.polling).toBe(false);
      expect(me.sent.filter((x) => x.p.poll && x.p.final)).toEqual([]);
    }
    // tx = max(own min_tx, peer's min_rx); detect = peer mult x max(own min_rx, peer min_tx)
    expect(A.s.txIntervalUs).toBe(200 * MS);
    expect(B.s.txIntervalUs).toBe(100 * MS);
    expect(A.s.detectTimeUs).toBe(5 * 100 * MS);
    expect(B.s.detectTimeUs).toBe(3 * 200 * MS);
    const upA = A.sent.filter((x) => x.p.state === 'Up' && !x.p.final);
    const gaps = upA.slice(2).map((x, i) => x.at - upA[i + 1].at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(0.75 * 200 * MS);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(200 * MS);
    expect(upA.at(-1)!.p.desiredMinTxUs).toBe(100 * MS);
  });

  it('detects a silent peer after the detection time exactly, with diagnostic 1, and forgets its discriminator', () => {
    const { fc, A, B } = upBoth();
    B.link = false;
    const lastRx = Math.max(...B.sent.map((x) => x.at)) + 1 * MS;
    fc.advance(fc.now + 2 * S);
    const down = A.changes.at(-1)!;
    expect(down).toMatchObject({ from: 'Up', to: 'Down', diag: 1 });
    expect(down.at - lastRx).toBe(A.s.detectTimeUs);
    expect(A.s.detectTimeUs).toBe(300 * MS);
    expect(A.s.remoteDiscr).toBe(0);
    // back to idle sending, Down, your-discriminator 0
    const after = A.sent.filter((x) => x.at > down.at);
    expect(after[0].p).toMatchObject({ state: 'Down', diag: 1, yourDiscr: 0, desiredMinTxUs: 1 * S });
    // and Up again once the peer is heard again
    B.link = true;
    fc.advance(fc.now + 6 * S);
    expect(A.s.state).toBe('Up');
    expect(B.s.state).toBe('Up');
  });

  it('reads the packets a stall held back before believing an expired detection timer (defer)', () => {
    const fc = fakeClock(0);
    const deferred: Array<() => void> = [];
    const changes: StateChange[] = [];
    const s = new BfdSession(base, { clock: fc.clock, random: () => 0.5, localDiscr: 0x1111, send: () => undefined, onChange: (c) => changes.push(c), defer: (f) => deferred.push(f) });
    const peer = (state: BfdControl['state']): BfdControl => ({
      diag: 0, state, poll: false, final: false, cpi: false, demand: false, detectMult: 3, myDiscr: 0x2222, yourDiscr: 0x1111,
      desiredMinTxUs: 100 * MS, requiredMinRxUs: 100 * MS, requiredMinEchoRxUs: 0,
    });
    s.start();
    s.receive(peer('Init'));
    expect(s.state).toBe('Up');
    // the process stalls past the detection time: the timer fires first, a packet is waiting
    fc.advance(fc.now + 400 * MS);
    expect(deferred).toHaveLength(1);
    s.receive(peer('Up'));
    deferred.splice(0).forEach((f) => f());
    expect(s.state).toBe('Up');
    // nothing waiting: the expiry stands
    fc.advance(fc.now + 400 * MS);
    expect(s.state).toBe('Up');
    deferred.splice(0).forEach((f) => f());
    expect(s.state).toBe('Down');
    expect(changes.at(-1)).toMatchObject({ from: 'Up', to: 'Down', diag: 1 });
    // stopped while an expiry waits: nothing happens
    s.receive(peer('Down'));
    s.receive(peer('Up'));
    fc.advance(fc.now + 400 * MS);
    s.stop();
    const n = changes.length;
    deferred.splice(0).forEach((f) => f());
    expect(changes).toHaveLength(n);
  });

  it('goes Down with diagnostic 3 when the neighbour signals Down or AdminDown', () => {
    const { fc, A, B } = upBoth();
    B.s.adminDown();
    fc.advance(fc.now + 2 * MS);
    expect(B.sent.at(-1)!.p).toMatchObject({ state: 'AdminDown', diag: 7 });
    expect(A.s.state).toBe('Down');
    expect(A.s.diag).toBe(3);
    // an AdminDown session sends nothing more and ignores packets
    const n = B.sent.length;
    fc.advance(fc.now + 5 * S);
    expect(B.sent.length).toBe(n);
    expect(B.s.state).toBe('AdminDown');

    const p2 = upBoth();
    p2.B.s.receive({ ...p2.A.sent.at(-1)!.p, state: 'Down', diag: 1, yourDiscr: 0x2222, poll: false, final: false });
    expect(p2.B.s.state).toBe('Down');
    expect(p2.B.s.diag).toBe(3);
  });

  it('passive: silent until the neighbour is heard, then Init and sending; silent again once Down', () => {
    const { fc, A, B } = pair({ passive: true });
    A.s.start();
    fc.advance(10 * S);
    expect(A.sent).toEqual([]);
    B.s.start();
    fc.advance(fc.now + 5 * S);
    expect(A.s.state).toBe('Up');
    expect(A.sent.length).toBeGreaterThan(5);
    B.link = false;
    fc.advance(fc.now + 2 * S);
    expect(A.s.state).toBe('Down');
    const n = A.sent.length;
    fc.advance(fc.now + 5 * S);
    expect(A.sent.length).toBe(n);
  });

  it('answers a Poll with a Final at once, even while Down', () => {
    const fc = fakeClock(0);
    const a = side(fc, {}, 9, () => undefined);
    a.s.start();
    fc.advance(10 * MS);
    a.s.receive({ diag: 0, state: 'Down', poll: true, final: false, cpi: false, demand: false, detectMult: 3, myDiscr: 5, yourDiscr: 0, desiredMinTxUs: S, requiredMinRxUs: S, requiredMinEchoRxUs: 0 });
    expect(a.sent.at(-1)).toMatchObject({ at: 10 * MS, p: { final: true, poll: false, state: 'Init', yourDiscr: 5 } });
  });

  it('stops periodic packets for a peer asking RequiredMinRx 0', () => {
    const fc = fakeClock(0);
    const a = side(fc, {}, 9, () => undefined);
    a.s.start();
    a.s.receive({ diag: 0, state: 'Down', poll: false, final: false, cpi: false, demand: false, detectMult: 3, myDiscr: 5, yourDiscr: 0, desiredMinTxUs: S, requiredMinRxUs: 0, requiredMinEchoRxUs: 0 });
    const n = a.sent.length;
    // until its detection time (3 x 1 s) passes: then it is forgotten and Down packets go out again
    fc.advance(2.9 * S);
    expect(a.sent.length).toBe(n);
    fc.advance(5 * S);
    expect(a.sent.length).toBeGreaterThan(n);
    expect(a.s.remoteDiscr).toBe(0);
  });

  it('uses min_tx only while Up and idle_tx otherwise (at least 1 s)', () => {
    const fc = fakeClock(0);
    const a = side(fc, { idleTxUs: 2 * S, minTxUs: 30 * MS }, 9, () => undefined);
    expect(a.s.desiredMinTxUs()).toBe(2 * S);
    a.s.start();
    a.s.receive({ diag: 0, state: 'Init', poll: false, final: false, cpi: false, demand: false, detectMult: 2, myDiscr: 5, yourDiscr: 9, desiredMinTxUs: 40 * MS, requiredMinRxUs: 10 * MS, requiredMinEchoRxUs: 0 });
    expect(a.s.state).toBe('Up');
    expect(a.s.desiredMinTxUs()).toBe(30 * MS);
    expect(a.s.txIntervalUs).toBe(30 * MS);
    expect(a.s.detectTimeUs).toBe(2 * 100 * MS);
  });
});

describe('BFD session replaying keepalived 2.2.7 (fixture)', () => {
  it('sends the same bytes as keepalived side A for the same configuration and received packets (P bit aside)', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { decodeControl, encodeControl } = await import('../../../src/bfd/packet.js');
    const lines = readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'bfd', 'keepalived-2.2.7-session.txt'), 'utf8').trim().split('\n')
      .map((l) => l.split(' ')).map(([src, , , , hex]) => ({ src, hex }));
    const A = '10.78.0.1';
    // keepalived A: min_rx 100, min_tx 100, idle_tx 1000, multiplier 3, discriminator 0x961ff312
    const fc = fakeClock(0);
    const sent: string[] = [];
    const s = new BfdSession({ minRxUs: 100 * MS, minTxUs: 100 * MS, idleTxUs: 1 * S, multiplier: 3, passive: false }, {
      clock: fc.clock, random: () => 0.5, localDiscr: 0x961ff312, send: (p) => sent.push(encodeControl(p).toString('hex')),
    });
    s.start();
    fc.advance(fc.now + 1 * S);
    // B's packets until B stopped (after that A expired and keepalived picked a new discriminator)
    const expiredAt = lines.findIndex((l) => l.src === A && l.hex.startsWith('2140'));
    for (const l of lines.slice(0, expiredAt)) {
      if (l.src === A) continue;
      const d = decodeControl(Buffer.from(l.hex, 'hex'));
      if (!d.ok) throw new Error(d.reason);
      s.receive(d.packet);
      // B sent every ~1 s while idle and every 50-90 ms once Up
      fc.advance(fc.now + (s.state === 'Up' ? 90 * MS : 1 * S));
    }
    const noPoll = (h: string) => h.slice(0, 2) + (parseInt(h.slice(2, 4), 16) & ~0x20).toString(16).padStart(2, '0') + h.slice(4);
    const distinct = (xs: string[]) => xs.filter((x, i) => xs.indexOf(x) === i);
    const kaA = distinct(lines.slice(0, expiredAt).filter((l) => l.src === A).map((l) => l.hex));
    expect(kaA).toEqual(['20400318961ff31200000000000f4240000186a000000000', '20800318961ff312f1397fc7000f4240000186a000000000',
      '20d00318961ff312f1397fc7000186a0000186a000000000', '20c00318961ff312f1397fc7000186a0000186a000000000']);
    expect(distinct(sent.map(noPoll))).toEqual(kaA);
    // the difference: lvsd polls its faster min_tx after going Up (RFC 5880 6.8.3 MUST) until a
    // Final comes; keepalived drops its own Poll when it answers the peer's Poll with a Final.
    expect(sent).toContain('20e00318961ff312f1397fc7000186a0000186a000000000');
  });
});
