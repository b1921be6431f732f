// The IPVS edge's failure path: when IPVS cannot be reached it logs `ipvs.apply` with the
// errno, never throws at the engine, and tries again with backoff. And its work per apply:
// only the services the engine names are diffed.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/daemon/backoff.js';
import { IpvsEdge } from '../../../src/daemon/ipvs-edge.js';
import { createLogger } from '../../../src/daemon/log.js';
import { IpvsError } from '../../../src/ipvs/errors.js';
import type { IpvsKernel } from '../../../src/ipvs/kernel.js';
import { makeDest, makeService, serviceKey } from '../../../src/ipvs/model.js';
import type { TableRow } from '../../../src/ipvs/reconcile.js';

function capture(): { log: ReturnType<typeof createLogger>; recs: Array<Record<string, unknown>> } {
  const recs: Array<Record<string, unknown>> = [];
  const out = new Writable({ write(chunk: Buffer, _e, cb) { for (const l of chunk.toString().split('\n')) if (l) recs.push(JSON.parse(l) as Record<string, unknown>); cb(); } });
  return { log: createLogger({ out }), recs };
}

const row = { service: makeService({ addr: '10.3.0.1', port: 80, protocol: 6, sched: 'wlc' }), dests: [makeDest({ addr: '10.3.0.2', port: 80, weight: 1 })] };

describe('IpvsEdge', () => {
  it('IPVS unreachable: logged with errno, retried with backoff, never thrown', async () => {
    const { log, recs } = capture();
    let opens = 0;
    const edge = new IpvsEdge({
      log,
      backoff: new Backoff(20, 40), // (the same failure each time: the scheduled retries are logged)
      open: async (): Promise<IpvsKernel> => {
        opens++;
        throw new IpvsError('resolve', 'generic netlink family IPVS', 2, 'is the ip_vs module loaded?');
      },
    });
    await expect(edge.apply([row])).resolves.toBeUndefined();
    const t0 = Date.now();
    while (opens < 4 && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 10));
    expect(opens).toBeGreaterThanOrEqual(4);
    const errs = recs.filter((r) => r.event === 'ipvs.apply' && r.level === 50);
    expect(errs[0]).toMatchObject({ errno: 2, code: 'ENOENT' });
    expect(recs.filter((r) => r.event === 'ipvs.apply' && typeof r.retryInMs === 'number').map((r) => r.retryInMs).slice(0, 3)).toEqual([20, 40, 40]);
    expect(edge.failures).toBeGreaterThanOrEqual(4);
    await edge.close({ keep: false, flush: undefined });
    const n = opens;
    await new Promise((r) => setTimeout(r, 100));
    expect(opens).toBe(n); // no retry after close
  });

  it('the same failure again within repeatLogMs goes to debug, counted on the next line logged; a success after it is logged', async () => {
    const { log, recs } = capture();
    let fail = true;
    let opens = 0;
    const kernel = { table: async () => [], addService: async () => {}, addDest: async () => {}, close: () => {} } as unknown as IpvsKernel;
    const edge = new IpvsEdge({
      log,
      backoff: new Backoff(10_000, 10_000), // no retry of its own within the test: each apply is one attempt
      repeatLogMs: 300,
      open: async (): Promise<IpvsKernel> => {
        opens++;
        if (fail) throw new IpvsError('resolve', 'generic netlink family IPVS', 2, 'is the ip_vs module loaded?');
        return kernel;
      },
    });
    const errors = () => recs.filter((r) => r.event === 'ipvs.apply' && r.level === 50);
    const warns = () => recs.filter((r) => r.event === 'ipvs.apply' && r.level === 40);
    // a burst of changes while IPVS is unreachable: one error line, one retry line
    for (let i = 0; i < 5; i++) await edge.apply([row]);
    expect(opens).toBe(5);
    expect(errors()).toHaveLength(1);
    expect(warns()).toHaveLength(1);
    // after repeatLogMs the same failure is logged again, with the count of those not logged
    await new Promise((r) => setTimeout(r, 350));
    await edge.apply([row]);
    expect(errors()).toHaveLength(2);
    expect(errors()[1]).toMatchObject({ errno: 2, repeated: 4 });
    expect(warns()).toHaveLength(2);
    // and then not again within repeatLogMs
    await edge.apply([row]);
    expect(errors()).toHaveLength(2);
    fail = false;
    await edge.apply([row]);
    expect(recs.filter((r) => r.recovered === true)).toEqual([expect.objectContaining({ level: 30, repeated: 1 })]);
    await edge.close({ keep: true, flush: undefined });
  });

  it('nothing wanted and nothing owned: IPVS is never opened', async () => {
    const { log } = capture();
    let opens = 0;
    const edge = new IpvsEdge({ log, open: async () => { opens++; throw new Error('no'); } });
    await edge.apply([]);
    expect(opens).toBe(0);
    expect(await edge.dump()).toEqual([]);
    await edge.close({ keep: false, flush: undefined });
  });

  it('an apply naming some services diffs only those; a named service no longer wanted is deleted', async () => {
    const { log } = capture();
    const ops: string[] = [];
    const k = {
      table: async () => [],
      addService: async () => void ops.push('addService'),
      editService: async () => void ops.push('editService'),
      deleteService: async (s: { addr: string }) => void ops.push(`deleteService ${s.addr}`),
      addDest: async (s: { addr: string }) => void ops.push(`addDest ${s.addr}`),
      editDest: async (s: { addr: string }, d: { weight: number }) => void ops.push(`editDest ${s.addr} ${d.weight}`),
      deleteDest: async (s: { addr: string }) => void ops.push(`deleteDest ${s.addr}`),
      close: () => {},
    } as unknown as IpvsKernel;
    const edge = new IpvsEdge({ log, open: async () => k });
    const svc = (a: string) => makeService({ addr: a, port: 80, protocol: 6, sched: 'wlc' });
    const rowOf = (a: string, w: number): TableRow => ({ service: svc(a), dests: [makeDest({ addr: '10.3.1.1', port: 80, weight: w })] });
    await edge.apply([rowOf('10.3.0.1', 1), rowOf('10.3.0.2', 1)]);
    expect(ops.sort()).toEqual(['addDest 10.3.0.1', 'addDest 10.3.0.2', 'addService', 'addService']);
    ops.length = 0;
    // both rows differ from the kernel's, only the first is named: only it is diffed
    await edge.apply([rowOf('10.3.0.1', 2), rowOf('10.3.0.2', 3)], new Set([serviceKey(svc('10.3.0.1'))]));
    expect(ops).toEqual(['editDest 10.3.0.1 2']);
    ops.length = 0;
    await edge.apply([rowOf('10.3.0.1', 2)], new Set([serviceKey(svc('10.3.0.2'))]));
    expect(ops).toEqual(['deleteService 10.3.0.2']);
    expect([...edge.ownedKeys]).toEqual([serviceKey(svc('10.3.0.1'))]);
    ops.length = 0;
    // no names: everything is diffed (the weight 3 never reached the kernel, 2 did)
    await edge.apply([rowOf('10.3.0.1', 2)]);
    expect(ops).toEqual([]);
    await edge.close({ keep: true, flush: undefined });
  });
});
