// What a running VRRP runtime reports as it goes, for the daemon around it (status, metrics,
// ha_suspend). Emitted by VrrpRuntime (an EventEmitter) with these names and payloads.
import type { DropReason } from './drop-reasons.js';
import type { VrrpState } from './types.js';

export interface VrrpEventMap {
  /** `at`: ms since the epoch. */
  transition: { instance: string; from: VrrpState; to: VrrpState; at: number };
  advert: { instance: string; dir: 'sent' | 'received' };
  drop: { instance: string; reason: DropReason };
  /** After the addresses went in (installed) or out (not installed). */
  vips: { instance: string; installed: boolean; addresses: string[] };
}

export type VrrpEventName = keyof VrrpEventMap;

/** One event with its name, as an instance hands it to the runtime. */
export type VrrpEvent = { [K in VrrpEventName]: { name: K; data: VrrpEventMap[K] } }[VrrpEventName];
