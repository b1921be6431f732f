// Retry spacing after a failure: doubles from `firstMs` up to `maxMs`, back to the start after
// a success. Pure; the caller owns the timer.
export class Backoff {
  private failures = 0;

  constructor(private readonly firstMs = 1000, private readonly maxMs = 30_000) {}

  /** The wait before the next attempt, counting this failure. */
  next(): number {
    const ms = Math.min(this.maxMs, this.firstMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return ms;
  }

  reset(): void {
    this.failures = 0;
  }

  get count(): number {
    return this.failures;
  }
}
