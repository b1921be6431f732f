// VRRP advertisement layout (RFC 3768 section 5, RFC 5798 section 5) and the IPv4 header
// keepalived builds around it (it sends with IP_HDRINCL). Structural decode only: the
// checks a receiver must make are in validate.ts.
import { createHmac } from 'node:crypto';
import { ipv4FromBytes, ipv4ToBytes, ipv6FromBytes, ipv6ToBytes } from './addr.js';
import { internetChecksum, sumWords, finishChecksum } from './checksum.js';

export const IPPROTO_VRRP = 112;
export const IPPROTO_AH = 51;
export const VRRP_MCAST4 = '224.0.0.18';
export const VRRP_MCAST6 = 'ff02::12';
export const VRRP_TTL = 255;
export const VRRP_HDR_LEN = 8;
export const V2_AUTH_LEN = 8;
export const AH_LEN = 24;
const IP4_HDR_LEN = 20;
const AH_ICV_LEN = 12;
/** AH payload length in 32-bit words minus 2 (RFC 2402 2.2) for a 96-bit ICV. */
const AH_PAYLOAD_LEN = 4;
/** keepalived's IP_TOS for adverts: internetwork control. */
export const VRRP_TOS = 0xc0;

export type VrrpVersion = 2 | 3;
export type Family = 4 | 6;
export type AuthType = 'none' | 'pass' | 'ah';
export const AUTH_TYPE_CODE: Record<AuthType, number> = { none: 0, pass: 1, ah: 2 };

export interface Advert {
  version: VrrpVersion;
  vrid: number;
  priority: number;
  /** v2 carries whole seconds, v3 centiseconds; both are held here in milliseconds. */
  advertIntervalMs: number;
  addresses: string[];
}

/** Authentication of a v2 instance; key is keepalived's auth_pass, 8 bytes zero-padded. */
export interface Auth {
  type: AuthType;
  key: Buffer;
}

export const NO_AUTH: Auth = { type: 'none', key: Buffer.alloc(V2_AUTH_LEN) };

/** auth_pass as keepalived stores it: truncated to 8 bytes, zero-padded. */
export function authKey(pass: string): Buffer {
  const key = Buffer.alloc(V2_AUTH_LEN);
  Buffer.from(pass, 'utf8').copy(key, 0, 0, V2_AUTH_LEN);
  return key;
}

export interface Ipv4SendOptions {
  src: string;
  dst: string;
  /** IP identification; keepalived counts from 1 per instance and skips 0. */
  id: number;
  ttl?: number;
  tos?: number;
  auth?: Auth;
  /** AH sequence number of this packet (keepalived starts at 1). */
  ahSeq?: number;
  /** Unicast AH zeroes the TTL in the ICV input as well. */
  unicast?: boolean;
  /** keepalived's old_unicast_checksum: v3 pseudo-header uses 224.0.0.18 as destination. */
  oldChecksum?: boolean;
}

function vrrpLength(a: Advert, family: Family): number {
  const addrLen = family === 4 ? 4 : 16;
  return VRRP_HDR_LEN + a.addresses.length * addrLen + (a.version === 2 ? V2_AUTH_LEN : 0);
}

/** Writes the VRRP header and addresses (and v2 auth data); checksum left zero. */
function writeVrrp(buf: Buffer, off: number, a: Advert, family: Family, auth: Auth): number {
  if (a.addresses.length > 255) throw new Error('at most 255 addresses per advert');
  buf[off] = (a.version << 4) | 1;
  buf[off + 1] = a.vrid;
  buf[off + 2] = a.priority;
  buf[off + 3] = a.addresses.length;
  if (a.version === 2) {
    buf[off + 4] = AUTH_TYPE_CODE[auth.type];
    buf[off + 5] = Math.floor(a.advertIntervalMs / 1000) & 0xff;
  } else {
    buf.writeUInt16BE(Math.floor(a.advertIntervalMs / 10) & 0x0fff, off + 4);
  }
  buf.writeUInt16BE(0, off + 6);
  let p = off + VRRP_HDR_LEN;
  for (const addr of a.addresses) {
    const b = family === 4 ? ipv4ToBytes(addr) : ipv6ToBytes(addr);
    b.copy(buf, p);
    p += b.length;
  }
  if (a.version === 2) {
    if (auth.type === 'pass') auth.key.copy(buf, p, 0, V2_AUTH_LEN);
    else buf.fill(0, p, p + V2_AUTH_LEN);
    p += V2_AUTH_LEN;
  }
  return p;
}

/** Sum of the pseudo-header of RFC 5798 5.2.8 (IPv4: src, dst, 0, proto, length). */
export function pseudoHeaderSum(family: Family, src: string, dst: string, len: number): number {
  const s = family === 4 ? ipv4ToBytes(src) : ipv6ToBytes(src);
  const d = family === 4 ? ipv4ToBytes(dst) : ipv6ToBytes(dst);
  let sum = sumWords(s, 0, s.length);
  sum = sumWords(d, 0, d.length, sum);
  return sum + IPPROTO_VRRP + (family === 4 ? len : (len >>> 16) + (len & 0xffff));
}

/** The full IPv4 packet (header, AH if any, VRRP) exactly as keepalived puts it on the wire. */
export function encodeIpv4(a: Advert, o: Ipv4SendOptions): Buffer {
  const auth = a.version === 2 ? (o.auth ?? NO_AUTH) : NO_AUTH;
  const ah = auth.type === 'ah';
  const vlen = vrrpLength(a, 4);
  const vOff = IP4_HDR_LEN + (ah ? AH_LEN : 0);
  const buf = Buffer.alloc(vOff + vlen);
  buf[0] = 0x45;
  buf[1] = o.tos ?? VRRP_TOS;
  buf.writeUInt16BE(buf.length, 2);
  buf.writeUInt16BE(o.id & 0xffff, 4);
  buf.writeUInt16BE(0, 6);
  buf[8] = o.ttl ?? VRRP_TTL;
  buf[9] = ah ? IPPROTO_AH : IPPROTO_VRRP;
  ipv4ToBytes(o.src).copy(buf, 12);
  ipv4ToBytes(o.dst).copy(buf, 16);
  writeVrrp(buf, vOff, a, 4, auth);
  const ck = a.version === 2
    ? internetChecksum(buf, vOff, vOff + vlen)
    : internetChecksum(buf, vOff, vOff + vlen,
      pseudoHeaderSum(4, o.src, o.oldChecksum ? VRRP_MCAST4 : o.dst, vlen));
  buf.writeUInt16BE(ck, vOff + 6);
  if (ah) {
    buf[IP4_HDR_LEN] = IPPROTO_VRRP;
    buf[IP4_HDR_LEN + 1] = AH_PAYLOAD_LEN;
    buf.copy(buf, IP4_HDR_LEN + 4, 12, 16); // SPI is the sender's address, as keepalived does
    buf.writeUInt32BE((o.ahSeq ?? 1) >>> 0, IP4_HDR_LEN + 8);
    ahIcv(buf, vOff, auth.key, o.unicast ?? false).copy(buf, IP4_HDR_LEN + 12);
  }
  buf.writeUInt16BE(internetChecksum(buf, 0, IP4_HDR_LEN), 10);
  return buf;
}

/**
 * HMAC-MD5-96 over the IP header with mutable fields zeroed (TOS, fragment, checksum, and
 * TTL when unicast), the AH header with a zero ICV, and the VRRP packet.
 */
export function ahIcv(pkt: Buffer, vrrpOff: number, key: Buffer, unicast: boolean): Buffer {
  const ahOff = vrrpOff - AH_LEN;
  const head = Buffer.from(pkt.subarray(0, vrrpOff));
  head[1] = 0;
  head.writeUInt16BE(0, 6);
  head.writeUInt16BE(0, 10);
  if (unicast) head[8] = 0;
  head.fill(0, ahOff + 12, ahOff + 12 + AH_ICV_LEN);
  return createHmac('md5', key).update(head).update(pkt.subarray(vrrpOff)).digest().subarray(0, AH_ICV_LEN);
}

/** The VRRP payload for an IPv6 raw socket, checksum over the RFC 5798 pseudo-header. */
export function encodeIpv6(a: Advert, o: { src: string; dst: string }): Buffer {
  if (a.version !== 3) throw new Error('VRRP over IPv6 is version 3 only');
  const vlen = vrrpLength(a, 6);
  const buf = Buffer.alloc(vlen);
  writeVrrp(buf, 0, a, 6, NO_AUTH);
  buf.writeUInt16BE(internetChecksum(buf, 0, vlen, pseudoHeaderSum(6, o.src, o.dst, vlen)), 6);
  return buf;
}

export interface Ipv4Header {
  ihl: number;
  tos: number;
  totalLength: number;
  id: number;
  ttl: number;
  protocol: number;
  src: string;
  dst: string;
}

export interface AhHeader {
  nextHeader: number;
  spi: number;
  seq: number;
  icv: Buffer;
}

/** What is on the wire, before any receiver check. Offsets are into the buffer given. */
export interface RawAdvert {
  family: Family;
  ip: Ipv4Header | null;
  ah: AhHeader | null;
  vrrpOff: number;
  /** The 4-bit version and type fields as received. */
  version: number;
  type: number;
  vrid: number;
  priority: number;
  naddr: number;
  /** v2 auth type code, v3: 0 (field is part of the interval). */
  authTypeCode: number;
  /** Interval field as received: v2 seconds, v3 centiseconds (12 bits). */
  intervalField: number;
  checksum: number;
}

export type StructuralError = { ok: false; reason: 'length'; detail: string };

/** Reads the IPv4 (+AH) and fixed VRRP headers; fails only if they are not all present. */
export function parseIpv4(pkt: Buffer): { ok: true; raw: RawAdvert } | StructuralError {
  if (pkt.length < IP4_HDR_LEN) return { ok: false, reason: 'length', detail: `IPv4 packet of ${pkt.length} bytes` };
  const ihl = (pkt[0] & 0x0f) * 4;
  if (pkt[0] >> 4 !== 4 || ihl < IP4_HDR_LEN) return { ok: false, reason: 'length', detail: 'bad IPv4 header' };
  const protocol = pkt[9];
  const ahPresent = protocol === IPPROTO_AH;
  const vrrpOff = ihl + (ahPresent ? AH_LEN : 0);
  if (pkt.length < vrrpOff + VRRP_HDR_LEN) {
    return { ok: false, reason: 'length', detail: `${pkt.length} bytes, VRRP header incomplete` };
  }
  const ip: Ipv4Header = {
    ihl, tos: pkt[1], totalLength: pkt.readUInt16BE(2), id: pkt.readUInt16BE(4), ttl: pkt[8], protocol,
    src: ipv4FromBytes(pkt, 12), dst: ipv4FromBytes(pkt, 16),
  };
  const ah: AhHeader | null = ahPresent
    ? { nextHeader: pkt[ihl], spi: pkt.readUInt32BE(ihl + 4), seq: pkt.readUInt32BE(ihl + 8),
        icv: pkt.subarray(ihl + 12, ihl + 12 + AH_ICV_LEN) }
    : null;
  return { ok: true, raw: fixedHeader(pkt, vrrpOff, 4, ip, ah) };
}

export function parseIpv6(payload: Buffer): { ok: true; raw: RawAdvert } | StructuralError {
  if (payload.length < VRRP_HDR_LEN) return { ok: false, reason: 'length', detail: `${payload.length} bytes, VRRP header incomplete` };
  return { ok: true, raw: fixedHeader(payload, 0, 6, null, null) };
}

function fixedHeader(b: Buffer, off: number, family: Family, ip: Ipv4Header | null, ah: AhHeader | null): RawAdvert {
  const version = b[off] >> 4;
  return {
    family, ip, ah, vrrpOff: off, version, type: b[off] & 0x0f, vrid: b[off + 1], priority: b[off + 2], naddr: b[off + 3],
    authTypeCode: version === 2 ? b[off + 4] : 0,
    intervalField: version === 2 ? b[off + 5] : b.readUInt16BE(off + 4) & 0x0fff,
    checksum: b.readUInt16BE(off + 6),
  };
}

/** VRRP length the header's own fields call for (fixed header, addresses, v2 auth). */
export function expectedVrrpLength(raw: RawAdvert): number {
  return VRRP_HDR_LEN + raw.naddr * (raw.family === 4 ? 4 : 16) + (raw.family === 4 && raw.version === 2 ? V2_AUTH_LEN : 0);
}

export function readAddresses(b: Buffer, raw: RawAdvert): string[] {
  const out: string[] = [];
  let p = raw.vrrpOff + VRRP_HDR_LEN;
  for (let i = 0; i < raw.naddr; i++) {
    out.push(raw.family === 4 ? ipv4FromBytes(b, p) : ipv6FromBytes(b, p));
    p += raw.family === 4 ? 4 : 16;
  }
  return out;
}

export function toAdvert(b: Buffer, raw: RawAdvert): Advert {
  return {
    version: raw.version === 2 ? 2 : 3,
    vrid: raw.vrid,
    priority: raw.priority,
    advertIntervalMs: raw.version === 2 ? raw.intervalField * 1000 : raw.intervalField * 10,
    addresses: readAddresses(b, raw),
  };
}

/** One's-complement check of the VRRP checksum: true when it verifies. */
export function vrrpChecksumOk(b: Buffer, raw: RawAdvert, vlen: number, pseudo: { src: string; dst: string } | null): boolean {
  const acc = pseudo ? pseudoHeaderSum(raw.family, pseudo.src, pseudo.dst, vlen) : 0;
  return finishChecksum(sumWords(b, raw.vrrpOff, raw.vrrpOff + vlen, acc)) === 0;
}
