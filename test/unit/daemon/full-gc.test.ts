import { describe, expect, it } from 'vitest';
import { fullGc } from '../../../src/daemon/full-gc.js';

describe('fullGc', () => {
  it('collects what nothing references any more, without --expose-gc on the command line', async () => {
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe('undefined');
    const ref = new WeakRef({ big: new Array(1000).fill('x') });
    // (a WeakRef's target lives at least until the end of the job that made or read it)
    await new Promise((r) => setImmediate(r));
    expect(fullGc()).toBe(true);
    expect(ref.deref()).toBeUndefined();
    expect(fullGc()).toBe(true);
  });
});
