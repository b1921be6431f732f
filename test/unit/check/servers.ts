// Servers of the tests' own, on loopback: TCP (accepting, silent, backlog-full), raw HTTP,
// DNS and UDP responders. Each returns its port and a close().
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';

export interface Running {
  port: number;
  close(): Promise<void>;
}

export async function tcpServer(onConn: (s: net.Socket) => void, host = '127.0.0.1'): Promise<Running & { server: net.Server }> {
  const server = net.createServer(onConn);
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** An HTTP server answering every request with `response(path, host)` raw bytes, then closing. */
export function rawHttpServer(response: (path: string, host: string) => string | Buffer, host = '127.0.0.1') {
  return tcpServer((s) => {
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const path = buf.split(' ')[1] ?? '/';
      const h = /\r\nHost: ([^\r]*)/.exec(buf)?.[1] ?? '';
      s.end(response(path, h));
    });
  }, host);
}

export function httpResponse(status: number, body: string | Buffer, extraHeaders = ''): Buffer {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return Buffer.concat([Buffer.from(`HTTP/1.0 ${status} X\r\nContent-Length: ${b.length}\r\n${extraHeaders}\r\n`), b]);
}

/**
 * A listener whose accept queue is full: further SYNs are dropped, so connects time out.
 * Python holds the socket (Node accepts by itself and cannot leave the queue full).
 */
export async function blackholePort(): Promise<Running> {
  const py = await fullQueueListener(['sys.stdin.read()'], 'python blackhole');
  return { port: py.port, close: () => stopChild(py.child) };
}

/** A python listener with its accept queue filled, then running `tail`; its port once printed. */
export async function fullQueueListener(tail: string[], what: string): Promise<{ child: ChildProcess; port: number }> {
  const py = spawn('python3', ['-c', [
    'import socket,sys,time',
    's=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(0)',
    'p=s.getsockname()[1]',
    'fill=[]',
    'for i in range(3):',
    '  c=socket.socket(); c.setblocking(False)',
    '  try: c.connect(("127.0.0.1",p))',
    '  except BlockingIOError: pass',
    '  fill.append(c)',
    'time.sleep(0.3)',
    'print(p, flush=True)',
    ...tail,
  ].join('\n')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not start`)), 5000);
    py.stdout.once('data', (d: Buffer) => {
      clearTimeout(t);
      resolve(Number(d.toString().trim()));
    });
  });
  return { child: py, port };
}

/**
 * A listener whose accept queue is full (as blackholePort: SYNs are dropped) until open(); from
 * then on it accepts and closes every connection, so a connect started before open() completes
 * on its SYN's retransmission (about 1 s in), long after connect() returned.
 */
export async function lateAcceptPort(): Promise<Running & { open(): void }> {
  const py = await fullQueueListener([
    'sys.stdin.readline()',
    'end=time.time()+20',
    'while time.time()<end:',
    '  a,_=s.accept(); a.close()',
  ], 'python late-accept listener');
  return { port: py.port, open: () => py.child.stdin?.write('go\n'), close: () => stopChild(py.child) };
}

export function stopChild(c: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (c.exitCode !== null || c.signalCode !== null) return r();
    c.once('exit', () => r());
    c.kill('SIGKILL');
  });
}

/** A DNS responder: answers with `rcode` (and QR set), or not at all when rcode is null. */
export async function dnsResponder(rcode: () => number | null, host = '127.0.0.1'): Promise<Running & { queries: Buffer[] }> {
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const queries: Buffer[] = [];
  sock.on('message', (msg, rinfo) => {
    queries.push(msg);
    const rc = rcode();
    if (rc === null || msg.length < 12) return;
    const out = Buffer.from(msg);
    out.writeUInt16BE(0x8180 | (rc & 0xf), 2);
    sock.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, host, r));
  return { port: sock.address().port, queries, close: () => new Promise<void>((r) => sock.close(() => r())) };
}

/** A UDP responder replying `reply(msg)` (null: stay silent). */
export async function udpResponder(reply: (msg: Buffer) => Buffer | null, host = '127.0.0.1'): Promise<Running> {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    const r = reply(msg);
    if (r) sock.send(r, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, host, r));
  return { port: sock.address().port, close: () => new Promise<void>((r) => sock.close(() => r())) };
}

/** A port nothing listens on (bound then released). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
