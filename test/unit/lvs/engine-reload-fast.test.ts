// LvsEngine.reload's fast paths give what a full comparison gives: reloading a model whose
// unchanged objects are the previous model's (as the parser may hand them back), a freshly
// parsed equal model, or starting an engine on the new model all end in the same rows, and
// the first two in the same reload counts. No check runs (a scheduler clock that never fires).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deepEqual } from '../../../src/config/diff.js';
import type { Model } from '../../../src/config/model.js';
import type { TableRow } from '../../../src/ipvs/reconcile.js';
import { engineOn, modelArb as modelsOf, modelLoader, shownRow, type Vs } from './reload-models.js';

const load = modelLoader(6);

/** `next` with every virtual or real server equal to one of `prev` replaced by prev's object. */
function sharing(prev: Model, next: Model): Model {
  const vss = (next.virtual_server ?? []).map((vs, i) => {
    const old = prev.virtual_server?.[i];
    if (!old) return vs;
    if (deepEqual(old, vs)) return old;
    const reals = (vs.real_server ?? []).map((rs, j) => {
      const o = old.real_server?.[j];
      return o && deepEqual(o, rs) ? o : rs;
    });
    return { ...vs, real_server: reals };
  });
  return { ...next, virtual_server: vss };
}

const shown = (rows: readonly TableRow[]): string[] => rows.map(shownRow);
const modelArb = modelsOf(6, 4);

/** A second model: mostly the first, with some weights, flags, timeouts or schedulers changed. */
const pairArb = modelArb.chain((a) => fc.tuple(
  fc.constant(a),
  fc.tuple(...a.map((vs) => fc.tuple(
    fc.constantFrom(vs.sched, vs.sched, 'rr'),
    fc.tuple(...vs.reals.map((r) => fc.record({
      weight: fc.constantFrom(r.weight, r.weight, r.weight, (r.weight % 3) + 1),
      inhibit: fc.constantFrom(r.inhibit, r.inhibit, r.inhibit, !r.inhibit),
      timeout: fc.constantFrom(r.timeout, r.timeout, r.timeout, 3 - r.timeout),
    }))),
  ))),
)).map(([a, ch]) => [a, a.map((vs, i) => ({ ...vs, sched: ch[i][0], reals: vs.reals.map((r, j) => ({ ...r, ...ch[i][1][j] })) }))] as const);

describe('LvsEngine reload: fast paths agree with a full comparison', () => {
  it('shared objects, an equal fresh parse and a fresh start give the same rows', async () => {
    await fc.assert(fc.asyncProperty(pairArb, async ([a, b]) => {
      const ma = load(a);
      const mb = load(b);
      const shared = sharing(ma, mb);
      const viaShared = engineOn(ma);
      const viaEqual = engineOn(load(a));
      const fresh = engineOn(mb);
      try {
        for (const e of [viaShared, viaEqual, fresh]) {
          await e.engine.start();
          await e.engine.applied();
        }
        const c1 = await viaShared.engine.reload(shared);
        const c2 = await viaEqual.engine.reload(load(b));
        await viaShared.engine.applied();
        await viaEqual.engine.applied();
        expect(c1).toEqual(c2);
        expect(shown(viaShared.rows())).toEqual(shown(fresh.rows()));
        expect(shown(viaEqual.rows())).toEqual(shown(fresh.rows()));
        // and back: the reverse reload through kept objects lands on the first model's rows
        const start = engineOn(ma);
        await start.engine.start();
        await start.engine.applied();
        await viaShared.engine.reload(sharing(shared, ma));
        await viaShared.engine.applied();
        expect(shown(viaShared.rows())).toEqual(shown(start.rows()));
        start.engine.stop();
      } finally {
        for (const e of [viaShared, viaEqual, fresh]) e.engine.stop();
      }
    }), { numRuns: 40 });
  });

  it('an unchanged real server kept as the very object costs no update; a changed one is updated in place', async () => {
    const a: Vs[] = [{ v: 1, sched: 'wlc', reals: [{ host: 1, weight: 1, timeout: 1, inhibit: false }, { host: 2, weight: 1, timeout: 1, inhibit: false }] }];
    const ma = load(a);
    const e = engineOn(ma);
    await e.engine.start();
    await e.engine.applied();
    const policy = e.engine.policies[0];
    const before = e.rows();
    // the same model object again: nothing changes, nothing is named
    await e.engine.reload(sharing(ma, load(a)));
    await e.engine.applied();
    expect(e.engine.policies[0]).toBe(policy);
    expect(e.rows()[0]).toBe(before[0]);
    const b = [{ ...a[0], reals: [a[0].reals[0], { ...a[0].reals[1], weight: 4 }] }];
    const counts = await e.engine.reload(sharing(ma, load(b)));
    await e.engine.applied();
    expect(counts).toMatchObject({ vsKept: 1, rsKept: 2, rsRebuilt: 0 });
    expect(e.engine.policies[0]).toBe(policy);
    expect(e.rows()[0].dests.map((d) => d.weight)).toEqual([1, 4]);
    expect(e.rows()[0].dests[0]).toBe(before[0].dests[0]);
    e.engine.stop();
  });
});
