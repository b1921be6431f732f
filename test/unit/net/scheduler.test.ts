import { describe, it, expect } from 'vitest';
import { AnnounceScheduler, DEFAULT_ANNOUNCE, type AnnounceTarget } from '../../../src/net/announce/scheduler.js';

const a: AnnounceTarget = { key: 'a', ifindex: 2, family: 4 };
const b: AnnounceTarget = { key: 'b', ifindex: 2, family: 4 };
const c6: AnnounceTarget = { key: 'c', ifindex: 2, family: 6 };
const keys = (ts: AnnounceTarget[]): string => ts.map((t) => t.key).join('');

/** Runs the scheduler from `start` to `end`, collecting [time, keys] of every send. */
function run(s: AnnounceScheduler, start: number, end: number): Array<[number, string]> {
  const out: Array<[number, string]> = [[start, keys(s.master(start))]];
  for (let guard = 0; guard < 10_000; guard++) {
    const at = s.nextWakeup();
    if (at === undefined || at > end) break;
    out.push([at, keys(s.tick(at))]);
  }
  return out;
}

describe('GARP/NA schedule (keepalived defaults: 5 rounds now, 5 more after 5 s, no refresh)', () => {
  it('defaults', () => {
    const s = new AnnounceScheduler([a, b]);
    expect(run(s, 1000, 100_000)).toEqual([[1000, 'ababababab'], [6000, 'ababababab']]);
  });
  it('garp_master_delay 0: no second burst', () => {
    const s = new AnnounceScheduler([a], { ...DEFAULT_ANNOUNCE, delayMs: 0, repeat: 2 });
    expect(run(s, 0, 100_000)).toEqual([[0, 'aa']]);
  });
  it('garp_master_refresh with garp_master_refresh_repeat', () => {
    const s = new AnnounceScheduler([a], { ...DEFAULT_ANNOUNCE, delayMs: 0, repeat: 1, refreshMs: 60_000, refreshRepeat: 2 });
    expect(run(s, 0, 200_000)).toEqual([[0, 'a'], [60_000, 'aa'], [120_000, 'aa'], [180_000, 'aa']]);
  });
  it('garp_interval spaces ARP sends on an interface; repeats of a waiting VIP fold into it', () => {
    const s = new AnnounceScheduler([a, b, c6], { ...DEFAULT_ANNOUNCE, delayMs: 0, repeat: 3 }, () => ({ garpIntervalMs: 100, gnaIntervalMs: 0 }));
    // a goes now and b waits; round 2 queues a again, round 3 folds into both waiting ones;
    // waiting VIPs leave in list order. NA (gna_interval 0) is not held back.
    expect(run(s, 0, 10_000)).toEqual([[0, 'accc'], [100, 'a'], [200, 'b']]);
  });
  it('gna_interval spaces NA only', () => {
    const s = new AnnounceScheduler([a, c6], { ...DEFAULT_ANNOUNCE, delayMs: 0, repeat: 2 }, () => ({ garpIntervalMs: 0, gnaIntervalMs: 50 }));
    expect(run(s, 0, 10_000)).toEqual([[0, 'aca'], [50, 'c']]);
  });
  it('intervals are per interface', () => {
    const other: AnnounceTarget = { key: 'x', ifindex: 3, family: 4 };
    const s = new AnnounceScheduler([a, other, b], { ...DEFAULT_ANNOUNCE, delayMs: 0, repeat: 1 }, () => ({ garpIntervalMs: 100, gnaIntervalMs: 100 }));
    expect(run(s, 0, 10_000)).toEqual([[0, 'ax'], [100, 'b']]);
  });
  it('stop() cancels everything pending', () => {
    const s = new AnnounceScheduler([a, b], { ...DEFAULT_ANNOUNCE, refreshMs: 1000 }, () => ({ garpIntervalMs: 10, gnaIntervalMs: 0 }));
    s.master(0);
    expect(s.nextWakeup()).toBe(10);
    s.stop();
    expect(s.nextWakeup()).toBeUndefined();
    expect(s.tick(100_000)).toEqual([]);
  });
  it('re-entering MASTER restarts the timeline', () => {
    const s = new AnnounceScheduler([a], { ...DEFAULT_ANNOUNCE, repeat: 1 });
    s.master(0);
    expect(keys(s.master(3000))).toBe('a');
    expect(s.nextWakeup()).toBe(8000);
  });
  it('lower-priority advert: garp_lower_prio_repeat rounds at once', () => {
    const s = new AnnounceScheduler([a, b], { ...DEFAULT_ANNOUNCE, lowerPrioRepeat: 2 });
    expect(keys(s.lowerPriorityAdvert(0))).toBe('abab');
  });
  it('garp_lower_prio_delay: the lower-priority rounds again after the delay (a later advert moves it)', () => {
    const s = new AnnounceScheduler([a, b], { ...DEFAULT_ANNOUNCE, delayMs: 0, repeat: 1, lowerPrioRepeat: 2, lowerPrioDelayMs: 3000 });
    s.master(0);
    expect(keys(s.lowerPriorityAdvert(100))).toBe('abab');
    expect(s.nextWakeup()).toBe(3100);
    expect(keys(s.lowerPriorityAdvert(1000))).toBe('abab');
    expect(s.nextWakeup()).toBe(4000);
    expect(keys(s.tick(4000))).toBe('abab');
    expect(s.nextWakeup()).toBeUndefined();
  });
  it('garp_lower_prio_repeat 0: nothing now, nothing later', () => {
    const s = new AnnounceScheduler([a], { ...DEFAULT_ANNOUNCE, delayMs: 0, lowerPrioRepeat: 0, lowerPrioDelayMs: 3000 });
    s.master(0);
    expect(keys(s.lowerPriorityAdvert(10))).toBe('');
    expect(s.nextWakeup()).toBeUndefined();
  });
  it('garp_extra_if: every interval, one announcement per extra target only; stop() ends it', () => {
    const x: AnnounceTarget = { key: 'x', ifindex: 3, family: 4, extra: true };
    const s = new AnnounceScheduler([a, x], { ...DEFAULT_ANNOUNCE, delayMs: 0, repeat: 2, extraIntervalMs: 7000 });
    expect(run(s, 0, 22_000)).toEqual([[0, 'axax'], [7000, 'x'], [14_000, 'x'], [21_000, 'x']]);
    s.stop();
    expect(s.nextWakeup()).toBeUndefined();
  });
  it('garp_extra_if without extra targets: no timer', () => {
    const s = new AnnounceScheduler([a], { ...DEFAULT_ANNOUNCE, delayMs: 0, repeat: 1, extraIntervalMs: 7000 });
    s.master(0);
    expect(s.nextWakeup()).toBeUndefined();
  });
});
