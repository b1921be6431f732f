// A virtual IP as keepalived's virtual_ipaddress line describes it, once the interface name
// is resolved: `<addr>[/<prefix>] [dev <if>] [brd <addr>|+|-] [scope <scope>] [label <l>]`.
import { familyOf, ipToBytes, bytesToIp, type Family } from './ip.js';
import { SCOPES } from './rtnl/constants.js';

export interface Vip {
  address: string;
  /** Default 32 for IPv4 and 128 for IPv6, as keepalived. */
  prefixLength?: number;
  ifindex: number;
  /** rt_scope number (see parseScope); default 0, global. */
  scope?: number;
  /** IPv4 only: the address label, e.g. "eth0:vip". */
  label?: string;
  /** IPv4 only: an address, or "+"/"-" for the prefix's host bits set/cleared. */
  broadcast?: string;
}

/** A Vip with every default applied and the broadcast computed. */
export interface ResolvedVip {
  family: Family;
  address: Buffer;
  prefixLength: number;
  ifindex: number;
  scope: number;
  label?: string;
  broadcast?: Buffer;
}

/** keepalived's scope words or a number 0-255. */
export function parseScope(text: string): number {
  const named = SCOPES[text];
  if (named !== undefined) return named;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 255) throw new Error(`invalid scope: ${text}`);
  return n;
}

export function resolveVip(vip: Vip): ResolvedVip {
  const family = familyOf(vip.address);
  const max = family === 4 ? 32 : 128;
  const prefixLength = vip.prefixLength ?? max;
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > max) {
    throw new Error(`invalid prefix length /${prefixLength} for ${vip.address}`);
  }
  if (!Number.isInteger(vip.ifindex) || vip.ifindex <= 0) throw new Error(`invalid ifindex ${vip.ifindex} for ${vip.address}`);
  const address = ipToBytes(vip.address);
  const out: ResolvedVip = { family, address, prefixLength, ifindex: vip.ifindex, scope: vip.scope ?? 0 };
  if (vip.label !== undefined) out.label = vip.label;
  if (vip.broadcast !== undefined) {
    if (family === 6) throw new Error(`brd is IPv4 only (${vip.address})`);
    out.broadcast = broadcastFor(address, prefixLength, vip.broadcast);
  }
  return out;
}

/** "+"/"-" as keepalived computes them: only for prefixes up to /30. */
function broadcastFor(address: Buffer, prefixLength: number, brd: string): Buffer {
  if (brd !== '+' && brd !== '-') {
    if (familyOf(brd) !== 4) throw new Error(`invalid broadcast ${brd}`);
    return ipToBytes(brd);
  }
  if (prefixLength > 30) throw new Error(`prefix /${prefixLength} too long for brd ${brd}`);
  const host = prefixLength === 0 ? 0xffffffff : (0xffffffff >>> prefixLength);
  const a = address.readUInt32BE(0);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((brd === '+' ? (a | host) : (a & ~host)) >>> 0, 0);
  return out;
}

export function vipText(v: ResolvedVip): string {
  return `${bytesToIp(v.address)}/${v.prefixLength}`;
}
