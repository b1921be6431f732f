import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundedRegExp, REGEX_BACKTRACK_LIMIT } from '../../../../src/check/http/bounded-regex.js';

// (a+)+$ on 28 a's and a b: ~2^28 ways to split the a's, each tried; V8 alone takes ~30 s here
const REDOS = /(a+)+$/;
const REDOS_BODY = 'a'.repeat(28) + 'b';

describe('boundedRegExp (lvsd_regex addon: V8 RegExp with a backtrack limit)', () => {
  it('is a RegExp with the same source and flags', () => {
    const re = boundedRegExp(/ok\s+(\d+)/i, 'gi');
    expect(re).toBeInstanceOf(RegExp);
    expect(re.source).toBe('ok\\s+(\\d+)');
    expect(re.flags).toBe('gi');
    const m = re.exec('xx OK  42');
    expect(m?.index).toBe(3);
    expect(m?.[1]).toBe('42');
    expect(re.lastIndex).toBe(9);
  });

  it('answers as the plain RegExp on ordinary patterns and bodies', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('ab', 'a+b', '(a|ab)(c|bcd)', 'a.c', '^b', 'c$', '(?<=a)b', 'b(?!c)', '(a)\\1', '[^a]+', 'a*?b', '(?<x>b+)c'),
        fc.constantFrom('', 'g', 'i', 'gs', 'gm', 'y', 'gd'),
        fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd', '\n', 'A'), maxLength: 40 }),
        fc.nat(40),
        (source, flags, body, from) => {
          const plain = new RegExp(source, flags);
          const bounded = boundedRegExp(plain, flags);
          plain.lastIndex = bounded.lastIndex = Math.min(from, body.length);
          const a = plain.exec(body);
          const b = bounded.exec(body);
          expect(b === null ? null : { i: b.index, m: [...b], g: b.groups }).toEqual(a === null ? null : { i: a.index, m: [...a], g: a.groups });
          expect(bounded.lastIndex).toBe(plain.lastIndex);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a catastrophic pattern ends as no match within the bound, not after ~30 s', () => {
    const re = boundedRegExp(REDOS, 'g');
    const t0 = performance.now();
    expect(re.exec(REDOS_BODY)).toBeNull();
    expect(performance.now() - t0).toBeLessThan(3000);
    // the same regex still finds what it finds cheaply
    re.lastIndex = 0;
    expect(re.exec('bbaaa')?.index).toBe(2);
  });

  it('the limit is per exec: a match that needs more backtracks than allowed is not found', () => {
    // (a|aa)*b on 24 a's and a b: the b is found only after walking back through the a's
    const body = 'a'.repeat(24) + 'c' + 'a'.repeat(3) + 'b';
    const src = /(a|aa)*b/;
    expect(new RegExp(src.source).exec(body)?.index).toBe(25);
    expect(boundedRegExp(src, '', REGEX_BACKTRACK_LIMIT).exec(body)?.index).toBe(25);
    expect(boundedRegExp(src, '', 50).exec(body)).toBeNull();
  });

  it('refuses what new RegExp refuses, bad flags and a zero limit', () => {
    expect(() => boundedRegExp({ source: '(', flags: '' } as RegExp, '')).toThrow(SyntaxError);
    expect(() => boundedRegExp(/a/, 'gg')).toThrow(SyntaxError);
    expect(() => boundedRegExp(/a/, 'q')).toThrow(SyntaxError);
    expect(() => boundedRegExp(/a/, '', 0)).toThrow(TypeError);
  });
});
