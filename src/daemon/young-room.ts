// Room in the young generation for a reload that is expected soon. Once a reload is prepared
// (the config changed on disk), the SIGHUP usually follows within seconds; the daemon's idle work
// (probes, metrics) fills V8's young generation in about a second and a half, so the reload
// would almost always meet a scavenge: 20-35 ms each under the test VM's emulation, often two,
// half of what the prepared reload costs otherwise (bench/daemon.sh, session 9). While a reload
// is expected, a scavenge is run ahead whenever the young generation is past a fraction of its
// size: the same work V8 does anyway, at a time no reload waits for it.
import { getHeapSpaceStatistics } from 'node:v8';
import { minorGc } from './full-gc.js';

/** fraction of the young generation in use, 0-1 (the semi-space that takes new objects) */
export function youngFill(): number {
  for (const s of getHeapSpaceStatistics()) {
    if (s.space_name !== 'new_space') continue;
    const room = s.space_used_size + s.space_available_size;
    return room > 0 ? s.space_used_size / room : 0;
  }
  return 0;
}

export interface YoungRoomOptions {
  /** how often the fill is looked at (ms) */
  everyMs?: number;
  /** a scavenge runs past this fill */
  above?: number;
  /** how long after start() a reload is still expected (ms) */
  forMs?: number;
  fill?: () => number;
  collect?: () => boolean;
  now?: () => number;
}

export class YoungRoom {
  private timer: NodeJS.Timeout | undefined;
  private until = 0;
  /** scavenges run (status, tests) */
  collected = 0;
  private readonly everyMs: number;
  private readonly above: number;
  private readonly forMs: number;
  private readonly fill: () => number;
  private readonly collect: () => boolean;
  private readonly now: () => number;

  constructor(o: YoungRoomOptions = {}) {
    this.everyMs = o.everyMs ?? 100;
    this.above = o.above ?? 0.3;
    this.forMs = o.forMs ?? 60_000;
    this.fill = o.fill ?? youngFill;
    this.collect = o.collect ?? minorGc;
    this.now = o.now ?? (() => performance.now());
  }

  /** A reload is expected from now on (again: the window starts over). */
  start(): void {
    this.until = this.now() + this.forMs;
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.everyMs);
    this.timer.unref();
  }

  /** The reload came (or the daemon stops). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  private tick(): void {
    if (this.now() >= this.until) {
      this.stop();
      return;
    }
    if (this.fill() > this.above && this.collect()) this.collected++;
  }
}
