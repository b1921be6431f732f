import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { destKey } from '../../../src/ipvs/model.js';
import { VirtualServerPolicy } from '../../../src/lvs/policy.js';
import { rs, sorry, vsConfig } from './helpers.js';

type Ev = { kind: 'state'; rs: number; checker: number; up: boolean } | { kind: 'dyn'; rs: number; weight: number | null };

const events = (n: number) =>
  fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant('state' as const), rs: fc.nat(n - 1), checker: fc.nat(1), up: fc.boolean() }),
      fc.record({ kind: fc.constant('dyn' as const), rs: fc.nat(n - 1), weight: fc.option(fc.integer({ min: 0, max: 300 }), { nil: null }) }),
    ),
    { maxLength: 60 },
  );

function check(p: VirtualServerPolicy): void {
  for (const row of p.desired()) {
    const keys = row.dests.map(destKey);
    expect(new Set(keys).size).toBe(keys.length);
    for (const d of row.dests) {
      expect(d.weight).toBeGreaterThanOrEqual(0);
      expect(d.weight).toBeLessThanOrEqual(65535);
      expect(Number.isInteger(d.weight)).toBe(true);
    }
  }
}

describe('VirtualServerPolicy properties', () => {
  it('quorum 1, plain weights: the sorry server serves exactly when no real server is up', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.boolean(), fc.boolean(), fc.array(fc.integer({ min: 1, max: 70000 }), { minLength: 5, maxLength: 5 }), events(5), (n, inhibit, sInhibit, weights, evs) => {
        const reals = Array.from({ length: n }, (_, i) => rs(i + 1, { checkers: 2, inhibit, weight: weights[i] }));
        const p = new VirtualServerPolicy(vsConfig(reals, { sorry: sorry(sInhibit) }));
        for (const e of evs) {
          if (e.kind !== 'state' || e.rs >= n) continue;
          p.checkerState(e.rs, `c${e.checker}`, e.up);
          check(p);
          const anyUp = reals.some((_, i) => p.isAlive(i));
          const s = p.desired()[0].dests.find((d) => d.addr === '10.9.9.9');
          expect(s !== undefined && s.weight > 0).toBe(!anyUp);
          if (!sInhibit) expect(s !== undefined).toBe(!anyUp);
          // a real server has weight exactly when it is up
          for (let i = 0; i < n; i++) {
            const d = p.desired()[0].dests.find((x) => x.addr === `10.0.0.${i + 1}`);
            expect(d !== undefined && d.weight > 0).toBe(p.isAlive(i));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('any sequence, any quorum: no duplicate, weights in range, sorry weighted exactly without quorum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 5 }), fc.boolean(), events(6), (n, quorum, hyst, dupSorry, evs) => {
        const reals = Array.from({ length: n }, (_, i) => rs(i + 1, { checkers: 2, inhibit: i % 2 === 0, weight: 1 + i * 7 }));
        const s = dupSorry ? { server: reals[0].server, inhibit: reals[0].inhibit } : sorry(true);
        const p = new VirtualServerPolicy(vsConfig(reals, { sorry: s, quorum, hysteresis: hyst }));
        check(p);
        for (const e of evs) {
          if (e.rs >= n) continue;
          if (e.kind === 'state') p.checkerState(e.rs, `c${e.checker}`, e.up);
          else p.checkerDynamicWeight(e.rs, 'c0', e.weight);
          check(p);
          const sd = p.desired()[0].dests.find((d) => d.addr === s.server.addr);
          if (!dupSorry) expect(sd !== undefined && sd.weight > 0).toBe(!p.quorumUp);
        }
      }),
      { numRuns: 300 },
    );
  });
});
