// Header parsing exactly as keepalived's HTTP checker does it (lib/html.c):
// a byte search for CRLFCRLF, a case-sensitive "Content-Length:" search over
// the whole receive buffer up to the first NUL byte, and a strict status code.
// Plain values (digits only) are read off the bytes; anything else goes through
// the C strtoul of c-number.ts.
import { C_ULONG_MAX, isCSpace, strtoul } from './c-number.js';

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const CONTENT_LENGTH = Buffer.from('Content-Length:', 'latin1');
/** digits that always fit a double exactly (and never reach ULONG_MAX) */
const PLAIN_DIGITS_MAX = 15;

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** Offset just past the first CRLFCRLF in buf[0, len), or -1. */
export function findHeaderEnd(buf: Buffer, len: number): number {
  const i = upTo(buf, len).indexOf(CRLFCRLF);
  return i < 0 ? -1 : i + 4;
}

/** buf[0, len) (most callers pass len = buf.length: no view to make) */
function upTo(buf: Buffer, len: number): Buffer {
  return len === buf.length ? buf : buf.subarray(0, len);
}

/**
 * Content-Length as keepalived reads it; null stands for SIZE_MAX ("no length":
 * header absent, malformed, or a value that wraps to SIZE_MAX). Values beyond
 * 2^53 cannot be reached by a body in practice and are clamped.
 */
export function extractContentLength(buf: Buffer, len: number): number | null {
  const view = upTo(buf, len);
  const nul = view.indexOf(0);
  const cEnd = nul < 0 ? len : nul; // the C string ends at the first NUL
  const at = view.indexOf(CONTENT_LENGTH);
  if (at < 0 || at + CONTENT_LENGTH.length > cEnd) return null;
  const from = at + CONTENT_LENGTH.length;
  // the common form: spaces, up to 15 digits, then CR, LF or the end of the string
  let i = from;
  while (i < cEnd && isCSpace(view[i])) i++;
  const digits = i;
  let value = 0;
  while (i < cEnd && isDigit(view[i]) && i - digits < PLAIN_DIGITS_MAX) value = value * 10 + (view[i++] - 0x30);
  if (i > digits && (i === cEnd || view[i] === 0x0d || view[i] === 0x0a)) return value;
  return contentLengthC(view.toString('latin1', from, cEnd));
}

/** strtoul over the text after "Content-Length:", which must end at CR, LF or the string's end. */
function contentLengthC(text: string): number | null {
  const { value, end } = strtoul(text, 0);
  const next = end < text.length ? text[end] : '';
  if (next !== '' && next !== '\r' && next !== '\n') return null;
  if (value === C_ULONG_MAX) return null;
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

/** The three-digit status code between the first space and the next space, or 0. */
export function extractStatusCode(buf: Buffer, len: number): number {
  let i = 0;
  while (i < len && buf[i] !== 0x20 && buf[i] !== 0x0d) i++;
  if (i >= len || buf[i] !== 0x20) return 0;
  i++;
  if (i + 3 >= len || buf[i] === 0x20 || buf[i + 3] !== 0x20) return 0;
  // three digits then the space: what strtoul reads
  if (isDigit(buf[i]) && isDigit(buf[i + 1]) && isDigit(buf[i + 2])) return (buf[i] - 0x30) * 100 + (buf[i + 1] - 0x30) * 10 + (buf[i + 2] - 0x30);
  const view = buf.subarray(i, len);
  const nul = view.indexOf(0);
  const { value, end } = strtoul(view.toString('latin1', 0, nul < 0 ? view.length : nul), 0);
  if (end !== 3) return 0;
  // The C code stores the unsigned long in an int.
  return Number(BigInt.asIntN(32, value));
}
