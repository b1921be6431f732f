import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tcpConnect } from '../../../src/check/tcp.js';
import { blackholePort, closedPort, tcpServer, type Running } from './servers.js';

const target = (port: number, timeoutUs = 1_000_000) => ({ addr: '127.0.0.1', family: 4 as const, port, timeoutUs });

describe('TCP_CHECK probe on loopback', () => {
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
