import { describe, expect, it } from 'vitest';
import { RetryCounter } from '../../../src/check/counter.js';

const timing = { retry: 2, delayLoopUs: 10_000_000, delayBeforeRetryUs: 1_000_000 };

describe('RetryCounter (keepalived retry counting)', () => {
  it('first failure counts at once (counter starts full)', () => {
    const m = new RetryCounter(timing, 'tcp', false);
    expect(m.onResult(false)).toEqual({ delayUs: 10_000_000, event: 'down', quietFailure: false });
    expect(m.up).toBe(false);
  });

  it('an up checker goes down only after retry failed retries, spaced by delay_before_retry', () => {
    const m = new RetryCounter(timing, 'tcp', false);
    expect(m.onResult(true).event).toBe(null); // first run confirms up
    expect(m.onResult(false)).toEqual({ delayUs: 1_000_000, event: null, quietFailure: true });
    expect(m.onResult(false)).toEqual({ delayUs: 1_000_000, event: null, quietFailure: true });
    expect(m.onResult(false)).toEqual({ delayUs: 10_000_000, event: 'down', quietFailure: false });
    expect(m.onResult(true)).toEqual({ delayUs: 10_000_000, event: 'up', quietFailure: false });
  });

  it('log_all_failures: the retried failures of an up checker are logged too; failures once down stay quiet', () => {
    for (const mode of ['tcp', 'udp'] as const) {
      const m = new RetryCounter({ ...timing, logAllFailures: true }, mode, false);
      m.onResult(true);
      expect(m.onResult(false)).toEqual({ delayUs: 1_000_000, event: null, quietFailure: false });
      expect(m.onResult(false)).toEqual({ delayUs: 1_000_000, event: null, quietFailure: false });
      expect(m.onResult(false)).toMatchObject({ event: 'down', quietFailure: false });
      // down: its retries and failures are not the up checker's
      expect(m.onResult(false)).toMatchObject({ event: null, quietFailure: true });
    }
    const off = new RetryCounter({ ...timing, logAllFailures: false }, 'tcp', false);
    off.onResult(true);
    expect(off.onResult(false).quietFailure).toBe(true);
  });

  it('a success between failures resets the count', () => {
    const m = new RetryCounter(timing, 'tcp', false);
    m.onResult(true);
    m.onResult(false);
    m.onResult(false);
    m.onResult(true);
    expect(m.onResult(false).event).toBe(null);
    expect(m.up).toBe(true);
  });

  it('alpha starts down; first success is an up transition, first failure notifies down', () => {
    const a = new RetryCounter(timing, 'tcp', true);
    expect(a.up).toBe(false);
    expect(a.onResult(true).event).toBe('up');
    const b = new RetryCounter(timing, 'tcp', true);
    expect(b.onResult(false).event).toBe('down-initial');
    expect(b.onResult(false).event).toBe(null);
  });

  it('retry 0: every failure counts', () => {
    const m = new RetryCounter({ ...timing, retry: 0 }, 'while-up', false);
    m.onResult(true);
    expect(m.onResult(false).event).toBe('down');
  });

  it('modes differ only once down', () => {
    const run = (mode: 'tcp' | 'while-up' | 'udp'): number[] => {
      const m = new RetryCounter(timing, mode, false);
      m.onResult(false); // down
      return [1, 2, 3, 4].map(() => m.onResult(false).delayUs);
    };
    expect(run('tcp')).toEqual([1_000_000, 1_000_000, 10_000_000, 1_000_000]);
    expect(run('while-up')).toEqual([10_000_000, 10_000_000, 10_000_000, 10_000_000]);
    expect(run('udp')).toEqual([1_000_000, 1_000_000, 1_000_000, 1_000_000]);
  });

  it("smtp: the counter starts empty each round, so even the first failure is retried (check_smtp.c)", () => {
    const m = new RetryCounter(timing, 'smtp', false);
    expect(m.onResult(false)).toEqual({ delayUs: 1_000_000, event: null, quietFailure: true });
    expect(m.onResult(false)).toEqual({ delayUs: 1_000_000, event: null, quietFailure: true });
    expect(m.onResult(false)).toEqual({ delayUs: 10_000_000, event: 'down', quietFailure: false });
    // down: each delay_loop round retries `retry` times again, as TCP_CHECK does
    expect([1, 2, 3].map(() => m.onResult(false).delayUs)).toEqual([1_000_000, 1_000_000, 10_000_000]);
    expect(m.onResult(true).event).toBe('up');
  });
});
