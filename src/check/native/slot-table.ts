// The slots of an engine of lvsd_probe: small integers handed to C, reused, each with its owner.
// A slot released while a batch is being reported is reusable only after that batch, so a slot
// the batch still has records of is never handed to a new attempt in between.

export class SlotTable<T> {
  /** owner of each slot in use; undefined: free */
  private owners: Array<T | undefined> = [];
  /** slots free for reuse (a stack) */
  private free: number[] = [];
  private released: number[] = [];
  private reporting = false;

  /** The slot a new attempt or check gets (not taken until set()). */
  next(): number {
    return this.free.length > 0 ? (this.free[this.free.length - 1] as number) : this.owners.length;
  }

  /** Takes slot next() for `owner`. */
  set(slot: number, owner: T): void {
    if (slot === this.owners.length) this.owners.push(owner);
    else {
      this.free.pop();
      this.owners[slot] = owner;
    }
  }

  get(slot: number): T | undefined {
    return this.owners[slot];
  }

  release(slot: number): void {
    this.owners[slot] = undefined;
    (this.reporting ? this.released : this.free).push(slot);
  }

  /** Runs report(n) with releases deferred to its end. */
  reportBatch(report: (n: number) => void, n: number): void {
    this.reporting = true;
    try {
      report(n);
    } finally {
      this.reporting = false;
      for (const s of this.released) this.free.push(s);
      this.released.length = 0;
    }
  }

  /** slots ever handed out (tests: slots are reused) */
  made(): number {
    return this.owners.length;
  }

  clear(): void {
    this.owners = [];
    this.free = [];
  }
}
