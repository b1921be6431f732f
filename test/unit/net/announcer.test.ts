// The Announcer with a fake clock and a recording FrameSender: which frames go where, when.
import { describe, it, expect } from 'vitest';
import { Announcer, type Clock, type AnnounceVip } from '../../../src/net/announce/announcer.js';
import { DEFAULT_ANNOUNCE } from '../../../src/net/announce/scheduler.js';
import { ipToBytes } from '../../../src/net/ip.js';
import { vrrpMac } from '../../../src/net/vmac.js';
import type { FrameSender } from '../../../src/net/packet-socket.js';

class FakeClock implements Clock {
  t = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private seq = 0;
  now(): number { return this.t; }
  setTimeout(fn: () => void, ms: number): unknown { const id = ++this.seq; this.timers.push({ at: this.t + ms, fn, id }); return id; }
  clearTimeout(h: unknown): void { this.timers = this.timers.filter((x) => x.id !== h); }
  advance(to: number): void {
    for (let guard = 0; guard < 10_000; guard++) {
      this.timers.sort((x, y) => x.at - y.at);
      const next = this.timers[0];
      if (!next || next.at > to) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = to;
  }
  pending(): number { return this.timers.length; }
}

function recorder(ifindex: number, log: Array<[number, number, string]>, clock: FakeClock, fail = false): FrameSender {
  return {
    ifindex,
    send(frame: Buffer): void {
      if (fail) throw Object.assign(new Error('send(AF_PACKET): Network is down (ENETDOWN)'), { errno: 100, code: 'ENETDOWN' });
      log.push([clock.now(), ifindex, frame.subarray(0, 14).toString('hex')]);
    },
    close(): void {},
  };
}

const mac = Buffer.from('02000000000a', 'hex');
const v4: AnnounceVip = { key: 'v4', ifindex: 2, family: 4, address: ipToBytes('10.1.2.100'), mac };
const vm: AnnounceVip = { key: 'vm', ifindex: 5, family: 4, address: ipToBytes('10.1.2.101'), mac: vrrpMac(53) };
const v6: AnnounceVip = { key: 'v6', ifindex: 2, family: 6, address: ipToBytes('2001:db8::100'), mac };

describe('Announcer', () => {
  it('sends the first burst at once and the second after garp_master_delay, on each VIP\'s interface', () => {
    const clock = new FakeClock();
    const log: Array<[number, number, string]> = [];
    const an = new Announcer([v4, vm, v6], (i) => recorder(i, log, clock), { clock, params: { ...DEFAULT_ANNOUNCE, repeat: 2, delayMs: 1000 } });
    an.master();
    expect(log.length).toBe(6);
    expect(log.filter(([, i]) => i === 5).every(([, , h]) => h === `ffffffffffff00005e0001350806`)).toBe(true);
    expect(log.filter(([, , h]) => h.endsWith('86dd')).map(([, , h]) => h.slice(0, 12))).toEqual(['333300000001', '333300000001']);
    clock.advance(999);
    expect(log.length).toBe(6);
    clock.advance(1000);
    expect(log.length).toBe(12);
    expect(log.slice(6).every(([t]) => t === 1000)).toBe(true);
    expect(clock.pending()).toBe(0);
    expect(an.sent).toBe(12);
  });
  it('stop() cancels the delayed burst', () => {
    const clock = new FakeClock();
    const log: Array<[number, number, string]> = [];
    const an = new Announcer([v4], (i) => recorder(i, log, clock), { clock });
    an.master();
    an.stop();
    clock.advance(60_000);
    expect(log.length).toBe(5);
    expect(clock.pending()).toBe(0);
  });
  it('a failing interface is counted and reported, the others still get theirs', () => {
    const clock = new FakeClock();
    const log: Array<[number, number, string]> = [];
    const errors: string[] = [];
    const an = new Announcer([v4, vm], (i) => recorder(i, log, clock, i === 2), {
      clock, params: { ...DEFAULT_ANNOUNCE, repeat: 1, delayMs: 0 }, onError: (v, e) => errors.push(`${v.key} ${(e as Error & { code: string }).code}`),
    });
    expect(() => an.master()).not.toThrow();
    expect(errors).toEqual(['v4 ENETDOWN']);
    expect(an.failed).toBe(1);
    expect(log.map(([, i]) => i)).toEqual([5]);
  });
});
