// Addresses of a virtual_server_group range entry: first..last, counting up in the last
// 32 bits (IPv4) or the whole 128 bits (IPv6). Bounded: a range wider than `limit` is an error.
import { addrToBytes, bytesToAddr, familyOf } from '../ipvs/addr.js';

export function expandRange(first: string, last: string, limit = 65536): string[] {
  const af = familyOf(first);
  const a = BigInt(`0x${addrToBytes(first).toString('hex')}`);
  const b = BigInt(`0x${addrToBytes(last).toString('hex')}`);
  if (b < a) throw new Error(`range ${first}-${last} ends before it starts`);
  if (b - a >= BigInt(limit)) throw new Error(`range ${first}-${last} has more than ${limit} addresses`);
  const bytes = af === 2 ? 4 : 16;
  const out: string[] = [];
  for (let x = a; x <= b; x++) {
    const hex = x.toString(16).padStart(bytes * 2, '0');
    out.push(bytesToAddr(af, Buffer.from(hex, 'hex')));
  }
  return out;
}
