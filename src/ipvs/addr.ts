// Address text <-> bytes, with the same text output as glibc inet_ntop so that
// listings match ipvsadm character for character.
import { isIPv4, isIPv6 } from '../../grammar/ip.js';
import { AF_INET, AF_INET6 } from './constants.js';

export type Family = typeof AF_INET | typeof AF_INET6;

export function familyOf(addr: string): Family {
  if (isIPv4(addr)) return AF_INET;
  if (isIPv6(addr)) return AF_INET6;
  throw new Error(`not an IP address: ${addr}`);
}

function v4Bytes(s: string): number[] {
  return s.split('.').map((x) => Number(x));
}

/** 4 bytes for IPv4, 16 for IPv6. */
export function addrToBytes(addr: string): Buffer {
  if (isIPv4(addr)) return Buffer.from(v4Bytes(addr));
  if (!isIPv6(addr)) throw new Error(`not an IP address: ${addr}`);
  let s = addr;
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    // Embedded IPv4 tail: rewrite as two hex groups.
    const b = v4Bytes(last);
    s = `${s.slice(0, lastColon + 1)}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const words = (part: string): number[] => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  let groups: number[];
  const dbl = s.indexOf('::');
  if (dbl >= 0) {
    const head = words(s.slice(0, dbl));
    const rest = words(s.slice(dbl + 2));
    groups = [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest];
  } else {
    groups = words(s);
  }
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/** Text from 4 or 16 address bytes (only the first 4 are used for IPv4). */
export function bytesToAddr(af: number, b: Buffer): string {
  if (af === AF_INET) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (af !== AF_INET6) throw new Error(`unknown address family ${af}`);
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push(b.readUInt16BE(i * 2));
  // Longest run (first on ties) of at least two zero words becomes "::".
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (w[i] === 0) {
      if (curBase < 0) {
        curBase = i;
        curLen = 1;
      } else curLen++;
      if (curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
    } else curBase = -1;
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    // Embedded IPv4 for the compatible (::a.b.c.d) and mapped (::ffff:a.b.c.d) forms.
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
      out += `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
      break;
    }
    out += w[i].toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}

/** Canonical text (inet_ntop form) of any accepted spelling. */
export function normalizeAddr(addr: string): string {
  // isIPv4 takes no leading zeros: a valid IPv4 text is already inet_ntop's
  if (isIPv4(addr)) return addr;
  const af = familyOf(addr);
  return bytesToAddr(af, addrToBytes(addr));
}

/** 16-byte union nf_inet_addr, as ipvsadm sends it for both families. */
export function addrToUnion(addr: string): Buffer {
  const out = Buffer.alloc(16);
  if (!writeV4(addr, out, 0)) addrToBytes(addr).copy(out, 0);
  return out;
}

/** Dotted quad straight into out[at..at+3]; false when addr is not a plain IPv4 address. */
export function writeV4(addr: string, out: Buffer, at: number): boolean {
  let part = 0;
  let val = 0;
  let digits = 0;
  for (let i = 0; i < addr.length; i++) {
    const c = addr.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      val = val * 10 + (c - 48);
      if (++digits > 3 || val > 255) return false;
    } else if (c === 46 && digits > 0 && part < 3) {
      out[at + part++] = val;
      val = 0;
      digits = 0;
    } else return false;
  }
  if (part !== 3 || digits === 0) return false;
  out[at + 3] = val;
  return true;
}

/** IPv4 dotted mask <-> 32-bit number (network order value). */
export function maskToNumber(mask: string): number {
  const b = v4Bytes(mask);
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}
export function numberToMask(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}
