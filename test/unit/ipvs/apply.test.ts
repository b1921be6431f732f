// applyDesired's control flow (phases, failures, confirmation, logging) against a
// recording table double; the real kernel path is covered by test/kernel/ipvs-*.
import { describe, expect, it } from 'vitest';
import { applyDesired, byPhase, describeOp, logApply } from '../../../src/ipvs/apply.js';
import type { IpvsOp } from '../../../src/ipvs/reconcile.js';
import { makeDest, makeService, serviceKey } from '../../../src/ipvs/model.js';
import { recordingTable } from './recording-table.js';

const web = makeService({ addr: '10.0.0.1', port: 80 });
const old = makeService({ addr: '10.0.0.2', port: 80 });
const d = (n: number, weight = 1) => makeDest({ addr: `192.168.0.${n}`, port: 80, fwd: 'masq', weight });

describe('applyDesired', () => {
  it('creates services before their destinations and deletes services last, then confirms', async () => {
    const t = recordingTable();
    await t.k.addService(old);
    t.calls.length = 0;
    const logs: Array<[string, Record<string, unknown>]> = [];
    const log = { info: (o: object) => logs.push(['info', o as Record<string, unknown>]), error: (o: object) => logs.push(['error', o as Record<string, unknown>]) };
    const r = await applyDesired(t.k, [{ service: web, dests: [d(1), d(2)] }], new Set([serviceKey(old)]), log);
    expect(t.calls).toEqual(['addService 2/6/10.0.0.1/80', 'addDest 192.168.0.1/80', 'addDest 192.168.0.2/80', 'deleteService 2/6/10.0.0.2/80']);
    expect(r).toMatchObject({ applied: 4, failures: [], remaining: [], confirmed: true });
    expect(logs).toEqual([['info', expect.objectContaining({ event: 'ipvs.apply', ops: 4, addDest: 2, deleteService: 1, confirmed: true })]]);
  });
  it('keeps going after a failure, logs errno and object, and reports what still differs', async () => {
    const t = recordingTable((c) => (c === 'addDest 192.168.0.1/80' ? 12 : undefined));
    const logs: Array<Record<string, unknown>> = [];
    const log = { info: () => undefined, error: (o: object) => logs.push(o as Record<string, unknown>) };
    const r = await applyDesired(t.k, [{ service: web, dests: [d(1), d(2)] }], new Set(), log);
    expect(r.failures.map((f) => describeOp(f.op))).toEqual(['addDest 192.168.0.1:80 in TCP 10.0.0.1:80']);
    expect(r.confirmed).toBe(false);
    expect(r.remaining.map((o) => o.op)).toEqual(['addDest']);
    expect(logs[0]).toMatchObject({ event: 'ipvs.apply', op: 'addDest', dest: '192.168.0.1:80', errno: 12, code: 'ENOMEM' });
  });
  it('uses a cached table when given one, and returns the table after the change', async () => {
    const t = recordingTable();
    const first = await applyDesired(t.k, [{ service: web, dests: [d(1), d(2)] }]);
    t.calls.length = 0;
    const second = await applyDesired(t.k, [{ service: web, dests: [d(1, 9), d(2)] }], new Set(), undefined, { actual: first.table });
    expect(t.calls).toEqual(['editDest 192.168.0.1/80']);
    expect(second.table[0].dests.find((x) => x.addr === '192.168.0.1')!.weight).toBe(9);
  });
});

describe('byPhase', () => {
  it('puts service creations and edits first, destinations next, service deletions last, each in order', () => {
    const ops: IpvsOp[] = [
      { op: 'editDest', service: web, dest: d(1) },
      { op: 'deleteService', service: old },
      { op: 'addService', service: web },
      { op: 'deleteDest', service: web, dest: d(2) },
      { op: 'editService', service: old },
      { op: 'addDest', service: web, dest: d(3) },
    ];
    const name = (o: IpvsOp): string => ('dest' in o ? `${o.op} ${o.dest.addr}` : `${o.op} ${o.service.addr}`);
    expect(byPhase(ops).map((p) => p.map(name))).toEqual([
      ['addService 10.0.0.1', 'editService 10.0.0.2'],
      ['editDest 192.168.0.1', 'deleteDest 192.168.0.2', 'addDest 192.168.0.3'],
      ['deleteService 10.0.0.2'],
    ]);
    expect(byPhase([])).toEqual([[], [], []]);
  });
});

describe('logApply', () => {
  it('counts the operations of each kind on the summary line', () => {
    const ops: IpvsOp[] = [
      { op: 'editDest', service: web, dest: d(1) }, { op: 'editDest', service: web, dest: d(4) },
      { op: 'deleteService', service: old }, { op: 'addService', service: web },
      { op: 'deleteDest', service: web, dest: d(2) }, { op: 'editService', service: old },
      { op: 'addDest', service: web, dest: d(3) }, { op: 'addDest', service: web, dest: d(5) }, { op: 'addDest', service: web, dest: d(6) },
    ];
    const infos: object[] = [];
    logApply({ info: (o) => infos.push(o), error: () => {} }, { table: [], ops, applied: 9, failures: [], remaining: [], confirmed: true });
    expect(infos).toEqual([expect.objectContaining({
      ops: 9, addService: 1, editService: 1, deleteService: 1, addDest: 3, editDest: 2, deleteDest: 1, confirmed: true,
    })]);
  });
});
