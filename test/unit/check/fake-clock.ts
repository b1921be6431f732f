// One fake clock for the check scheduler's and the deadline queues' tests: both take a clock
// of microseconds with millisecond timers (the deadline queues also defer a pass behind the
// I/O phase, here run right after the timer that queued it).
import type { DeadlineClock } from '../../../src/check/deadlines.js';
import type { Clock } from '../../../src/check/scheduler.js';

interface FakeTimer {
  at: number;
  fn: () => void;
}

export interface FakeClock {
  clock: Clock & DeadlineClock;
  /** timers armed and not fired or cleared */
  timers: FakeTimer[];
  readonly now: number;
  set(us: number): void;
  /** fires every timer due by `to` in time order (each one's deferred work after it), then sets the time to `to` */
  advance(to: number): void;
  /** as advance, letting promise callbacks run after each timer (for async runs) */
  advanceAsync(to: number): Promise<void>;
}

export function fakeClock(start = 0): FakeClock {
  let now = start;
  const timers: FakeTimer[] = [];
  const deferred: Array<() => void> = [];
  const clock: Clock & DeadlineClock = {
    nowUs: () => now,
    setTimer: (fn, ms) => {
      const t = { at: now + ms * 1000, fn };
      timers.push(t);
      return t;
    },
    clearTimer: (h) => {
      const i = timers.indexOf(h as FakeTimer);
      if (i >= 0) timers.splice(i, 1);
    },
    defer: (fn) => {
      deferred.push(fn);
    },
  };
  /** fires the earliest timer due by `to`; false when there is none */
  const fireOne = (to: number): boolean => {
    timers.sort((a, b) => a.at - b.at);
    const t = timers[0];
    if (!t || t.at > to) return false;
    timers.shift();
    now = Math.max(now, t.at);
    t.fn();
    for (let d = deferred.shift(); d; d = deferred.shift()) d();
    return true;
  };
  // bounded: a clock under test that re-arms at once must not hang the test
  const MAX_FIRES = 10_000;
  return {
    clock,
    timers,
    get now() {
      return now;
    },
    set: (us) => {
      now = us;
    },
    advance: (to) => {
      for (let i = 0; i < MAX_FIRES && fireOne(to); i++);
      now = to;
    },
    advanceAsync: async (to) => {
      for (let i = 0; i < MAX_FIRES && fireOne(to); i++) await Promise.resolve();
      now = to;
    },
  };
}
