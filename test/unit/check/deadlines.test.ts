import { describe, expect, it } from 'vitest';
import { DeadlineQueues } from '../../../src/check/deadlines.js';
import { fakeClock } from './fake-clock.js';

describe('DeadlineQueues', () => {
  it('expires in start order per length, one timer per length, stale seqs passed through', () => {
    const f = fakeClock();
    const q = new DeadlineQueues(f.clock);
    const seen: string[] = [];
    const owner = (name: string) => ({ expire: (seq: number) => seen.push(`${name}${seq}`), waiting: () => true });
    const a = owner('a'), b = owner('b'), c = owner('c');
    q.add(1000_000, a, 1);
    f.set(200_000);
    q.add(1000_000, b, 7);
    q.add(300_000, c, 2);
    expect(f.timers.length).toBe(2);
    f.advance(499_999);
    expect(seen).toEqual([]);
    f.advance(500_000);
    expect(seen).toEqual(['c2']);
    f.advance(1_000_000);
    expect(seen).toEqual(['c2', 'a1']);
    f.advance(1_199_999);
    expect(seen).toEqual(['c2', 'a1']);
    f.advance(1_200_000);
    expect(seen).toEqual(['c2', 'a1', 'b7']);
    expect(q.pending()).toBe(0);
    expect(f.timers.length).toBe(0);
  });

  it('thousands of entries: each expires once, none early', () => {
    const f = fakeClock();
    const q = new DeadlineQueues(f.clock);
    const fired: number[] = [];
    for (let i = 0; i < 5000; i++) {
      f.set(i * 100);
      q.add(50_000, { expire: (s) => fired.push(s), waiting: () => true }, i);
    }
    f.advance(550_000);
    expect(fired.length).toBe(5000);
    expect(fired).toEqual([...fired].sort((x, y) => x - y));
    expect(q.pending()).toBe(0);
  });
});

describe('DeadlineQueues wakeups', () => {
  it('attempts that ended are skipped: one wakeup per deadline length, not one per attempt', () => {
    const f = fakeClock();
    const q = new DeadlineQueues(f.clock);
    let wakeups = 0;
    const orig = f.clock.setTimer;
    f.clock.setTimer = (fn, ms) => orig(() => { wakeups++; fn(); }, ms);
    const ended = new Set<number>();
    const fired: number[] = [];
    const owner = { expire: (s: number) => fired.push(s), waiting: (s: number) => !ended.has(s) };
    for (let i = 0; i < 100; i++) {
      f.set(i * 10_000);
      q.add(1_000_000, owner, i);
      if (i !== 57) ended.add(i); // every attempt but one ends at once
    }
    f.advance(3_000_000);
    expect(fired).toEqual([57]);
    expect(wakeups).toBeLessThanOrEqual(2);
    expect(q.pending()).toBe(0);
  });
});

describe('DeadlineQueues ring', () => {
  it('wraps and grows in order; an attempt added by an expiry callback arms no second timer', () => {
    const f = fakeClock();
    const q = new DeadlineQueues(f.clock);
    const fired: number[] = [];
    let next = 0;
    // each expiry starts a new attempt (as a check's retry does), so entries wrap the ring
    const owner = {
      expire: (s: number) => {
        fired.push(s);
        if (next < 300) q.add(1000, owner, next++);
      },
      waiting: () => true,
    };
    for (let i = 0; i < 100; i++) q.add(1000, owner, next++);
    for (let t = 1000; t <= 10_000 && q.pending() > 0; t += 1000) {
      f.advance(t);
      expect(f.timers.length).toBeLessThanOrEqual(1);
    }
    expect(fired).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(q.pending()).toBe(0);
    expect(f.timers.length).toBe(0);
  });
});
