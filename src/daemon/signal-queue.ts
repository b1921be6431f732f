// Signal handling in order: each signal's job runs after the previous one finished, so a
// SIGHUP never overlaps another reload or the shutdown. Once a stop is queued, later jobs
// are dropped: the daemon is on its way out.
export type Job = () => Promise<void>;

export class SignalQueue {
  private tail: Promise<void> = Promise.resolve();
  private stopping = false;
  /** jobs dropped because a stop was already queued */
  dropped = 0;

  constructor(private readonly onError: (name: string, e: unknown) => void) {}

  get stopQueued(): boolean {
    return this.stopping;
  }

  /** Queues `job`; `stop` marks it as the last one. Resolves when it ran (or was dropped). */
  push(name: string, job: Job, stop = false): Promise<void> {
    if (this.stopping) {
      this.dropped++;
      return Promise.resolve();
    }
    if (stop) this.stopping = true;
    const run = this.tail.then(job).catch((e: unknown) => this.onError(name, e));
    this.tail = run;
    return run;
  }
}
