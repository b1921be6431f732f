import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { destKey } from '../../../src/ipvs/model.js';
import { VirtualServerPolicy } from '../../../src/lvs/policy.js';
import { rs, sorry, vsConfig } from './helpers.js';

type Ev = { kind: 'state'; rs: number; checker: number; up: boolean } | { kind: 'dyn'; rs: number; weight: number | null };
type CfgEv = { kind: 'cfg'; rs: number; weight: number; inhibit: boolean; dr: boolean };

const event = (n: number) => fc.oneof(
  fc.record({ kind: fc.constant('state' as const), rs: fc.nat(n - 1), checker: fc.nat(1), up: fc.boolean() }),
  fc.record({ kind: fc.constant('dyn' as const), rs: fc.nat(n - 1), weight: fc.option(fc.integer({ min: 0, max: 300 }), { nil: null }) }),
);
const events = (n: number) => fc.array(event(n), { maxLength: 60 });

/** Every destination from the policy's public state, computed from scratch (no shared addresses). */
function oracle(p: VirtualServerPolicy): string[] {
  const out: string[] = [];
  p.cfg.reals.forEach((r, i) => {
    const w = p.sorryActive ? (r.inhibit ? 0 : undefined) : p.isAlive(i) ? p.effectiveWeight(i) : r.inhibit ? 0 : undefined;
    if (w !== undefined) out.push(`${r.server.addr}:${r.server.port ?? 80}/${w}/${r.server.fwd}`);
  });
  const s = p.cfg.sorry;
  const sw = s ? (p.sorryActive ? 1 : s.inhibit ? 0 : undefined) : undefined;
  if (s && sw !== undefined) out.push(`${s.server.addr}:${s.server.port ?? 80}/${sw}/${s.server.fwd}`);
  return out;
}

const shown = (p: VirtualServerPolicy): string[] => p.desired()[0].dests.map((d) => `${d.addr}:${d.port}/${d.weight}/${d.fwd}`);

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

  it('desired() rebuilt piecemeal after each change equals the table computed from scratch', () => {
    const withCfg = (n: number) => fc.array(fc.oneof(
      event(n),
      fc.record({ kind: fc.constant('cfg' as const), rs: fc.nat(n - 1), weight: fc.integer({ min: 0, max: 70000 }), inhibit: fc.boolean(), dr: fc.boolean() }),
    ), { maxLength: 60 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 5 }), fc.boolean(), withCfg(4), (quorum, hyst, sInhibit, evs: Array<Ev | CfgEv>) => {
        const n = 4;
        const reals = Array.from({ length: n }, (_, i) => rs(i + 1, { checkers: 2, inhibit: i % 2 === 0, weight: 1 + i * 7 }));
        const p = new VirtualServerPolicy(vsConfig(reals, { sorry: sorry(sInhibit), quorum, hysteresis: hyst }));
        const first = p.desired();
        expect(p.desired()).toBe(first); // nothing changed: the same rows
        for (const e of evs) {
          const v = p.version;
          const before = p.desired()[0].dests;
          if (e.kind === 'state') p.checkerState(e.rs, `c${e.checker}`, e.up);
          else if (e.kind === 'dyn') p.checkerDynamicWeight(e.rs, 'c0', e.weight);
          else {
            const r = p.cfg.reals[e.rs];
            p.updateReal(e.rs, { ...r, weight: e.weight, inhibit: e.inhibit, server: { ...r.server, fwd: e.dr ? 'route' : 'masq' } });
            // the quorum follows the new weights as a policy built with them would have it
            const fresh = new VirtualServerPolicy(vsConfig(p.cfg.reals.map((r) => ({ ...r })), { sorry: sorry(sInhibit), quorum, hysteresis: hyst }));
            expect([p.quorum, p.hysteresis]).toEqual([fresh.quorum, fresh.hysteresis]);
          }
          expect(shown(p)).toEqual(oracle(p));
          // the live weight is kept as servers change: it equals the sum from scratch
          expect(p.liveWeight()).toBe(p.cfg.reals.reduce((sum, _r, i) => sum + (p.isAlive(i) ? p.effectiveWeight(i) : 0), 0));
          // a row patched in place names its base and the replaced entries (reconcile's hint)
          const row = p.desired()[0];
          if (row.base && row.dests !== before) {
            expect(row.base.dests).toBe(before);
            expect(row.dests.length).toBe(before.length);
            row.dests.forEach((x, i) => { if (!row.base!.at.includes(i)) expect(x).toBe(before[i]); });
          }
          // servers nothing happened to keep their destination objects
          if (p.version === v) expect(p.desired()[0].dests).toBe(before);
          else {
            const after = new Map(p.desired()[0].dests.map((d) => [d.addr, d]));
            const touched = e.kind === 'state' || e.kind === 'dyn' || e.kind === 'cfg' ? `10.0.0.${e.rs + 1}` : '';
            for (const d of before) {
              const a = after.get(d.addr);
              if (a && a.weight === d.weight && a.fwd === d.fwd && d.addr !== touched) expect(a).toBe(d);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
