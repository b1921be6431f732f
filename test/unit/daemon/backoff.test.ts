import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/daemon/backoff.js';
import { subsystems } from '../../../src/daemon/run.js';

describe('Backoff', () => {
  it('doubles to the cap and starts over after reset', () => {
    const b = new Backoff(100, 1000);
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(b.count).toBe(6);
    b.reset();
    expect(b.next()).toBe(100);
  });
});

describe('subsystems (-P / -C)', () => {
  it('either flag alone limits the process; none or both run both', () => {
    expect(subsystems({ vrrpOnly: false, checkOnly: false })).toEqual({ vrrp: true, checkers: true });
    expect(subsystems({ vrrpOnly: true, checkOnly: false })).toEqual({ vrrp: true, checkers: false });
    expect(subsystems({ vrrpOnly: false, checkOnly: true })).toEqual({ vrrp: false, checkers: true });
    expect(subsystems({ vrrpOnly: true, checkOnly: true })).toEqual({ vrrp: true, checkers: true });
  });
});
