// Which texts are IPv4 and IPv6 addresses, deciding as node:net's isIP/isIPv4/isIPv6 do (dotted
// quad without leading zeros; RFC 4291 text forms with at most one "::", an optional dotted-quad
// tail and an optional %zone). lvsd's own because loading node:net also loads the stream modules:
// milliseconds of every `lvsd -t` start, tens of ms of every `lvsd ipvs` run in the test VM.
// Shared by the config grammar and the IPVS command line.

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

export function isIPv4(s: string): boolean {
  return isIPv4At(s, 0, s.length);
}

const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
const ZONE = /^[0-9a-zA-Z.:-]+$/;

/**
 * Groups in s[from, to), colon-separated (empty range: none); a dotted quad may end the
 * address (`tail`) and counts as two. -1 when anything is malformed.
 */
function groups(s: string, from: number, to: number, tail: boolean): number {
  if (from === to) return 0;
  let count = 0;
  let start = from;
  for (let i = from; i <= to; i++) {
    if (i < to && s.charCodeAt(i) !== 58) continue;
    const n = i - start;
    if (tail && i === to && s.indexOf('.', start) >= 0 && s.indexOf('.', start) < to) {
      if (!isIPv4At(s, start, to)) return -1;
      count += 2;
    } else {
      if (n < 1 || n > 4) return -1;
      for (let j = start; j < i; j++) if (!isHex(s.charCodeAt(j))) return -1;
      count++;
    }
    start = i + 1;
  }
  return count;
}

export function isIPv6(s: string): boolean {
  let end = s.length;
  const pct = s.indexOf('%');
  if (pct >= 0) {
    if (!ZONE.test(s.slice(pct + 1))) return false;
    end = pct;
  }
  const dbl = s.indexOf('::');
  if (dbl < 0 || dbl >= end) return groups(s, 0, end, true) === 8;
  if (s.indexOf('::', dbl + 1) >= 0 && s.indexOf('::', dbl + 1) < end) return false;
  const head = groups(s, 0, dbl, false);
  const rest = groups(s, dbl + 2, end, true);
  // "::" stands for at least one group
  return head >= 0 && rest >= 0 && head + rest <= 7;
}

/** net.isIP: 4, 6 or 0. */
export function isIP(s: string): number {
  return isIPv4At(s, 0, s.length) ? 4 : isIPv6(s) ? 6 : 0;
}
