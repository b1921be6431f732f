// HeldChanges: a change during a reload is handled once, after it; otherwise at once.
import { describe, expect, it } from 'vitest';
import { HeldChanges } from '../../../src/daemon/held-changes.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('HeldChanges', () => {
  it('handles a change at once when no reload runs', () => {
    let n = 0;
    const h = new HeldChanges(() => n++);
    h.changed();
    h.changed();
    expect(n).toBe(2);
  });

  it('holds changes made during a reload and handles them once, after it', async () => {
    const seen: string[] = [];
    const h = new HeldChanges(() => seen.push('change'));
    let finish!: () => void;
    const running = h.during(async () => {
      await new Promise<void>((r) => { finish = r; });
      seen.push('reload done');
      return 7;
    });
    h.changed();
    h.changed();
    await turn();
    expect(seen).toEqual([]);
    finish();
    expect(await running).toBe(7);
    expect(seen).toEqual(['reload done']);
    await turn();
    expect(seen).toEqual(['reload done', 'change']);
  });

  it('a reload that fails still lets the held change through; none held, nothing runs', async () => {
    let n = 0;
    const h = new HeldChanges(() => n++);
    await expect(h.during(async () => { h.changed(); throw new Error('x'); })).rejects.toThrow('x');
    await turn();
    expect(n).toBe(1);
    await h.during(async () => 1);
    await turn();
    expect(n).toBe(1);
  });

  it('a change held past one reload into the next waits for that one too', async () => {
    let n = 0;
    const h = new HeldChanges(() => n++);
    await h.during(async () => { h.changed(); });
    // the next reload starts before the held change's turn: it waits again
    let finish!: () => void;
    const second = h.during(() => new Promise<void>((r) => { finish = r; }));
    await turn();
    expect(n).toBe(0);
    finish();
    await second;
    await turn();
    expect(n).toBe(1);
  });
});
