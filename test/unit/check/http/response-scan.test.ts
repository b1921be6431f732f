import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { C_ULONG_MAX, strtoul } from '../../../../src/check/http/c-number.js';
import { extractContentLength, extractStatusCode, findHeaderEnd } from '../../../../src/check/http/response-scan.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const cl = (s: string): number | null => extractContentLength(b(s), s.length);
const sc = (s: string): number => extractStatusCode(b(s), s.length);

describe('findHeaderEnd', () => {
  it('finds the first CRLFCRLF', () => {
    expect(findHeaderEnd(b('HTTP/1.0 200 OK\r\n\r\nbody\r\n\r\n'), 27)).toBe(19);
    expect(findHeaderEnd(b('HTTP/1.0 200 OK\n\n'), 17)).toBe(-1);
  });
  it('only looks at the first len bytes', () => expect(findHeaderEnd(b('ab\r\n\r\n'), 5)).toBe(-1));
});

describe('extractContentLength (keepalived: case-sensitive, whole buffer, up to a NUL)', () => {
  it.each([
    ['HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n', 12],
    ['HTTP/1.1 200 OK\r\nContent-Length:12\r\n\r\n', 12],
    ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', 0],
    ['HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n', 0],
    ['HTTP/1.1 200 OK\r\nContent-Length: 12', 12],
    ['HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', 1],
    ['HTTP/1.1 200 OK\r\n\r\nContent-Length: 3\r\n', 3],
  ] as const)('%j -> %j', (s, want) => expect(cl(s)).toBe(want));
  it.each([
    'HTTP/1.1 200 OK\r\ncontent-length: 12\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 12 \r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
    'HTTP/1.1 200 OK\r\n\r\n\0Content-Length: 3\r\n',
  ])('%j -> no length', (s) => expect(cl(s)).toBeNull());
  it('a negative length wraps to a huge limit (not "no length")', () => {
    expect(cl('HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n')).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('extractStatusCode', () => {
  it.each([
    ['HTTP/1.1 200 OK\r\n\r\n', 200],
    ['HTTP/1.0 404 Not Found\r\n', 404],
    ['HTTP/1.1 301 \r\n', 301],
    ['HTTP/1.1 2000 OK\r\n', 0],
    ['HTTP/1.1 20 OK\r\n', 0],
    ['HTTP/1.1  200 OK\r\n', 0],
    ['HTTP/1.1\r\n 200 OK\r\n', 0],
    ['HTTP/1.1 200', 0],
    ['HTTP/1.1 2x0 OK\r\n', 0],
    ['HTTP/1.1 +20 OK\r\n', 20],
  ] as const)('%j -> %d', (s, want) => expect(sc(s)).toBe(want));
});

/** keepalived's reading spelled out: strtoul over the C string (up to the first NUL) */
function contentLengthOfC(s: string): number | null {
  const c = s.split('\0')[0];
  const at = c.indexOf('Content-Length:');
  if (at < 0) return null;
  const { value, end } = strtoul(c, at + 15);
  if (end < c.length && c[end] !== '\r' && c[end] !== '\n') return null;
  if (value === C_ULONG_MAX) return null;
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

function statusOfC(s: string): number {
  const sp = s.search(/[ \r]/);
  if (sp < 0 || s[sp] !== ' ') return 0;
  const i = sp + 1;
  if (i + 3 >= s.length || s[i] === ' ' || s[i + 3] !== ' ') return 0;
  const { value, end } = strtoul(s.slice(i).split('\0')[0], 0);
  return end === 3 ? Number(BigInt.asIntN(32, value)) : 0;
}

describe('the byte reading agrees with the C reading', () => {
  const piece = fc.constantFrom(' ', '\t', '+', '-', '0', '1', '7', '9', '99999999', 'x', '\r', '\n', '\0', 'Content-Length:');
  const text = fc.array(piece, { maxLength: 12 }).map((a) => a.join(''));
  it('Content-Length, whatever follows the name', () => {
    fc.assert(fc.property(text, text, (before, after) => {
      const s = `HTTP/1.1 200 OK\r\n${before}Content-Length:${after}\r\n\r\n`;
      return cl(s) === contentLengthOfC(s);
    }), { numRuns: 3000 });
  });
  it('status code, whatever the line holds', () => {
    fc.assert(fc.property(text, (line) => sc(`HTTP/1.1 ${line}\r\n\r\n`) === statusOfC(`HTTP/1.1 ${line}\r\n\r\n`)), { numRuns: 3000 });
  });
  it('only the first len bytes of a reused buffer count', () => {
    const buf = b('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nContent-Length: 7\r\n');
    expect(extractContentLength(buf, 20)).toBeNull();
    expect(extractContentLength(buf, 34)).toBe(5);
  });
});
