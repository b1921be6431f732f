// Metrics.checkQuiet (the timed engine's quietly settled successes, drained in bulk) renders
// what as many check() calls with the same latencies render.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECK_BUCKETS_S, Metrics } from '../../../src/daemon/metrics.js';
import { QUIET_BOUNDS_US } from '../../../src/check/native/timed-checks.js';
import { sampleStatus } from './status-fixture.js';

describe('Metrics.checkQuiet', () => {
  it('the quiet path buckets are the metrics buckets', () => {
    expect(QUIET_BOUNDS_US.map((b) => b / 1e6)).toEqual(CHECK_BUCKETS_S);
  });

  it('a drained batch renders as one check() per success with the same latencies', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 12_000_000 }), { maxLength: 40 }), fc.boolean(), (latUs, failFirst) => {
        const one = new Metrics();
        const bulk = new Metrics();
        if (failFirst) for (const m of [one, bulk]) m.check('vs', 'rs', 'TCP_CHECK', false, 2);
        const buckets = new Array<number>(QUIET_BOUNDS_US.length + 1).fill(0);
        let sum = 0;
        for (const l of latUs) {
          one.check('vs', 'rs', 'TCP_CHECK', true, l / 1000);
          let b = 0;
          while (b < QUIET_BOUNDS_US.length && l > QUIET_BOUNDS_US[b]) b++;
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
