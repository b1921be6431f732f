// track_bfd (vrrp_instance and vrrp_sync_group): a bfd_instance's Up/Down moves the instance's
// priority by its weight, or with weight 0 holds it in FAULT while Down (with `reverse`: while
// Up). keepalived starts every tracked BFD as Down and negates a reversed weight (vrrp_track.c:
// weight W reverse takes W off while Up), which is what bfdTrackedItem encodes for the machine.
import type { MachineEvent } from '../machine.js';
import type { TrackedItem } from '../types.js';

export function bfdTrackedItem(id: string, weight: number, reverse: boolean): TrackedItem {
  // The machine adds a positive weight while "up" and a negative one while "down"; `reverse`
  // swaps up and down. keepalived's reversed W applies -W under the same condition that W
  // would have been applied, i.e. -W with the sense swapped.
  if (!reverse) return { id, weight, initiallyUp: false };
  return { id, weight: weight === 0 ? 0 : -weight, reverse: true, initiallyUp: false };
}

/** Where BFD states come from (the BFD runtime). */
export interface BfdStates {
  isUp(name: string): boolean;
  on(event: 'up' | 'down', fn: (c: { name: string }) => void): unknown;
  off(event: 'up' | 'down', fn: (c: { name: string }) => void): unknown;
}

/** The VRRP instances to feed (the VRRP runtime's instance map). */
export interface BfdTrackingInstances {
  readonly instances: ReadonlyMap<string, { spec: { trackBfds: ReadonlyArray<{ id: string; bfd: string }> }; event(ev: MachineEvent): void }>;
}

export class BfdTracker {
  private readonly onUp = (c: { name: string }): void => this.feed(c.name, true);
  private readonly onDown = (c: { name: string }): void => this.feed(c.name, false);

  constructor(private readonly vrrp: BfdTrackingInstances, private readonly bfd: BfdStates) {}

  /** Listens for changes and hands every tracking instance the current states. */
  start(): void {
    this.bfd.on('up', this.onUp);
    this.bfd.on('down', this.onDown);
    this.sync();
  }

  /** The current state of every tracked BFD to every instance (after a start or a reload). */
  sync(): void {
    for (const inst of this.vrrp.instances.values()) {
      for (const t of inst.spec.trackBfds) inst.event({ type: 'track', id: t.id, up: this.bfd.isUp(t.bfd) });
    }
  }

  stop(): void {
    this.bfd.off('up', this.onUp);
    this.bfd.off('down', this.onDown);
  }

  private feed(name: string, up: boolean): void {
    for (const inst of this.vrrp.instances.values()) {
      for (const t of inst.spec.trackBfds) if (t.bfd === name) inst.event({ type: 'track', id: t.id, up });
    }
  }
}
