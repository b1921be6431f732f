// LvsEngine.reload's one-pass path (every virtual server updated in place where it runs) and
// its way out: virtual servers moved, replaced at the same position, or changed so that one must
// be rebuilt take the general path, matched by key, with the same outcome as without the pass.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TableRow } from '../../../src/ipvs/reconcile.js';
import { recordingEngine, tcpModel, type VsSpec } from './engine-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-inplace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Virtual servers 10.6.0.V:PORT, real servers 127.0.6.R:8080 of the given weights. */
const model = (vss: VsSpec[]) => tcpModel(dir, 6, vss);

async function started(m: ReturnType<typeof model>) {
  const r = recordingEngine(m);
  await r.engine.start();
  await r.engine.applied();
  return r;
}

const key = (v: number, port = 80): string => `2/6/10.6.0.${v}/${port}`;
const table = (rows: TableRow[]): string[] => rows.map((r) => `${r.service.addr}:${r.service.port} ${r.dests.map((d) => d.weight).join(',')}`);

describe('LvsEngine.reload: every virtual server in place, or the general path', () => {
  it('all in place: the running policies updated, the changed one named', async () => {
    const { engine, calls } = await started(model([{ v: 1, weights: [1, 1] }, { v: 2, weights: [1] }]));
    const [p1, p2] = engine.policies;
    const counts = await engine.reload(model([{ v: 1, weights: [1, 4] }, { v: 2, weights: [1] }]));
    await engine.applied();
    expect(counts).toEqual({ vsAdded: 0, vsRemoved: 0, vsKept: 2, rsAdded: 0, rsRemoved: 0, rsKept: 3, rsRebuilt: 0, vsPlanned: 0 });
    expect(engine.policies).toEqual([p1, p2]);
    expect(engine.policies[0]).toBe(p1);
    expect(calls.at(-1)!.changed).toEqual([key(1)]);
    expect(table(calls.at(-1)!.rows)).toEqual(['10.6.0.1:80 1,4', '10.6.0.2:80 1']);
    // and again from there: the runtimes the pass left are the ones the next reload finds
    await engine.reload(model([{ v: 1, weights: [1, 4] }, { v: 2, weights: [2] }]));
    await engine.applied();
    expect(calls.at(-1)!.changed).toEqual([key(2)]);
    expect(table(calls.at(-1)!.rows)).toEqual(['10.6.0.1:80 1,4', '10.6.0.2:80 2']);
    engine.stop();
  });

  it('virtual servers in another order: kept by key, in the new order', async () => {
    const { engine, calls } = await started(model([{ v: 1, weights: [1, 1] }, { v: 2, weights: [1] }]));
    const [p1, p2] = engine.policies;
    const counts = await engine.reload(model([{ v: 2, weights: [1] }, { v: 1, weights: [3, 1] }]));
    await engine.applied();
    expect(counts).toMatchObject({ vsAdded: 0, vsRemoved: 0, vsKept: 2, rsKept: 3, rsRebuilt: 0 });
    expect(engine.policies[0]).toBe(p2);
    expect(engine.policies[1]).toBe(p1);
    expect(calls.at(-1)!.changed).toEqual([key(1)]);
    expect(table(calls.at(-1)!.rows)).toEqual(['10.6.0.2:80 1', '10.6.0.1:80 3,1']);
    engine.stop();
  });

  it('another virtual server at the same position (other port): the old one removed, the new one added', async () => {
    const { engine, calls } = await started(model([{ v: 1, weights: [1] }, { v: 2, weights: [1] }]));
    const [p1, p2] = engine.policies;
    const counts = await engine.reload(model([{ v: 1, weights: [1] }, { v: 2, port: 81, weights: [1] }]));
    await engine.applied();
    expect(counts).toMatchObject({ vsAdded: 1, vsRemoved: 1, vsKept: 1, rsAdded: 1, rsRemoved: 1, rsKept: 1 });
    expect(engine.policies[0]).toBe(p1);
    expect(engine.policies[1]).not.toBe(p2);
    expect(calls.at(-1)!.changed).toEqual([key(2), key(2, 81)].sort());
    expect(table(calls.at(-1)!.rows)).toEqual(['10.6.0.1:80 1', '10.6.0.2:81 1']);
    engine.stop();
  });

  it('one virtual server needs a rebuild (a real server added): the others still kept in place, nothing applied twice', async () => {
    const { engine, calls } = await started(model([{ v: 1, weights: [1] }, { v: 2, weights: [1] }]));
    const [p1, p2] = engine.policies;
    const n = calls.length;
    const counts = await engine.reload(model([{ v: 1, weights: [5] }, { v: 2, weights: [1, 1] }]));
    await engine.applied();
    expect(counts).toMatchObject({ vsAdded: 0, vsRemoved: 0, vsKept: 2, rsAdded: 1, rsKept: 2 });
    expect(engine.policies[0]).toBe(p1);
    expect(engine.policies[1]).not.toBe(p2);
    expect(calls.length).toBe(n + 1);
    expect(calls.at(-1)!.changed).toEqual([key(1), key(2)]);
    expect(table(calls.at(-1)!.rows)).toEqual(['10.6.0.1:80 5', '10.6.0.2:80 1,1']);
    engine.stop();
  });
});
