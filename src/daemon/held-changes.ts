// Changes on disk noticed while a SIGHUP's reload runs wait for its end. What a change sets off
// (the inputs read again to see whether the running load is still current, then maybe a full
// prepared load) ran as a timer that fell due during the reload, between its IPVS requests and
// the reading of their acknowledgements: for a 10,000-server file under emulation, the read
// alone was 30 ms of the reload's 'acked'. Any number of changes meanwhile make one call after.

export class HeldChanges {
  /** reloads running (the signal queue runs one at a time) */
  private running = 0;
  private pending = false;

  constructor(private readonly handle: () => void) {}

  /** A change: handled now, or once the running reload is over. */
  changed(): void {
    if (this.running > 0) this.pending = true;
    else this.handle();
  }

  /** Runs a reload; changes meanwhile are handled after it (in a later event-loop turn). */
  async during<T>(reload: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await reload();
    } finally {
      if (--this.running === 0 && this.pending) {
        this.pending = false;
        setImmediate(() => this.changed());
      }
    }
  }
}
