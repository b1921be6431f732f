// The timer edge of the check scheduler: one timer for the earliest due check, a monotonic
// clock (performance.now), and SchedulerCore for every decision.
import { performance } from 'node:perf_hooks';
import { SchedulerCore, firstDue } from './scheduler-core.js';

/** Runs one attempt of a check; resolves with the delay (us) it wants before the next. */
const MAX_TIMER_MS = 2 ** 31 - 1;

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
  /**
   * Timer granularity (us, default 25 ms): checks due within one quantum start on one wakeup.
   * Every event-loop wakeup costs more than a check's own work at low rates (and far more in
   * an emulated VM), so batching them cuts CPU; it delays a check by at most one quantum.
   */
  quantumUs?: number;
}

export class CheckScheduler {
  private readonly core: SchedulerCore;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly runs = new Map<number, RunCheck>();
  /** one controller per check, replaced only after it was used to abort */
  private readonly aborts = new Map<number, AbortController>();
  private readonly quantumUs: number;
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
    this.quantumUs = opts.quantumUs ?? 25_000;
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
    this.aborts.delete(id);
  }

  /** Aborts running attempts and schedules nothing more. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    for (const a of this.aborts.values()) a.abort();
  }

  private arm(now?: number): void {
    if (this.stopped) return;
    const due = this.core.nextDue();
    if (due === undefined) return;
    if (this.timer !== null && due >= this.timerAt) return;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    const q = this.quantumUs;
    const at = q > 0 ? Math.ceil(due / q) * q : due;
    this.timerAt = at;
    // setTimeout fires at once beyond 2^31-1 ms; a long wait is re-armed when it ends
    const ms = Math.min(MAX_TIMER_MS, Math.max(0, (at - (now ?? this.clock.nowUs())) / 1000));
    this.timer = this.clock.setTimer(() => this.fire(), ms);
  }

  private fire(): void {
    this.timer = null;
    this.timerAt = Infinity;
    this.pump();
  }

  /** `now` saves a clock read when the caller has one (clock reads are not free everywhere). */
  private pump(now = this.clock.nowUs()): void {
    if (this.stopped) return;
    for (const id of this.core.take(now)) this.start(id);
    this.arm(now);
  }

  private start(id: number): void {
    const run = this.runs.get(id);
    if (!run) {
      this.core.finish(id, this.clock.nowUs(), 0);
      this.core.remove(id);
      return;
    }
    let ac = this.aborts.get(id);
    if (!ac || ac.signal.aborted) {
      ac = new AbortController();
      this.aborts.set(id, ac);
    }
    this.started++;
    const done = (delay: number): void => {
      if (this.stopped) return;
      if (!this.runs.has(id)) this.aborts.delete(id);
      const now = this.clock.nowUs();
      this.core.finish(id, now, delay);
      this.pump(now);
    };
    run(ac.signal).then(done, (err: unknown) => {
      this.opts.onError?.(id, err);
      done(1_000_000);
    });
  }
}
