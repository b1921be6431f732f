import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadlines } from '../../../src/check/deadlines.js';
import { ConnectEngine } from '../../../src/check/native/connect-engine.js';
import { TcpProbe, tcpConnect } from '../../../src/check/tcp.js';
import type { CheckResult, ConnectTarget } from '../../../src/check/types.js';
import { TimedChecks } from '../../../src/check/native/timed-checks.js';
import { timedOnce } from './native/timed-once.js';
import { blackholePort, closedPort, tcpServer, type Running } from './servers.js';

const target = (port: number, timeoutUs = 1_000_000) => ({ addr: '127.0.0.1', family: 4 as const, port, timeoutUs });

// one accepting server and one black hole serve every test of the file
let up: Running;
let hole: Running;
beforeAll(async () => {
  up = await tcpServer(() => {});
  hole = await blackholePort();
});
afterAll(async () => {
  await up?.close();
  await hole?.close();
});

describe('TCP_CHECK probe on loopback', () => {

  it('accepting server: success', async () => {
    const r = await tcpConnect(target(up.port), new AbortController().signal);
    expect(r.ok).toBe(true);
  });

  it('refused: failure at once', async () => {
    const t0 = Date.now();
    const r = await tcpConnect(target(await closedPort()), new AbortController().signal);
    expect(r).toMatchObject({ ok: false });
    expect(r.reason).toContain('ECONNREFUSED');
    expect(Date.now() - t0).toBeLessThan(500);
  });

  it('no answer: failure after connect_timeout', async () => {
    const t0 = Date.now();
    const r = await tcpConnect(target(hole.port, 300_000), new AbortController().signal);
    const dt = Date.now() - t0;
    expect(r).toEqual({ ok: false, reason: 'connection timeout' });
    expect(dt).toBeGreaterThanOrEqual(280);
    expect(dt).toBeLessThan(1500);
  });

  it('bindto / bind_port are used as the source', async () => {
    let seen = '';
    const s = await tcpServer((sock) => {
      seen = `${sock.remoteAddress}:${sock.remotePort}`;
    });
    try {
      const r = await tcpConnect({ ...target(s.port), bindAddr: '127.0.0.2', bindPort: 0 }, new AbortController().signal);
      expect(r.ok).toBe(true);
      await new Promise((res) => setTimeout(res, 50));
      expect(seen.startsWith('127.0.0.2:')).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('a busy event loop does not turn a completed connect into a timeout', async () => {
    const p = tcpConnect(target(up.port, 50_000), new AbortController().signal);
    await Promise.resolve(); // after the nextTick that issues the connect
    const until = Date.now() + 200;
    while (Date.now() < until) {
      // block the loop past the timeout while the kernel completes the connect
    }
    expect(await p).toEqual({ ok: true, reason: 'connected' });
  });

  it('abort ends the attempt', async () => {
    const ac = new AbortController();
    const p = tcpConnect(target(hole.port, 5_000_000), ac.signal);
    setTimeout(() => ac.abort(), 50);
    expect(await p).toEqual({ ok: false, reason: 'aborted' });
  });
});

describe('TCP_CHECK: the timed engine and one attempt through start() give the same results', () => {
  let timed: TimedChecks;
  beforeAll(() => {
    timed = new TimedChecks({ quantumUs: 0 });
  });
  afterAll(() => timed?.close());

  /** one attempt through each path (a target of its own each: a fixed source port is in TIME_WAIT after the first) */
  async function both(make: () => Promise<ConnectTarget>): Promise<[CheckResult, CheckResult]> {
    const viaStart = await new TcpProbe(await make()).run(0, new AbortController().signal);
    const probe = new TcpProbe(await make());
    const viaTimed = await timedOnce(timed, probe);
    return [viaTimed, viaStart];
  }

  it.each([
    ['connected', 'connected', async () => target(up.port)],
    ['refused', 'connection failed (ECONNREFUSED)', async () => target(await closedPort())],
    ['timeout', 'connection timeout', async () => target(hole.port, 200_000)],
    ['bindto + bind_port', 'connected', async () => ({ ...target(up.port), bindAddr: '127.0.0.3', bindPort: await closedPort() })],
    ['bindto an address the host lacks', 'connection failed (EADDRNOTAVAIL)', async () => ({ ...target(up.port), bindAddr: '192.0.2.55' })],
    ['IPv6 refused', 'connection failed (ECONNREFUSED)', async () => ({ addr: '::1', family: 6 as const, port: await closedPort(), timeoutUs: 1_000_000 })],
  ])('%s: %s', async (_name, reason, make) => {
    const [viaTimed, viaStart] = await both(make);
    expect(viaTimed.reason).toBe(reason);
    expect(viaTimed).toEqual(viaStart);
    expect(timed.inFlight()).toBe(0);
  });

  it('an address that is no IP literal: no timed target (the scheduler runs it), start() fails with EINVAL', async () => {
    const p = new TcpProbe({ ...target(up.port), addr: '127.0.0.256' });
    expect(() => p.timedTarget()).toThrow(TypeError);
    expect(await p.run(0, new AbortController().signal)).toEqual({ ok: false, reason: 'connection failed (EINVAL)' });
  });

  it('abort ends an attempt through start()', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    expect(await new TcpProbe(target(hole.port, 5_000_000)).run(0, ac.signal)).toEqual({ ok: false, reason: 'aborted' });
  });

  it('a probe reuses one engine slot over its attempts, and a timed-out attempt frees its slot', async () => {
    const engine = new ConnectEngine();
    try {
      const p = new TcpProbe(target(up.port), deadlines, () => engine);
      for (let i = 0; i < 5; i++) expect(await p.run(0, new AbortController().signal)).toEqual({ ok: true, reason: 'connected' });
      const q = new TcpProbe(target(hole.port, 50_000), deadlines, () => engine);
      expect(await q.run(0, new AbortController().signal)).toEqual({ ok: false, reason: 'connection timeout' });
      expect(engine.inFlight()).toBe(0);
      expect(engine.slotsMade()).toBe(1);
    } finally {
      engine.close();
    }
  });
});
