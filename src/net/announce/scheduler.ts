// When a master announces its VIPs, as keepalived does it: on entering MASTER,
// garp_master_repeat rounds at once and again garp_master_delay later (none when 0); then
// garp_master_refresh_repeat rounds every garp_master_refresh (none when 0). A round is one
// GARP (IPv4) or unsolicited NA (IPv6) per VIP. A lower-priority advert seen as master:
// garp_lower_prio_repeat rounds at once and again garp_lower_prio_delay later. garp_extra_if:
// every extraIntervalMs one announcement of the first VIP on each "extra" interface (targets
// marked `extra`). Per interface, garp_interval / gna_interval
// space sends apart; while one is waiting, further sends for the same VIP fold into it
// (keepalived keeps one pending flag per address). Pure: time only comes in as `now` (ms).

export interface AnnounceParams {
  /** garp_master_delay in ms (default 5000); 0: no second burst. */
  delayMs: number;
  /** garp_master_repeat (default 5). */
  repeat: number;
  /** garp_master_refresh in ms (default 0: none). */
  refreshMs: number;
  /** garp_master_refresh_repeat (default 1). */
  refreshRepeat: number;
  /** garp_lower_prio_repeat: rounds sent when a lower-priority advert is seen (default = repeat). */
  lowerPrioRepeat: number;
  /** garp_lower_prio_delay in ms: the same rounds again this much later (0 or absent: not again). */
  lowerPrioDelayMs?: number;
  /** garp_extra_if interval in ms (0 or absent: off). */
  extraIntervalMs?: number;
}

export const DEFAULT_ANNOUNCE: AnnounceParams = { delayMs: 5000, repeat: 5, refreshMs: 0, refreshRepeat: 1, lowerPrioRepeat: 5 };

export interface AnnounceTarget {
  /** Unique per VIP, e.g. "eth0/10.0.0.1". */
  key: string;
  ifindex: number;
  family: 4 | 6;
  /** garp_extra_if announces this one periodically (one target per extra interface). */
  extra?: boolean;
}

/** Minimum spacing of sends on one interface: garp_interval (ARP) and gna_interval (NA), ms. */
export interface Pacing {
  garpIntervalMs: number;
  gnaIntervalMs: number;
}

const NO_PACING: Pacing = { garpIntervalMs: 0, gnaIntervalMs: 0 };

export class AnnounceScheduler {
  private secondBurstAt: number | undefined;
  private refreshAt: number | undefined;
  private lowerPrioAt: number | undefined;
  private extraAt: number | undefined;
  /** Earliest next send per interface and family ("ifindex/family"). */
  private readonly nextSend = new Map<string, number>();
  /** Keys waiting for their interface's interval. */
  private readonly pending = new Set<string>();
  private readonly byKey: Map<string, AnnounceTarget>;

  constructor(
    private readonly targets: readonly AnnounceTarget[],
    private readonly params: AnnounceParams = DEFAULT_ANNOUNCE,
    private readonly pacing: (ifindex: number) => Pacing = () => NO_PACING,
  ) {
    this.byKey = new Map(targets.map((t) => [t.key, t]));
  }

  /** Entering MASTER: the first burst (returned) and the timers for the rest. */
  master(now: number): AnnounceTarget[] {
    this.stop();
    this.secondBurstAt = this.params.delayMs > 0 ? now + this.params.delayMs : undefined;
    this.refreshAt = this.params.refreshMs > 0 ? now + this.params.refreshMs : undefined;
    const extra = this.params.extraIntervalMs ?? 0;
    this.extraAt = extra > 0 && this.targets.some((t) => t.extra) ? now + extra : undefined;
    return this.rounds(this.params.repeat, now);
  }

  /** A lower-priority advert seen while MASTER: garp_lower_prio_repeat rounds now, and again after garp_lower_prio_delay. */
  lowerPriorityAdvert(now: number): AnnounceTarget[] {
    const delay = this.params.lowerPrioDelayMs ?? 0;
    if (this.params.lowerPrioRepeat > 0 && delay > 0) this.lowerPrioAt = now + delay;
    return this.rounds(this.params.lowerPrioRepeat, now);
  }

  /** Leaving MASTER: nothing more is sent. */
  stop(): void {
    this.secondBurstAt = undefined;
    this.refreshAt = undefined;
    this.lowerPrioAt = undefined;
    this.extraAt = undefined;
    this.pending.clear();
  }

  /** What to send at `now` (call at nextWakeup() or later). */
  tick(now: number): AnnounceTarget[] {
    const out: AnnounceTarget[] = [];
    // Waiting sends first, in VIP order as keepalived walks its list.
    for (const t of this.targets) {
      if (!this.pending.has(t.key)) continue;
      if (this.tryPaced(t, now)) {
        this.pending.delete(t.key);
        out.push(t);
      }
    }
    if (this.secondBurstAt !== undefined && now >= this.secondBurstAt) {
      this.secondBurstAt = undefined;
      out.push(...this.rounds(this.params.repeat, now));
    }
    if (this.refreshAt !== undefined && now >= this.refreshAt) {
      this.refreshAt = now + this.params.refreshMs;
      out.push(...this.rounds(this.params.refreshRepeat, now));
    }
    if (this.lowerPrioAt !== undefined && now >= this.lowerPrioAt) {
      this.lowerPrioAt = undefined;
      out.push(...this.rounds(this.params.lowerPrioRepeat, now));
    }
    if (this.extraAt !== undefined && now >= this.extraAt) {
      this.extraAt = now + (this.params.extraIntervalMs ?? 0);
      out.push(...this.rounds(1, now, (t) => t.extra === true));
    }
    return out;
  }

  /** The next time tick() has something to do, or undefined. */
  nextWakeup(): number | undefined {
    let at: number | undefined;
    const consider = (t: number | undefined): void => {
      if (t !== undefined && (at === undefined || t < at)) at = t;
    };
    consider(this.secondBurstAt);
    consider(this.refreshAt);
    consider(this.lowerPrioAt);
    consider(this.extraAt);
    for (const key of this.pending) {
      const t = this.byKey.get(key);
      if (t) consider(this.nextSend.get(lane(t)) ?? 0);
    }
    return at;
  }

  private rounds(count: number, now: number, which: (t: AnnounceTarget) => boolean = () => true): AnnounceTarget[] {
    const out: AnnounceTarget[] = [];
    for (let r = 0; r < count; r++) {
      for (const t of this.targets) {
        if (!which(t)) continue;
        if (this.pending.has(t.key)) continue; // folds into the one already waiting
        if (this.tryPaced(t, now)) out.push(t);
        else this.pending.add(t.key);
      }
    }
    return out;
  }

  /** Sends now if the interface's interval allows it (and books the next slot). */
  private tryPaced(t: AnnounceTarget, now: number): boolean {
    const p = this.pacing(t.ifindex);
    const interval = t.family === 4 ? p.garpIntervalMs : p.gnaIntervalMs;
    if (interval <= 0) return true;
    const l = lane(t);
    const next = this.nextSend.get(l);
    if (next !== undefined && now < next) return false;
    this.nextSend.set(l, now + interval);
    return true;
  }
}

function lane(t: AnnounceTarget): string {
  return `${t.ifindex}/${t.family}`;
}
