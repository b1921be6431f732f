// ICMP / ICMPv6 echo packets, pure: what PING_CHECK sends and how it reads what comes back on
// a raw socket (IPv4 raw sockets hand over the IP header, IPv6 ones do not). Numbers from
// RFC 792 / RFC 4443 and netinet/ip_icmp.h, icmp6.h.
import { ipToBytes } from '../net/ip.js';

export const ICMP_ECHO = 8;
export const ICMP_ECHOREPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_TIME_EXCEEDED = 11;
export const ICMP6_ECHO_REQUEST = 128;
export const ICMP6_ECHO_REPLY = 129;
export const ICMP6_DST_UNREACH = 1;
export const ICMP6_TIME_EXCEEDED = 3;
const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;

/** Size of the echo data keepalived sends (ICMP_BUFSIZE). */
export const ECHO_DATA_BYTES = 128;

/** The echo data: a fixed, recognisable filler. */
export const ECHO_DATA: Buffer = (() => {
  const b = Buffer.alloc(ECHO_DATA_BYTES);
  const text = Buffer.from('lvsd PING_CHECK ');
  for (let i = 0; i < b.length; i++) b[i] = text[i % text.length];
  return b;
})();

/** RFC 1071 Internet checksum. */
export function inetChecksum(b: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < b.length; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (b.length & 1) sum += b[b.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** An echo request; IPv4 carries its checksum, IPv6's is filled by the kernel. */
export function encodeEcho(family: 4 | 6, id: number, seq: number, data: Buffer = ECHO_DATA): Buffer {
  const b = Buffer.alloc(8 + data.length);
  b[0] = family === 4 ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
  b.writeUInt16BE(id & 0xffff, 4);
  b.writeUInt16BE(seq & 0xffff, 6);
  data.copy(b, 8);
  if (family === 4) b.writeUInt16BE(inetChecksum(b), 2);
  return b;
}

/** An IPv4 header for IP_HDRINCL (bindto): the kernel fills the checksum and packet id. */
export function ipv4Header(src: string, dst: string, payloadBytes: number, ttl = 64): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payloadBytes, 2);
  h[8] = ttl;
  h[9] = IPPROTO_ICMP;
  ipToBytes(src).copy(h, 12);
  ipToBytes(dst).copy(h, 16);
  return h;
}

export type EchoEvent =
  | { kind: 'reply'; id: number; seq: number; src: string | null }
  /** an ICMP error about one of our echo requests (unreachable, time exceeded) */
  | { kind: 'error'; id: number; seq: number; type: number; code: number }
  | null;

const v4 = (b: Buffer, o: number): string => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;

/** Reads an IPv4 packet from a raw ICMP socket; null for what is not about an echo of ours. */
export function decodeIcmp4(pkt: Buffer): EchoEvent {
  if (pkt.length < 20 || pkt[0] >> 4 !== 4) return null;
  const ihl = (pkt[0] & 0x0f) * 4;
  if (pkt[9] !== IPPROTO_ICMP || pkt.length < ihl + 8) return null;
  const type = pkt[ihl];
  if (type === ICMP_ECHOREPLY) return { kind: 'reply', id: pkt.readUInt16BE(ihl + 4), seq: pkt.readUInt16BE(ihl + 6), src: v4(pkt, 12) };
  if (type !== ICMP_DEST_UNREACH && type !== ICMP_TIME_EXCEEDED) return null;
  const inner = ihl + 8; // the offending packet's IP header and first 8 bytes follow
  if (pkt.length < inner + 20) return null;
  const innerIhl = (pkt[inner] & 0x0f) * 4;
  const icmp = inner + innerIhl;
  if (pkt[inner + 9] !== IPPROTO_ICMP || pkt.length < icmp + 8 || pkt[icmp] !== ICMP_ECHO) return null;
  return { kind: 'error', id: pkt.readUInt16BE(icmp + 4), seq: pkt.readUInt16BE(icmp + 6), type, code: pkt[ihl + 1] };
}

/** Reads an ICMPv6 message from a raw ICMPv6 socket (no IP header). */
export function decodeIcmp6(msg: Buffer): EchoEvent {
  if (msg.length < 8) return null;
  const type = msg[0];
  if (type === ICMP6_ECHO_REPLY) return { kind: 'reply', id: msg.readUInt16BE(4), seq: msg.readUInt16BE(6), src: null };
  if (type !== ICMP6_DST_UNREACH && type !== ICMP6_TIME_EXCEEDED) return null;
  const inner = 8; // the offending packet's IPv6 header (40 bytes), then our echo request
  if (msg.length < inner + 48 || msg[inner + 6] !== IPPROTO_ICMPV6 || msg[inner + 40] !== ICMP6_ECHO_REQUEST) return null;
  return { kind: 'error', id: msg.readUInt16BE(inner + 44), seq: msg.readUInt16BE(inner + 46), type, code: msg[1] };
}
