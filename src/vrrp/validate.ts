// Receiver checks of RFC 3768 7.1 / RFC 5798 7.1, in the order keepalived makes them, so a
// packet with several faults is counted under the same reason by both. Never throws.
import { ipv4ToBytes } from './addr.js';
import type { DropReason } from './drop-reasons.js';
import {
  AUTH_TYPE_CODE, IPPROTO_AH, IPPROTO_VRRP, V2_AUTH_LEN, VRRP_HDR_LEN, VRRP_MCAST4, VRRP_TTL, ahIcv,
  expectedVrrpLength, parseIpv4, parseIpv6, toAdvert, vrrpChecksumOk,
  type Advert, type Auth, type Family, type RawAdvert, type VrrpVersion,
} from './packet.js';
import { timingSafeEqual } from 'node:crypto';

/** How a v3 IPv4 unicast checksum is computed (keepalived's old_unicast_checksum). */
export type UnicastChecksumMode =
  | 'auto' // standard, but switch to the old form if a peer is seen using it (keepalived default)
  | 'never' // standard only (`old_unicast_checksum never`)
  | 'old'; // pseudo-header destination is 224.0.0.18 (`old_unicast_checksum`)

export interface RxExpect {
  family: Family;
  version: VrrpVersion;
  vrid: number;
  auth: Auth;
  advertIntervalMs: number;
  /** Our VIPs; null skips the address-list check (keepalived's skip_check_adv_addr). */
  addresses: string[] | null;
  unicast: boolean;
  unicastChecksum: UnicastChecksumMode;
  /** Highest AH sequence number accepted so far (replay protection). */
  ahLastSeq: number;
  /** When set (check_unicast_src), a unicast advert must come from one of these. */
  unicastPeers?: string[] | null;
}

export interface Ipv6Received {
  payload: Buffer;
  src: string;
  dst: string;
  /** From IPV6_HOPLIMIT ancillary data; null when the socket cannot tell. */
  hopLimit: number | null;
}

export type RxResult =
  | {
      ok: true;
      advert: Advert;
      src: string;
      /** AH sequence number to remember as the new ahLastSeq (null without AH). */
      ahSeq: number | null;
      /** The peer uses the old unicast checksum; in 'auto' mode we switch to it too. */
      switchToOldChecksum: boolean;
    }
  | { ok: false; reason: DropReason; detail: string };

const drop = (reason: DropReason, detail: string): RxResult => ({ ok: false, reason, detail });

function isMulticast4(addr: string): boolean {
  const first = ipv4ToBytes(addr)[0];
  return first >= 224 && first <= 239;
}

/** A packet from an AF_INET raw socket: IPv4 header included. */
export function validateIpv4(pkt: Buffer, x: RxExpect): RxResult {
  const parsed = parseIpv4(pkt);
  if (!parsed.ok) return parsed;
  const raw = parsed.raw;
  const ip = raw.ip;
  if (!ip) return drop('length', 'no IPv4 header');
  if (ip.protocol !== IPPROTO_VRRP && ip.protocol !== IPPROTO_AH) return drop('type', `IP protocol ${ip.protocol}`);
  if (raw.vrid !== x.vrid) return drop('vrid', `VRID ${raw.vrid}, ours ${x.vrid}`);
  const wantAh = x.auth.type === 'ah';
  if ((ip.protocol === IPPROTO_AH) !== wantAh) {
    return drop('auth', wantAh ? 'no AH header but auth type is AH' : 'AH header but auth type is not AH');
  }
  const expectedLen = raw.vrrpOff + expectedVrrpLength(raw);
  if (pkt.length !== expectedLen) return drop('length', `${pkt.length} bytes, expected ${expectedLen}`);
  if (!x.unicast && ip.ttl !== VRRP_TTL) return drop('ttl', `TTL ${ip.ttl}`);
  if (raw.version !== x.version) return drop('version', `version ${raw.version}, ours ${x.version}`);
  let ahSeq: number | null = null;
  if (x.version === 2) {
    const authDrop = checkV2Auth(pkt, raw, x);
    if (authDrop) return authDrop;
    if (raw.ah) ahSeq = raw.ah.seq;
    if (raw.intervalField * 1000 !== x.advertIntervalMs) {
      return drop('interval', `advert interval ${raw.intervalField} s, ours ${x.advertIntervalMs / 1000} s`);
    }
  }
  if (raw.type !== 1) return drop('type', `VRRP type ${raw.type}`);
  if (x.addresses && raw.naddr !== x.addresses.length) {
    return drop('address-list', `${raw.naddr} addresses, ours ${x.addresses.length}`);
  }
  if (ip.totalLength !== pkt.length) return drop('length', `IP total length ${ip.totalLength}, received ${pkt.length}`);
  let switchToOldChecksum = false;
  if (x.version === 2) {
    if (!vrrpChecksumOk(pkt, raw, VRRP_HDR_LEN + raw.naddr * 4 + V2_AUTH_LEN, null)) return drop('checksum', 'VRRPv2 checksum');
  } else {
    const vlen = VRRP_HDR_LEN + raw.naddr * 4;
    const old = x.unicastChecksum === 'old';
    if (!vrrpChecksumOk(pkt, raw, vlen, { src: ip.src, dst: old ? VRRP_MCAST4 : ip.dst })) {
      const retry = x.unicast && x.unicastChecksum === 'auto' && ip.dst !== VRRP_MCAST4 &&
        vrrpChecksumOk(pkt, raw, vlen, { src: ip.src, dst: VRRP_MCAST4 });
      if (!retry) return drop('checksum', 'VRRPv3 checksum');
      switchToOldChecksum = true;
    }
  }
  if (isMulticast4(ip.dst) === x.unicast) {
    return drop('address-list', x.unicast ? 'multicast advert to a unicast instance' : 'unicast advert to a multicast instance');
  }
  return finish(pkt, raw, ip.src, x, ahSeq, switchToOldChecksum);
}

function checkV2Auth(pkt: Buffer, raw: RawAdvert, x: RxExpect): RxResult | null {
  if (raw.authTypeCode > 2) return drop('auth', `invalid auth type ${raw.authTypeCode}`);
  if (raw.authTypeCode !== AUTH_TYPE_CODE[x.auth.type]) return drop('auth', `auth type ${raw.authTypeCode}, ours ${AUTH_TYPE_CODE[x.auth.type]}`);
  if (x.auth.type === 'pass') {
    const pw = pkt.subarray(pkt.length - V2_AUTH_LEN);
    if (!timingSafeEqual(pw, x.auth.key)) return drop('auth', 'wrong password');
  } else if (x.auth.type === 'ah') {
    const ah = raw.ah;
    if (!ah || !raw.ip) return drop('auth', 'no AH header');
    // keepalived ignores AH protecting some other protocol; counted as an auth drop here.
    if (ah.nextHeader !== IPPROTO_VRRP) return drop('auth', `AH next header ${ah.nextHeader}`);
    const icv = ahIcv(pkt, raw.vrrpOff, x.auth.key, x.unicast);
    if (!timingSafeEqual(icv, ah.icv)) return drop('auth', 'AH ICV mismatch (wrong key or altered packet)');
    if (ah.spi !== pkt.readUInt32BE(12)) return drop('auth', 'AH SPI is not the source address');
    if (ah.seq <= x.ahLastSeq) return drop('auth', `AH sequence ${ah.seq} already seen (last ${x.ahLastSeq})`);
  }
  return null;
}

/** A packet from an AF_INET6 raw socket: VRRP payload, addresses from the socket. */
export function validateIpv6(rx: Ipv6Received, x: RxExpect): RxResult {
  const parsed = parseIpv6(rx.payload);
  if (!parsed.ok) return parsed;
  const raw = parsed.raw;
  const pkt = rx.payload;
  if (raw.vrid !== x.vrid) return drop('vrid', `VRID ${raw.vrid}, ours ${x.vrid}`);
  const expectedLen = expectedVrrpLength(raw);
  if (pkt.length !== expectedLen) return drop('length', `${pkt.length} bytes, expected ${expectedLen}`);
  if (!x.unicast && rx.hopLimit !== null && rx.hopLimit !== VRRP_TTL) return drop('ttl', `hop limit ${rx.hopLimit}`);
  if (raw.version !== x.version || raw.version !== 3) return drop('version', `version ${raw.version}, ours ${x.version}`);
  if (raw.type !== 1) return drop('type', `VRRP type ${raw.type}`);
  if (x.addresses && raw.naddr !== x.addresses.length) {
    return drop('address-list', `${raw.naddr} addresses, ours ${x.addresses.length}`);
  }
  // The kernel verifies this too when IPV6_CHECKSUM is set; checked here so tests and
  // sockets without that option see the same result.
  if (!vrrpChecksumOk(pkt, raw, expectedLen, { src: rx.src, dst: rx.dst })) return drop('checksum', 'VRRPv3 checksum');
  if (rx.dst.toLowerCase().startsWith('ff') === x.unicast) {
    return drop('address-list', x.unicast ? 'multicast advert to a unicast instance' : 'unicast advert to a multicast instance');
  }
  return finish(pkt, raw, rx.src, x, null, false);
}

function finish(pkt: Buffer, raw: RawAdvert, src: string, x: RxExpect, ahSeq: number | null, switchToOldChecksum: boolean): RxResult {
  const advert = toAdvert(pkt, raw);
  if (x.addresses) {
    const got = new Set(advert.addresses);
    const missing = x.addresses.find((a) => !got.has(a));
    if (missing !== undefined) return drop('address-list', `${missing} not in advert`);
  }
  if (x.unicast && x.unicastPeers && x.unicastPeers.length > 0 && !x.unicastPeers.includes(src)) {
    return drop('address-list', `unicast source ${src} is not a peer`);
  }
  return { ok: true, advert, src, ahSeq, switchToOldChecksum };
}
