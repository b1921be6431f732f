// The parameters one VRRP instance needs, in lvsd's own terms. The config model is mapped
// onto these elsewhere; nothing here knows about keepalived.conf syntax.
import type { Auth, Family, VrrpVersion } from './packet.js';
import type { UnicastChecksumMode } from './validate.js';

export type VrrpState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT';

/** A tracked interface, script or file. weight 0: down forces FAULT. */
export interface TrackedItem {
  id: string;
  /** >0 added while up, <0 added while down (keepalived's rule), 0 = FAULT while down. */
  weight: number;
  /** Inverts the up/down sense (keepalived's `reverse`). */
  reverse?: boolean;
  /** Status before the first report; keepalived waits for scripts, lvsd assumes up unless told. */
  initiallyUp?: boolean;
  /** 'offset': the item reports a priority offset (vrrp_track_file value x weight) instead of up/down. */
  mode?: 'updown' | 'offset';
}

/** Everything the state machine needs. Times are milliseconds. */
export interface MachineParams {
  name: string;
  version: VrrpVersion;
  vrid: number;
  /** Configured priority 1..255; 255 is the address owner. */
  priority: number;
  advertIntervalMs: number;
  /** false = keepalived's nopreempt. */
  preempt: boolean;
  preemptDelayMs: number;
  /** Our advert source address, for the equal-priority tie-break (higher address wins). */
  primaryAddress: string;
  family: Family;
  /** Ignore the primary interface's link state (keepalived's dont_track_primary). */
  dontTrackPrimary: boolean;
  tracked: TrackedItem[];
  /** As master, do not answer a lower-priority advert with one of ours. */
  lowerPrioNoAdvert: boolean;
  /** As master, answer a higher-priority advert with one of ours before stepping down. */
  higherPrioSendAdvert: boolean;
  /** Adverts missed before the master is declared down; RFC value 3 (keepalived down_timer_adverts). */
  downTimerAdverts: number;
}

/** Wire-level parameters (codec and transport) of the same instance. */
export interface WireParams {
  family: Family;
  version: VrrpVersion;
  vrid: number;
  auth: Auth;
  /** Virtual addresses in canonical text form (see addr.ts canonicalAddress). */
  addresses: string[];
  interfaceName: string;
  /** unicast_src_ip, or the interface's primary address. */
  sourceAddress: string;
  /** Empty for multicast. */
  unicastPeers: string[];
  /** Multicast destination (mcast_dst_ip / vrrp_mcast_group4/6); default 224.0.0.18 / ff02::12. */
  multicastGroup?: string;
  /** Accept unicast adverts only from unicastPeers (check_unicast_src). */
  checkUnicastSrc: boolean;
  unicastChecksum: UnicastChecksumMode;
  /** Skip the address list check on adverts from the current master (skip_check_adv_addr). */
  skipCheckAdvAddr: boolean;
}

export function defaultMachineParams(over: Partial<MachineParams> & Pick<MachineParams, 'vrid' | 'primaryAddress'>): MachineParams {
  return {
    name: `VI_${over.vrid}`, version: 2, priority: 100, advertIntervalMs: 1000, preempt: true, preemptDelayMs: 0,
    family: 4, dontTrackPrimary: false, tracked: [], lowerPrioNoAdvert: false, higherPrioSendAdvert: false,
    downTimerAdverts: 3, ...over,
  };
}
