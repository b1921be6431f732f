import { afterEach, describe, expect, it, vi } from 'vitest';
import { YoungRoom, youngFill } from '../../../src/daemon/young-room.js';
import { minorGc } from '../../../src/daemon/full-gc.js';

describe('YoungRoom', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('scavenges only past the fill, and only while a reload is expected', () => {
    vi.useFakeTimers();
    let t = 0;
    let fill = 0.1;
    const collect = vi.fn(() => true);
    const room = new YoungRoom({ everyMs: 100, above: 0.3, forMs: 1000, fill: () => fill, collect, now: () => t });
    room.start();
    t += 100;
    vi.advanceTimersByTime(100);
    expect(collect).not.toHaveBeenCalled();
    fill = 0.5;
    t += 100;
    vi.advanceTimersByTime(100);
    expect(collect).toHaveBeenCalledTimes(1);
    expect(room.collected).toBe(1);
    // the window ends: no more looks, the timer goes
    t += 1000;
    vi.advanceTimersByTime(100);
    expect(collect).toHaveBeenCalledTimes(1);
    expect(room.running).toBe(false);
  });

  it('stops when the reload comes, and a new start opens the window again', () => {
    vi.useFakeTimers();
    let t = 0;
    const collect = vi.fn(() => true);
    const room = new YoungRoom({ everyMs: 100, above: 0.3, forMs: 1000, fill: () => 0.9, collect, now: () => t });
    room.start();
    room.stop();
    t += 100;
    vi.advanceTimersByTime(500);
    expect(collect).not.toHaveBeenCalled();
    room.start();
    t += 100;
    vi.advanceTimersByTime(100);
    expect(collect).toHaveBeenCalledTimes(1);
    room.stop();
  });

  it('reads the young generation of this process, and a minor GC empties it of garbage', () => {
    let sum = 0;
    for (let i = 0; i < 20_000; i++) sum += [i, i + 1].length; // garbage, young
    expect(sum).toBe(40_000);
    const before = youngFill();
    expect(before).toBeGreaterThan(0);
    expect(minorGc()).toBe(true);
    expect(youngFill()).toBeLessThan(before);
  });
});
