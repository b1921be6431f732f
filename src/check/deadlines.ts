// Connect/reply timeouts of many attempts with one timer per distinct timeout length instead
// of one timer per attempt: attempts of one length expire in the order they started, so a
// FIFO per length is already sorted by deadline. Cancelling is lazy: an entry carries the
// attempt's sequence number and the owner ignores an expiry whose attempt already ended.
import { realClock, type Clock } from './scheduler.js';

export interface Expirable {
  /** the attempt numbered `seq` ran out of time (the owner ignores a seq that already ended) */
  expire(seq: number): void;
  /** whether attempt `seq` still waits: ended ones are dropped without a wakeup of their own */
  waiting(seq: number): boolean;
}

export interface DeadlineClock extends Clock {
  /** runs fn after the event loop's next I/O phase (setImmediate) */
  defer(fn: () => void): void;
}

/** The scheduler's clock (one read per turn, unref'd timers) plus setImmediate. */
export const realDeadlineClock: DeadlineClock = {
  ...realClock,
  defer: (fn) => {
    setImmediate(fn);
  },
};

/**
 * A ring of (owner, seq, deadline) entries in arrays that only grow (doubling), never
 * reallocated per pass: a queue that spliced its consumed prefix made new arrays of thousands
 * of entries every pass, and those outlived the young generation at 10,000 checks a second.
 */
class Fifo {
  owners: Array<Expirable | undefined> = new Array<Expirable | undefined>(64).fill(undefined);
  /** attempt numbers; doubles, so a counter beyond 2^31 stays exact */
  seqs = new Float64Array(64);
  ats = new Float64Array(64);
  /** capacity - 1 (the capacity is a power of two) */
  mask = 63;
  head = 0;
  size = 0;
  timer: unknown = null;
  /** an expiry pass is queued behind the I/O phase */
  deferred = false;

  push(owner: Expirable, seq: number, at: number): void {
    if (this.size > this.mask) this.grow();
    const i = (this.head + this.size) & this.mask;
    this.owners[i] = owner;
    this.seqs[i] = seq;
    this.ats[i] = at;
    this.size++;
  }

  /** drops the head entry */
  shift(): void {
    this.owners[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.size--;
  }

  private grow(): void {
    const cap = (this.mask + 1) * 2;
    const owners = new Array<Expirable | undefined>(cap).fill(undefined);
    const seqs = new Float64Array(cap);
    const ats = new Float64Array(cap);
    for (let k = 0; k < this.size; k++) {
      const i = (this.head + k) & this.mask;
      owners[k] = this.owners[i];
      seqs[k] = this.seqs[i];
      ats[k] = this.ats[i];
    }
    this.owners = owners;
    this.seqs = seqs;
    this.ats = ats;
    this.mask = cap - 1;
    this.head = 0;
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
    f.push(owner, seq, this.clock.nowUs() + timeoutUs);
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
    // f.deferred stays set during the pass: an attempt started by an expiry's callback adds
    // to this queue without arming a second timer
    const now = this.clock.nowUs();
    while (f.size > 0 && f.ats[f.head] <= now) {
      const owner = f.owners[f.head];
      const seq = f.seqs[f.head];
      f.shift();
      if (owner?.waiting(seq)) owner.expire(seq);
    }
    // Most attempts end long before their deadline: skip the ended ones, so the next wakeup is
    // for an attempt that still waits (none at all while every server answers).
    while (f.size > 0 && !f.owners[f.head]?.waiting(f.seqs[f.head])) f.shift();
    f.deferred = false;
    if (f.size > 0 && f.timer === null) this.arm(f, timeoutUs);
  }
}

/** The process-wide queues the probes share. */
export const deadlines = new DeadlineQueues();
