// PING_CHECK on the host's loopback: the kernel answers echo requests itself. Needs root
// (raw sockets).
import { describe, expect, it } from 'vitest';
import { pingOnce, PingProbe } from '../../../src/check/ping.js';

const tgt = (addr: string, timeoutUs = 1_000_000) => ({ addr, family: (addr.includes(':') ? 6 : 4) as 4 | 6, port: 0, timeoutUs });

describe('PING_CHECK on loopback', () => {
  it('127.0.0.1 and ::1 answer', async () => {
    if (process.getuid?.() !== 0) throw new Error('PING_CHECK tests need root (raw sockets)');
    expect(await pingOnce(tgt('127.0.0.1'), new AbortController().signal)).toMatchObject({ ok: true });
    expect(await pingOnce(tgt('::1'), new AbortController().signal)).toMatchObject({ ok: true });
  });

  it('many probes at once share one socket and each gets its own reply', async () => {
    const probes = Array.from({ length: 50 }, (_, i) => new PingProbe(tgt(`127.0.${i >> 4}.${(i % 16) + 1}`)));
    const rs = await Promise.all(probes.map((p) => p.run(0, new AbortController().signal)));
    expect(rs.every((r) => r.ok)).toBe(true);
  });

  it('abort ends a waiting attempt; a second run of the same probe works', async () => {
    const p = new PingProbe(tgt('127.0.0.1', 2_000_000));
    const ac = new AbortController();
    ac.abort();
    expect(await p.run(0, ac.signal)).toEqual({ ok: false, reason: 'aborted' });
    expect(await p.run(0, new AbortController().signal)).toMatchObject({ ok: true });
  });

  it('fwmark and bind_if are set on the socket (a mark changes nothing on loopback; a bad device fails)', async () => {
    expect(await pingOnce({ ...tgt('127.0.0.1'), fwmark: 5 }, new AbortController().signal)).toMatchObject({ ok: true });
    expect(await pingOnce({ ...tgt('127.0.0.1'), bindIf: 'lo' }, new AbortController().signal)).toMatchObject({ ok: true });
    const r = await pingOnce({ ...tgt('127.0.0.1'), bindIf: 'nosuchdev0' }, new AbortController().signal);
    expect(r.ok).toBe(false);
    expect(r.reason).toContain('ICMP socket failed');
  });
});
