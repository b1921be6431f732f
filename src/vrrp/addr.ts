// IPv4/IPv6 text <-> bytes for the codec. Text is canonical (RFC 5952 for IPv6) so that
// two addresses compare equal as strings exactly when their bytes are equal.

export function ipv4ToBytes(text: string): Buffer {
  const parts = text.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${text}`);
  const out = Buffer.alloc(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new Error(`not an IPv4 address: ${text}`);
    out[i] = Number(p);
  }
  return out;
}

export function ipv4FromBytes(buf: Uint8Array, off: number): string {
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}

export function ipv6ToBytes(text: string): Buffer {
  const out = Buffer.alloc(16);
  let s = text;
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  // A trailing dotted quad (::ffff:1.2.3.4) becomes two groups.
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) >= 0) {
    const v4 = ipv4ToBytes(s.slice(lastColon + 1));
    s = `${s.slice(0, lastColon + 1)}${v4.readUInt16BE(0).toString(16)}:${v4.readUInt16BE(2).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) throw new Error(`not an IPv6 address: ${text}`);
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1].split(':') : [];
  const groups = halves.length === 2 ? head.length + tail.length : head.length;
  if (halves.length === 2 ? groups > 7 : groups !== 8) throw new Error(`not an IPv6 address: ${text}`);
  const put = (g: string, idx: number): void => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new Error(`not an IPv6 address: ${text}`);
    out.writeUInt16BE(parseInt(g, 16), idx * 2);
  };
  head.forEach((g, i) => put(g, i));
  tail.forEach((g, i) => put(g, 8 - tail.length + i));
  return out;
}

export function ipv6FromBytes(buf: Uint8Array, off: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((buf[off + 2 * i] << 8) | buf[off + 2 * i + 1]);
  // Longest run (>= 2) of zero groups, first one on ties, becomes "::".
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
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
