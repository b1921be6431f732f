// Which texts are IPv4 and IPv6 addresses, as node:net's isIPv4/isIPv6 decide (dotted quad
// without leading zeros; RFC 4291 text forms with at most one "::", an optional dotted-quad
// tail and an optional %zone). Kept here because loading node:net also loads the stream
// modules, tens of ms of every `lvsd ipvs` run in the test VM.

/** One decimal part of a dotted quad at s[from, to): 0-255, no leading zero. */
function v4Part(s: string, from: number, to: number): boolean {
  const n = to - from;
  if (n < 1 || n > 3) return false;
  if (n > 1 && s.charCodeAt(from) === 48) return false;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
    v = v * 10 + c - 48;
  }
  return v <= 255;
}

/** s[from, to) is a dotted quad. */
function v4Range(s: string, from: number, to: number): boolean {
  let start = from;
  let parts = 0;
  for (let i = from; i <= to; i++) {
    if (i === to || s.charCodeAt(i) === 46) {
      if (!v4Part(s, start, i)) return false;
      parts++;
      start = i + 1;
    }
  }
  return parts === 4;
}

export function isIPv4(s: string): boolean {
  return v4Range(s, 0, s.length);
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
      if (!v4Range(s, start, to)) return -1;
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
