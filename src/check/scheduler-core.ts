// The check scheduler's decisions, pure: which checks start now, with at most `maxRunning`
// in flight, earliest due first. Times are microseconds of a monotonic clock given by the
// caller. A check's next due time counts from when it was due, not from when it ended, so
// intervals do not drift; a check that overran its interval runs again as soon as it can.

interface Entry {
  due: number;
  seq: number;
  id: number;
  gen: number;
}

export class SchedulerCore {
  private heap: Entry[] = [];
  private seq = 0;
  /** id -> generation of its live heap entry; absent = not scheduled */
  private gens = new Map<number, number>();
  private running = new Map<number, number>(); // id -> due time of the running attempt
  private removedWhileRunning = new Set<number>();

  constructor(readonly maxRunning: number) {
    if (!(maxRunning >= 1)) throw new Error('maxRunning must be at least 1');
  }

  get runningCount(): number {
    return this.running.size;
  }

  get scheduledCount(): number {
    return this.gens.size;
  }

  /** Schedule (or reschedule) `id` at `due`. */
  add(id: number, due: number): void {
    if (this.running.has(id)) throw new Error(`check ${id} is running`);
    const gen = (this.gens.get(id) ?? 0) + 1;
    this.gens.set(id, gen);
    this.push({ due, seq: this.seq++, id, gen });
  }

  /** Forget `id`; if it is running, its finish() will not reschedule it. */
  remove(id: number): void {
    this.gens.delete(id);
    if (this.running.has(id)) this.removedWhileRunning.add(id);
  }

  /** The checks to start at `now`, marked running, earliest due first. */
  take(now: number): number[] {
    const out: number[] = [];
    while (this.running.size < this.maxRunning) {
      const top = this.peekLive();
      if (!top || top.due > now) break;
      this.pop();
      this.gens.delete(top.id);
      this.running.set(top.id, top.due);
      out.push(top.id);
    }
    return out;
  }

  /**
   * An attempt ended at `now`; the check wants its next attempt `delay` after it was due.
   * Returns the due time given, or undefined when it was removed meanwhile.
   */
  finish(id: number, now: number, delay: number): number | undefined {
    const due = this.running.get(id);
    if (due === undefined) throw new Error(`check ${id} is not running`);
    this.running.delete(id);
    if (this.removedWhileRunning.delete(id)) return undefined;
    const next = Math.max(now, due + delay);
    this.add(id, next);
    return next;
  }

  /** When take() next has something to give (undefined: nothing scheduled or no free slot). */
  nextDue(): number | undefined {
    if (this.running.size >= this.maxRunning) return undefined;
    return this.peekLive()?.due;
  }

  private peekLive(): Entry | undefined {
    while (this.heap.length) {
      const top = this.heap[0];
      if (this.gens.get(top.id) === top.gen) return top;
      this.pop();
    }
    return undefined;
  }

  private less(a: Entry, b: Entry): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop() as Entry;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l], h[m])) m = l;
      if (r < h.length && this.less(h[r], h[m])) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}

/** First due time of a check: keepalived waits a random share of warmup (0: start at once). */
export function firstDue(now: number, warmupUs: number, random: () => number): number {
  return now + (warmupUs > 0 ? Math.floor(warmupUs * random()) : 0);
}
