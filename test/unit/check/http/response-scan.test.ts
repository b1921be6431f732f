import { describe, expect, it } from 'vitest';
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
