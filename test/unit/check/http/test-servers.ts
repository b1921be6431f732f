// Loopback HTTP and HTTPS servers for the genhash / probe tests. They speak
// raw bytes (no Node http module) so every response is exactly what the test
// chose, and they record every request byte and the TLS SNI name.
import net from 'node:net';
import tls from 'node:tls';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RecordedRequest {
  readonly bytes: Buffer;
  readonly servername: string | null;
  readonly peer: { readonly address: string; readonly port: number };
}

/**
 * Ends the response: normally socket.end(); the abrupt TLS server skips
 * close_notify. With reset, the TCP connection is reset (RST) instead.
 */
type End = (sock: net.Socket, data?: Buffer | string, reset?: boolean) => void;
type Route = (sock: net.Socket, req: string, end: End) => void;

/** Deterministic pseudo-random body. */
export function patternBody(size: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

const ONE_MB = patternBody(1024 * 1024, 7);

const plainEnd: End = (sock, data, reset) => {
  if (!reset) return void (data === undefined ? sock.end() : sock.end(data));
  if (data === undefined) return void sock.resetAndDestroy();
  sock.write(data, () => setTimeout(() => sock.resetAndDestroy(), 50));
};

function respond(end: End, sock: net.Socket, head: string, body: Buffer = Buffer.alloc(0)): void {
  // One write: header and body reach the client together, so keepalived's
  // 4095-byte reads see the same boundaries on every run.
  end(sock, Buffer.concat([Buffer.from(head, 'latin1'), body]));
}

const ROUTES: Record<string, Route> = {
  '/small': (s, _q, e) => respond(e, s, 'HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n', Buffer.from('hello world\n')),
  '/empty': (s, _q, e) => respond(e, s, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
  '/1mb': (s, _q, e) => respond(e, s, `HTTP/1.1 200 OK\r\nContent-Length: ${ONE_MB.length}\r\n\r\n`, ONE_MB),
  '/chunked': (s, _q, e) =>
    respond(
      e,
      s,
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
      Buffer.from('5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n'),
    ),
  '/404': (s, _q, e) => respond(e, s, 'HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\n', Buffer.from('not found')),
  '/redirect': (s, _q, e) =>
    respond(e, s, 'HTTP/1.1 301 Moved Permanently\r\nLocation: /small\r\nContent-Length: 6\r\n\r\n', Buffer.from('moved\n')),
  '/nolen': (s, _q, e) => respond(e, s, 'HTTP/1.0 200 OK\r\n\r\n', patternBody(10000, 3)),
  '/short-cl': (s, _q, e) => respond(e, s, 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', Buffer.from('0123456789')),
  '/split': (s, _q, e) => {
    s.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n');
    setTimeout(() => e(s, 'late'), 150);
  },
  // keepalived looks for "Content-Length:" case-sensitively, anywhere in its first receive buffer.
  '/cl-lowercase': (s, _q, e) => respond(e, s, 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n', Buffer.from('0123456789')),
  '/cl-in-body': (s, _q, e) => respond(e, s, 'HTTP/1.0 200 OK\r\n\r\n', Buffer.from('Content-Length: 3\r\nabcdef')),
  '/cl-garbage': (s, _q, e) => respond(e, s, 'HTTP/1.1 200 OK\r\nContent-Length: 5 \r\n\r\n', Buffer.from('0123456789')),
  '/hang': () => {},
  '/keepalive': (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'),
  '/reset': (s, _q, e) => e(s, undefined, true),
  '/reset-mid': (s, _q, e) => e(s, 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc', true),
  '/stall': (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc'),
  '/nodata': (s, _q, e) => e(s),
  '/bigheader': (s, _q, e) => respond(e, s, `HTTP/1.1 200 OK\r\nX-Big: ${'x'.repeat(5000)}\r\n\r\n`, Buffer.from('body')),
  '/vhost': (s, req, e) => {
    const host = /\r\nHost: ([^\r]*)\r\n/.exec(req)?.[1] ?? '';
    respond(e, s, `HTTP/1.1 200 OK\r\nContent-Length: ${host.length}\r\n\r\n`, Buffer.from(host));
  },
};

export interface TestServers {
  readonly httpPort: number;
  readonly httpsPort: number;
  /** HTTPS limited to TLS 1.2 (no post-handshake messages). */
  readonly https12Port: number;
  /** HTTPS servers (TLS 1.3, TLS 1.2) that close TCP without sending close_notify. */
  readonly httpsAbruptPort: number;
  readonly httpsAbrupt12Port: number;
  /** Answers every connection at once with plain-text bytes and closes (a TLS handshake failure). */
  readonly garbagePort: number;
  /** A loopback port nothing listens on. */
  readonly closedPort: number;
  readonly ipv6: boolean;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

function handler(requests: RecordedRequest[], open: Set<net.Socket>, ender?: End) {
  return (sock: net.Socket): void => {
    open.add(sock);
    sock.on('close', () => open.delete(sock));
    sock.on('error', () => {});
    let buf = Buffer.alloc(0);
    let done = false;
    sock.on('data', (d: Buffer) => {
      if (done) return;
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0 && buf.length < 65536) return;
      done = true;
      const servername = sock instanceof tls.TLSSocket ? ((sock as tls.TLSSocket & { servername?: string | false }).servername || null) : null;
      const peer = { address: sock.remoteAddress ?? '', port: sock.remotePort ?? 0 };
      requests.push({ bytes: Buffer.from(buf), servername, peer });
      const text = buf.toString('latin1');
      const path = /^GET (\S*) /.exec(text)?.[1] ?? '';
      const route = ROUTES[path] ?? ROUTES['/404'];
      route(sock, text, ender ?? plainEnd);
    });
  };
}

function makeCert(dir: string): { key: Buffer; cert: Buffer } {
  const run = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=lvsd test CA']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=www.example.test']);
  run(['x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '2']);
  return { key: readFileSync(join(dir, 'srv.key')), cert: readFileSync(join(dir, 'srv.pem')) };
}

async function listen(server: net.Server, host: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, ipv6Only: host === '::1' }, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr !== null ? addr.port : 0);
    });
  });
}

export async function startTestServers(): Promise<TestServers> {
  const requests: RecordedRequest[] = [];
  const open = new Set<net.Socket>();
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-genhash-tls-'));
  let creds: { key: Buffer; cert: Buffer };
  try {
    creds = makeCert(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const servers: net.Server[] = [];
  const http4 = net.createServer(handler(requests, open));
  servers.push(http4);
  const httpPort = await listen(http4, '127.0.0.1');
  const https4 = tls.createServer({ key: creds.key, cert: creds.cert }, handler(requests, open));
  servers.push(https4);
  const httpsPort = await listen(https4, '127.0.0.1');
  const https12 = tls.createServer({ key: creds.key, cert: creds.cert, maxVersion: 'TLSv1.2' }, handler(requests, open));
  servers.push(https12);
  const https12Port = await listen(https12, '127.0.0.1');
  const abrupt = async (maxVersion: tls.SecureVersion): Promise<number> => {
    const raws = new WeakMap<net.Socket, net.Socket>();
    const ender: End = (sock, data, reset) => {
      const raw = raws.get(sock);
      const close = (): void => void setTimeout(() => (reset ? raw?.resetAndDestroy() : raw?.end()), 20);
      if (data === undefined) close();
      else sock.write(data, close);
    };
    const onTls = handler(requests, open, ender);
    const server = net.createServer((raw) => {
      raw.on('error', () => {});
      open.add(raw);
      raw.on('close', () => open.delete(raw));
      const s = new tls.TLSSocket(raw, { isServer: true, key: creds.key, cert: creds.cert, maxVersion });
      raws.set(s, raw);
      onTls(s);
    });
    servers.push(server);
    return listen(server, '127.0.0.1');
  };
  const httpsAbruptPort = await abrupt('TLSv1.3');
  const httpsAbrupt12Port = await abrupt('TLSv1.2');
  const garbage = net.createServer((sock) => {
    open.add(sock);
    sock.on('close', () => open.delete(sock));
    sock.on('error', () => {});
    sock.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
  });
  servers.push(garbage);
  const garbagePort = await listen(garbage, '127.0.0.1');
  let ipv6 = true;
  try {
    const http6 = net.createServer(handler(requests, open));
    servers.push(http6);
    await listen(http6, '::1', httpPort);
  } catch {
    ipv6 = false;
  }
  const probe = net.createServer();
  const closedPort = await listen(probe, '127.0.0.1');
  await new Promise<void>((r) => probe.close(() => r()));
  return {
    httpPort,
    httpsPort,
    https12Port,
    httpsAbruptPort,
    httpsAbrupt12Port,
    garbagePort,
    closedPort,
    ipv6,
    requests,
    async close(): Promise<void> {
      for (const s of open) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
