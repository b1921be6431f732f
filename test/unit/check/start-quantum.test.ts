import { describe, expect, it } from 'vitest';
import { MAX_QUANTUM_US, MIN_QUANTUM_US, TARGET_BATCH, startQuantumUs } from '../../../src/check/start-quantum.js';

describe('startQuantumUs', () => {
  it('is the longest quantum while few checks run', () => {
    expect(startQuantumUs(0)).toBe(MAX_QUANTUM_US);
    expect(startQuantumUs(200)).toBe(MAX_QUANTUM_US);
    expect(startQuantumUs(1000)).toBe(MAX_QUANTUM_US);
  });

  it('shortens so one wakeup starts at most TARGET_BATCH checks, down to the minimum', () => {
    expect(startQuantumUs(5120)).toBe(50_000); // 256 / 5,120 per s
    expect((startQuantumUs(5120) / 1e6) * 5120).toBeLessThanOrEqual(TARGET_BATCH);
    expect(startQuantumUs(10_000)).toBe(25_600);
    expect(startQuantumUs(20_000)).toBe(MIN_QUANTUM_US);
    expect(startQuantumUs(1e9)).toBe(MIN_QUANTUM_US);
  });

  it('never leaves its bounds and never grows with the rate', () => {
    let last = Infinity;
    for (let r = 0; r <= 50_000; r += 97) {
      const q = startQuantumUs(r);
      expect(q).toBeGreaterThanOrEqual(MIN_QUANTUM_US);
      expect(q).toBeLessThanOrEqual(MAX_QUANTUM_US);
      expect(q).toBeLessThanOrEqual(last);
      last = q;
    }
    expect(startQuantumUs(Number.NaN)).toBe(MAX_QUANTUM_US);
  });
});
