// The timed engine's quiet path (probe.c settle_quiet): a check its owner called steady has its
// successes counted and re-armed in C, without a record; any other result is a record as
// before; quiet() drains the counts. Against the counting machine: the same decisions as a
// machine that saw every result (pure, and through the addon on a loopback port that opens and
// closes).
import fc from 'fast-check';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { R_DONE } from '../../../../src/check/native/connect-engine.js';
import { MAX_LATENCY_BOUNDS, TimedChecks, type TimedOwner } from '../../../../src/check/native/timed-checks.js';
import { CHECK_LATENCY_BOUNDS_US } from '../../../../src/check/latency-buckets.js';
import { RetryCounter, type RetryMode } from '../../../../src/check/counter.js';
import type { Decision } from '../../../../src/check/machine.js';
import { closedPort, fullQueueListener, stopChild, tcpServer } from '../servers.js';
import { until } from '../../support/until.js';
import { enginesPerTest, loopbackServers, sa, sleep, tcp } from './timed-setup.js';

/** an owner that answers every record with `delayUs` and says steady after a success when `steady` */
function owner(delayUs: number, steady: boolean): TimedOwner & { recs: Array<{ kind: number; a: number }>; steady: boolean } {
  const o = {
    recs: [] as Array<{ kind: number; a: number }>,
    nextStep: 0,
    steady: false,
    timedRecord(kind: number, a: number): number {
      o.recs.push({ kind, a });
      o.steady = steady && kind === R_DONE && a === 0;
      return delayUs;
    },
  };
  return o;
}

const srv = loopbackServers();
const engine = enginesPerTest();

describe('timed engine: the quiet path', () => {
  it('a steady check: its successes are counted and re-armed in C, no record; quiet() drains them', async () => {
    const timed = engine({ quantumUs: 5_000 });
    const o = owner(20_000, true);
    const t0 = Date.now();
    const slot = timed.register(o, tcp(sa('127.0.0.1', srv.up.port)), 0, 1_000_000);
    await sleep(400);
    expect(o.recs).toEqual([{ kind: R_DONE, a: 0 }]); // only the first (it made the check steady)
    const started = timed.started();
    expect(started).toBeGreaterThan(8); // ~20 every 400 ms at 20 ms: still re-armed
    const q = timed.quiet(slot);
    expect(q.count).toBe(timed.settledQuietly());
    expect(q.count).toBeGreaterThanOrEqual(started - 2); // all but the first (and one in flight)
    expect(q.buckets).toHaveLength(CHECK_LATENCY_BOUNDS_US.length + 1);
    expect(q.buckets.reduce((a, b) => a + b, 0)).toBe(q.count);
    // (a connect that completed within its start has latency 0: the clock is read per wakeup)
    expect(q.lastLatencyUs).toBeGreaterThanOrEqual(0);
    expect(q.latencySumUs).toBeGreaterThanOrEqual(q.lastLatencyUs);
    expect(q.lastWallMs).toBeGreaterThanOrEqual(t0);
    expect(q.lastWallMs).toBeLessThanOrEqual(Date.now() + 5);
    // drained: counted again from 0, the last one's time kept
    const again = timed.quiet(slot);
    expect(again.count).toBeLessThanOrEqual(1);
    expect(again.lastWallMs).toBeGreaterThanOrEqual(q.lastWallMs);
  });

  it('without steady every success is a record', async () => {
    const timed = engine({ quantumUs: 5_000 });
    const o = owner(20_000, false);
    const slot = timed.register(o, tcp(sa('127.0.0.1', srv.up.port)), 0, 1_000_000);
    await sleep(250);
    expect(o.recs.length).toBeGreaterThan(5);
    expect(timed.settledQuietly()).toBe(0);
    expect(timed.quiet(slot).count).toBe(0);
  });

  it('a failure of a steady check is a record (and the owner decides again)', async () => {
    const own = await tcpServer(() => {});
    const port = own.port;
    const timed = engine({ quantumUs: 5_000 });
    const o = owner(20_000, true);
    timed.register(o, tcp(sa('127.0.0.1', port)), 0, 1_000_000);
    await until(() => timed.settledQuietly() > 3, 3000);
    expect(o.recs).toHaveLength(1);
    await own.close();
    await until(() => o.recs.length >= 3, 3000); // refused, then refused again: records
    expect(o.recs[1]).toEqual({ kind: R_DONE, a: -111 }); // ECONNREFUSED
    expect(o.steady).toBe(false);
  });

  it('within a quantum the checks that are not steady start first and are reported before the steady ones start', async () => {
    const q = 100_000;
    const n = 40;
    const delayUs = 300_000;
    const timed = engine({ quantumUs: q });
    const port = await closedPort();
    // every check due in the middle of one quantum (the engine's clock is process.hrtime's)
    const hr = (): number => Number(process.hrtime.bigint()) / 1000;
    const due = Math.ceil(hr() / q) * q + q + q / 2;
    // per record of the refused check: attempts started when it was reported, and once that wakeup was over
    const seen: Array<{ at: number; after?: number }> = [];
    const failing: TimedOwner = {
      nextStep: 0,
      steady: false,
      timedRecord(kind: number, a: number): number {
        expect([kind, a]).toEqual([R_DONE, -111]);
        const s: { at: number; after?: number } = { at: timed.started() };
        seen.push(s);
        setImmediate(() => (s.after = timed.started()));
        return delayUs;
      },
    };
    timed.register(failing, tcp(sa('127.0.0.1', port)), due - hr(), 1_000_000);
    const steady = Array.from({ length: n }, () => owner(delayUs, true));
    for (const o of steady) timed.register(o, tcp(sa('127.0.0.1', srv.up.port)), due - hr(), 1_000_000);
    await until(() => seen.length >= 4 && seen[3]!.after !== undefined, 5000);
    // the first round: none steady yet, all started before the one report
    expect(seen[0]!.at).toBe(n + 1);
    // later rounds: the refused check started and was reported first, the steady ones after it
    for (const s of seen.slice(1, 4)) expect(s.after! - s.at).toBeGreaterThanOrEqual(n - 2);
    expect(steady.every((o) => o.recs.length === 1 && o.steady)).toBe(true);
  });

  it('an HTTP exchange is never settled in C (its result is the owner\'s to judge)', async () => {
    const timed = engine({ quantumUs: 5_000 });
    const o = owner(20_000, true);
    const owned: TimedOwner = {
      nextStep: 0,
      get steady() {
        return true;
      },
      timedRecord: (kind, a) => o.timedRecord(kind, a),
    };
    timed.register(owned, tcp(sa('127.0.0.1', srv.http.port), 1_000_000, [Buffer.from('GET / HTTP/1.0\r\n\r\n')]), 0, 1_000_000);
    await sleep(200);
    expect(o.recs.length).toBeGreaterThan(3);
    expect(timed.settledQuietly()).toBe(0);
  });

  it('a slot registered again starts with no steady state and no counts', async () => {
    const timed = engine({ quantumUs: 5_000 });
    const a = owner(20_000, true);
    const slot = timed.register(a, tcp(sa('127.0.0.1', srv.up.port)), 0, 1_000_000);
    await until(() => timed.settledQuietly() > 2, 3000);
    timed.unregister(slot);
    const b = owner(20_000, false);
    const slot2 = timed.register(b, tcp(sa('127.0.0.1', srv.up.port)), 0, 1_000_000);
    expect(slot2).toBe(slot);
    expect(timed.quiet(slot2).count).toBe(0);
    const before = timed.settledQuietly();
    await sleep(150);
    expect(b.recs.length).toBeGreaterThan(2);
    expect(timed.settledQuietly()).toBe(before);
  });
});

describe('the quiet path\'s latency buckets: the bounds given at createTimed', () => {
  it('odd bounds: each quiet success is counted in the bucket of those bounds its latency falls in', async () => {
    // every connect waits for its SYN's retransmission (about 1 s, or 3 s): the listener's
    // queue is full, one connection taken off it every 300 ms
    const slow = await fullQueueListener(['while True:', '  time.sleep(0.3); a,_=s.accept(); a.close()'], 'slow-accept listener');
    try {
      const timed = engine({ quantumUs: 5_000, latencyBoundsUs: [200_000, 7_000_000] });
      const o = owner(20_000, true);
      const slot = timed.register(o, tcp(sa('127.0.0.1', slow.port), 9_000_000), 0, 1_000_000);
      // drained as it goes, until a slow one is in (the first may find room in the queue at once)
      const sum = { count: 0, latencySumUs: 0, buckets: [0, 0, 0] };
      await until(() => {
        const q = timed.quiet(slot);
        expect(q.buckets).toHaveLength(3);
        sum.count += q.count;
        sum.latencySumUs += q.latencySumUs;
        q.buckets.forEach((n, i) => (sum.buckets[i] += n));
        return sum.buckets[1] >= 2;
      }, 15_000);
      const [fast, slowOnes, above] = sum.buckets;
      expect(fast + slowOnes + above).toBe(sum.count);
      expect(above).toBe(0);
      // each is where its latency puts it: at most 200 ms, or in (200 ms, 7 s]; the default
      // bounds (1 ms ... 10 s) would have spread these over 14 buckets
      expect(sum.latencySumUs).toBeGreaterThan(slowOnes * 200_000);
      expect(sum.latencySumUs).toBeLessThanOrEqual(fast * 200_000 + slowOnes * 7_000_000);
    } finally {
      await stopChild(slow.child);
    }
  }, 25_000);

  it('the bounds are checked: 1..32 of them, finite, positive, increasing', () => {
    const ok = Array.from({ length: MAX_LATENCY_BOUNDS }, (_, i) => (i + 1) * 10);
    engine({ latencyBoundsUs: ok }).close();
    engine({ latencyBoundsUs: [0.5] }).close();
    for (const bad of [[], [...ok, 400], [2, 1], [1, 1], [0], [-5, 10], [Number.NaN], [1, Number.POSITIVE_INFINITY]])
      expect(() => engine({ latencyBoundsUs: bad }), JSON.stringify(bad)).toThrow(/latency bounds/);
  });

  it('without bounds given: the metrics buckets (one more above the last)', () => {
    const timed = engine();
    expect(timed.quiet(0).buckets).toHaveLength(CHECK_LATENCY_BOUNDS_US.length + 1);
  });
});

const modes: RetryMode[] = ['tcp', 'while-up', 'udp', 'smtp'];
const same = (a: Decision, b: Decision) => a.delayUs === b.delayUs && a.event === b.event && a.quietFailure === b.quietFailure;

describe('RetryCounter.settled: skipping a settled success changes no decision', () => {
  it('for any results, a machine that skips the successes while settled decides as one that saw them all', () => {
    fc.assert(
      fc.property(fc.constantFrom(...modes), fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.array(fc.boolean(), { maxLength: 80 }), (mode, retry, alpha, results) => {
        const timing = { retry, delayLoopUs: 1_000_000, delayBeforeRetryUs: 300_000 };
        const all = new RetryCounter(timing, mode, alpha);
        const quiet = new RetryCounter(timing, mode, alpha);
        let last: Decision | null = null;
        for (const ok of results) {
          const full = all.onResult(ok);
          if (ok && quiet.settled) {
            // the quiet path: delay_loop again, no event, nothing logged
            expect(full.event).toBe(null);
            expect(full.delayUs).toBe(timing.delayLoopUs);
            expect(last?.delayUs).toBe(timing.delayLoopUs); // C re-arms with the last delay
            continue;
          }
          const d = quiet.onResult(ok);
          expect(same(d, full)).toBe(true);
          last = d;
          expect([quiet.up, quiet.retryIt, quiet.hasRun]).toEqual([all.up, all.retryIt, all.hasRun]);
        }
        expect([quiet.up, quiet.retryIt, quiet.hasRun]).toEqual([all.up, all.retryIt, all.hasRun]);
      }),
      { numRuns: 500 },
    );
  });
});

/** a loopback port that refuses or accepts as told (a server closed and listened again on it) */
async function switchable(): Promise<{ port: number; open(on: boolean): Promise<void>; close(): Promise<void> }> {
  let server: net.Server | null = null;
  const first = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => first.listen(0, '127.0.0.1', r));
  const port = (first.address() as net.AddressInfo).port;
  server = first;
  const open = async (on: boolean) => {
    if (on === (server !== null)) return;
    if (!on) {
      const s = server as net.Server;
      server = null;
      await new Promise<void>((r) => s.close(() => r()));
      return;
    }
    const s = net.createServer((c) => c.destroy());
    await new Promise<void>((r, j) => {
      s.once('error', j);
      s.listen(port, '127.0.0.1', r);
    });
    server = s;
  };
  return { port, open, close: () => open(false) };
}

describe('the quiet path through the addon against the counting machine', () => {
  it('random up/down phases: the successes settled in C are ones the machine would not have acted on', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...modes),
        fc.integer({ min: 0, max: 2 }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 20, max: 120 })), { minLength: 2, maxLength: 6 }),
        async (mode, retry, phases) => {
          const timing = { retry, delayLoopUs: 15_000, delayBeforeRetryUs: 5_000 };
          const live = new RetryCounter(timing, mode, false);
          const oracle = new RetryCounter(timing, mode, false);
          const port = await switchable();
          const engine = new TimedChecks({ quantumUs: 1_000 });
          let slot = -1;
          let wasSteady = false;
          let quietSeen = 0;
          const bad: string[] = [];
          let settled = 0;
          const o: TimedOwner & { steady: boolean } = {
            nextStep: 0,
            steady: false,
            timedRecord(kind, a) {
              // the successes settled since the last record came first: the oracle sees them
              if (wasSteady) {
                const n = engine.quiet(slot).count;
                quietSeen += n;
                for (let i = 0; i < n; i++) {
                  const d = oracle.onResult(true);
                  if (d.event !== null || d.delayUs !== timing.delayLoopUs) bad.push(`quiet success decided ${JSON.stringify(d)}`);
                }
              }
              const ok = kind === R_DONE && a === 0;
              const d = live.onResult(ok);
              const want = oracle.onResult(ok);
              if (!same(d, want)) bad.push(`record ${ok}: ${JSON.stringify(d)} vs ${JSON.stringify(want)}`);
              o.steady = wasSteady = live.settled && d.delayUs === timing.delayLoopUs;
              return d.delayUs;
            },
          };
          try {
            slot = engine.register(o, tcp(sa('127.0.0.1', port.port)), 0, timing.delayLoopUs);
            for (const [on, msLong] of phases) {
              await port.open(on);
              await sleep(msLong);
            }
            settled = engine.settledQuietly();
          } finally {
            engine.close();
            await port.close();
          }
          expect(bad).toEqual([]);
          expect([live.up, live.retryIt]).toEqual([oracle.up, oracle.retryIt]);
          // the run settled successes quietly whenever it was up for a while
          if (phases.some(([on, t]) => on && t >= 80)) expect(settled).toBeGreaterThan(0);
        },
      ),
      { numRuns: 8 },
    );
  }, 60_000);
});
