import { describe, expect, it } from 'vitest';
import { CheckScheduler, realClock, type Clock } from '../../../src/check/scheduler.js';
import { fakeClock } from './fake-clock.js';

describe('CheckScheduler (timer edge)', () => {
  it('with a fake clock: warmup spread, interval from the due time, bounded concurrency', async () => {
    const f = fakeClock();
    const s = new CheckScheduler({ maxRunning: 2, clock: f.clock, random: () => 0.5, quantumUs: 0 });
    const starts: Array<[number, number]> = [];
    const pending: Array<() => void> = [];
    for (const id of [1, 2, 3]) {
      s.add(async () => {
        starts.push([id, f.now]);
        await new Promise<void>((r) => pending.push(r));
        return 1000;
      }, 2000);
    }
    await f.advanceAsync(999);
    expect(starts).toEqual([]);
    await f.advanceAsync(1000); // warmup 2000 * 0.5
    expect(starts).toEqual([[1, 1000], [2, 1000]]); // third waits for a slot
    f.set(1300);
    pending.shift()!();
    await new Promise((r) => setTimeout(r, 0));
    expect(starts).toEqual([[1, 1000], [2, 1000], [3, 1300]]);
    pending.shift()!();
    pending.shift()!();
    await new Promise((r) => setTimeout(r, 0));
    await f.advanceAsync(2000); // 1 and 2 due again at 1000 + 1000
    expect(starts.slice(3).map((x) => x[0]).sort()).toEqual([1, 2]);
    expect(starts.slice(3).every((x) => x[1] === 2000)).toBe(true);
    s.stop();
  });

  it('checks due within one quantum share one timer wakeup', async () => {
    let now = 1;
    let wakeups = 0;
    const clock: Clock = {
      nowUs: () => now,
      // only the first timer fires: the test looks at one wakeup
      setTimer: (fn, ms) =>
        wakeups > 0
          ? null
          : setTimeout(() => {
              wakeups++;
              now += ms * 1000;
              fn();
            }, 0),
      clearTimer: (h) => {
        if (h) clearTimeout(h as NodeJS.Timeout);
      },
    };
    const seq = [0, 0.25, 0.5, 0.75, 0.99];
    let i = 0;
    const s = new CheckScheduler({ clock, random: () => seq[i++], quantumUs: 10_000 });
    const starts: number[] = [];
    for (let k = 0; k < 5; k++) s.add(async () => {
        starts.push(now);
        return 1e9;
      }, 4000);
    await new Promise((r) => setTimeout(r, 20));
    s.stop();
    expect(starts).toEqual([10_000, 10_000, 10_000, 10_000, 10_000]);
    expect(wakeups).toBe(1);
  });

  it('a delay beyond setTimeout\'s range does not spin', async () => {
    let arms = 0;
    const clock: Clock = { ...realClock, setTimer: (fn, ms) => { arms++; return realClock.setTimer(fn, ms); } };
    const s = new CheckScheduler({ quantumUs: 0, clock });
    let runs = 0;
    s.add(async () => {
      runs++;
      return 30 * 86400 * 1e6; // 30 days
    }, 0);
    await new Promise((r) => setTimeout(r, 100));
    s.stop();
    expect(runs).toBe(1);
    expect(arms).toBeLessThanOrEqual(3);
  });

  it('with the real clock: 500 checks at 100 ms keep their rate, none runs twice at once', async () => {
    const s = new CheckScheduler({ maxRunning: 64 });
    const count = new Map<number, number>();
    let running = 0;
    let maxRunning = 0;
    const t0 = performance.now();
    for (let i = 0; i < 500; i++) {
      s.add(async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        count.set(i, (count.get(i) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 2));
        running--;
        return 100_000;
      }, 100_000);
    }
    await new Promise((r) => setTimeout(r, 1050));
    s.stop();
    const elapsed = performance.now() - t0;
    const runs = [...count.values()];
    // ~10 runs each in ~1 s; a check never runs more often than its interval allows
    expect(Math.min(...runs)).toBeGreaterThanOrEqual(9);
    expect(Math.max(...runs)).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 1);
    expect(maxRunning).toBeLessThanOrEqual(64);
  });
});

describe('CheckScheduler callback form (addStart)', () => {
  it('an attempt that ends inside start is finished after it, once, and runs again at its interval', async () => {
    const f = fakeClock();
    const s = new CheckScheduler({ clock: f.clock, random: () => 0, quantumUs: 0 });
    const starts: number[] = [];
    let depth = 0;
    let maxDepth = 0;
    s.addStart((_signal, done) => {
      depth++;
      maxDepth = Math.max(maxDepth, depth);
      starts.push(f.now);
      done(1000);
      done(5); // a second call for the same attempt is ignored
      depth--;
    }, 0);
    await f.advanceAsync(0);
    await Promise.resolve();
    expect(starts).toEqual([0]);
    expect(s.running).toBe(0);
    await f.advanceAsync(999);
    expect(starts).toEqual([0]);
    await f.advanceAsync(3000);
    expect(starts).toEqual([0, 1000, 2000, 3000]);
    expect(maxDepth).toBe(1);
    s.stop();
  });

  it('a start that throws is reported and retried a second later', async () => {
    const f = fakeClock();
    const errors: unknown[] = [];
    const s = new CheckScheduler({ clock: f.clock, random: () => 0, quantumUs: 0, onError: (_id, e) => errors.push(e) });
    const starts: number[] = [];
    s.addStart(() => {
      starts.push(f.now);
      throw new Error('bug');
    }, 0);
    await f.advanceAsync(0);
    await Promise.resolve();
    expect(errors).toHaveLength(1);
    await f.advanceAsync(999_999);
    expect(starts).toEqual([0]);
    await f.advanceAsync(1_000_000);
    expect(starts).toEqual([0, 1_000_000]);
    s.stop();
  });

  it('remove aborts a running attempt; its done inside the abort neither throws nor reschedules', async () => {
    const f = fakeClock();
    const s = new CheckScheduler({ clock: f.clock, random: () => 0, quantumUs: 0 });
    let runs = 0;
    const id = s.addStart((signal, done) => {
      runs++;
      signal.addEventListener('abort', () => done(1000), { once: true });
    }, 0);
    await f.advanceAsync(0);
    expect(s.running).toBe(1);
    s.remove(id);
    await Promise.resolve();
    expect(s.running).toBe(0);
    await f.advanceAsync(10_000);
    expect(runs).toBe(1);
    s.stop();
  });
});
