// The check scheduler's decisions, pure: which checks start now, with at most `maxRunning`
// in flight, earliest due first. Times are microseconds of a monotonic clock given by the
// caller. A check's next due time counts from when it was due, not from when it ended, so
// intervals do not drift; a check that overran its interval runs again as soon as it can.
//
// Ids are small non-negative integers (the scheduler hands them out in sequence), so every
// per-check fact lives in an array indexed by id and the heap is an indexed binary heap of
// ids: thousands of reschedules a second allocate nothing and look nothing up in a Map.

const NONE = -1;

export class SchedulerCore {
  /** heap of ids, ordered by (due, seq) */
  private heap: number[] = [];
  private due: number[] = [];
  private seq: number[] = [];
  /** position of id in heap, NONE when not scheduled */
  private pos: number[] = [];
  /** due time of id's running attempt, NaN when not running */
  private runDue: number[] = [];
  private removedWhileRunning: boolean[] = [];
  private nextSeq = 0;
  private running = 0;

  constructor(readonly maxRunning: number) {
    if (!(maxRunning >= 1)) throw new Error('maxRunning must be at least 1');
  }

  get runningCount(): number {
    return this.running;
  }

  get scheduledCount(): number {
    return this.heap.length;
  }

  private isRunning(id: number): boolean {
    const d = this.runDue[id];
    return d !== undefined && !Number.isNaN(d);
  }

  /** Schedule (or reschedule) `id` at `due`. */
  add(id: number, due: number): void {
    if (!Number.isInteger(id) || id < 0) throw new Error(`check id ${id} is not a non-negative integer`);
    if (this.isRunning(id)) throw new Error(`check ${id} is running`);
    this.due[id] = due;
    this.seq[id] = this.nextSeq++;
    const p = this.pos[id];
    if (p === undefined || p === NONE) {
      this.heap.push(id);
      this.pos[id] = this.heap.length - 1;
      this.up(this.heap.length - 1);
    } else {
      this.down(this.up(p));
    }
  }

  /** Forget `id`; if it is running, its finish() will not reschedule it. */
  remove(id: number): void {
    const p = this.pos[id];
    if (p !== undefined && p !== NONE) this.removeAt(p);
    if (this.isRunning(id)) this.removedWhileRunning[id] = true;
  }

  /** The checks to start at `now`, marked running, earliest due first. */
  take(now: number): number[] {
    const out: number[] = [];
    const h = this.heap;
    while (this.running < this.maxRunning && h.length > 0) {
      const id = h[0];
      const due = this.due[id];
      if (due > now) break;
      this.removeAt(0);
      this.runDue[id] = due;
      this.running++;
      out.push(id);
    }
    return out;
  }

  /**
   * An attempt ended at `now`; the check wants its next attempt `delay` after it was due.
   * Returns the due time given, or undefined when it was removed meanwhile.
   */
  finish(id: number, now: number, delay: number): number | undefined {
    if (!this.isRunning(id)) throw new Error(`check ${id} is not running`);
    const due = this.runDue[id];
    this.runDue[id] = NaN;
    this.running--;
    if (this.removedWhileRunning[id]) {
      this.removedWhileRunning[id] = false;
      return undefined;
    }
    const next = Math.max(now, due + delay);
    this.add(id, next);
    return next;
  }

  /** When take() next has something to give (undefined: nothing scheduled or no free slot). */
  nextDue(): number | undefined {
    if (this.running >= this.maxRunning || this.heap.length === 0) return undefined;
    return this.due[this.heap[0]];
  }

  private less(a: number, b: number): boolean {
    const da = this.due[a], db = this.due[b];
    return da < db || (da === db && this.seq[a] < this.seq[b]);
  }

  private place(i: number, id: number): void {
    this.heap[i] = id;
    this.pos[id] = i;
  }

  private removeAt(i: number): void {
    const h = this.heap;
    const id = h[i];
    this.pos[id] = NONE;
    const last = h.pop() as number;
    if (i === h.length) return;
    this.place(i, last);
    this.down(this.up(i));
  }

  /** sifts the entry at i up; returns where it ended */
  private up(i: number): number {
    const h = this.heap;
    const id = h[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(id, h[p])) break;
      this.place(i, h[p]);
      i = p;
    }
    this.place(i, id);
    return i;
  }

  private down(i: number): void {
    const h = this.heap;
    const n = h.length;
    const id = h[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && this.less(h[r], h[l]) ? r : l;
      if (!this.less(h[m], id)) break;
      this.place(i, h[m]);
      i = m;
    }
    this.place(i, id);
  }
}

/** First due time of a check: keepalived waits a random share of warmup (0: start at once). */
export function firstDue(now: number, warmupUs: number, random: () => number): number {
  return now + (warmupUs > 0 ? Math.floor(warmupUs * random()) : 0);
}
