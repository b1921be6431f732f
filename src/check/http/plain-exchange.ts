// One HTTP exchange over plain TCP, the HTTP_GET and genhash edge: connect, write the request,
// read the response into a ResponseStream. The connect, the write and the reads run in the
// native connect engine (../native/connect-engine.ts: Node's per-connection handle machinery
// costs more than the check under emulation), which reports response chunks per batch; they
// are streamed into the stream (and its digest) as they come. LVSD_HTTP_CHECK_ENGINE=uv (read
// once) uses libuv's TCP handle (../tcp-handle.ts) instead, the path before, for A/B. Each wait
// (connect, write, first byte, every later read) gets the whole timeout, as in keepalived, through
// the shared deadline queues (no timer per attempt); an expiry is decided after the loop's I/O
// phase, so a reply that arrived while the loop was late wins. One exchange serves a probe's
// attempts one after another; its owner hears how each ended.
import { load as loadAddon } from '../../net/packet-socket.js';
import { deadlines, type DeadlineQueues, type Expirable } from '../deadlines.js';
import { connectEngine, loadProbeAddon, P_AT_ONCE, P_CONNECT, P_SEND, R_CONNECTED, R_DATA, R_DONE, R_EOF, R_FAIL, R_SENT, type ConnectEngine, type EngineOwner } from '../native/connect-engine.js';
import { newConnectReq, newTcpHandle, readResult, uvErrorName, UV_EOF, writeOnce, type UvConnectReq, type UvTcp, type UvWriteReq } from '../tcp-handle.js';
import { connectFailure, type HttpProbeFailure } from './failure.js';
import type { ResponseStream } from './response-stream.js';

export interface PlainTarget {
  /** IP literal (no name resolution), an IPv6 one possibly with a %scope */
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
  /** SO_MARK of the connection (keepalived `fwmark`, genhash -m); 0/absent: none */
  readonly fwmark?: number | undefined;
}

export interface ExchangeOwner {
  /** null: the response ended (FIN, or a header too long to read further); else the failure */
  exchangeEnded(failure: HttpProbeFailure | null): void;
}

const NO_REQUEST = Buffer.alloc(0);
/** the A/B switch: libuv's TCP handle instead of the native engine */
const VIA_UV = process.env.LVSD_HTTP_CHECK_ENGINE === 'uv';

type Phase = 'connect' | 'send' | 'first-read' | 'read';

/** Bytes each read may bring; reused, never grows. */
const READ_BUFFER_BYTES = 256 * 1024;
/**
 * One receive buffer for every exchange: a read's bytes are consumed (header parse, digest,
 * regex text) before its callback returns, and reads run one at a time on the event loop.
 */
let sharedReadBuffer: Buffer | undefined;

type OwnedTcp = UvTcp & { exchange?: PlainExchange };
type OwnedConnect = UvConnectReq & { exchange?: PlainExchange };
type OwnedWrite = UvWriteReq & { exchange?: PlainExchange; handle?: UvTcp };

// Shared callbacks: `this` carries the exchange, so an attempt makes no closures.
function onConnect(this: OwnedConnect, status: number, handle: unknown): void {
  this.exchange?.connected(status, handle);
}
function onRead(this: OwnedTcp): void {
  this.exchange?.read(this);
}
function onWritten(this: OwnedWrite, status: number): void {
  if (this.handle !== undefined) this.exchange?.written(status, this.handle);
}

export class PlainExchange implements Expirable, EngineOwner {
  private seq = 0;
  private handle: OwnedTcp | null = null;
  /** the engine slot of the exchange in flight, -1: none */
  private slot = -1;
  /** the target the sockaddrs below were made for */
  private addrsOf: PlainTarget | null = null;
  private sockaddr: Buffer | null = null;
  private bindSockaddr: Buffer | null = null;
  private phase: Phase = 'connect';
  private stream: ResponseStream | null = null;
  private request: Buffer = NO_REQUEST;
  private timeoutUs = 0;

  constructor(
    private readonly owner: ExchangeOwner,
    private readonly queues: DeadlineQueues = deadlines,
    private readonly engine: (() => ConnectEngine) | null = VIA_UV ? null : connectEngine,
  ) {}

  get active(): boolean {
    return this.stream !== null;
  }

  /**
   * Starts an exchange (the previous one must have ended): `request` is sent as it is, the
   * response goes to `stream`. timeoutUs 0 reproduces keepalived with connect_timeout 0: no
   * wait for the connect, and the write wait expires before the request goes out.
   */
  start(t: PlainTarget, request: Buffer, stream: ResponseStream, timeoutUs: number): void {
    this.stream = stream;
    this.request = request;
    this.timeoutUs = timeoutUs;
    this.phase = 'connect';
    const seq = ++this.seq;
    if (this.engine !== null) return this.startNative(t, seq);
    let h: OwnedTcp;
    try {
      h = newTcpHandle();
      if (t.fwmark) {
        // libuv cannot mark sockets: the addon makes a marked one for the handle
        const fd = loadAddon().tcpSocket(t.family, t.fwmark >>> 0);
        const err = h.open(fd);
        if (err) {
          loadAddon().close(fd);
          h.close();
          return this.end('connect-failed');
        }
      }
    } catch {
      return this.end('connect-failed');
    }
    this.handle = h;
    h.exchange = this;
    let err = 0;
    // as net.connect: a local port alone binds the wildcard address
    if (t.localAddress !== undefined || t.localPort !== undefined) {
      const local = t.localAddress ?? (t.family === 6 ? '::' : '0.0.0.0');
      err = t.family === 6 ? h.bind6(local, t.localPort ?? 0, 0) : h.bind(local, t.localPort ?? 0);
    }
    if (!err) {
      const req: OwnedConnect = newConnectReq(onConnect);
      req.exchange = this;
      err = t.family === 6 ? h.connect6(req, t.address, t.port) : h.connect(req, t.address, t.port);
    }
    // bind() or connect() refused at once
    if (err) return this.end(connectFailure(uvErrorName(err), true));
    // Reading is armed with the connect: libuv then watches the socket for both at once and
    // only changes the interest when connected (started later, libuv first tries to add the
    // socket to epoll again, which fails as a duplicate: one system call per check more).
    h.useUserBuffer((sharedReadBuffer ??= Buffer.allocUnsafe(READ_BUFFER_BYTES)));
    h.onread = onRead;
    if (h.readStart() !== 0) return this.end('connect-failed');
    this.arm(seq);
  }

  private startNative(t: PlainTarget, seq: number): void {
    let slot: number;
    try {
      const engine = (this.engine as () => ConnectEngine)();
      if (this.addrsOf !== t) {
        const addon = loadProbeAddon();
        // as net.connect: a local port alone binds the wildcard address
        const local = t.localAddress !== undefined || t.localPort !== undefined ? (t.localAddress ?? (t.family === 6 ? '::' : '0.0.0.0')) : undefined;
        this.bindSockaddr = local !== undefined ? addon.sockaddr(local, t.localPort ?? 0) : null;
        this.sockaddr = addon.sockaddr(t.address, t.port);
        this.addrsOf = t;
      }
      // timeout 0: connect only, the write wait expires before the request goes out
      const request = this.timeoutUs === 0 ? null : this.request;
      slot = engine.connect(this, this.sockaddr as Buffer, this.bindSockaddr, (t.fwmark ?? 0) >>> 0, request);
    } catch (e) {
      // a TypeError: an address the addon cannot take, which libuv's bind/connect refused (EINVAL)
      return this.end(e instanceof TypeError ? connectFailure('EINVAL', true) : 'connect-failed');
    }
    if (slot < 0) return; // ended within the call
    this.slot = slot;
    this.arm(seq);
  }

  /** the native engine's report of the exchange in flight */
  engineEvent(kind: number, a: number, b: number, data: Buffer): void {
    const stream = this.stream;
    if (stream === null) return;
    switch (kind) {
      case R_DONE: // connect only (timeout 0)
        this.slot = -1;
        return this.end(a === 0 ? 'write-timeout' : connectFailure(uvErrorName(a), b === P_AT_ONCE));
      case R_FAIL: {
        this.slot = -1;
        if (b === P_CONNECT || b === P_AT_ONCE) return this.end(connectFailure(uvErrorName(a), b === P_AT_ONCE));
        return this.end(b === P_SEND || this.phase === 'send' ? 'send-failed' : 'read-error');
      }
      case R_CONNECTED:
        this.phase = 'send';
        return this.arm(++this.seq);
      case R_SENT:
        return this.sent();
      case R_DATA:
        this.phase = 'read';
        if (stream.feed(data.subarray(a, a + b)) === 'header-overflow') return this.end(null);
        return this.arm(++this.seq); // the next read waits afresh
      case R_EOF:
        this.slot = -1;
        return this.end(null);
    }
  }

  /** Ends the exchange in progress with `failure` (an abort). */
  cancel(failure: HttpProbeFailure): void {
    if (this.active) this.end(failure);
  }

  expire(seq: number): void {
    if (!this.waiting(seq)) return;
    switch (this.phase) {
      case 'connect':
        return this.end('connect-timeout');
      case 'send':
        return this.end('write-timeout');
      case 'first-read':
        return this.end('first-read-timeout');
      case 'read':
        return this.end('read-timeout');
    }
  }

  waiting(seq: number): boolean {
    return seq === this.seq && this.stream !== null;
  }

  connected(status: number, handle: unknown): void {
    const h = this.handle;
    if (h === null || handle !== h) return; // an attempt that already ended
    if (status !== 0) return this.end(connectFailure(uvErrorName(status), false));
    if (this.timeoutUs === 0) return this.end('write-timeout');
    this.phase = 'send';
    const r = writeOnce(h, this.request);
    if (r === 0) return this.sent();
    if (typeof r === 'number') return this.end('send-failed');
    // the write waits for room in the socket
    const req: OwnedWrite = r;
    req.exchange = this;
    req.handle = h;
    req.oncomplete = onWritten;
    this.arm(++this.seq);
  }

  written(status: number, handle: UvTcp): void {
    if (handle !== this.handle) return;
    if (status !== 0) return this.end('send-failed');
    if (this.phase === 'send') this.sent();
  }

  read(handle: UvTcp): void {
    const stream = this.stream;
    if (handle !== this.handle || stream === null) return;
    const n = readResult();
    if (n > 0) {
      this.phase = 'read';
      const buf = sharedReadBuffer as Buffer;
      if (stream.feed(buf.subarray(0, n)) === 'header-overflow') return this.end(null);
      this.arm(++this.seq); // the next read waits afresh
      return;
    }
    if (n === UV_EOF) return this.end(null);
    if (n < 0) this.end(this.phase === 'send' ? 'send-failed' : 'read-error');
  }

  private sent(): void {
    this.phase = 'first-read';
    this.arm(++this.seq);
  }

  private arm(seq: number): void {
    if (this.timeoutUs > 0) this.queues.add(this.timeoutUs, this, seq);
  }

  private end(failure: HttpProbeFailure | null): void {
    this.stream = null;
    this.request = NO_REQUEST;
    this.seq++; // pending expiries of this attempt are now stale
    if (this.slot >= 0) {
      // a timeout, an abort or a header that overflowed: the socket is closed unreported
      this.engine?.().cancel(this.slot);
      this.slot = -1;
    }
    const h = this.handle;
    this.handle = null;
    if (h !== null) {
      h.exchange = undefined;
      h.close();
    }
    this.owner.exchangeEnded(failure);
  }
}
