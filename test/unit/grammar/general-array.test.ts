// generalArray: empty arrays of V8's general elements kind from the first call on, whatever is
// pushed, however often it was called (a `[]` literal's allocation site changes its arrays' map
// after some loads; optimised code that saw the earlier map then deoptimises).
import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { generalArray } from '../../../grammar/general-array.js';

setFlagsFromString('--allow-natives-syntax');
// (compiled after the flag: V8's own answers about an array's map)
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: unknown[], b: unknown[]) => boolean;
const holey = new Function('a', 'return %HasHoleyElements(a)') as (a: unknown[]) => boolean;
const general = [{}];

describe('generalArray', () => {
  it('answers a new empty array each call', () => {
    const a = generalArray<number>();
    const b = generalArray<number>();
    expect(a).toEqual([]);
    expect(a).not.toBe(b);
    a.push(1);
    expect(b).toEqual([]);
  });

  it('has the map of an array of objects before and after pushes, over many calls', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const a = generalArray<unknown>();
      seen.add(`empty ${sameMap(a, general)} ${holey(a)}`);
      a.push(i, 'text', null);
      seen.add(`pushed ${sameMap(a, general)} ${holey(a)}`);
    }
    expect([...seen].sort()).toEqual(['empty true false', 'pushed true false']);
  });

  it('is not what a literal [] is before its first push (the map a push would change)', () => {
    const lit: unknown[] = [];
    // (a fresh literal site: small integers until something else is pushed)
    expect(sameMap(lit, general)).toBe(false);
  });
});
