// probeHttp, the client edge HTTP_GET / SSL_GET / genhash share, against real
// loopback servers: result fields, hashing options, bind address, abort,
// per-phase timeouts, and constant memory on a 1 GB body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { createHash } from 'node:crypto';
import { probeHttp, type HttpProbeOptions } from '../../../../src/check/http/probe.js';
import { buildGetRequest } from '../../../../src/check/http/request.js';
import { startTestServers, type TestServers } from './test-servers.js';

let servers: TestServers;
beforeAll(async () => {
  servers = await startTestServers();
}, 60_000);
afterAll(async () => {
  await servers?.close();
});

function opts(path: string, extra: Partial<HttpProbeOptions> = {}): HttpProbeOptions {
  const port = extra.port ?? (extra.tls ? servers.httpsPort : servers.httpPort);
  return {
    address: '127.0.0.1',
    port,
    family: 4,
    request: buildGetRequest({ path, version: '1.0', address: '127.0.0.1', port, family: 4 }),
    timeoutMs: 5000,
    hash: 'md5',
    ...extra,
  };
}
const md5 = (s: string | Buffer): string => createHash('md5').update(s).digest('hex');

describe('probeHttp', () => {
  it('reports status, Content-Length, byte counts and digest', async () => {
    const r = await probeHttp(opts('/short-cl'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const s = r.stream;
    expect([s.headerComplete, s.statusCode, s.contentLength, s.bodyBytes, s.hashedBytes]).toEqual([true, 200, 5, 10, 5]);
    expect(r.digest.toString('hex')).toBe(md5('01234'));
    expect(r.cleanEnd).toBe(true);
  });

  it('404 and redirects are responses like any other (the status is for the caller to judge)', async () => {
    const r = await probeHttp(opts('/redirect'));
    expect(r.ok && [r.stream.statusCode, r.digest.toString('hex')]).toEqual([301, md5('moved\n')]);
  });

  it('other digests, or none', async () => {
    const sha = await probeHttp(opts('/small', { hash: 'sha256' }));
    expect(sha.ok && sha.digest.toString('hex')).toBe(createHash('sha256').update('hello world\n').digest('hex'));
    const none = await probeHttp(opts('/small', { hash: null }));
    expect(none.ok && [none.digest.length, none.stream.statusCode, none.stream.bodyBytes]).toEqual([0, 200, 12]);
  });

  it('binds to the requested local address and port', async () => {
    const free = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const a = s.address();
        s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
      });
    });
    const before = servers.requests.length;
    const r = await probeHttp(opts('/vhost', { localAddress: '127.0.0.2', localPort: free }));
    expect(r.ok).toBe(true);
    expect(servers.requests.length).toBe(before + 1);
    expect(servers.requests[before].peer).toEqual({ address: '127.0.0.2', port: free });
  });

  it('refused, and an unusable bind address, fail with keepalived wording', async () => {
    const refused = await probeHttp(opts('/', { port: servers.closedPort }));
    expect(!refused.ok && [refused.failure, refused.message]).toEqual(['connect-failed', 'Connection failed']);
    const bind = await probeHttp(opts('/small', { localAddress: '192.0.2.1' }));
    expect(!bind.ok && bind.failure).toBe('connect-error');
  });

  it('per-phase timeouts: first byte, then every read', async () => {
    const t0 = performance.now();
    const first = await probeHttp(opts('/hang', { timeoutMs: 300 }));
    expect(!first.ok && first.message).toBe('Timeout WEB read');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    const mid = await probeHttp(opts('/stall', { timeoutMs: 300 }));
    expect(!mid.ok && [mid.message, mid.stream.headerComplete, mid.stream.bodyBytes]).toEqual(['Timeout HTTP read', true, 3]);
    const tlsMid = await probeHttp(opts('/stall', { timeoutMs: 300, tls: {} }));
    expect(!tlsMid.ok && tlsMid.message).toBe('Timeout SSL read');
  });

  it('abort signal stops the probe', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const r = await probeHttp(opts('/hang', { signal: ac.signal }));
    expect(!r.ok && r.failure).toBe('aborted');
  });

  it('TLS with and without SNI', async () => {
    const before = servers.requests.length;
    const a = await probeHttp(opts('/small', { tls: { servername: 'www.example.test' } }));
    const b = await probeHttp(opts('/small', { tls: {} }));
    expect(a.ok && b.ok && [a.digest.toString('hex'), a.cleanEnd]).toEqual([md5('hello world\n'), true]);
    expect(servers.requests.slice(before).map((q) => q.servername)).toEqual(['www.example.test', null]);
  });

  it('IPv6', async () => {
    expect(servers.ipv6).toBe(true);
    const port = servers.httpPort;
    const r = await probeHttp({
      ...opts('/vhost'),
      address: '::1',
      family: 6,
      request: buildGetRequest({ path: '/vhost', version: '1.0', address: '::1', port, family: 6 }),
    });
    expect(r.ok && r.digest.toString('hex')).toBe(md5(`[::1]:${port}`));
  });
});

describe('probeHttp writes', () => {
  // far more than the loopback socket buffers take: the write completes only as the server reads
  const HUGE = Buffer.alloc(48 * 1024 * 1024, 0x61);
  const serve = async (onConn: (s: net.Socket) => void): Promise<{ port: number; close: () => Promise<void> }> => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
      onConn(s);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    return { port, close: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))) };
  };

  it('a request the socket cannot take at once goes out as the server reads, then the reply is read', async () => {
    const srv = await serve((s) => {
      s.pause();
      let got = 0;
      setTimeout(() => s.resume(), 100);
      s.on('data', (d: Buffer) => {
        got += d.length;
        if (got === HUGE.length) s.end('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok');
      });
    });
    try {
      const r = await probeHttp({ ...opts('/'), port: srv.port, request: HUGE, timeoutMs: 5000 });
      expect(r.ok && [r.stream.statusCode, r.digest.toString('hex')]).toEqual([200, md5('ok')]);
    } finally {
      await srv.close();
    }
  });

  it('once a slow write completes, the first-read wait starts ("Timeout WEB read")', async () => {
    const srv = await serve((s) => s.resume());
    try {
      const r = await probeHttp({ ...opts('/'), port: srv.port, request: HUGE, timeoutMs: 300 });
      expect(!r.ok && r.message).toBe('Timeout WEB read');
    } finally {
      await srv.close();
    }
  });

  it('a server that never reads: the write wait times out ("Timeout WEB write")', async () => {
    const srv = await serve((s) => s.pause());
    try {
      const t0 = performance.now();
      const r = await probeHttp({ ...opts('/'), port: srv.port, request: HUGE, timeoutMs: 300 });
      expect(!r.ok && r.message).toBe('Timeout WEB write');
      expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    } finally {
      await srv.close();
    }
  });
});

describe('probeHttp memory', () => {
  it('streams a 1 GB body into the digest in constant memory', async () => {
    const GB = 1024 * 1024 * 1024;
    const block = Buffer.alloc(1024 * 1024, 0x5a);
    const want = createHash('md5');
    for (let i = 0; i < 1024; i++) want.update(block);
    const wantHex = want.digest('hex');
    const server = net.createServer((sock) => {
      sock.on('error', () => {});
      sock.once('data', () => {
        sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${GB}\r\n\r\n`);
        let sent = 0;
        const pump = (): void => {
          while (sent < 1024) {
            sent++;
            if (!sock.write(block)) return void sock.once('drain', pump);
          }
          sock.end();
        };
        pump();
      });
    });
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => {
        const a = server.address();
        resolve(typeof a === 'object' && a ? a.port : 0);
      }),
    );
    try {
      global.gc?.();
      const rss0 = process.memoryUsage().rss;
      let peak = rss0;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 20);
      const r = await probeHttp(opts('/big', { port, timeoutMs: 30_000 }));
      clearInterval(sampler);
      expect(r.ok && [r.stream.bodyBytes, r.stream.hashedBytes, r.digest.toString('hex')]).toEqual([GB, GB, wantHex]);
      // The server side (same process) buffers at most one 1 MB block beyond the socket buffers.
      expect(peak - rss0).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  }, 120_000);
});
