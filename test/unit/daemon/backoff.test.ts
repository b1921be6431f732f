import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/daemon/backoff.js';

describe('Backoff', () => {
  it('doubles to the cap and starts over after reset', () => {
    const b = new Backoff(100, 1000);
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(b.count).toBe(6);
    b.reset();
    expect(b.next()).toBe(100);
  });
});
