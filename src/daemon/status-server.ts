// The unix socket `lvsd status` talks to: one JSON request line in, one JSON reply line out,
// then the connection closes. Root-only (mode 0600). A misbehaving client (garbage, a huge
// request, silence, a reset) costs it its own connection and nothing else.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DaemonStatus } from './state.js';

export const DEFAULT_STATUS_SOCKET = '/run/lvsd/lvsd.sock';

/** A request is one short line; anything longer is not a client of ours. */
export const MAX_REQUEST_BYTES = 4096;
const CLIENT_TIMEOUT_MS = 5000;
const MAX_CLIENTS = 32;

export type StatusRequest = { cmd: 'status' };
export type StatusReply = { ok: true; status: DaemonStatus } | { ok: false; error: string };

export interface StatusServer {
  close(): Promise<void>;
}

/** True when something accepts connections on the socket (a running daemon). */
function answers(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection(path);
    const done = (v: boolean): void => {
      clearTimeout(t);
      c.destroy();
      resolve(v);
    };
    const t = setTimeout(() => done(false), timeoutMs);
    c.once('connect', () => done(true));
    c.once('error', () => done(false));
  });
}

/** Removes a socket file no daemon answers on; refuses a live socket or a non-socket file. */
async function clearStale(path: string): Promise<void> {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new Error(`${path} exists and is not a socket; not removing it`);
  if (await answers(path)) throw new Error(`another daemon already answers on ${path}`);
  unlinkSync(path);
}

function parseRequest(line: string): StatusRequest | string {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return 'request is not JSON';
  }
  if (typeof v !== 'object' || v === null || !('cmd' in v)) return 'request has no "cmd"';
  const cmd = (v as { cmd: unknown }).cmd;
  if (cmd !== 'status') return `unknown cmd ${JSON.stringify(cmd)}; known: "status"`;
  return { cmd };
}

function serve(sock: Socket, snapshot: () => DaemonStatus | Promise<DaemonStatus>): void {
  let buf = '';
  let answered = false;
  sock.setEncoding('utf8');
  sock.setTimeout(CLIENT_TIMEOUT_MS, () => sock.destroy());
  sock.on('error', () => sock.destroy());
  const reply = (r: StatusReply): void => {
    if (sock.destroyed) return;
    sock.end(JSON.stringify(r) + '\n');
  };
  const handle = (line: string): void => {
    if (answered) return;
    answered = true;
    const req = parseRequest(line.trim());
    if (typeof req === 'string') {
      reply({ ok: false, error: req });
      return;
    }
    // snapshot() may throw or reject: the client gets the message, the daemon carries on
    Promise.resolve()
      .then(snapshot)
      .then(
        (status) => reply({ ok: true, status }),
        (e: unknown) => reply({ ok: false, error: `status unavailable: ${e instanceof Error ? e.message : String(e)}` }),
      );
  };
  sock.on('data', (chunk: string) => {
    if (answered) return;
    buf += chunk;
    const nl = buf.indexOf('\n');
    if (nl >= 0) handle(buf.slice(0, nl));
    else if (Buffer.byteLength(buf) > MAX_REQUEST_BYTES) {
      answered = true;
      reply({ ok: false, error: `request longer than ${MAX_REQUEST_BYTES} bytes` });
    }
  });
  // a client that half-closes without a newline still gets its answer
  sock.on('end', () => {
    if (!answered && buf.trim()) handle(buf);
    else if (!answered) sock.end();
  });
}

export async function startStatusServer(
  path: string,
  snapshot: () => DaemonStatus | Promise<DaemonStatus>,
): Promise<StatusServer> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  await clearStale(path);
  const clients = new Set<Socket>();
  // allowHalfOpen: a client may send its request and half-close before the (async) reply
  const server: Server = createServer({ allowHalfOpen: true }, (sock) => {
    clients.add(sock);
    sock.on('close', () => clients.delete(sock));
    serve(sock, snapshot);
  });
  server.maxConnections = MAX_CLIENTS;
  server.on('error', () => undefined); // accept errors (EMFILE...) must not take the daemon down
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    // bind() happens inside listen(): a umask of 0177 there means the socket is never,
    // even briefly, connectable by other users
    const old = process.umask(0o177);
    try {
      server.listen(path, () => {
        server.off('error', onError);
        resolve();
      });
    } finally {
      process.umask(old);
    }
  });
  chmodSync(path, 0o600);
  let closed = false;
  return {
    close(): Promise<void> {
      if (closed) return Promise.resolve();
      closed = true;
      for (const c of clients) c.destroy();
      return new Promise((resolve) => {
        server.close(() => {
          try {
            unlinkSync(path);
          } catch {
            /* already gone (net removes it on close on some versions) */
          }
          resolve();
        });
      });
    },
  };
}
