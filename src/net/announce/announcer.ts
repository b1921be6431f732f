// Runs an AnnounceScheduler against a clock and sends its frames through FrameSenders.
// Frames are built once per VIP; a failed send is counted and reported, never thrown, so a
// bad interface cannot stop the instance.
import { AnnounceScheduler, DEFAULT_ANNOUNCE, type AnnounceParams, type AnnounceTarget, type Pacing } from './scheduler.js';
import { gratuitousArp, unsolicitedNa } from './frames.js';
import type { FrameSender } from '../packet-socket.js';

export interface AnnounceVip extends AnnounceTarget {
  address: Buffer;
  /** Source MAC: the interface's, or the VRRP virtual MAC with use_vmac. */
  mac: Buffer;
  /** IPv6 only: set the NA router flag (the interface forwards IPv6). */
  router?: boolean;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface AnnouncerOptions {
  params?: AnnounceParams;
  pacing?: (ifindex: number) => Pacing;
  clock?: Clock;
  onSent?: (vip: AnnounceVip) => void;
  onError?: (vip: AnnounceVip, err: Error) => void;
}

export class Announcer {
  sent = 0;
  failed = 0;
  private readonly scheduler: AnnounceScheduler;
  private readonly frames = new Map<string, { vip: AnnounceVip; frame: Buffer }>();
  private readonly clock: Clock;
  private timer: unknown;

  constructor(vips: readonly AnnounceVip[], private readonly senderFor: (ifindex: number) => FrameSender, private readonly opts: AnnouncerOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.scheduler = new AnnounceScheduler(vips, opts.params ?? DEFAULT_ANNOUNCE, opts.pacing);
    for (const v of vips) {
      const frame = v.family === 4 ? gratuitousArp(v.mac, v.address) : unsolicitedNa(v.mac, v.address, v.router ?? false);
      this.frames.set(v.key, { vip: v, frame });
    }
  }

  master(): void {
    this.send(this.scheduler.master(this.clock.now()));
    this.arm();
  }

  lowerPriorityAdvert(): void {
    this.send(this.scheduler.lowerPriorityAdvert(this.clock.now()));
    this.arm();
  }

  stop(): void {
    this.scheduler.stop();
    this.disarm();
  }

  private send(targets: AnnounceTarget[]): void {
    for (const t of targets) {
      const f = this.frames.get(t.key);
      if (!f) continue;
      try {
        this.senderFor(t.ifindex).send(f.frame);
        this.sent++;
        this.opts.onSent?.(f.vip);
      } catch (e) {
        this.failed++;
        this.opts.onError?.(f.vip, e instanceof Error ? e : new Error(String(e)));
      }
    }
  }

  private arm(): void {
    this.disarm();
    const at = this.scheduler.nextWakeup();
    if (at === undefined) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.send(this.scheduler.tick(this.clock.now()));
      this.arm();
    }, Math.max(0, at - this.clock.now()));
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
