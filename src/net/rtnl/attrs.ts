// Building rtnetlink request bodies: a fixed header struct followed by rtattrs, each
// {u16 len, u16 type, payload} padded to 4 bytes (NLA_ALIGN). Nested attributes carry no
// NLA_F_NESTED flag, as iproute2 sends them.

export type Attr = Buffer;

const align4 = (n: number): number => (n + 3) & ~3;

export function attr(type: number, payload: Buffer): Attr {
  const len = 4 + payload.length;
  const out = Buffer.alloc(align4(len));
  out.writeUInt16LE(len, 0);
  out.writeUInt16LE(type, 2);
  payload.copy(out, 4);
  return out;
}

export function attrU32(type: number, value: number): Attr {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0, 0);
  return attr(type, b);
}

/** A NUL-terminated string (IFLA_IFNAME, IFA_LABEL). */
export function attrCString(type: number, value: string): Attr {
  return attr(type, Buffer.concat([Buffer.from(value, 'utf8'), Buffer.alloc(1)]));
}

/** A string without terminator (IFLA_INFO_KIND, as iproute2 sends it). */
export function attrString(type: number, value: string): Attr {
  return attr(type, Buffer.from(value, 'utf8'));
}

export function nested(type: number, children: Attr[]): Attr {
  return attr(type, Buffer.concat(children));
}

export function body(header: Buffer, attrs: Attr[]): Buffer {
  return Buffer.concat([header, ...attrs]);
}

/** Splits a body's attributes (after `headerLen` bytes) into [type, payload] pairs. */
export function splitAttrs(buf: Buffer, headerLen: number): Array<[number, Buffer]> {
  const out: Array<[number, Buffer]> = [];
  let off = headerLen;
  for (let guard = 0; off + 4 <= buf.length && guard < 4096; guard++) {
    const len = buf.readUInt16LE(off);
    if (len < 4 || off + len > buf.length) break;
    out.push([buf.readUInt16LE(off + 2), buf.subarray(off + 4, off + len)]);
    off += align4(len);
  }
  return out;
}
