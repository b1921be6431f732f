// One HTTP exchange over plain TCP, the genhash edge (and HTTP_GET's outside the timed engine:
// tools, tests): connect, write the request, read the response into a ResponseStream. The
// connect, the write and the reads run in the native connect engine
// (../native/connect-engine.ts: Node's per-connection handle machinery costs more than the
// check under emulation), which reports response chunks per batch; they are streamed into the
// stream (and its digest) as they come. Each wait (connect, write, first byte, every later
// read) gets the whole timeout, as in keepalived, through the shared deadline queues (no timer
// per attempt); an expiry is decided after the loop's I/O phase, so a reply that arrived while
// the loop was late wins. One exchange serves a probe's attempts one after another; its owner
// hears how each ended. (HTTP_GET in the daemon runs on the timed engine: http-get.ts.)
import { deadlines, type DeadlineQueues, type Expirable } from '../deadlines.js';
import { errnoName } from '../errno-name.js';
import { connectEngine, loadProbeAddon, P_AT_ONCE, P_CONNECT, P_SEND, R_CONNECTED, R_DATA, R_DONE, R_EOF, R_FAIL, R_SENT, type ConnectEngine, type EngineOwner } from '../native/connect-engine.js';
import { R_TIMEOUT, T_CONNECT, T_FIRST_READ, T_SEND } from '../native/timed-checks.js';
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

/**
 * How a record of the timed engine ends an exchange (data records aside): null when the
 * response ended (EOF), else the failure; undefined when it ends nothing. The same outcomes as
 * this class's for the untimed engine.
 */
export function timedOutcome(kind: number, a: number, b: number): HttpProbeFailure | null | undefined {
  switch (kind) {
    case R_EOF:
      return null;
    case R_DONE: // timeout 0: connect only, the write wait expires before the request goes out
      return a === 0 ? 'write-timeout' : connectFailure(errnoName(a), b === P_AT_ONCE);
    case R_FAIL:
      return b === P_CONNECT || b === P_AT_ONCE ? connectFailure(errnoName(a), b === P_AT_ONCE) : b === P_SEND ? 'send-failed' : 'read-error';
    case R_TIMEOUT:
      return a === T_CONNECT ? 'connect-timeout' : a === T_SEND ? 'write-timeout' : a === T_FIRST_READ ? 'first-read-timeout' : 'read-timeout';
    default:
      return undefined;
  }
}

type Phase = 'connect' | 'send' | 'first-read' | 'read';

export class PlainExchange implements Expirable, EngineOwner {
  private seq = 0;
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
    private readonly engine: () => ConnectEngine = connectEngine,
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
    this.startNative(t, ++this.seq);
  }

  private startNative(t: PlainTarget, seq: number): void {
    let slot: number;
    try {
      const engine = this.engine();
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
      // a TypeError: an address the addon cannot take (EINVAL, as a kernel refusal would say)
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
        return this.end(a === 0 ? 'write-timeout' : connectFailure(errnoName(a), b === P_AT_ONCE));
      case R_FAIL: {
        this.slot = -1;
        if (b === P_CONNECT || b === P_AT_ONCE) return this.end(connectFailure(errnoName(a), b === P_AT_ONCE));
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
      this.engine().cancel(this.slot);
      this.slot = -1;
    }
    this.owner.exchangeEnded(failure);
  }
}
