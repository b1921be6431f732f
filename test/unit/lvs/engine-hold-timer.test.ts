// A reload's hold on due probes ends at the latest HOLD_MAX_MS (2 s) after it began, whatever
// the apply does: the engine's one hold timer is re-armed by each hold, so a hold that follows a
// released one still gets its full 2 s, and one whose apply never ends is still released.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { CheckScheduler } from '../../../src/check/scheduler.js';
import { LvsEngine } from '../../../src/lvs/engine.js';
import { tcpModel } from './engine-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-holdt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.useRealTimers());

const never = { nowUs: () => 0, setTimer: () => 0, clearTimer: () => {} };

describe('LvsEngine: the hold timer', () => {
  it('each hold is released 2 s after it began, also after an earlier hold was released early', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const engine = new LvsEngine({
      model: tcpModel(dir, 71, [{ v: 1, weights: [1] }]),
      scheduler: new CheckScheduler({ clock: never }),
      apply: () => new Promise<void>(() => {}), // an apply that never ends
    });
    const released = vi.spyOn(engine, 'releaseChecks');
    try {
      engine.holdChecks();
      vi.advanceTimersByTime(1999);
      expect(released).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(released).toHaveBeenCalledTimes(1); // the first hold: released by the timer
      engine.holdChecks();
      vi.advanceTimersByTime(1500);
      engine.releaseChecks(); // released early (its apply ended)
      released.mockClear();
      engine.holdChecks(); // a new hold 1.5 s after the last one began
      vi.advanceTimersByTime(1000); // 2.5 s after the second hold: not this one's end
      expect(released).not.toHaveBeenCalled();
      vi.advanceTimersByTime(999);
      expect(released).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(released).toHaveBeenCalledTimes(1);
      // and it did release: the next hold is a new one (its own 2 s)
      released.mockClear();
      engine.holdChecks();
      vi.advanceTimersByTime(2000);
      expect(released).toHaveBeenCalledTimes(1);
    } finally {
      engine.stop();
    }
  });

  it('stop() disarms it', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const engine = new LvsEngine({
      model: tcpModel(dir, 72, [{ v: 1, weights: [1] }]),
      scheduler: new CheckScheduler({ clock: never }),
      apply: () => undefined,
    });
    const released = vi.spyOn(engine, 'releaseChecks');
    engine.holdChecks();
    engine.stop();
    vi.advanceTimersByTime(5000);
    expect(released).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});
