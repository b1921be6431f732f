import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { strtol, strtoul } from '../../../../src/check/http/c-number.js';

describe('strtoul (C semantics)', () => {
  const MAX = (1n << 64n) - 1n;
  // [input, value, end]: digits after C whitespace and a sign; negative values wrap modulo
  // 2^64; no digits at all ends at the start; overflow saturates
  const cases: [string, bigint, number][] = [
    ['12', 12n, 2], ['  \t\n12x', 12n, 6], ['+7', 7n, 2], ['007', 7n, 3],
    ['-1', MAX, 2], ['-5', MAX - 4n, 2],
    ['', 0n, 0], ['abc', 0n, 0], ['  ', 0n, 0], ['-', 0n, 0],
    ['99999999999999999999999', MAX, 23], ['18446744073709551615', MAX, 20],
  ];
  for (const [s, value, end] of cases) {
    it(JSON.stringify(s), () => expect(strtoul(s)).toEqual({ value, end }));
  }
  it('starts at the given index', () => expect(strtoul('Content-Length: 42\r\n', 15)).toEqual({ value: 42n, end: 18 }));
  it('agrees with Number() on plain decimals', () => {
    fc.assert(fc.property(fc.nat(), (n) => strtoul(String(n)).value === BigInt(n)));
  });
});

describe('strtol (C semantics)', () => {
  it('clamps at LONG_MAX / LONG_MIN', () => {
    expect(strtol('9223372036854775808').value).toBe((1n << 63n) - 1n);
    expect(strtol('-9223372036854775809').value).toBe(-(1n << 63n));
  });
  it('signed values and end index', () => {
    expect(strtol(' -80')).toEqual({ value: -80n, end: 4 });
    expect(strtol('80x')).toEqual({ value: 80n, end: 2 });
    expect(strtol('x')).toEqual({ value: 0n, end: 0 });
  });
});
