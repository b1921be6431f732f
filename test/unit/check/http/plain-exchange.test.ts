// The plain HTTP exchange through the untimed connect engine (PlainExchange: genhash, tools)
// and through the timed engine (HTTP_GET in the daemon) against the same loopback servers: the
// same outcome, response fields and digest for every route, timeout and connect failure.
import { createHash, type Hash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadlines } from '../../../../src/check/deadlines.js';
import type { HttpProbeFailure } from '../../../../src/check/http/failure.js';
import { PlainExchange, timedOutcome, type PlainTarget } from '../../../../src/check/http/plain-exchange.js';
import { buildGetRequest } from '../../../../src/check/http/request.js';
import { ResponseStream } from '../../../../src/check/http/response-stream.js';
import { ConnectEngine, connectEngine, loadProbeAddon, R_DATA } from '../../../../src/check/native/connect-engine.js';
import { TimedChecks } from '../../../../src/check/native/timed-checks.js';
import { startTestServers, type TestServers } from './test-servers.js';

let servers: TestServers;
let timed: TimedChecks;
beforeAll(async () => {
  servers = await startTestServers();
  timed = new TimedChecks({ quantumUs: 0 });
}, 60_000);
afterAll(async () => {
  timed?.close();
  await servers?.close();
});

interface Outcome {
  failure: HttpProbeFailure | null;
  fields: unknown[];
  digest: string;
}

/** one exchange; `engine` null: the timed engine (registered, run once, unregistered) */
function exchange(engine: (() => ConnectEngine) | null, t: PlainTarget, path: string, timeoutMs: number): Promise<Outcome> {
  if (engine === null) return timedExchange(t, path, timeoutMs);
  return new Promise((resolve) => {
    let hash: Hash = createHash('md5');
    const stream = new ResponseStream({ update: (d) => hash.update(d) });
    const ex = new PlainExchange(
      {
        exchangeEnded: (failure) => {
          const s = stream;
          resolve({ failure, fields: [s.headerComplete, s.statusCode, s.contentLength, s.headerBytes, s.bodyBytes, s.hashedBytes, s.totalBytes], digest: hash.digest('hex') });
          hash = createHash('md5');
        },
      },
      deadlines,
      engine,
    );
    const request = buildGetRequest({ path, version: '1.0', address: t.address, port: t.port, family: t.family });
    ex.start(t, request, stream, timeoutMs * 1000);
  });
}

/** the same exchange on the timed engine, its records fed to a stream as HTTP_GET does */
function timedExchange(t: PlainTarget, path: string, timeoutMs: number): Promise<Outcome> {
  const hash: Hash = createHash('md5');
  const stream = new ResponseStream({ update: (d) => hash.update(d) });
  const addon = loadProbeAddon();
  const request = buildGetRequest({ path, version: '1.0', address: t.address, port: t.port, family: t.family });
  const local = t.localAddress !== undefined || t.localPort !== undefined ? (t.localAddress ?? (t.family === 6 ? '::' : '0.0.0.0')) : undefined;
  return new Promise((resolve) => {
    let slot = -1;
    const end = (failure: HttpProbeFailure | null): number => {
      timed.unregister(slot);
      const s = stream;
      resolve({ failure, fields: [s.headerComplete, s.statusCode, s.contentLength, s.headerBytes, s.bodyBytes, s.hashedBytes, s.totalBytes], digest: hash.digest('hex') });
      return -1;
    };
    const target = {
      sockaddr: addon.sockaddr(t.address, t.port),
      bind: local !== undefined ? addon.sockaddr(local, t.localPort ?? 0) : null,
      mark: 0,
      timeoutUs: timeoutMs * 1000,
      requests: [request],
    };
    const owner = {
      nextStep: 0,
      timedRecord(kind: number, a: number, b: number, _lat: number, data: Buffer): number {
        if (kind === R_DATA) return stream.feed(data.subarray(a, a + b)) === 'header-overflow' ? end(null) : -1;
        const o = timedOutcome(kind, a, b);
        return o === undefined ? -1 : end(o);
      },
    };
    slot = timed.register(owner, target, 0, 1_000_000);
  });
}

const v4 = (port: number): PlainTarget => ({ address: '127.0.0.1', port, family: 4 });

describe('plain HTTP exchange: the untimed and the timed engine give the same result', () => {
  const routes = ['/small', '/empty', '/1mb', '/chunked', '/404', '/nolen', '/short-cl', '/split', '/cl-in-body', '/bigheader', '/reset', '/reset-mid', '/nodata'];
  it.each(routes)('%s', async (path) => {
    const native = await exchange(connectEngine, v4(servers.httpPort), path, 3000);
    const uv = await exchange(null, v4(servers.httpPort), path, 3000);
    expect(native).toEqual(uv);
    if (path === '/1mb') expect(native.fields.slice(1, 3)).toEqual([200, 1024 * 1024]);
  });

  it.each([
    ['/hang', 'first-read-timeout'],
    ['/stall', 'read-timeout'],
    ['/keepalive', 'read-timeout'],
  ])('%s: %s', async (path, failure) => {
    const native = await exchange(connectEngine, v4(servers.httpPort), path, 200);
    const uv = await exchange(null, v4(servers.httpPort), path, 200);
    expect(native.failure).toBe(failure);
    expect(native).toEqual(uv);
  });

  it('a closed port, an address the host lacks as source, an IPv6 server', async () => {
    for (const [t, failure] of [
      [v4(servers.closedPort), 'connect-failed'],
      [{ ...v4(servers.httpPort), localAddress: '192.0.2.9' }, 'connect-error'],
      [{ ...v4(servers.httpPort), localAddress: '127.0.0.7', localPort: 0 }, null],
      ...(servers.ipv6 ? [[{ address: '::1', port: servers.httpPort, family: 6 }, null] as const] : []),
    ] as const) {
      const native = await exchange(connectEngine, t, '/small', 2000);
      expect(native.failure).toBe(failure);
      expect(native).toEqual(await exchange(null, t, '/small', 2000));
    }
    expect(servers.requests.some((r) => r.peer.address === '127.0.0.7')).toBe(true);
  });

  it('timeout 0: connect only, then "write-timeout" without a request', async () => {
    const before = servers.requests.length;
    const native = await exchange(connectEngine, v4(servers.httpPort), '/small', 0);
    expect(native.failure).toBe('write-timeout');
    expect(native).toEqual(await exchange(null, v4(servers.httpPort), '/small', 0));
    await new Promise((r) => setTimeout(r, 50));
    expect(servers.requests.length).toBe(before);
  });

  it('many exchanges at once, 1 MB bodies among them: every digest right, no attempt left in flight', async () => {
    const engine = new ConnectEngine();
    try {
      const ref = await exchange(null, v4(servers.httpPort), '/1mb', 5000);
      const small = await exchange(null, v4(servers.httpPort), '/small', 5000);
      const runs = Array.from({ length: 60 }, (_, i) => exchange(() => engine, v4(servers.httpPort), i % 10 === 0 ? '/1mb' : '/small', 5000));
      const all = await Promise.all(runs);
      all.forEach((o, i) => expect(o).toEqual(i % 10 === 0 ? ref : small));
      expect(engine.inFlight()).toBe(0);
    } finally {
      engine.close();
    }
  });
});
