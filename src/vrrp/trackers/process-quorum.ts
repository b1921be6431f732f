// A vrrp_track_process's status from the number of matching processes: up while
// quorum <= count <= quorum_max. A crossing caused by more processes waits fork_delay, one
// caused by fewer waits terminate_delay, and crossing back before then cancels it (keepalived
// avoids down/up bounces on restarts this way). Pure: counts and times come in (ms).

export interface QuorumParams {
  quorum: number;
  quorumMax: number;
  forkDelayMs: number;
  terminateDelayMs: number;
}

export class ProcessQuorum {
  up: boolean;
  private count: number;
  /** When a pending change is decided (null: none pending). */
  pendingAt: number | null = null;

  constructor(private readonly p: QuorumParams, initialCount: number) {
    this.count = initialCount;
    this.up = this.inQuorum(initialCount);
  }

  inQuorum(n: number): boolean {
    return n >= this.p.quorum && n <= this.p.quorumMax;
  }

  /** A new count at `now`; true when `up` changed. */
  observe(count: number, now: number): boolean {
    const before = this.count;
    this.count = count;
    const q = this.inQuorum(count);
    if (q === this.up) {
      this.pendingAt = null;
      return false;
    }
    if (this.pendingAt !== null) return this.due(now);
    if (count === before) return false; // cannot happen: same count, same verdict
    const delay = count > before ? this.p.forkDelayMs : this.p.terminateDelayMs;
    if (delay <= 0) {
      this.up = q;
      return true;
    }
    this.pendingAt = now + delay;
    return false;
  }

  /** Decides a pending change whose time has come; true when `up` changed. */
  due(now: number): boolean {
    if (this.pendingAt === null || now < this.pendingAt) return false;
    this.pendingAt = null;
    const q = this.inQuorum(this.count);
    if (q === this.up) return false;
    this.up = q;
    return true;
  }
}
