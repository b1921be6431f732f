// The default request path against the real kernel: several plain requests in one
// datagram (only the last asks for an acknowledgement; a failure is answered by its
// sequence number wherever it is), and the daemon's cached-table apply.
import { describe, expect, it } from 'vitest';
import { withIpvs } from './ipvs/env.js';
import { makeDest, makeService, serviceKey } from '../../src/ipvs/model.js';

const web = makeService({ addr: '10.0.0.1', port: 80, sched: 'wrr' });
const dd = (n: number, weight = 1) => makeDest({ addr: `172.16.0.${n}`, port: 80, fwd: 'masq', weight });

interface Batch { outcomes: string[]; requests: number; datagrams: number }
interface Applied {
  ops: Array<{ op: string }>;
  failures: Array<{ op: { op: string }; error: string }>;
  remaining: Array<{ op: string }>;
  confirmed: boolean;
  logs: Array<{ level: string; obj: Record<string, unknown> }>;
}

describe('requests sharing one datagram', { timeout: 180_000 }, () => {
  it.each([
    ['', { sockets: 1, pipeline: 64 }],
    [' (error acks longer than the read: errno from the header)', { sockets: 1, pipeline: 64, ackReadSize: 40 }],
  ])('run in order; a failure in the middle keeps its own errno and the requests after it still run%s', async (_name, client) => {
    await withIpvs(async (env) => {
      env.ipvsadm('-A', '-t', '10.0.0.1:80', '-s', 'wrr');
      env.ipvsadm('-a', '-t', '10.0.0.1:80', '-r', '172.16.0.2:80', '-m', '-w', '3');
      const r = await env.lvsd.call<Batch>('batch', [
        ['addDest', web, dd(1)],
        ['addDest', web, dd(2)], // exists: EEXIST
        ['addDest', web, dd(3)],
        ['deleteDest', web, dd(9)], // absent: ENOENT
        ['editDest', web, dd(1, 7)], // only succeeds if the add of .1 before it in the datagram ran first
        ['addService', web], // exists: EEXIST
        ['addDest', web, dd(4, 2)],
        ['deleteDest', web, dd(8)], // absent, and last (the one that asks for the acknowledgement): ENOENT
      ]);
      expect(r).toEqual({ outcomes: ['ok', 'EEXIST', 'ok', 'ENOENT', 'ok', 'EEXIST', 'ok', 'ENOENT'], requests: 8, datagrams: 1 });
      expect(env.ipvsadm('-S', '-n').trim().split('\n').sort()).toEqual([
        '-A -t 10.0.0.1:80 -s wrr',
        '-a -t 10.0.0.1:80 -r 172.16.0.1:80 -m -w 7',
        '-a -t 10.0.0.1:80 -r 172.16.0.2:80 -m -w 3',
        '-a -t 10.0.0.1:80 -r 172.16.0.3:80 -m -w 1',
        '-a -t 10.0.0.1:80 -r 172.16.0.4:80 -m -w 2',
      ]);
    }, client);
  });

  it('a large batch over the default pool: every acknowledgement matched, the table as ipvsadm sees it', async () => {
    await withIpvs(async (env) => {
      env.ipvsadm('-A', '-t', '10.0.0.1:80', '-s', 'wrr');
      const calls = Array.from({ length: 1000 }, (_, i) => ['addDest', web, makeDest({ addr: `172.17.${i >> 8}.${i & 255}`, port: 80, fwd: 'masq' })]);
      // every 100th is a duplicate of the one before: EEXIST exactly there
      for (let i = 100; i < calls.length; i += 100) calls[i] = calls[i - 1];
      const r = await env.lvsd.call<Batch>('batch', calls);
      expect(r.requests).toBe(1000);
      expect(r.datagrams).toBeLessThan(100);
      expect(r.outcomes.map((o, i) => (o === 'ok' ? '' : `${i}:${o}`)).filter(Boolean)).toEqual(
        Array.from({ length: 9 }, (_, j) => `${(j + 1) * 100}:EEXIST`));
      expect(env.ipvsadm('-S', '-n').split('\n').filter((l) => l.startsWith('-a'))).toHaveLength(991);
    });
  });
});

describe('cached-table apply (the daemon path)', { timeout: 180_000 }, () => {
  it('sends only the change, and after an outside change reads back only the failed service', async () => {
    await withIpvs(async (env) => {
      env.ipvsadm('-A', '-t', '10.9.9.9:22', '-s', 'rr');
      const dns = makeService({ protocol: 17, addr: '10.0.0.1', port: 53, sched: 'rr' });
      const owned = [serviceKey(web), serviceKey(dns)];
      const want = (w: number) => [{ service: web, dests: [dd(1, w), dd(2), dd(3)] }, { service: dns, dests: [dd(5)] }];
      let r = await env.lvsd.call<Applied>('cacheApply', want(1), owned);
      expect(r).toMatchObject({ confirmed: true, failures: [] });
      expect(r.ops).toHaveLength(6);

      r = await env.lvsd.call<Applied>('cacheApply', want(6), owned);
      expect(r).toMatchObject({ confirmed: true, failures: [], ops: [{ op: 'editDest' }] });
      expect(env.ipvsadm('-S', '-n')).toContain('-a -t 10.0.0.1:80 -r 172.16.0.1:80 -m -w 6');

      // removed behind lvsd's back: the cached edit fails with ENOENT, the read-back finds out
      env.ipvsadm('-d', '-t', '10.0.0.1:80', '-r', '172.16.0.1:80');
      r = await env.lvsd.call<Applied>('cacheApply', want(8), owned);
      expect(r.failures).toEqual([{ op: expect.objectContaining({ op: 'editDest' }), error: expect.stringContaining('ENOENT') }]);
      expect(r).toMatchObject({ confirmed: false, remaining: [{ op: 'addDest' }] });
      expect(r.logs.find((l) => l.level === 'error')!.obj).toMatchObject({ event: 'ipvs.apply', errno: 2, code: 'ENOENT' });

      r = await env.lvsd.call<Applied>('cacheApply', want(8), owned);
      expect(r).toMatchObject({ confirmed: true, failures: [], ops: [{ op: 'addDest' }] });
      const saved = env.ipvsadm('-S', '-n');
      expect(saved).toContain('-a -t 10.0.0.1:80 -r 172.16.0.1:80 -m -w 8');
      expect(saved).toContain('-A -t 10.9.9.9:22 -s rr');
      expect((await env.lvsd.cli('list', '-n')).stdout).toBe(env.ipvsadm('-L', '-n'));
    });
  });
});
