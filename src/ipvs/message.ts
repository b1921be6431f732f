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

export function encodeGenl(r: GenlRequest): Buffer {
  const len = NLMSG_HDRLEN + GENL_HDRLEN + r.attrs.length;
  const b = Buffer.alloc(nlaAlign(len));
  b.writeUInt32LE(len, 0);
  b.writeUInt16LE(r.family, 4);
  b.writeUInt16LE(r.flags, 6);
  b.writeUInt32LE(r.seq >>> 0, 8);
  b.writeUInt32LE(r.pid >>> 0, 12);
  b.writeUInt8(r.cmd, 16);
  b.writeUInt8(r.version ?? IPVS_GENL_VERSION, 17);
  r.attrs.copy(b, NLMSG_HDRLEN + GENL_HDRLEN);
  return b;
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
