// IPv4/IPv6 text <-> bytes for the codec. Text is canonical (RFC 5952 for IPv6) so that
// two addresses compare equal as strings exactly when their bytes are equal.
import { isIPv4, isIPv6 } from 'node:net';
import { bytesToIp, ipToBytes } from '../net/ip.js';

// The conversions themselves are src/net/ip.ts's; these are the codec's typed entry points.

export function ipv4ToBytes(text: string): Buffer {
  if (!isIPv4(text)) throw new Error(`not an IPv4 address: ${text}`);
  return ipToBytes(text);
}

export function ipv4FromBytes(buf: Uint8Array, off: number): string {
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}

export function ipv6ToBytes(text: string): Buffer {
  if (!isIPv6(text)) throw new Error(`not an IPv6 address: ${text}`);
  return ipToBytes(text);
}

export function ipv6FromBytes(buf: Uint8Array, off: number): string {
  return bytesToIp(Buffer.from(buf.buffer, buf.byteOffset + off, 16));
}

export function addressToBytes(family: 4 | 6, text: string): Buffer {
  return family === 4 ? ipv4ToBytes(text) : ipv6ToBytes(text);
}

export function canonicalAddress(family: 4 | 6, text: string): string {
  return family === 4 ? ipv4FromBytes(ipv4ToBytes(text), 0) : ipv6FromBytes(ipv6ToBytes(text), 0);
}

/** Numeric order of two addresses of one family: <0, 0, >0 (used for the VRRP tie-break). */
export function compareAddresses(family: 4 | 6, a: string, b: string): number {
  return Buffer.compare(addressToBytes(family, a), addressToBytes(family, b));
}
