// Hex strings of UDP_CHECK payload / require_reply: pairs of hex digits, blanks ignored; in a
// reply pattern an 'x' nibble matches anything (mask bits set).
export interface HexPattern {
  data: Buffer;
  /** bits set = ignored when comparing */
  mask: Buffer;
}

export function parseHexPattern(text: string): HexPattern {
  const s = text.replace(/\s+/g, '').replace(/^0x/i, '');
  if (s.length % 2 !== 0) throw new Error(`odd number of hex digits in '${text}'`);
  const data = Buffer.alloc(s.length / 2);
  const mask = Buffer.alloc(s.length / 2);
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const shift = i % 2 === 0 ? 4 : 0;
    if (c === 'x' || c === 'X') mask[i >> 1] |= 0xf << shift;
    else {
      const v = parseInt(c, 16);
      if (Number.isNaN(v)) throw new Error(`bad hex digit '${c}' in '${text}'`);
      data[i >> 1] |= v << shift;
    }
  }
  return { data, mask };
}

/** keepalived's check: a reply shorter than the pattern is compared over its own length. */
export function matchesPattern(reply: Buffer, p: HexPattern): boolean {
  const n = Math.min(reply.length, p.data.length);
  for (let i = 0; i < n; i++) if (((reply[i] ^ p.data[i]) & ~p.mask[i] & 0xff) !== 0) return false;
  return true;
}
