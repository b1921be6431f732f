import { describe, expect, it } from 'vitest';
import { UrlStepper } from '../../../src/check/url-stepper.js';

const t = { retry: 1, delayLoopUs: 5_000_000, delayBeforeRetryUs: 2_000_000 };

describe('UrlStepper (HTTP_GET url cycle)', () => {
  it('walks the urls delay_loop apart and reports up after the last one on first run', () => {
    const m = new UrlStepper(t, 3, false, false);
    expect(m.step).toBe(0);
    expect(m.onResult(true)).toMatchObject({ delayUs: 5_000_000, event: null });
    expect(m.step).toBe(1);
    m.onResult(true);
    expect(m.step).toBe(2);
    expect(m.onResult(true).event).toBe(null); // was already up
    expect(m.step).toBe(0);
    expect(m.hasRun).toBe(true);
  });

  it('first failure takes it down at once; the failed url is retried alone', () => {
    const m = new UrlStepper(t, 2, false, false);
    m.onResult(true); // url 0
    expect(m.step).toBe(1);
    const d = m.onResult(false);
    expect(d.event).toBe('down');
    expect(m.failedUrl).toBe(1);
    expect(d.delayUs).toBe(5_000_000); // max(delay_before_retry, delay_loop)
    expect(m.step).toBe(1);
    expect(m.onResult(false).event).toBe(null);
    // failed url answers: whole list again, then up after the last
    expect(m.onResult(true).event).toBe(null);
    expect(m.failedUrl).toBe(null);
    expect(m.step).toBe(0);
    m.onResult(true);
    expect(m.onResult(true).event).toBe('up');
  });

  it('once up, a url needs retry+1 failures', () => {
    const m = new UrlStepper(t, 1, false, false);
    m.onResult(true);
    expect(m.onResult(false)).toMatchObject({ event: null, delayUs: 2_000_000 });
    expect(m.onResult(false).event).toBe('down');
  });

  it('log_all_failures: a retried failure while up is logged; failures once down are not', () => {
    const m = new UrlStepper({ ...t, logAllFailures: true }, 1, false, false);
    m.onResult(true);
    expect(m.onResult(false)).toMatchObject({ event: null, quietFailure: false });
    expect(m.onResult(false)).toMatchObject({ event: 'down', quietFailure: false });
    expect(m.onResult(false)).toMatchObject({ event: null, quietFailure: true });
    const off = new UrlStepper(t, 1, false, false);
    off.onResult(true);
    expect(off.onResult(false)).toMatchObject({ event: null, quietFailure: true });
  });

  it('fast_recovery runs urls back to back while down with no failing url', () => {
    const m = new UrlStepper(t, 3, true, true); // alpha: starts down
    expect(m.onResult(true).delayUs).toBe(0);
    expect(m.onResult(true).delayUs).toBe(0);
    const last = m.onResult(true);
    expect(last.event).toBe('up');
    expect(last.delayUs).toBe(5_000_000);
  });
});
