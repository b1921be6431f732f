// Metrics.checkQuiet (the timed engine's quietly settled successes, drained in bulk) renders
// what as many check() calls with the same latencies render.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/daemon/metrics.js';
import { CHECK_LATENCY_BOUNDS_S as CHECK_BUCKETS_S, CHECK_LATENCY_BOUNDS_US } from '../../../src/check/latency-buckets.js';
import { sampleStatus } from './status-fixture.js';

describe('Metrics.checkQuiet', () => {
  it('the metrics buckets are the timed engine\'s bounds in seconds, exactly', () => {
    expect(CHECK_BUCKETS_S).toHaveLength(CHECK_LATENCY_BOUNDS_US.length);
    CHECK_LATENCY_BOUNDS_US.forEach((us, i) => expect(CHECK_BUCKETS_S[i] * 1e6).toBeCloseTo(us, 6));
  });

  it('a drained batch renders as one check() per success with the same latencies', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 12_000_000 }), { maxLength: 40 }), fc.boolean(), (latUs, failFirst) => {
        const one = new Metrics();
        const bulk = new Metrics();
        if (failFirst) for (const m of [one, bulk]) m.check('vs', 'rs', 'TCP_CHECK', false, 2);
        const buckets = new Array<number>(CHECK_LATENCY_BOUNDS_US.length + 1).fill(0);
        let sum = 0;
        for (const l of latUs) {
          one.check('vs', 'rs', 'TCP_CHECK', true, l / 1000);
          let b = 0;
          while (b < CHECK_LATENCY_BOUNDS_US.length && l > CHECK_LATENCY_BOUNDS_US[b]) b++;
          buckets[b]++;
          sum += l;
        }
        bulk.checkQuiet('vs', 'rs', 'TCP_CHECK', { count: latUs.length, latencySumUs: sum, buckets });
        const norm = (t: string) => t.replace(/(_sum\{[^}]*\} )(\S+)/g, (_m, p: string, v: string) => p + Number(v).toFixed(6));
        expect(norm(bulk.render(sampleStatus()))).toBe(norm(one.render(sampleStatus())));
      }),
      { numRuns: 200 },
    );
  });
});
