// applyDesired's control flow (phases, failures, confirmation, logging) against a
// recording table double; the real kernel path is covered by test/kernel/ipvs-*.
import { describe, expect, it } from 'vitest';
import { applyDesired, describeOp } from '../../../src/ipvs/apply.js';
import { IpvsError } from '../../../src/ipvs/errors.js';
import type { IpvsKernel } from '../../../src/ipvs/kernel.js';
import { destKey, makeDest, makeService, serviceKey } from '../../../src/ipvs/model.js';
import { zeroStats, type IpvsDest, type IpvsService, type IpvsVirtualEntry } from '../../../src/ipvs/types.js';

/** Keeps a table in memory and records every call; `failOn` makes one call fail. */
function recordingTable(failOn?: (call: string) => number | undefined) {
  const rows = new Map<string, { service: IpvsService; dests: Map<string, IpvsDest> }>();
  const calls: string[] = [];
  const step = (call: string): void => {
    calls.push(call);
    const errno = failOn?.(call);
    if (errno) throw new IpvsError(call.split(' ')[0], call, errno);
  };
  const entry = (s: IpvsService) => ({ ...s, stats: zeroStats(), stats64: true });
  const dentry = (d: IpvsDest) => ({ ...d, activeConns: 0, inactConns: 0, persistConns: 0, stats: zeroStats(), stats64: true });
  const k: Partial<IpvsKernel> = {
    services: async () => [...rows.values()].map((r) => entry(r.service)),
    dests: async (s) => [...(rows.get(serviceKey(s))?.dests.values() ?? [])].map(dentry),
    table: async (): Promise<IpvsVirtualEntry[]> => [...rows.values()].map((r) => ({ service: entry(r.service), dests: [...r.dests.values()].map(dentry) })),
    addService: async (s) => { step(`addService ${serviceKey(s)}`); rows.set(serviceKey(s), { service: s, dests: new Map() }); },
    editService: async (s) => { step(`editService ${serviceKey(s)}`); rows.get(serviceKey(s))!.service = s; },
    deleteService: async (s) => { step(`deleteService ${serviceKey(s)}`); rows.delete(serviceKey(s)); },
    addDest: async (s, d) => { step(`addDest ${destKey(d)}`); rows.get(serviceKey(s))!.dests.set(destKey(d), d); },
    editDest: async (s, d) => { step(`editDest ${destKey(d)}`); rows.get(serviceKey(s))!.dests.set(destKey(d), d); },
    deleteDest: async (s, d) => { step(`deleteDest ${destKey(d)}`); rows.get(serviceKey(s))!.dests.delete(destKey(d)); },
  };
  return { k: k as IpvsKernel, calls, rows };
}

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
