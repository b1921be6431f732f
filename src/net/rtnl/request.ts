// What every rtnetlink request builder shares: the request shape, its flags, the fixed header
// struct before the attributes, and the routing-table field that routes and rules both carry
// (a u8 in the header, or an attribute for tables above 255, as iproute2 sends it).
import { attrU32, type Attr } from './attrs.js';
import { AF_INET, AF_INET6, NLM_F_CREATE, NLM_F_EXCL, RT_TABLE_UNSPEC } from './constants.js';
import type { Family } from '../ip.js';

export interface RtnlRequest {
  type: number;
  /** Flags beyond REQUEST|ACK, which every request carries. */
  flags: number;
  body: Buffer;
}

/** An add as `ip ... add` asks it (CREATE|EXCL): what exists already answers EEXIST. */
export function createRequest(type: number, body: Buffer): RtnlRequest {
  return { type, flags: NLM_F_CREATE | NLM_F_EXCL, body };
}

/** Any other request: no flags beyond REQUEST|ACK. */
export function plainRequest(type: number, body: Buffer): RtnlRequest {
  return { type, flags: 0, body };
}

/**
 * A header struct of `size` bytes, zero but for the u8 and u32 (little-endian, host order)
 * fields given by their byte offsets.
 */
export function header(size: number, u8: Readonly<Record<number, number>>, u32: Readonly<Record<number, number>> = {}): Buffer {
  const h = Buffer.alloc(size);
  for (const [off, v] of Object.entries(u8)) h.writeUInt8(v, Number(off));
  for (const [off, v] of Object.entries(u32)) h.writeUInt32LE(v >>> 0, Number(off));
  return h;
}

export function addressFamily(f: Family): number {
  return f === 4 ? AF_INET : AF_INET6;
}

/** The header's u8 table: the table itself below 256, else UNSPEC and the attribute says it. */
export function tableByte(table: number): number {
  return table < 256 ? table : RT_TABLE_UNSPEC;
}

/** The table attribute (RTA_TABLE, FRA_TABLE), sent only for tables the header cannot hold. */
export function tableAttrs(type: number, table: number): Attr[] {
  return table >= 256 ? [attrU32(type, table)] : [];
}
