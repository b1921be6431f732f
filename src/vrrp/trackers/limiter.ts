// Bounds how many child processes (scripts) run at once; the rest wait their turn in order.
export class Limiter {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new Error('limit must be at least 1');
  }

  get active(): number {
    return this.running;
  }

  get waiting(): number {
    return this.queue.length;
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((res) => this.queue.push(res));
    this.running++;
    try {
      return await job();
    } finally {
      this.running--;
      this.queue.shift()?.();
    }
  }
}
