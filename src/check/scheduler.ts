// The timer edge of the check scheduler: one timer for the earliest due check, a monotonic
// clock (performance.now), and SchedulerCore for every decision.
import { performance } from 'node:perf_hooks';
import { SchedulerCore, firstDue } from './scheduler-core.js';

/** Runs one attempt of a check; resolves with the delay (us) it wants before the next. */
export type RunCheck = (signal: AbortSignal) => Promise<number>;

export interface Clock {
  /** monotonic microseconds */
  nowUs(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const realClock: Clock = {
  nowUs: () => performance.now() * 1000,
  setTimer: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface SchedulerOptions {
  maxRunning?: number;
  clock?: Clock;
  random?: () => number;
  /** called when a run throws (a bug: probes report failures as results) */
  onError?: (id: number, err: unknown) => void;
}

export class CheckScheduler {
  private readonly core: SchedulerCore;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly runs = new Map<number, RunCheck>();
  private readonly aborts = new Map<number, AbortController>();
  private timer: unknown = null;
  private timerAt = Infinity;
  private nextId = 1;
  private stopped = false;
  /** attempts started since creation */
  started = 0;

  constructor(private readonly opts: SchedulerOptions = {}) {
    this.core = new SchedulerCore(opts.maxRunning ?? 1024);
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
  }

  get running(): number {
    return this.core.runningCount;
  }

  /** Adds a check; its first attempt comes after a random share of warmupUs. Returns its id. */
  add(run: RunCheck, warmupUs: number): number {
    const id = this.nextId++;
    this.runs.set(id, run);
    this.core.add(id, firstDue(this.clock.nowUs(), warmupUs, this.random));
    this.arm();
    return id;
  }

  remove(id: number): void {
    this.runs.delete(id);
    this.core.remove(id);
    this.aborts.get(id)?.abort();
  }

  /** Aborts running attempts and schedules nothing more. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    for (const a of this.aborts.values()) a.abort();
  }

  private arm(): void {
    if (this.stopped) return;
    const due = this.core.nextDue();
    if (due === undefined) return;
    if (this.timer !== null && due >= this.timerAt) return;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timerAt = due;
    const ms = Math.max(0, (due - this.clock.nowUs()) / 1000);
    this.timer = this.clock.setTimer(() => this.fire(), ms);
  }

  private fire(): void {
    this.timer = null;
    this.timerAt = Infinity;
    this.pump();
  }

  private pump(): void {
    if (this.stopped) return;
    for (const id of this.core.take(this.clock.nowUs())) this.start(id);
    this.arm();
  }

  private start(id: number): void {
    const run = this.runs.get(id);
    if (!run) {
      this.core.finish(id, this.clock.nowUs(), 0);
      this.core.remove(id);
      return;
    }
    const ac = new AbortController();
    this.aborts.set(id, ac);
    this.started++;
    const done = (delay: number): void => {
      this.aborts.delete(id);
      if (this.stopped) return;
      this.core.finish(id, this.clock.nowUs(), delay);
      this.pump();
    };
    run(ac.signal).then(done, (err: unknown) => {
      this.opts.onError?.(id, err);
      done(1_000_000);
    });
  }
}
