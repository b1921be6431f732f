// IpvsTableCache: the first apply reads the table, later ones send only what changed and
// read nothing back unless an operation failed; then only that service is read again.
import { describe, expect, it } from 'vitest';
import { IpvsTableCache } from '../../../src/ipvs/cache.js';
import { makeDest, makeService, serviceKey } from '../../../src/ipvs/model.js';
import { recordingTable } from './recording-table.js';

const web = makeService({ addr: '10.0.0.1', port: 80 });
const dns = makeService({ addr: '10.0.0.1', port: 53, protocol: 17 });
const foreign = makeService({ addr: '10.9.9.9', port: 22 });
const d = (n: number, weight = 1) => makeDest({ addr: `192.168.0.${n}`, port: 80, fwd: 'masq', weight });

describe('IpvsTableCache', () => {
  it('reads once, then sends only the changes and reads nothing back', async () => {
    const t = recordingTable();
    await t.k.addService(foreign);
    t.calls.length = 0;
    const c = new IpvsTableCache(t.k);
    const first = await c.apply([{ service: web, dests: [d(1), d(2)] }, { service: dns, dests: [d(3)] }]);
    expect(first).toMatchObject({ confirmed: true, applied: 5, failures: [] });
    expect(t.reads).toEqual(['table']);
    t.calls.length = 0;
    t.reads.length = 0;
    const second = await c.apply([{ service: web, dests: [d(1, 7), d(2)] }, { service: dns, dests: [d(3)] }]);
    expect(t.calls).toEqual(['editDest 192.168.0.1/80']);
    expect(t.reads).toEqual([]);
    expect(second.confirmed).toBe(true);
    // the cache holds the new weight and the foreign service, untouched
    expect(c.table!.map((r) => serviceKey(r.service)).sort()).toEqual([serviceKey(foreign), serviceKey(web), serviceKey(dns)].sort());
    expect(c.table!.find((r) => r.service === web)!.dests[0].weight).toBe(7);
    t.calls.length = 0;
    expect((await c.apply([{ service: web, dests: [d(1, 7), d(2)] }, { service: dns, dests: [d(3)] }])).ops).toEqual([]);
    expect(t.calls).toEqual([]);
  });

  it('keeps the applied arrays, so a row built on one (TableRow.base) is diffed by its changed entries', async () => {
    const t = recordingTable();
    const c = new IpvsTableCache(t.k);
    const first = Array.from({ length: 50 }, (_, i) => d(i + 1));
    await c.apply([{ service: web, dests: first }]);
    expect(c.table![0].dests).toBe(first);
    t.calls.length = 0;
    // a row that lies outside its hinted entry: only the hinted one is looked at
    const next = first.map((x, i) => (i === 9 ? d(10, 4) : i === 20 ? d(21, 9) : x));
    const res = await c.apply([{ service: web, dests: next, base: { dests: first, at: [9] } }]);
    expect(t.calls).toEqual(['editDest 192.168.0.10/80']);
    expect(res.confirmed).toBe(true);
    expect(c.table![0].dests).toBe(next);
    // a hint whose base is not what the cache holds is ignored: every entry is compared
    t.calls.length = 0;
    const third = next.map((x, i) => (i === 30 ? d(31, 3) : x));
    await c.apply([{ service: web, dests: third, base: { dests: first, at: [9] } }]);
    expect(t.calls).toEqual(['editDest 192.168.0.31/80']);
  });

  it('takes each changed service\'s desired row, whichever rows between them changed nothing, and drops deleted ones', async () => {
    const t = recordingTable();
    const c = new IpvsTableCache(t.k);
    const svcs = [1, 2, 3, 4].map((i) => makeService({ addr: `10.0.1.${i}`, port: 80 }));
    await c.apply(svcs.map((service, i) => ({ service, dests: [d(i + 1)] })));
    const rows = [
      { service: svcs[0], dests: [d(1, 5)] },
      { service: svcs[1], dests: c.table![1].dests },
      { service: svcs[2], dests: [d(3, 6), d(9)] },
    ];
    t.calls.length = 0;
    const res = await c.apply(rows, new Set(svcs.map((s) => serviceKey(s))));
    expect(res.confirmed).toBe(true);
    expect(t.calls).toEqual(['editDest 192.168.0.1/80', 'addDest 192.168.0.9/80', 'editDest 192.168.0.3/80', `deleteService ${serviceKey(svcs[3])}`]);
    const held = c.table!;
    expect(held.map((r) => serviceKey(r.service))).toEqual(svcs.slice(0, 3).map((s) => serviceKey(s)));
    expect(held[0].dests).toBe(rows[0].dests);
    expect(held[1].dests).toBe(rows[1].dests);
    expect(held[2].dests).toBe(rows[2].dests);
  });

  it('drops services lvsd owns but no longer wants, and forgets them', async () => {
    const t = recordingTable();
    const c = new IpvsTableCache(t.k);
    await c.apply([{ service: web, dests: [d(1)] }, { service: dns, dests: [d(3)] }]);
    t.calls.length = 0;
    const r = await c.apply([{ service: web, dests: [d(1)] }], new Set([serviceKey(dns)]));
    expect(t.calls).toEqual([`deleteService ${serviceKey(dns)}`]);
    expect(r.table.map((x) => serviceKey(x.service))).toEqual([serviceKey(web)]);
  });

  it('reads back only the service whose operation failed and reports what still differs', async () => {
    const t = recordingTable((call) => (call === 'editDest 192.168.0.3/80' ? 2 : undefined));
    const logs: Array<Record<string, unknown>> = [];
    const log = { info: () => undefined, error: (o: object) => logs.push(o as Record<string, unknown>) };
    const c = new IpvsTableCache(t.k, log);
    await c.apply([{ service: web, dests: [d(1)] }, { service: dns, dests: [d(3)] }]);
    // someone removed dns's destination behind lvsd's back: the edit fails with ENOENT
    await t.k.deleteDest(dns, d(3));
    t.reads.length = 0;
    const r = await c.apply([{ service: web, dests: [d(1, 4)] }, { service: dns, dests: [d(3, 5)] }]);
    expect(r.failures.map((f) => f.op.op)).toEqual(['editDest']);
    expect(t.reads).toEqual([`service ${serviceKey(dns)}`, `dests ${serviceKey(dns)}`]);
    expect(r.confirmed).toBe(false);
    expect(r.remaining).toEqual([{ op: 'addDest', service: dns, dest: d(3, 5) }]);
    // web's edit was acknowledged; the cache now knows dns has no destination, so the next apply adds it
    t.calls.length = 0;
    const again = await c.apply([{ service: web, dests: [d(1, 4)] }, { service: dns, dests: [d(3, 5)] }]);
    expect(t.calls).toEqual(['addDest 192.168.0.3/80']);
    expect(again.confirmed).toBe(true);
    expect(logs).toEqual([expect.objectContaining({ event: 'ipvs.apply', op: 'editDest', dest: '192.168.0.3:80', errno: 2, code: 'ENOENT' })]);
  });

  it('the summary line: at once, or (summaryLater) in a later turn, after apply() resolved; none without operations', async () => {
    for (const later of [false, true]) {
      const t = recordingTable();
      const infos: Array<Record<string, unknown>> = [];
      const log = { info: (o: object) => infos.push(o as Record<string, unknown>), error: () => undefined };
      const c = new IpvsTableCache(t.k, log, serviceKey, later);
      await c.apply([{ service: web, dests: [d(1), d(2)] }]);
      expect(infos.length).toBe(later ? 0 : 1);
      await new Promise((r) => setImmediate(r));
      expect(infos).toEqual([expect.objectContaining({ event: 'ipvs.apply', ops: 3, addService: 1, addDest: 2, confirmed: true })]);
      await c.apply([{ service: web, dests: [d(1), d(2)] }]);
      await new Promise((r) => setImmediate(r));
      expect(infos.length).toBe(1);
    }
  });

  it('invalidate() makes the next apply read the whole table again', async () => {
    const t = recordingTable();
    const c = new IpvsTableCache(t.k);
    await c.apply([{ service: web, dests: [d(1)] }]);
    c.invalidate();
    expect(c.table).toBeUndefined();
    t.reads.length = 0;
    await c.apply([{ service: web, dests: [d(1)] }]);
    expect(t.reads).toEqual(['table']);
  });
});
