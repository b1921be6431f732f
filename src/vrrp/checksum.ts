// Internet checksum (RFC 1071): one's-complement sum of 16-bit big-endian words.

/** Adds the bytes [start, end) to a running 32-bit sum (odd trailing byte padded with zero). */
export function sumWords(buf: Uint8Array, start: number, end: number, acc = 0): number {
  let sum = acc;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (buf[i] << 8) | buf[i + 1];
  if (i < end) sum += buf[i] << 8;
  return sum;
}

/** Folds a running sum into the final 16-bit checksum value (already complemented). */
export function finishChecksum(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

export function internetChecksum(buf: Uint8Array, start: number, end: number, acc = 0): number {
  return finishChecksum(sumWords(buf, start, end, acc));
}
