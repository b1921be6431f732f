// LvsEngine.reload's proportional path (unchanged real servers are the previous model's very
// objects, as the parser hands them back) never skips a real change: after random edits (a
// weight, inhibit_on_failure or a check timeout changed, a real server removed or added, a
// virtual-server field changed) the engine holds the rows an engine started on the new model
// holds, and every service whose rows changed is named to the apply (the IPVS edge diffs only
// those); the same with the comparisons made ahead (prepareReload). No check runs (a scheduler
// clock that never fires).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deepEqual, realServerKey } from '../../../src/config/diff.js';
import type { Model } from '../../../src/config/model.js';
import { serviceKey } from '../../../src/ipvs/model.js';
import type { TableRow } from '../../../src/ipvs/reconcile.js';
import { engineOn, modelArb as modelsOf, modelLoader, shownRow as shown, type Vs } from './reload-models.js';

const load = modelLoader(7);

/** `next` with every real server equal to prev's of the same key (same virtual server) replaced by prev's object. */
function sharing(prev: Model, next: Model): Model {
  const vss = (next.virtual_server ?? []).map((vs, i) => {
    const old = prev.virtual_server?.[i];
    if (!old) return vs;
    const byKey = new Map((old.real_server ?? []).map((rs) => [realServerKey(rs), rs]));
    const reals = (vs.real_server ?? []).map((rs) => {
      const o = byKey.get(realServerKey(rs));
      return o && deepEqual(o, rs) ? o : rs;
    });
    return { ...vs, real_server: reals };
  });
  return { ...next, virtual_server: vss };
}

const modelArb = modelsOf(8, 5, [30, 30, 20]);

type Edit = 'weight' | 'inhibit' | 'timeout' | 'remove' | 'add' | 'sched' | 'delay' | 'none';

/** One edit to one virtual server of `a` (the others as they were). */
function edited(a: Vs[], at: number, edit: Edit, pick: number): Vs[] {
  return a.map((vs, i) => {
    if (i !== at % a.length) return vs;
    const j = pick % vs.reals.length;
    const reals = vs.reals.slice();
    const r = reals[j];
    switch (edit) {
      case 'weight': reals[j] = { ...r, weight: (r.weight % 3) + 1 }; break;
      case 'inhibit': reals[j] = { ...r, inhibit: !r.inhibit }; break;
      case 'timeout': reals[j] = { ...r, timeout: 3 - r.timeout }; break;
      case 'remove': if (reals.length > 1) reals.splice(j, 1); else reals[j] = { ...r, weight: (r.weight % 3) + 1 }; break;
      case 'add': {
        const free = [1, 2, 3, 4, 5, 6, 7, 8, 9].find((h) => !reals.some((x) => x.host === h)) ?? 9;
        reals.splice(j, 0, { host: free, weight: 2, timeout: 1, inhibit: false });
        break;
      }
      case 'sched': return { ...vs, sched: vs.sched === 'wlc' ? 'rr' : 'wlc' };
      case 'delay': return { ...vs, delay: vs.delay === 30 ? 20 : 30 };
      case 'none': break;
    }
    return { ...vs, reals };
  });
}

const editArb = fc.constantFrom<Edit>('weight', 'inhibit', 'timeout', 'remove', 'add', 'sched', 'delay', 'none');
const caseArb = modelArb.chain((a) => fc.tuple(
  fc.constant(a),
  fc.array(fc.tuple(fc.nat(5), editArb, fc.nat(7)), { minLength: 1, maxLength: 3 }),
)).map(([a, edits]) => [a, edits.reduce((m, [at, e, p]) => edited(m, at, e, p), a)] as const);

describe('LvsEngine reload: the proportional path', () => {
  it('after random edits holds the rows of a fresh engine, and names every service whose rows changed', async () => {
    const kinds = new Set<string>();
    await fc.assert(fc.asyncProperty(caseArb, async ([a, b]) => {
      const ma = load(a);
      const mb = sharing(ma, load(b));
      const running = engineOn(ma);
      const fresh = engineOn(load(b));
      try {
        for (const e of [running, fresh]) {
          await e.engine.start();
          await e.engine.applied();
        }
        const before = new Map(running.rows().map((r) => [serviceKey(r.service), shown(r)]));
        const applies = running.named.length;
        const counts = await running.engine.reload(mb);
        await running.engine.applied();
        kinds.add(counts.rsRebuilt || counts.rsAdded || counts.rsRemoved ? 'rebuilt' : 'in place');
        const after = running.rows();
        expect(after.map(shown)).toEqual(fresh.rows().map(shown));
        // what changed was named (the edge diffs only the named services)
        const named = running.named.slice(applies);
        const all = named.some((n) => n === undefined);
        for (const r of after) {
          const k = serviceKey(r.service);
          if (before.get(k) !== shown(r) && !all) expect(named.some((n) => n?.has(k)), `${k} changed but was not named`).toBe(true);
        }
        // prepareReload: the same reload with its comparisons made ahead lands in the same place,
        // and plans made before another reload are not used for the next
        const prepared = engineOn(ma);
        const stale = engineOn(ma);
        try {
          for (const e of [prepared, stale]) {
            await e.engine.start();
            await e.engine.applied();
            e.engine.prepareReload(mb);
          }
          expect(prepared.rows().map(shown)).toEqual([...before.values()]); // nothing changed yet
          const planned = await prepared.engine.reload(mb);
          expect({ ...planned, vsPlanned: 0 }).toEqual(counts);
          expect(planned.vsPlanned).toBe(counts.vsKept); // every kept one was compared ahead
          await prepared.engine.applied();
          expect(prepared.rows().map(shown)).toEqual(after.map(shown));
          await stale.engine.reload(sharing(ma, load(b)));
          await stale.engine.reload(sharing(ma, load(a)));
          expect((await stale.engine.reload(mb)).vsPlanned).toBe(0);
          await stale.engine.applied();
          expect(stale.rows().map(shown)).toEqual(after.map(shown));
        } finally {
          prepared.engine.stop();
          stale.engine.stop();
        }
      } finally {
        running.engine.stop();
        fresh.engine.stop();
      }
    }), { numRuns: 150 });
    // both paths were taken
    expect([...kinds].sort()).toEqual(['in place', 'rebuilt']);
  });

  it('each kind of edit reaches the rows: weight, inhibit, removed, added, virtual-server field', async () => {
    const a: Vs[] = [{ v: 1, sched: 'wlc', delay: 30, reals: [1, 2, 3].map((host) => ({ host, weight: 1, timeout: 1, inhibit: false })) }];
    const cases: Array<[Edit, number, (r: TableRow) => void]> = [
      ['weight', 1, (r) => expect(r.dests.map((d) => d.weight)).toEqual([1, 2, 1])],
      ['remove', 2, (r) => expect(r.dests.map((d) => d.addr)).toEqual(['127.0.7.1', '127.0.7.2'])],
      ['add', 0, (r) => expect(r.dests.map((d) => d.addr)).toEqual(['127.0.7.4', '127.0.7.1', '127.0.7.2', '127.0.7.3'])],
      ['sched', 0, (r) => expect(r.service.sched).toBe('rr')],
    ];
    for (const [edit, pick, check] of cases) {
      const ma = load(a);
      const e = engineOn(ma);
      await e.engine.start();
      await e.engine.applied();
      await e.engine.reload(sharing(ma, load(edited(a, 0, edit, pick))));
      await e.engine.applied();
      check(e.rows()[0]);
      e.engine.stop();
    }
    // inhibit_on_failure on a server that is down: it stays in the table at weight 0
    const down: Vs[] = [{ ...a[0], reals: a[0].reals.map((r) => ({ ...r })) }];
    const md = load(down);
    const e = engineOn(md);
    await e.engine.start();
    await e.engine.applied();
    const policy = e.engine.policies[0];
    policy.checkerState(1, policy.cfg.reals[1].checkers[0].id, false);
    await e.engine.reload(sharing(md, load(edited(down, 0, 'inhibit', 1))));
    await e.engine.applied();
    expect(e.engine.policies[0]).toBe(policy); // the in-place path
    expect(e.rows()[0].dests.map((d) => `${d.addr}/${d.weight}`)).toEqual(['127.0.7.1/1', '127.0.7.2/0', '127.0.7.3/1']);
    e.engine.stop();
  });
});
