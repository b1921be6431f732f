// The timed engine of lvsd_probe (createTimed) on loopback: due order and the quantum, the
// in-flight cap, timeouts, re-arming from the replies, unregister while in flight, the pause
// with its held checks, ha_suspend skips, slot reuse, and no descriptor left behind.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { P_AT_ONCE, P_CONNECT, R_DATA, R_DONE, R_EOF, R_FAIL } from '../../../../src/check/native/connect-engine.js';
import { R_TIMEOUT, T_CONNECT, T_FIRST_READ, type TimedOwner } from '../../../../src/check/native/timed-checks.js';
import { closedPort, lateAcceptPort } from '../servers.js';
import { until } from '../../support/until.js';
import { enginesPerTest, loopbackServers, sa, sleep, tcp } from './timed-setup.js';

const openFds = () => readdirSync('/proc/self/fd').length;
/** the descriptor count once earlier tests' sockets (closed asynchronously by their servers) are gone */
async function settledFds(): Promise<number> {
  let n = openFds();
  for (let i = 0; i < 20; i++) {
    await sleep(20);
    const m = openFds();
    if (m === n) return m;
    n = m;
  }
  return n;
}
const ms = () => performance.now();

interface Rec {
  at: number;
  kind: number;
  a: number;
  b: number;
  latencyUs: number;
  data?: string;
}

/** an owner that records every record and answers each attempt's end with `delays` (then -1) */
function owner(delays: number[] | ((n: number) => number), steps: number[] = []): TimedOwner & { recs: Rec[]; ends: number[] } {
  const o = {
    recs: [] as Rec[],
    ends: [] as number[],
    nextStep: 0,
    timedRecord(kind: number, a: number, b: number, latencyUs: number, data: Buffer): number {
      o.recs.push({ at: ms(), kind, a, b, latencyUs, ...(kind === R_DATA ? { data: data.toString('latin1', a, a + b) } : {}) });
      if (kind === R_DATA) return -1;
      const n = o.ends.length;
      o.ends.push(ms());
      o.nextStep = steps[n] ?? 0;
      return typeof delays === 'function' ? delays(n) : (delays[n] ?? -1);
    },
  };
  return o;
}

const srv = loopbackServers();
const engine = enginesPerTest();

describe('timed check engine (lvsd_probe createTimed)', () => {
  it('runs a check first after its delay, then at due + each reply, on quantum boundaries', async () => {
    const timed = engine({ quantumUs: 25_000 });
    const o = owner([100_000, 100_000, 100_000, -1]);
    const t0 = ms();
    timed.register(o, tcp(sa('127.0.0.1', srv.up.port)), 30_000, 1_000_000);
    await sleep(450);
    expect(o.recs.map((r) => r.kind)).toEqual([R_DONE, R_DONE, R_DONE, R_DONE]);
    expect(o.recs.every((r) => r.a === 0)).toBe(true);
    // first at >= 30 ms (rounded up to a 25 ms boundary: before 50 + a loop turn), then 100 ms apart
    expect(o.ends[0] - t0).toBeGreaterThanOrEqual(29);
    expect(o.ends[0] - t0).toBeLessThan(90);
    for (let i = 1; i < 4; i++) expect(o.ends[i] - o.ends[i - 1]).toBeGreaterThan(80);
    for (let i = 1; i < 4; i++) expect(o.ends[i] - o.ends[i - 1]).toBeLessThan(125);
    // -1: not re-armed
    expect(timed.scheduled()).toBe(0);
    expect(timed.started()).toBe(4);
  });

  it('sizes its quantum to the checks registered when none is given, and starts on the new boundaries', async () => {
    const timed = engine();
    expect(timed.quantumUs()).toBe(100_000);
    const target = tcp(sa('127.0.0.1', srv.up.port));
    // 6,000 checks with delay_loop 0.5 s: 12,000 starts a second -> the shortest quantum
    const many = Array.from({ length: 6000 }, () => timed.register(owner([-1]), target, 3_600_000_000, 500_000) as number);
    await Promise.resolve();
    expect(timed.quantumUs()).toBe(25_000);
    for (const s of many) timed.unregister(s);
    await Promise.resolve();
    expect(timed.quantumUs()).toBe(100_000);
    // the engine itself runs on 100 ms boundaries now: four checks due 5-60 ms past one start together
    const now = Number(process.hrtime.bigint() / 1000n);
    const lead = Math.ceil(now / 100_000) * 100_000 - now;
    const seen: number[] = [];
    for (const offset of [5_000, 30_000, 60_000, 45_000]) {
      const o = owner([-1]);
      const rec = o.timedRecord.bind(o);
      o.timedRecord = (...args) => {
        seen.push(ms());
        return rec(...args);
      };
      timed.register(o, target, lead + offset, 1_000_000);
    }
    await until(() => seen.length === 4, 1000);
    expect(Math.max(...seen) - Math.min(...seen)).toBeLessThan(5);
  });

  it('checks due within one quantum start on one wakeup, earliest due first', async () => {
    const timed = engine({ quantumUs: 100_000 });
    const order: number[] = [];
    const batches: number[] = [];
    // dues within one quantum of the engine's clock (uv_hrtime, as process.hrtime)
    const now = Number(process.hrtime.bigint() / 1000n);
    const lead = Math.ceil(now / 100_000) * 100_000 - now;
    const owners = [40_000, 10_000, 70_000, 30_000].map((offset, i) => {
      const first = lead + offset;
      const o = owner([-1]);
      const rec = o.timedRecord.bind(o);
      o.timedRecord = (...args) => {
        order.push(i);
        batches.push(ms());
        return rec(...args);
      };
      timed.register(o, tcp(sa('127.0.0.1', srv.up.port)), first, 1_000_000);
      return o;
    });
    await sleep(350);
    expect(owners.every((o) => o.ends.length === 1)).toBe(true);
    expect(order).toEqual([1, 3, 0, 2]);
    // one wakeup at the 100 ms boundary: the four records came together
    expect(Math.max(...batches) - Math.min(...batches)).toBeLessThan(5);
  });

  it('a refused connect and a timed-out one: R_DONE -ECONNREFUSED, R_TIMEOUT while connecting', async () => {
    const timed = engine({ quantumUs: 0 });
    const refused = owner([-1]);
    const silent = owner([-1]);
    const t0 = ms();
    timed.register(refused, tcp(sa('127.0.0.1', await closedPort())), 0, 1_000_000);
    timed.register(silent, tcp(sa('127.0.0.1', srv.hole.port), 150_000), 0, 1_000_000);
    await sleep(400);
    expect(refused.recs).toMatchObject([{ kind: R_DONE, a: -111 }]);
    expect(silent.recs).toMatchObject([{ kind: R_TIMEOUT, a: T_CONNECT }]);
    expect(silent.ends[0] - t0).toBeGreaterThanOrEqual(145);
    expect(silent.recs[0].latencyUs).toBeGreaterThanOrEqual(145_000);
    expect(timed.inFlight()).toBe(0);
  });

  it('an HTTP exchange: the request of the step the reply chose, the response as data then EOF', async () => {
    const timed = engine({ quantumUs: 0 });
    const o = owner([20_000, 20_000, -1], [1, 0, 0]);
    const requests = ['/zero', '/one'].map((p) => Buffer.from(`GET ${p} HTTP/1.0\r\n\r\n`));
    timed.register(o, { ...tcp(sa('127.0.0.1', srv.http.port)), requests }, 0, 1_000_000);
    await sleep(300);
    const pages = o.recs.filter((r) => r.kind === R_DATA).map((r) => r.data?.split('\r\n\r\n')[1]);
    expect(pages).toEqual(['page /zero', 'page /one', 'page /zero']);
    expect(o.recs.filter((r) => r.kind === R_EOF)).toHaveLength(3);
  });

  it('an HTTP server that never answers: R_TIMEOUT waiting for the first byte', async () => {
    const timed = engine({ quantumUs: 0 });
    const o = owner([-1]);
    timed.register(o, { ...tcp(sa('127.0.0.1', srv.up.port), 100_000), requests: [Buffer.from('GET / HTTP/1.0\r\n\r\n')] }, 0, 1_000_000);
    await sleep(300);
    expect(o.recs).toMatchObject([{ kind: R_TIMEOUT, a: T_FIRST_READ }]);
  });

  it('an HTTP connect refused: R_FAIL with the errno', async () => {
    const timed = engine({ quantumUs: 0 });
    const o = owner([-1]);
    timed.register(o, { ...tcp(sa('127.0.0.1', await closedPort())), requests: [Buffer.from('GET / HTTP/1.0\r\n\r\n')] }, 0, 1_000_000);
    await sleep(150);
    expect(o.recs).toHaveLength(1);
    expect(o.recs[0]).toMatchObject({ kind: R_FAIL, a: -111 });
  });

  it('the in-flight cap holds the rest back until attempts end (backpressure)', async () => {
    const timed = engine({ quantumUs: 0, maxInFlight: 2 });
    const os = [0, 1, 2, 3].map(() => owner([-1]));
    for (const o of os) timed.register(o, tcp(sa('127.0.0.1', srv.hole.port), 100_000), 0, 1_000_000);
    await sleep(50);
    expect(timed.inFlight()).toBe(2);
    expect(timed.scheduled()).toBe(2);
    await sleep(400);
    expect(os.every((o) => o.recs.length === 1 && o.recs[0].kind === R_TIMEOUT)).toBe(true);
    // the last two started when the first two timed out
    expect(os[2].ends[0] - os[0].ends[0]).toBeGreaterThan(80);
    expect(timed.inFlight()).toBe(0);
  });

  it('unregister while in flight: the socket closes, nothing is reported, the slot is reused', async () => {
    const timed = engine({ quantumUs: 0 });
    const before = await settledFds();
    const o = owner([-1]);
    const slot = timed.register(o, tcp(sa('127.0.0.1', srv.hole.port), 5_000_000), 0, 1_000_000);
    await sleep(50);
    expect(timed.inFlight()).toBe(1);
    expect(openFds()).toBe(before + 1);
    timed.unregister(slot);
    expect(timed.inFlight()).toBe(0);
    expect(openFds()).toBe(before);
    await sleep(100);
    expect(o.recs).toHaveLength(0);
    const again = timed.register(owner([-1]), tcp(sa('127.0.0.1', srv.up.port)), 0, 1_000_000);
    expect(again).toBe(slot);
    expect(timed.slotsMade()).toBe(1);
  });

  it('pause holds due checks; resume starts them at once; a held check unregistered never runs', async () => {
    const timed = engine({ quantumUs: 0 });
    const a = owner([-1]);
    const b = owner([-1]);
    timed.pause();
    timed.register(a, tcp(sa('127.0.0.1', srv.up.port)), 0, 1_000_000);
    const sb = timed.register(b, tcp(sa('127.0.0.1', srv.up.port)), 10_000, 1_000_000);
    await sleep(100);
    expect(a.recs).toHaveLength(0);
    expect(timed.held()).toBe(2);
    timed.unregister(sb);
    const t = ms();
    expect(timed.resume()).toBe(1);
    await sleep(60);
    expect(a.recs).toHaveLength(1);
    expect(a.ends[0] - t).toBeLessThan(40);
    expect(b.recs).toHaveLength(0);
  });

  it('suspended (ha_suspend): attempts are skipped at the skip delay, and run again once resumed', async () => {
    const timed = engine({ quantumUs: 0 });
    const o = owner(() => 30_000);
    const slot = timed.register(o, tcp(sa('127.0.0.1', srv.up.port)), 0, 30_000);
    timed.suspend(slot, true);
    await sleep(150);
    expect(o.recs).toHaveLength(0);
    expect(timed.started()).toBe(0);
    timed.suspend(slot, false);
    await sleep(150);
    expect(o.recs.length).toBeGreaterThanOrEqual(2);
    timed.unregister(slot);
  });

  it('a suspended check with a zero skip delay is skipped once per pass (no busy loop)', async () => {
    const timed = engine({ quantumUs: 10_000 });
    const o = owner([-1]);
    const slot = timed.register(o, tcp(sa('127.0.0.1', srv.up.port)), 0, 0);
    timed.suspend(slot, true);
    const t = ms();
    await sleep(100);
    // the event loop stayed free: the sleep ended on time
    expect(ms() - t).toBeLessThan(200);
    expect(timed.started()).toBe(0);
    timed.suspend(slot, false);
    await until(() => o.recs.length === 1, 2000);
  });

  it('a reply on a data record ends the exchange early (a header too long): socket closed, re-armed', async () => {
    const timed = engine({ quantumUs: 0 });
    let n = 0;
    const o: TimedOwner & { kinds: number[] } = {
      kinds: [],
      nextStep: 0,
      timedRecord(kind) {
        o.kinds.push(kind);
        if (kind !== R_DATA || n > 0) return -1;
        n++;
        return 50_000;
      },
    };
    const before = await settledFds();
    timed.register(o, { ...tcp(sa('127.0.0.1', srv.http.port)), requests: [Buffer.from('GET / HTTP/1.0\r\n\r\n')] }, 0, 1_000_000);
    await sleep(200);
    // the first attempt's EOF (same batch) changes nothing; the second attempt ran
    expect(o.kinds.filter((k) => k === R_DATA).length).toBe(2);
    expect(timed.started()).toBe(2);
    expect(timed.inFlight()).toBe(0);
    expect(openFds()).toBe(before);
  });

  it('many checks: every one re-armed, no descriptor left, slots reused after unregister', async () => {
    const timed = engine({ quantumUs: 5_000 });
    await sleep(20);
    const before = await settledFds();
    const os = Array.from({ length: 300 }, () => owner((k) => (k < 4 ? 20_000 : -1)));
    const slots = os.map((o, i) => timed.register(o, tcp(sa('127.0.0.1', i % 3 === 0 ? srv.hole.port : srv.up.port), 10_000), i * 100, 1_000_000) as number);
    await sleep(600);
    expect(os.every((o) => o.ends.length === 5)).toBe(true);
    expect(os.filter((o) => o.recs[0].kind === R_TIMEOUT)).toHaveLength(100);
    for (const s of slots) timed.unregister(s);
    expect(openFds()).toBe(before);
    expect(timed.inFlight()).toBe(0);
    timed.register(owner([-1]), tcp(sa('127.0.0.1', srv.up.port)), 0, 1_000_000);
    expect(timed.slotsMade()).toBe(300);
  });
});

describe('timed TCP_CHECK: the second connect() right after EINPROGRESS', () => {
  it('a loopback connect that completed within the call ends at its start: R_DONE 0, no epoll', async () => {
    const timed = engine({ quantumUs: 0 });
    const o = owner([-1]);
    timed.register(o, tcp(sa('127.0.0.1', srv.up.port)), 0, 1_000_000);
    await until(() => o.recs.length === 1, 1000);
    expect(o.recs).toMatchObject([{ kind: R_DONE, a: 0, b: P_AT_ONCE, latencyUs: 0 }]);
    expect(timed.endedAtStart()).toBe(1);
    expect(timed.polled()).toBe(0);
    expect(timed.inFlight()).toBe(0);
  });

  it('a connect refused at once ends at its start with the errno', async () => {
    const timed = engine({ quantumUs: 0 });
    const o = owner([-1]);
    timed.register(o, tcp(sa('127.0.0.1', await closedPort())), 0, 1_000_000);
    await until(() => o.recs.length === 1, 1000);
    expect(o.recs).toMatchObject([{ kind: R_DONE, a: -111, b: P_AT_ONCE }]);
    expect(timed.endedAtStart()).toBe(1);
    expect(timed.polled()).toBe(0);
  });

  it('a connect still in flight waits on epoll and is reported when its handshake completes later', async () => {
    const late = await lateAcceptPort();
    try {
      const timed = engine({ quantumUs: 0 });
      const o = owner([-1]);
      const t0 = ms();
      timed.register(o, tcp(sa('127.0.0.1', late.port), 3_000_000), 0, 1_000_000);
      await until(() => timed.polled() === 1, 1000);
      expect(timed.inFlight()).toBe(1);
      expect(timed.endedAtStart()).toBe(0);
      late.open();
      // the dropped SYN is sent again about 1 s after the first; the accepting listener answers it
      await until(() => o.recs.length === 1, 2800);
      expect(o.recs).toMatchObject([{ kind: R_DONE, a: 0, b: P_CONNECT }]);
      expect(o.ends[0] - t0).toBeGreaterThan(500);
      expect(o.recs[0].latencyUs).toBeGreaterThan(500_000);
      expect(timed.endedAtStart()).toBe(0);
      expect(timed.inFlight()).toBe(0);
    } finally {
      await late.close();
    }
  });

  it('many checks at once: each ends at its start or on epoll, none twice, none lost', async () => {
    const timed = engine({ quantumUs: 0 });
    const os = Array.from({ length: 200 }, () => owner([-1]));
    for (const o of os) timed.register(o, tcp(sa('127.0.0.1', srv.up.port)), 0, 1_000_000);
    await until(() => os.every((o) => o.recs.length === 1), 3000);
    await sleep(50);
    expect(os.every((o) => o.recs.length === 1 && o.recs[0].kind === R_DONE && o.recs[0].a === 0)).toBe(true);
    expect(timed.endedAtStart() + timed.polled()).toBe(200);
    expect(timed.endedAtStart()).toBeGreaterThan(100);
    expect(timed.inFlight()).toBe(0);
  });
});
