// Netlink attribute (nlattr) TLV codec: 4-byte header {len u16, type u16}, payload,
// padding to 4 bytes. Integers are host order (little-endian here) unless the kernel
// declares them big-endian; callers pick the writer that matches the field.
import { keepShape } from '../../grammar/shape-keeper.js';
import { NLA_F_NESTED, NLA_TYPE_MASK } from './constants.js';
import { addrToBytes, writeV4 } from './addr.js';

export const NLA_HDRLEN = 4;
export const nlaAlign = (n: number): number => (n + 3) & ~3;

/** Builds a flat list of attributes into one growing buffer; nests are built by a child writer. */
export class AttrWriter {
  private buf = Buffer.allocUnsafe(128);
  private size = 0;

  constructor() {
    // (writers live for one request: the last is kept, so their map outlives it, see shape-keeper.ts)
    keepShape('attr writer', this);
  }

  private reserve(payloadLen: number, type: number): number {
    const len = NLA_HDRLEN + payloadLen;
    const padded = nlaAlign(len);
    if (this.size + padded > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.size + padded));
      this.buf.copy(next, 0, 0, this.size);
      this.buf = next;
    }
    const off = this.size;
    const b = this.buf;
    // byte stores: this runs for every attribute of every request
    b[off] = len & 0xff;
    b[off + 1] = len >>> 8;
    b[off + 2] = type & 0xff;
    b[off + 3] = (type >>> 8) & 0xff;
    // zero the padding so the bytes are deterministic
    for (let i = off + len; i < off + padded; i++) b[i] = 0;
    this.size += padded;
    return off + NLA_HDRLEN;
  }

  /** Raw attribute; `nested` sets NLA_F_NESTED in the type. */
  put(type: number, payload: Uint8Array, nested = false): this {
    const off = this.reserve(payload.length, nested ? type | NLA_F_NESTED : type);
    this.buf.set(payload, off);
    return this;
  }
  u8(type: number, v: number): this {
    // reserve first: it may replace this.buf
    const off = this.reserve(1, type);
    this.buf.writeUInt8(v & 0xff, off);
    return this;
  }
  u16(type: number, v: number): this {
    if (v !== (v & 0xffff)) throw new RangeError(`u16 attribute ${type}: ${v} out of range`);
    // reserve first: it may replace this.buf
    const off = this.reserve(2, type);
    this.buf[off] = v & 0xff;
    this.buf[off + 1] = v >>> 8;
    return this;
  }
  be16(type: number, v: number): this {
    if (v !== (v & 0xffff)) throw new RangeError(`be16 attribute ${type}: ${v} out of range`);
    // reserve first: it may replace this.buf
    const off = this.reserve(2, type);
    this.buf[off] = v >>> 8;
    this.buf[off + 1] = v & 0xff;
    return this;
  }
  u32(type: number, v: number): this {
    // reserve first: it may replace this.buf
    const off = this.reserve(4, type);
    const b = this.buf;
    b[off] = v & 0xff;
    b[off + 1] = (v >>> 8) & 0xff;
    b[off + 2] = (v >>> 16) & 0xff;
    b[off + 3] = (v >>> 24) & 0xff;
    return this;
  }
  be32(type: number, v: number): this {
    // reserve first: it may replace this.buf
    const off = this.reserve(4, type);
    this.buf.writeUInt32BE(v >>> 0, off);
    return this;
  }
  u64(type: number, v: bigint): this {
    // reserve first: it may replace this.buf
    const off = this.reserve(8, type);
    this.buf.writeBigUInt64LE(v, off);
    return this;
  }
  /** NUL-terminated string, as libnl's NLA_PUT_STRING. */
  str(type: number, s: string): this {
    const n = Buffer.byteLength(s);
    const off = this.reserve(n + 1, type);
    this.buf.write(s, off, 'utf8');
    this.buf[off + n] = 0;
    return this;
  }
  /** 16-byte address union (IPv4 in the first 4 bytes), written in place. */
  addr16(type: number, addr: string): this {
    const off = this.reserve(16, type);
    this.buf.fill(0, off, off + 16);
    if (!writeV4(addr, this.buf, off)) addrToBytes(addr).copy(this.buf, off);
    return this;
  }
  /** Opens a nest written in place; close it with end(). */
  begin(type: number, flagNested = true): number {
    const start = this.size;
    this.reserve(0, flagNested ? type | NLA_F_NESTED : type);
    return start;
  }
  end(start: number): this {
    this.buf.writeUInt16LE(this.size - start, start);
    return this;
  }
  nest(type: number, inner: AttrWriter | Buffer, flagNested = true): this {
    return this.put(type, inner instanceof AttrWriter ? inner.view() : inner, flagNested);
  }
  get length(): number {
    return this.size;
  }
  /** The bytes written so far, without copying (valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.size);
  }
  toBuffer(): Buffer {
    return Buffer.from(this.view());
  }
}

/** Parsed attribute set: last occurrence of each type wins (as nla_parse). */
export class Attrs {
  constructor(private readonly map: Map<number, Buffer>) {}

  static parse(buf: Buffer): Attrs {
    const map = new Map<number, Buffer>();
    let off = 0;
    while (off + NLA_HDRLEN <= buf.length) {
      const len = buf.readUInt16LE(off);
      const type = buf.readUInt16LE(off + 2) & NLA_TYPE_MASK;
      if (len < NLA_HDRLEN || off + len > buf.length) {
        throw new Error(`malformed attribute at offset ${off}: length ${len}, ${buf.length - off} bytes left`);
      }
      map.set(type, buf.subarray(off + NLA_HDRLEN, off + len));
      off += nlaAlign(len);
    }
    return new Attrs(map);
  }

  has(type: number): boolean {
    return this.map.has(type);
  }
  raw(type: number): Buffer | undefined {
    return this.map.get(type);
  }
  private need(type: number, size: number, what: string): Buffer {
    const b = this.map.get(type);
    if (!b) throw new Error(`missing attribute ${what}`);
    if (b.length < size) throw new Error(`attribute ${what} too short: ${b.length} < ${size}`);
    return b;
  }
  u8(type: number, what = String(type)): number {
    return this.need(type, 1, what).readUInt8(0);
  }
  u16(type: number, what = String(type)): number {
    return this.need(type, 2, what).readUInt16LE(0);
  }
  be16(type: number, what = String(type)): number {
    return this.need(type, 2, what).readUInt16BE(0);
  }
  u32(type: number, what = String(type)): number {
    return this.need(type, 4, what).readUInt32LE(0);
  }
  be32(type: number, what = String(type)): number {
    return this.need(type, 4, what).readUInt32BE(0);
  }
  u64(type: number, what = String(type)): bigint {
    return this.need(type, 8, what).readBigUInt64LE(0);
  }
  str(type: number, what = String(type)): string {
    const b = this.need(type, 0, what);
    const nul = b.indexOf(0);
    return b.toString('utf8', 0, nul < 0 ? b.length : nul);
  }
  nested(type: number, what = String(type)): Attrs {
    return Attrs.parse(this.need(type, 0, what));
  }
  optU8(type: number): number | undefined {
    return this.map.has(type) ? this.u8(type) : undefined;
  }
  optU16(type: number): number | undefined {
    return this.map.has(type) ? this.u16(type) : undefined;
  }
  optBe16(type: number): number | undefined {
    return this.map.has(type) ? this.be16(type) : undefined;
  }
  optU32(type: number): number | undefined {
    return this.map.has(type) ? this.u32(type) : undefined;
  }
  optStr(type: number): string | undefined {
    return this.map.has(type) ? this.str(type) : undefined;
  }
}
