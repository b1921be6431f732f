// The IPVS edge's failure path: when IPVS cannot be reached it logs `ipvs.apply` with the
// errno, never throws at the engine, and tries again with backoff.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/daemon/backoff.js';
import { IpvsEdge } from '../../../src/daemon/ipvs-edge.js';
import { createLogger } from '../../../src/daemon/log.js';
import { IpvsError } from '../../../src/ipvs/errors.js';
import type { IpvsKernel } from '../../../src/ipvs/kernel.js';
import { makeDest, makeService } from '../../../src/ipvs/model.js';

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
      backoff: new Backoff(20, 40),
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

  it('nothing wanted and nothing owned: IPVS is never opened', async () => {
    const { log } = capture();
    let opens = 0;
    const edge = new IpvsEdge({ log, open: async () => { opens++; throw new Error('no'); } });
    await edge.apply([]);
    expect(opens).toBe(0);
    expect(await edge.dump()).toEqual([]);
    await edge.close({ keep: false, flush: undefined });
  });
});

