// Connect/reply timeouts of many attempts with one timer per distinct timeout length instead
// of one timer per attempt: attempts of one length expire in the order they started, so a
// FIFO per length is already sorted by deadline. Cancelling is lazy: an entry carries the
// attempt's sequence number and the owner ignores an expiry whose attempt already ended.
import { turnNowUs } from './turn-clock.js';

export interface Expirable {
  /** the attempt numbered `seq` ran out of time (the owner ignores a seq that already ended) */
  expire(seq: number): void;
  /** whether attempt `seq` still waits: ended ones are dropped without a wakeup of their own */
  waiting(seq: number): boolean;
}

export interface DeadlineClock {
  nowUs(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /** runs fn after the event loop's next I/O phase (setImmediate) */
  defer(fn: () => void): void;
}

export const realDeadlineClock: DeadlineClock = {
  nowUs: turnNowUs,
  setTimer: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
  defer: (fn) => {
    setImmediate(fn);
  },
};

class Fifo {
  owners: Expirable[] = [];
  seqs: number[] = [];
  ats: number[] = [];
  head = 0;
  timer: unknown = null;
  /** an expiry pass is queued behind the I/O phase */
  deferred = false;

  get size(): number {
    return this.owners.length - this.head;
  }

  compact(): void {
    // drop the consumed prefix once it dominates, so the arrays do not grow without bound
    if (this.head > 1024 && this.head * 2 > this.owners.length) {
      this.owners.splice(0, this.head);
      this.seqs.splice(0, this.head);
      this.ats.splice(0, this.head);
      this.head = 0;
    }
  }
}

export class DeadlineQueues {
  private readonly fifos = new Map<number, Fifo>();

  constructor(private readonly clock: DeadlineClock = realDeadlineClock) {}

  /** Calls owner.expire(seq) once `timeoutUs` has passed, unless ignored by then. */
  add(timeoutUs: number, owner: Expirable, seq: number): void {
    let f = this.fifos.get(timeoutUs);
    if (!f) {
      f = new Fifo();
      this.fifos.set(timeoutUs, f);
    }
    f.owners.push(owner);
    f.seqs.push(seq);
    f.ats.push(this.clock.nowUs() + timeoutUs);
    if (f.timer === null && !f.deferred) this.arm(f, timeoutUs);
  }

  /** Entries waiting (expired or not), for tests and status. */
  pending(): number {
    let n = 0;
    for (const f of this.fifos.values()) n += f.size;
    return n;
  }

  private arm(f: Fifo, timeoutUs: number): void {
    const ms = Math.max(0, Math.ceil((f.ats[f.head] - this.clock.nowUs()) / 1000));
    f.timer = this.clock.setTimer(() => {
      f.timer = null;
      f.deferred = true;
      // The verdict waits for the I/O phase of this loop iteration: an attempt that completed
      // while the loop was busy must win over a timer that is only late.
      this.clock.defer(() => this.expire(f, timeoutUs));
    }, ms);
  }

  private expire(f: Fifo, timeoutUs: number): void {
    f.deferred = false;
    const now = this.clock.nowUs();
    while (f.head < f.owners.length && f.ats[f.head] <= now) {
      const owner = f.owners[f.head];
      const seq = f.seqs[f.head];
      f.head++;
      if (owner.waiting(seq)) owner.expire(seq);
    }
    // Most attempts end long before their deadline: skip the ended ones, so the next wakeup is
    // for an attempt that still waits (none at all while every server answers).
    while (f.head < f.owners.length && !f.owners[f.head].waiting(f.seqs[f.head])) f.head++;
    if (f.head === f.owners.length) {
      f.owners.length = 0;
      f.seqs.length = 0;
      f.ats.length = 0;
      f.head = 0;
      return;
    }
    f.compact();
    this.arm(f, timeoutUs);
  }
}

/** The process-wide queues the probes share. */
export const deadlines = new DeadlineQueues();
