// Netlink + generic-netlink message framing (nlmsghdr, genlmsghdr), pure.
import { GENL_HDRLEN, IPVS_GENL_VERSION, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN } from './constants.js';
import { nlaAlign } from './attrs.js';

export interface NlMessage {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  payload: Buffer;
}

export interface GenlRequest {
  family: number;
  cmd: number;
  flags: number;
  seq: number;
  pid: number;
  attrs: Buffer;
  version?: number;
}

/** Bytes the message takes in a datagram, padding included. */
export const genlSize = (attrsLength: number): number => nlaAlign(NLMSG_HDRLEN + GENL_HDRLEN + attrsLength);

export function encodeGenl(r: GenlRequest): Buffer {
  const b = Buffer.allocUnsafe(genlSize(r.attrs.length));
  encodeGenlInto(r, b, 0);
  return b;
}

/** Writes the message at buf[off...] (several share one datagram); returns where the next one goes. */
export function encodeGenlInto(r: GenlRequest, b: Buffer, off: number): number {
  const len = NLMSG_HDRLEN + GENL_HDRLEN + r.attrs.length;
  b.writeUInt32LE(len, off);
  b.writeUInt16LE(r.family, off + 4);
  b.writeUInt16LE(r.flags, off + 6);
  b.writeUInt32LE(r.seq >>> 0, off + 8);
  b.writeUInt32LE(r.pid >>> 0, off + 12);
  b.writeUInt8(r.cmd, off + 16);
  b.writeUInt8(r.version ?? IPVS_GENL_VERSION, off + 17);
  b.writeUInt16LE(0, off + 18);
  r.attrs.copy(b, off + NLMSG_HDRLEN + GENL_HDRLEN);
  const end = off + nlaAlign(len);
  b.fill(0, off + len, end);
  return end;
}

/** Splits a datagram into netlink messages. */
export function parseNetlink(buf: Buffer): NlMessage[] {
  const out: NlMessage[] = [];
  let off = 0;
  while (off + NLMSG_HDRLEN <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || off + len > buf.length) {
      throw new Error(`malformed netlink message at offset ${off}: length ${len}`);
    }
    out.push({
      type: buf.readUInt16LE(off + 4),
      flags: buf.readUInt16LE(off + 6),
      seq: buf.readUInt32LE(off + 8),
      pid: buf.readUInt32LE(off + 12),
      payload: buf.subarray(off + NLMSG_HDRLEN, off + len),
    });
    off += nlaAlign(len);
  }
  return out;
}

export interface GenlMessage {
  cmd: number;
  version: number;
  attrs: Buffer;
}

export function parseGenl(m: NlMessage): GenlMessage {
  if (m.payload.length < GENL_HDRLEN) throw new Error('generic netlink message shorter than its header');
  return { cmd: m.payload[0], version: m.payload[1], attrs: m.payload.subarray(GENL_HDRLEN) };
}

/** NLMSG_ERROR payload: 0 is an ACK, a negative number is -errno. */
export function errorCode(m: NlMessage): number {
  if (m.type !== NLMSG_ERROR && m.type !== NLMSG_DONE) return 0;
  return m.payload.length >= 4 ? m.payload.readInt32LE(0) : 0;
}
