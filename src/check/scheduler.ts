// The timer edge of the check scheduler: one timer for the earliest due check, a monotonic
// clock (performance.now, read once per event-loop turn), and SchedulerCore for every decision.
import { SchedulerCore, firstDue } from './scheduler-core.js';
import { turnNowUs } from './turn-clock.js';

/** Runs one attempt of a check; resolves with the delay (us) it wants before the next. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export type RunCheck = (signal: AbortSignal) => Promise<number>;

/**
 * RunCheck without promises: calls done(delayUs) once (fail(err) for a bug), possibly before
 * it returns. Two promises and their reactions per attempt cost more than a TCP check's own
 * JavaScript at thousands of checks a second.
 */
export type StartCheck = (signal: AbortSignal, done: (delayUs: number) => void, fail: (err: unknown) => void) => void;

export interface Clock {
  /** monotonic microseconds */
  nowUs(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const realClock: Clock = {
  nowUs: turnNowUs,
  setTimer: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface SchedulerOptions {
  /**
   * Attempts in flight (default 1,024). The cap is backpressure: with 10,000 servers and a
   * responder that cannot keep up, a larger one (tried: 16,384) piles connects into its SYN
   * backlog, they time out, servers flap and the check rate falls (5,500 -> 1,600 checks/s).
   */
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

/** One check's run function and the callbacks of its attempts, made once when it is added. */
interface Slot {
  start: StartCheck;
  /** an attempt is out and its done/fail not called yet */
  running: boolean;
  /** kept until it was used to abort, so probes can attach to it once */
  ac: AbortController;
  /** ac.signal, read once: the getter costs more than a check's own scheduling at 10,000 checks/s */
  signal: AbortSignal;
  /** ac was aborted (only this class aborts it) */
  aborted: boolean;
  onDone: (delay: number) => void;
  onFail: (err: unknown) => void;
}

export class CheckScheduler {
  private readonly core: SchedulerCore;
  private readonly clock: Clock;
  private readonly random: () => number;
  /** indexed by check id; undefined once removed */
  private readonly slots: Array<Slot | undefined> = [];
  private readonly quantumUs: number;
  private timer: unknown = null;
  private timerAt = Infinity;
  private nextId = 1;
  private stopped = false;
  /** inside a StartCheck call or an abort: an attempt that ends then is finished after it */
  private busy = false;
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

  /** Checks added and not removed. */
  get size(): number {
    let n = 0;
    for (const s of this.slots) if (s) n++;
    return n;
  }

  /** Adds a check; its first attempt comes after a random share of warmupUs. Returns its id. */
  add(run: RunCheck, warmupUs: number): number {
    return this.addStart((signal, done, fail) => {
      run(signal).then(done, fail);
    }, warmupUs);
  }

  /** add() for a check in callback form. */
  addStart(start: StartCheck, warmupUs: number): number {
    const id = this.nextId++;
    const onDone = (delay: number): void => {
      if (!slot.running) return; // a second call for one attempt
      slot.running = false;
      if (this.busy) {
        // ended within start() or remove(): finished once that call is done with its state
        queueMicrotask(() => this.finished(id, delay));
        return;
      }
      this.finished(id, delay);
    };
    const onFail = (err: unknown): void => {
      this.opts.onError?.(id, err);
      onDone(1_000_000);
    };
    const ac = new AbortController();
    const slot: Slot = { start, running: false, ac, signal: ac.signal, aborted: false, onDone, onFail };
    this.slots[id] = slot;
    this.core.add(id, firstDue(this.clock.nowUs(), warmupUs, this.random));
    this.arm();
    return id;
  }

  private finished(id: number, delay: number): void {
    if (this.stopped) return;
    const now = this.clock.nowUs();
    this.core.finish(id, now, delay);
    // a freed slot starts what is already due, up to the last quantum boundary only: checks
    // of the coming quantum wait for its wakeup, so they start (and complete) together
    const q = this.quantumUs;
    const upTo = q > 0 ? Math.floor(now / q) * q : now;
    // only a check that waited for a free slot can be due already; otherwise just re-arm
    const due = this.core.nextDue();
    if (due !== undefined && due <= upTo) this.pump(now, upTo);
    else this.arm(now);
  }

  remove(id: number): void {
    const slot = this.slots[id];
    if (!slot) return;
    this.slots[id] = undefined;
    this.core.remove(id);
    slot.aborted = true;
    const was = this.busy;
    this.busy = true;
    try {
      slot.ac.abort();
    } finally {
      this.busy = was;
    }
  }

  /** Aborts running attempts and schedules nothing more. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    for (const s of this.slots) {
      if (!s) continue;
      s.aborted = true;
      s.ac.abort();
    }
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
    this.timer = this.clock.setTimer(this.fire, ms);
  }

  private readonly fire = (): void => {
    const at = this.timerAt;
    this.timer = null;
    this.timerAt = Infinity;
    const now = this.clock.nowUs();
    // Timers fire on a millisecond loop clock and may read a little early on this one: the
    // wakeup was for `at`, so everything due by then starts now instead of on a second wakeup.
    this.pump(now, Math.max(now, at === Infinity ? now : at));
  };

  /** Starts what is due by `upTo` and re-arms (`now` saves a clock read). */
  private pump(now: number, upTo: number): void {
    if (this.stopped) return;
    for (const id of this.core.take(upTo)) this.start(id);
    this.arm(now);
  }

  private start(id: number): void {
    const slot = this.slots[id];
    if (!slot) {
      this.core.finish(id, this.clock.nowUs(), 0); // removed: finish() does not reschedule it
      return;
    }
    if (slot.aborted) {
      slot.ac = new AbortController();
      slot.signal = slot.ac.signal;
      slot.aborted = false;
    }
    this.started++;
    slot.running = true;
    const was = this.busy;
    this.busy = true;
    try {
      slot.start(slot.signal, slot.onDone, slot.onFail);
    } catch (e) {
      slot.onFail(e);
    } finally {
      this.busy = was;
    }
  }
}
