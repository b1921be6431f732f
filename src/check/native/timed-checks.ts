// The timed engine of lvsd's addon (probe.c createTimed): TCP_CHECK and plain HTTP_GET checks
// registered once, their due times, timeouts and connects kept in C on one uv_timer and one
// uv_poll, JavaScript called once per wakeup with the batch of records. Each check's owner
// turns its records into results (and the engine's counting machine into the next delay);
// the delay and url step it returns go back through a shared Float64Array, from which C
// re-arms the check after the call. Nothing here allocates per check in the steady state.
import { CHECK_LATENCY_BOUNDS_US } from '../latency-buckets.js';
import { startQuantumUs } from '../start-quantum.js';
import { loadProbeAddon, type NativeBatchEngine, type ProbeAddon } from './connect-engine.js';
import { SlotTable } from './slot-table.js';

/** result kinds of the timed engine (probe.c R_*; R_DONE, R_FAIL, R_DATA, R_EOF as connect-engine.ts) */
export const R_TIMEOUT = 6;
/** what a timed-out attempt waited for (R_TIMEOUT's a) */
export const T_CONNECT = 0;
export const T_SEND = 1;
export const T_FIRST_READ = 2;
export const T_READ = 3;

export interface NativeTimedEngine extends NativeBatchEngine {
  /**
   * per record r: [3r] latency us; JavaScript writes [3r+1] next delay us (-1: none), [3r+2]
   * step. The last element: the batch's clock (us, uv_hrtime's, as process.hrtime)
   */
  readonly io: Float64Array;
  /** per record, JavaScript writes 1: after it the check is steady (the quiet path, below) */
  readonly steady: Uint8Array;
  /** drains a slot's quietly settled successes into out (quietFigures()); returns their count */
  quiet(slot: number, out: Float64Array): number;
  register(
    slot: number,
    sockaddr: Buffer,
    bind: Buffer | null,
    mark: number,
    timeoutUs: number,
    skipUs: number,
    firstDelayUs: number,
    requests: Buffer[] | null,
    step: number,
  ): void;
  unregister(slot: number): void;
  suspend(slot: number, on: number): void;
  pause(): void;
  /** checks held by the pause, started on the next turn */
  resume(): number;
  /** [scheduled, held, attempts started, ended at start, polled, settled quietly] */
  stats(): [number, number, number, number, number, number];
  setQuantum(us: number): void;
}

/** What the engine needs of a check, once. */
export interface TimedTarget {
  sockaddr: Buffer;
  bind: Buffer | null;
  /** SO_MARK, 0: none */
  mark: number;
  /** every wait's limit, us */
  timeoutUs: number;
  /** HTTP_GET: the request of each url; null: connect only (TCP_CHECK) */
  requests: Buffer[] | null;
}

/**
 * Who runs a registered check: told each record of its attempts (kind R_*, a, b, latency us,
 * the chunk buffer). Returns the delay (us, after the attempt's due time) to the next attempt
 * when this record ended the attempt (also one it ends itself, e.g. on a header too long),
 * else -1; `nextStep` is then the step of that next attempt.
 */
export interface TimedOwner {
  timedRecord(kind: number, a: number, b: number, latencyUs: number, data: Buffer): number;
  readonly nextStep: number;
  /**
   * Read with nextStep after a record that ended an attempt: true when the check is settled, its
   * next success changing nothing but counts (up and succeeding: the counting machine's decision
   * would be the same delay, no event, no weight, same url). The engine may then settle a
   * connect-only success itself, re-armed at the same delay, without a record (the quiet path);
   * any other result is a record as before, and the owner reads what it missed with quiet().
   */
  readonly steady?: boolean;
}

/** latency bounds (us) the addon takes at most (probe.c MAX_QBOUNDS) */
export const MAX_LATENCY_BOUNDS = 32;

/** quiet()'s figures: count, latency sum us, last one's clock us (as io's), its latency us, per bucket counts */
function quietFigures(bounds: number): number {
  return 4 + bounds + 1;
}

/** What the quiet path settled for one check since it was last asked. */
export interface QuietSuccesses {
  count: number;
  latencySumUs: number;
  /** the last one's wall-clock ms (0: none ever) */
  lastWallMs: number;
  lastLatencyUs: number;
  /** per latency bound's bucket (not cumulative), then above the last */
  buckets: number[];
}

/** Records per batch at most (an HTTP event may bring 3); more wait for the next turn. */
const BATCH = 1536;

export interface TimedChecksOptions {
  /**
   * checks due within one quantum start on one wakeup (us); default: sized to the registered
   * checks' rate (start-quantum.ts), 25-100 ms
   */
  quantumUs?: number;
  /** attempts in flight at most (default 1,024, as the scheduler: backpressure) */
  maxInFlight?: number;
  capacity?: number;
  /**
   * the quiet path's latency bucket bounds (us, increasing, 1..MAX_LATENCY_BOUNDS); default
   * CHECK_LATENCY_BOUNDS_US, the buckets the metrics render
   */
  latencyBoundsUs?: readonly number[];
}

export class TimedChecks {
  private readonly native: NativeTimedEngine;
  private readonly results: Int32Array;
  private readonly io: Float64Array;
  private readonly steady: Uint8Array;
  private readonly quietOut: Float64Array;
  private readonly slots = new SlotTable<TimedOwner>();
  /** each slot's attempts per second (1 / its delay_loop), for the adaptive quantum */
  private rates: number[] = [];
  private rate = 0;
  /** the quantum follows the rate (no quantumUs given) */
  private readonly adaptive: boolean;
  private quantum: number;
  private quantumQueued = false;
  /** index of the batch's clock in io */
  private readonly clockAt: number;
  /** wall-clock ms minus hrtime ms, taken once: a wall time per batch without a clock read */
  private readonly wallBase: number;

  constructor(opts: TimedChecksOptions = {}, addon: ProbeAddon = loadProbeAddon()) {
    this.adaptive = opts.quantumUs === undefined;
    this.quantum = opts.quantumUs ?? startQuantumUs(0);
    const bounds = opts.latencyBoundsUs ?? CHECK_LATENCY_BOUNDS_US;
    this.quietOut = new Float64Array(quietFigures(bounds.length));
    this.native = addon.createTimed(
      (n) => this.batch(n),
      opts.capacity ?? BATCH,
      this.quantum,
      opts.maxInFlight ?? 1024,
      Float64Array.from(bounds),
    );
    this.results = this.native.results;
    this.io = this.native.io;
    this.steady = this.native.steady;
    this.clockAt = this.io.length - 1;
    this.wallBase = Date.now() - Number(process.hrtime.bigint()) / 1e6;
  }

  /** Wall-clock ms (since the epoch) of the batch being reported. */
  wallMs(): number {
    return this.wallBase + this.io[this.clockAt] / 1000;
  }

  /** Registers a check: its first attempt after firstDelayUs (url owner.nextStep); returns its slot. */
  register(owner: TimedOwner, t: TimedTarget, firstDelayUs: number, skipUs: number): number {
    const slot = this.slots.next();
    this.native.register(slot, t.sockaddr, t.bind, t.mark >>> 0, t.timeoutUs, skipUs, Math.max(0, firstDelayUs), t.requests, owner.nextStep);
    this.slots.set(slot, owner);
    this.setRate(slot, skipUs > 0 ? 1e6 / skipUs : 0);
    return slot;
  }

  /** the current start quantum, us */
  quantumUs(): number {
    return this.quantum;
  }

  private setRate(slot: number, perSecond: number): void {
    this.rate += perSecond - (this.rates[slot] ?? 0);
    this.rates[slot] = perSecond;
    if (!this.adaptive || this.quantumQueued) return;
    // once per burst of (un)registrations: a start or reload registers thousands
    this.quantumQueued = true;
    queueMicrotask(() => {
      this.quantumQueued = false;
      const q = startQuantumUs(this.rate);
      if (q === this.quantum) return;
      this.quantum = q;
      this.native.setQuantum(q);
    });
  }

  /** The check stops; an attempt in flight ends unreported. */
  unregister(slot: number): void {
    if (this.slots.get(slot) === undefined) return;
    this.native.unregister(slot);
    this.slots.release(slot);
    this.setRate(slot, 0);
  }

  /** ha_suspend: while on, the check's attempts are skipped (next one a skipUs later). */
  suspend(slot: number, on: boolean): void {
    this.native.suspend(slot, on ? 1 : 0);
  }

  /** Checks that fall due are held until resume(). */
  pause(): void {
    this.native.pause();
  }

  /** Starts the held checks (next turn); returns how many there were. */
  resume(): number {
    return this.native.resume();
  }

  inFlight(): number {
    return this.native.inFlight();
  }

  /** checks waiting for their due time (not in flight, not held) */
  scheduled(): number {
    return this.native.stats()[0];
  }

  held(): number {
    return this.native.stats()[1];
  }

  /** attempts started since creation */
  started(): number {
    return this.native.stats()[2];
  }

  /** connect-only attempts a second connect() ended within their start (connected or refused) */
  endedAtStart(): number {
    return this.native.stats()[3];
  }

  /** attempts left in flight on the epoll fd after their start */
  polled(): number {
    return this.native.stats()[4];
  }

  /** successes the quiet path settled (no record) since creation */
  settledQuietly(): number {
    return this.native.stats()[5];
  }

  /**
   * A check's successes the quiet path settled since the last call (status, metrics: never per
   * check); the count starts again from 0.
   */
  quiet(slot: number): QuietSuccesses {
    const o = this.quietOut;
    const count = this.native.quiet(slot, o);
    return {
      count,
      latencySumUs: o[1],
      lastWallMs: o[2] > 0 ? this.wallBase + o[2] / 1000 : 0,
      lastLatencyUs: o[3],
      buckets: Array.from(o.subarray(4)),
    };
  }

  /** slots ever handed out (tests: slots are reused) */
  slotsMade(): number {
    return this.slots.made();
  }

  close(): void {
    this.native.close();
    this.slots.clear();
    this.rates = [];
    this.rate = 0;
  }

  private batch(n: number): void {
    this.slots.reportBatch(this.report, n);
  }

  private readonly report = (n: number): void => {
    const res = this.results;
    const io = this.io;
    const data = this.native.data;
    for (let k = 0, i = 0; k < n; k++, i += 4) {
      const owner = this.slots.get(res[i]);
      if (owner === undefined) continue; // unregistered earlier in this batch
      const d = owner.timedRecord(res[i + 1], res[i + 2], res[i + 3], io[3 * k], data);
      if (d >= 0) {
        io[3 * k + 1] = d;
        io[3 * k + 2] = owner.nextStep;
        if (owner.steady === true) this.steady[k] = 1;
      }
    }
  };
}

let shared: TimedChecks | undefined;

/** The process-wide timed engine (made on first use). */
export function timedChecks(): TimedChecks {
  return (shared ??= new TimedChecks());
}
