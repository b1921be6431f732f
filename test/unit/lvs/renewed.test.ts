// nextRenewed: the reload's identity walk over a virtual server's real servers.
import { describe, expect, it } from 'vitest';
import type { RealServer } from '../../../src/config/model.js';
import { nextRenewed } from '../../../src/lvs/renewed.js';

const rs = (port: number): RealServer => ({ addr: { addr: '10.0.0.1', family: 4 }, port } as unknown as RealServer);

describe('nextRenewed', () => {
  const olds = [rs(1), rs(2), rs(3), rs(4), rs(5)];

  it('finds each position holding another object, equal or not, in order', () => {
    const reals = olds.slice();
    reals[1] = { ...olds[1] };
    reals[4] = rs(9);
    const found: number[] = [];
    for (let i = nextRenewed(olds, reals, 0, reals.length); i < reals.length; i = nextRenewed(olds, reals, i + 1, reals.length)) found.push(i);
    expect(found).toEqual([1, 4]);
  });

  it('answers n when every object is the running one, and starts at i', () => {
    expect(nextRenewed(olds, olds.slice(), 0, olds.length)).toBe(olds.length);
    const reals = olds.slice();
    reals[0] = rs(1);
    expect(nextRenewed(olds, reals, 0, 5)).toBe(0);
    expect(nextRenewed(olds, reals, 1, 5)).toBe(5);
    expect(nextRenewed(olds, reals, 3, 3)).toBe(3);
  });
});
