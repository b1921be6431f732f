import { describe, expect, it } from 'vitest';
import { firstDue, SchedulerCore } from '../../../src/check/scheduler-core.js';

describe('SchedulerCore', () => {
  it('gives due checks earliest first, at most maxRunning at once', () => {
    const s = new SchedulerCore(2);
    s.add(1, 30);
    s.add(2, 10);
    s.add(3, 20);
    expect(s.take(5)).toEqual([]);
    expect(s.take(25)).toEqual([2, 3]);
    expect(s.nextDue()).toBe(undefined); // no free slot
    s.finish(2, 26, 100);
    expect(s.take(31)).toEqual([1]);
  });

  it('counts the next run from the due time: no drift', () => {
    const s = new SchedulerCore(1);
    s.add(1, 0);
    let now = 0;
    const starts: number[] = [];
    for (let i = 0; i < 100; i++) {
      const due = s.nextDue() as number;
      now = Math.max(now, due) + 3; // timer fires 3 us late every time
      expect(s.take(now)).toEqual([1]);
      starts.push(due);
      now += 7; // the check runs 7 us
      s.finish(1, now, 1000);
    }
    expect(starts[99]).toBe(99 * 1000);
  });

  it('an overrun check runs again at once, not in a burst', () => {
    const s = new SchedulerCore(4);
    s.add(1, 0);
    s.take(0);
    expect(s.finish(1, 5000, 1000)).toBe(5000);
  });

  it('remove drops a scheduled check and stops a running one from coming back', () => {
    const s = new SchedulerCore(4);
    s.add(1, 0);
    s.add(2, 0);
    s.remove(1);
    expect(s.take(0)).toEqual([2]);
    s.remove(2);
    expect(s.finish(2, 1, 10)).toBe(undefined);
    expect(s.scheduledCount).toBe(0);
  });

  it('spreads first runs over warmup', () => {
    const seq = [0, 0.25, 0.5, 0.999];
    let i = 0;
    const r = () => seq[i++];
    expect(seq.map(() => firstDue(100, 1000, r))).toEqual([100, 350, 600, 1099]);
    expect(firstDue(100, 0, () => 0.9)).toBe(100);
  });

  it('10,000 checks at 1 s with 2 ms jobs and 64 slots keep their rate', () => {
    const s = new SchedulerCore(64);
    const n = 10_000;
    for (let i = 0; i < n; i++) s.add(i, Math.floor((i * 1_000_000) / n));
    const running: Array<{ id: number; end: number }> = [];
    let started = 0;
    for (let now = 0; now < 5_000_000; now += 250) {
      for (let j = running.length - 1; j >= 0; j--) {
        if (running[j].end <= now) {
          s.finish(running[j].id, now, 1_000_000);
          running.splice(j, 1);
        }
      }
      for (const id of s.take(now)) {
        running.push({ id, end: now + 2000 });
        started++;
      }
      expect(s.runningCount).toBeLessThanOrEqual(64);
    }
    expect(started).toBeGreaterThanOrEqual(n * 5 - 64);
  });
});
