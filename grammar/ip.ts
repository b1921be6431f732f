// IP address families of config words. A dotted quad is checked here without allocation; other
// words go to node:net's isIP, loaded on first use: node:net pulls in the stream modules (1-3 ms
// of every `lvsd -t` start), and a config of IPv4 addresses never needs it.
import type { isIP as NetIsIP } from 'node:net';

let netIsIP: typeof NetIsIP | undefined;

/**
 * Dotted-quad IPv4 over t[start, end): the same words as net.isIP() === 4 accepts (no leading
 * zeros, 0..255).
 */
export function isIPv4At(t: string, start: number, end: number): boolean {
  const n = end - start;
  if (n < 7 || n > 15) return false;
  let parts = 0;
  let val = 0;
  let digits = 0;
  let lead0 = false;
  for (let i = start; i <= end; i++) {
    const c = i < end ? t.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || (lead0 && digits > 1) || val > 255) return false;
      parts++;
      val = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 0) lead0 = c === 48;
      val = val * 10 + (c - 48);
      if (++digits > 3) return false;
    } else return false;
  }
  return parts === 4;
}

/** net.isIP: 4, 6 or 0. */
export function isIP(t: string): number {
  if (isIPv4At(t, 0, t.length)) return 4;
  netIsIP ??= process.getBuiltinModule('node:net').isIP;
  return netIsIP(t);
}
