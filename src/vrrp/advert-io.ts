// Per-instance wire state between the state machine and the socket: builds the packets for
// a send-advert action (IP id and AH sequence counters, one copy per unicast peer) and turns
// received packets into machine events, counting drops by reason. No I/O here.
import { canonicalAddress } from './addr.js';
import { encodeIpv4, encodeIpv6, VRRP_MCAST4, VRRP_MCAST6, type Advert } from './packet.js';
import { newDropCounts, type DropCounts, type DropReason } from './drop-reasons.js';
import { validateIpv4, validateIpv6, type RxExpect } from './validate.js';
import type { MachineEvent } from './machine.js';
import type { ReceivedPacket } from './transport.js';
import type { WireParams } from './types.js';

export type RxOutcome =
  | { ok: true; event: Extract<MachineEvent, { type: 'advert' }> }
  | { ok: false; reason: DropReason; detail: string };

export class AdvertIo {
  readonly w: WireParams;
  readonly advertIntervalMs: number;
  readonly drops: DropCounts = newDropCounts();
  received = 0;
  private ipId = 0;
  /**
   * keepalived keeps ONE AH sequence counter per instance: it numbers our adverts and is the
   * replay floor for received ones (a backup that takes over continues above the last
   * master's number). Shared here the same way, for interoperability.
   */
  ahSeq = 0;
  /** v3 unicast: peers use keepalived's pre-1.3.6 checksum; we answer in kind. */
  oldChecksum: boolean;
  /** Source of the last accepted advert (skip_check_adv_addr compares with it). */
  private lastMaster: string | null = null;

  constructor(w: WireParams, advertIntervalMs: number) {
    // Canonical text, so addresses compare as strings (e.g. "FD00::0005" == "fd00::5").
    const canon = (a: string): string => canonicalAddress(w.family, a);
    this.w = { ...w, addresses: w.addresses.map(canon), unicastPeers: w.unicastPeers.map(canon), sourceAddress: canon(w.sourceAddress) };
    if (w.multicastGroup !== undefined) this.w.multicastGroup = canon(w.multicastGroup);
    this.advertIntervalMs = advertIntervalMs;
    this.oldChecksum = w.unicastChecksum === 'old';
  }

  /** Reload: the virtual addresses our adverts carry and received ones must match. */
  setAddresses(addresses: string[]): void {
    this.w.addresses = addresses.map((a) => canonicalAddress(this.w.family, a));
  }

  /** The multicast destination of our adverts. */
  group(): string {
    return this.w.multicastGroup ?? (this.w.family === 4 ? VRRP_MCAST4 : VRRP_MCAST6);
  }

  /** Packets (and where to send them) for one advert at this priority. */
  build(priority: number): Array<{ dst: string; pkt: Buffer }> {
    const advert: Advert = {
      version: this.w.version, vrid: this.w.vrid, priority, advertIntervalMs: this.advertIntervalMs, addresses: this.w.addresses,
    };
    const unicast = this.w.unicastPeers.length > 0;
    const dsts = unicast ? this.w.unicastPeers : [this.group()];
    if (this.w.family === 6) return dsts.map((dst) => ({ dst, pkt: encodeIpv6(advert, { src: this.w.sourceAddress, dst }) }));
    // keepalived: one IP id and AH sequence number per advert, shared by all unicast copies.
    this.ipId = (this.ipId + 1) & 0xffff || 1;
    if (this.w.auth.type === 'ah' && this.ahSeq <= 0xfffffffd) this.ahSeq++;
    return dsts.map((dst) => ({
      dst,
      pkt: encodeIpv4(advert, {
        src: this.w.sourceAddress, dst, id: this.ipId, auth: this.w.auth, ahSeq: this.ahSeq, unicast, oldChecksum: this.oldChecksum,
      }),
    }));
  }

  /** Validates a packet for this instance. Drops are counted here. */
  receive(rx: ReceivedPacket): RxOutcome {
    this.received++;
    const unicast = this.w.unicastPeers.length > 0;
    const x: RxExpect = {
      family: this.w.family, version: this.w.version, vrid: this.w.vrid, auth: this.w.auth, advertIntervalMs: this.advertIntervalMs,
      addresses: this.w.addresses, unicast, unicastChecksum: this.oldChecksum ? 'old' : this.w.unicastChecksum,
      ahLastSeq: this.ahSeq, unicastPeers: unicast && this.w.checkUnicastSrc ? this.w.unicastPeers : null,
    };
    if (this.w.skipCheckAdvAddr && this.lastMaster !== null) {
      const src = rx.family === 4 ? `${rx.packet[12]}.${rx.packet[13]}.${rx.packet[14]}.${rx.packet[15]}` : rx.src;
      if (src === this.lastMaster) x.addresses = null;
    }
    const r = rx.family === 4
      ? validateIpv4(rx.packet, x)
      // raw-socket cannot report the IPv6 destination or hop limit: assume what we listen for.
      : validateIpv6({ payload: rx.payload, src: rx.src, dst: unicast ? this.w.sourceAddress : this.group(), hopLimit: null }, x);
    if (!r.ok) {
      this.drops[r.reason]++;
      return r;
    }
    if (r.ahSeq !== null) this.ahSeq = r.ahSeq;
    if (r.switchToOldChecksum) this.oldChecksum = true;
    this.lastMaster = r.src;
    return { ok: true, event: { type: 'advert', src: r.src, priority: r.advert.priority, advertIntervalMs: r.advert.advertIntervalMs } };
  }
}
