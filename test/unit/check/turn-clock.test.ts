import { describe, expect, it } from 'vitest';
import { turnNowMs, turnNowUs, turnWallMs } from '../../../src/check/turn-clock.js';

const spin = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};
const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('turn clock', () => {
  it('reads the clock once per event-loop turn', async () => {
    await nextTurn();
    const a = turnNowMs();
    const w = turnWallMs();
    spin(3);
    expect(turnNowMs()).toBe(a);
    expect(turnNowUs()).toBe(a * 1000);
    expect(turnWallMs()).toBe(w);
    await nextTurn();
    await nextTurn();
    const b = turnNowMs();
    expect(b).toBeGreaterThanOrEqual(a + 3);
    expect(turnWallMs()).toBeGreaterThanOrEqual(w + 2);
  });

  it('a value kept in one turn is not kept across a wait for I/O', async () => {
    await nextTurn();
    const a = turnNowMs();
    // a timer 20 ms out: the loop must not keep the value while it blocks in the poll phase
    const b = await new Promise<number>((r) => setTimeout(() => r(turnNowMs()), 20));
    expect(b - a).toBeGreaterThanOrEqual(15);
  });
});
