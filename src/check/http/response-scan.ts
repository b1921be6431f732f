// Header parsing exactly as keepalived's HTTP checker does it (lib/html.c):
// a byte search for CRLFCRLF, a case-sensitive "Content-Length:" search over
// the whole receive buffer up to the first NUL byte, and a strict status code.
import { C_ULONG_MAX, strtoul } from './c-number.js';

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const CONTENT_LENGTH = 'Content-Length:';

/** Offset just past the first CRLFCRLF in buf[0, len), or -1. */
export function findHeaderEnd(buf: Buffer, len: number): number {
  const i = buf.subarray(0, len).indexOf(CRLFCRLF);
  return i < 0 ? -1 : i + 4;
}

/** The C-string view of buf[0, len): everything before the first NUL byte. */
function cString(buf: Buffer, len: number): string {
  const view = buf.subarray(0, len);
  const nul = view.indexOf(0);
  return view.toString('latin1', 0, nul < 0 ? len : nul);
}

/**
 * Content-Length as keepalived reads it; null stands for SIZE_MAX ("no length":
 * header absent, malformed, or a value that wraps to SIZE_MAX). Values beyond
 * 2^53 cannot be reached by a body in practice and are clamped.
 */
export function extractContentLength(buf: Buffer, len: number): number | null {
  const text = cString(buf, len);
  const at = text.indexOf(CONTENT_LENGTH);
  if (at < 0) return null;
  const from = at + CONTENT_LENGTH.length;
  const { value, end } = strtoul(text, from);
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
  const text = cString(buf.subarray(i), len - i);
  const { value, end } = strtoul(text, 0);
  if (end !== 3) return 0;
  // The C code stores the unsigned long in an int.
  return Number(BigInt.asIntN(32, value));
}
