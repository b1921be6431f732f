// LvsEngine's applies and reloads work in proportion to what changed: each apply names the
// services whose rows may differ, an unchanged virtual server is kept as it runs, and a weight
// edit updates the running policy in place. No check runs here (a scheduler clock that never fires).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TableRow } from '../../../src/ipvs/reconcile.js';
import { recordingEngine, tcpModel, type VsSpec } from './engine-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-incr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Virtual servers 10.5.0.V:80 (TCP), each with real servers 127.0.5.R:8080 of the given weights. */
const model = (vss: VsSpec[]) => tcpModel(dir, 5, vss);
const engineOf = recordingEngine;

const key = (v: number): string => `2/6/10.5.0.${v}/80`;
const weights = (rows: TableRow[], v: number): number[] => rows.find((r) => r.service.addr === `10.5.0.${v}`)!.dests.map((d) => d.weight);

describe('LvsEngine: work in proportion to the change', () => {
  it('a weight edit updates its virtual server in place; the other is kept as it runs and not named', async () => {
    const { engine, calls } = engineOf(model([{ v: 1, weights: [1, 1, 1] }, { v: 2, weights: [1, 1] }]));
    await engine.start();
    await engine.applied();
    expect(calls).toHaveLength(1);
    expect(calls[0].changed).toBeUndefined(); // the first apply: everything
    const [p1, p2] = engine.policies;
    const before = calls[0].rows;
    const counts = await engine.reload(model([{ v: 1, weights: [1, 5, 1] }, { v: 2, weights: [1, 1] }]));
    await engine.applied();
    expect(counts).toEqual({ vsAdded: 0, vsRemoved: 0, vsKept: 2, rsAdded: 0, rsRemoved: 0, rsKept: 5, rsRebuilt: 0, vsPlanned: 0 });
    expect(calls).toHaveLength(2);
    expect(calls[1].changed).toEqual([key(1)]);
    expect(engine.policies[0]).toBe(p1);
    expect(engine.policies[1]).toBe(p2);
    const after = calls[1].rows;
    expect(weights(after, 1)).toEqual([1, 5, 1]);
    // untouched rows and destinations are the same objects: nothing rebuilt for them
    expect(after[1]).toBe(before[1]);
    expect(after[0].dests[0]).toBe(before[0].dests[0]);
    expect(after[0].dests[1]).not.toBe(before[0].dests[1]);
    engine.stop();
  });

  it('a reload that changes nothing names no service', async () => {
    const { engine, calls } = engineOf(model([{ v: 1, weights: [1, 2] }]));
    await engine.start();
    await engine.applied();
    const p = engine.policies[0];
    await engine.reload(model([{ v: 1, weights: [1, 2] }]));
    await engine.applied();
    expect(engine.policies[0]).toBe(p);
    expect(calls.at(-1)!.changed).toEqual([]);
    expect(calls.at(-1)!.rows).toEqual(calls[0].rows);
    engine.stop();
  });

  it('a changed check or service setting rebuilds that virtual server only; a removed one is named', async () => {
    const { engine, calls } = engineOf(model([{ v: 1, weights: [1, 1] }, { v: 2, weights: [1] }, { v: 3, weights: [1] }]));
    await engine.start();
    await engine.applied();
    const [p1, p2] = engine.policies;
    // v1: a checker's timeout (its checkers are rebuilt); v2: the scheduler; v3: removed
    const counts = await engine.reload(model([{ v: 1, weights: [1, 1], timeout: 2 }, { v: 2, weights: [1], sched: 'rr' }]));
    await engine.applied();
    expect(counts).toMatchObject({ vsKept: 2, vsRemoved: 1, rsRebuilt: 2, rsKept: 1, rsRemoved: 1 });
    expect(engine.policies[0]).not.toBe(p1);
    expect(engine.policies[1]).not.toBe(p2);
    expect(calls.at(-1)!.changed).toEqual([key(1), key(2), key(3)]);
    expect(calls.at(-1)!.rows.map((r) => r.service.sched)).toEqual(['wlc', 'rr']);
    engine.stop();
  });
});
