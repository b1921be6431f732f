// C library number parsing (strtoul / strtol, base 10, "C" locale) reproduced
// exactly, because keepalived feeds command-line arguments and the
// Content-Length header through them and their quirks decide what is accepted.

const ULONG_MAX = (1n << 64n) - 1n;
const LONG_MAX = (1n << 63n) - 1n;
const LONG_MIN = -(1n << 63n);

export interface CParse {
  /** The converted value, already wrapped / clamped the way the C function does. */
  readonly value: bigint;
  /** Index just past the last character used; equals the start index when no digit was found. */
  readonly end: number;
}

/** isspace() in the "C" locale. */
export function isCSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

interface Scan {
  readonly negative: boolean;
  readonly magnitude: bigint;
  readonly overflow: boolean;
  readonly end: number;
}

function scan(s: string, from: number, limit: bigint): Scan {
  let i = from;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  let negative = false;
  if (s[i] === '+' || s[i] === '-') {
    negative = s[i] === '-';
    i++;
  }
  const firstDigit = i;
  let magnitude = 0n;
  let overflow = false;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    if (!overflow) {
      magnitude = magnitude * 10n + BigInt(c - 0x30);
      if (magnitude > limit) overflow = true;
    }
    i++;
  }
  if (i === firstDigit) return { negative: false, magnitude: 0n, overflow: false, end: from };
  return { negative, magnitude, overflow, end: i };
}

/** strtoul(s + from, &end, 10): negative input wraps modulo 2^64, overflow gives ULONG_MAX. */
export function strtoul(s: string, from = 0): CParse {
  const r = scan(s, from, ULONG_MAX);
  if (r.overflow) return { value: ULONG_MAX, end: r.end };
  const value = r.negative && r.magnitude !== 0n ? (1n << 64n) - r.magnitude : r.magnitude;
  return { value, end: r.end };
}

/** strtol(s + from, &end, 10): overflow clamps to LONG_MAX / LONG_MIN. */
export function strtol(s: string, from = 0): CParse {
  const r = scan(s, from, 1n << 63n);
  const signed = r.negative ? -r.magnitude : r.magnitude;
  if (signed > LONG_MAX) return { value: LONG_MAX, end: r.end };
  if (signed < LONG_MIN) return { value: LONG_MIN, end: r.end };
  return { value: signed, end: r.end };
}

export const C_ULONG_MAX = ULONG_MAX;
