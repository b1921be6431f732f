// A task that brings something outside the process to a wanted state: `kick()` runs the attempt
// (again, if kicked while running), a failed attempt is retried after a Backoff wait, and
// nothing is thrown at the caller. The attempt reports failure by returning false.
import { Backoff } from './backoff.js';

export interface RetryingTaskOptions {
  attempt: () => Promise<boolean>;
  /** told before each wait after a failure */
  onRetry?: (ms: number, failures: number) => void;
  backoff?: Backoff;
}

export class RetryingTask {
  private dirty = false;
  private loop: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly backoff: Backoff;

  constructor(private readonly o: RetryingTaskOptions) {
    this.backoff = o.backoff ?? new Backoff();
  }

  /** Runs the attempt now (or right after the running one); resolves when this round is over. */
  kick(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.dirty = true;
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    this.loop ??= this.run().finally(() => { this.loop = undefined; });
    return this.loop;
  }

  private async run(): Promise<void> {
    while (this.dirty && !this.closed) {
      this.dirty = false;
      let ok = false;
      try {
        ok = await this.o.attempt();
      } catch {
        ok = false;
      }
      if (ok) this.backoff.reset();
      else if (!this.dirty && !this.closed) {
        const ms = this.backoff.next();
        this.o.onRetry?.(ms, this.backoff.count);
        this.retryTimer = setTimeout(() => { this.retryTimer = undefined; void this.kick(); }, ms);
        this.retryTimer.unref();
      }
    }
  }

  /** Resolves when no attempt is running (a scheduled retry may still be pending). */
  async settled(): Promise<void> {
    for (let i = 0; i < 100 && this.loop; i++) await this.loop;
  }

  /** No more attempts; waits for a running one. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.loop?.catch(() => {});
  }

  get failures(): number {
    return this.backoff.count;
  }
}
