// TCP_CHECK: a connect within connect_timeout is success; refused, unreachable or timeout
// is failure. The connection is closed at once (keepalived closes right after connect).
// Per attempt this costs one slot of the native connect engine (native/connect-engine.ts: the
// system calls and nothing else, completions reported in batches): no handle object, no
// timer (the shared deadline queues), no abort listener (one per signal, and the scheduler
// keeps a check's signal until it aborts), no closure and no result object (constants).
// LVSD_TCP_CHECK_ENGINE=uv (read once) connects through libuv's TCP handle instead, the path
// before the engine, kept for A/B measurements (bench/checkers.sh).
import { load as loadAddon } from '../net/packet-socket.js';
import { deadlines, type DeadlineQueues, type Expirable } from './deadlines.js';
import { connectEngine, loadProbeAddon, type ConnectEngine, type EngineOwner } from './native/connect-engine.js';
import { newConnectReq, newTcpHandle, uvErrorName, type UvConnectReq, type UvTcp } from './tcp-handle.js';
import { runViaStart, type CheckResult, type ConnectTarget, type Probe } from './types.js';

const CONNECTED: CheckResult = Object.freeze({ ok: true, reason: 'connected' });
const TIMEOUT: CheckResult = Object.freeze({ ok: false, reason: 'connection timeout' });
const ABORTED: CheckResult = Object.freeze({ ok: false, reason: 'aborted' });
const failures = new Map<string, CheckResult>();
/** the A/B switch: libuv's TCP handle instead of the native engine */
const VIA_UV = process.env.LVSD_TCP_CHECK_ENGINE === 'uv';

function failure(what: string): CheckResult {
  let r = failures.get(what);
  if (!r) {
    r = Object.freeze({ ok: false, reason: `connection failed (${what})` });
    failures.set(what, r);
  }
  return r;
}

function isLinkLocal6(addr: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(addr);
}

/**
 * The address as libuv takes it: an IPv6 link-local address gets bind_if as its scope
 * (keepalived binds the socket to the device, which scopes the link-local address the same).
 */
export function scopedAddr(addr: string, family: 4 | 6, bindIf: string | undefined): string {
  return family === 6 && bindIf !== undefined && isLinkLocal6(addr) && !addr.includes('%') ? `${addr}%${bindIf}` : addr;
}

/** Shared connect callback: `this` is the request, which carries its probe. */
function onConnect(this: UvConnectReq & { owner?: TcpProbe }, status: number, handle: unknown): void {
  this.owner?.connected(status, handle);
}

/**
 * One TCP_CHECK target; at most one attempt in flight (the scheduler runs a check once at a
 * time). No closures of its own: thousands of probes share the callbacks above,
 * and the probe itself is the abort listener (handleEvent).
 */
export class TcpProbe implements Probe, Expirable, EngineOwner {
  private seq = 0;
  private handle: UvTcp | null = null;
  /** the engine slot of the attempt in flight, -1: none */
  private slot = -1;
  /** struct sockaddr of the target and of the bind address (made on the first attempt) */
  private sockaddr: Buffer | null = null;
  private bindSockaddr: Buffer | null = null;
  private resolve: ((r: CheckResult) => void) | null = null;
  private signal: AbortSignal | null = null;
  private readonly connectAddr: string;
  private readonly bindAddr: string | undefined;

  constructor(
    readonly target: ConnectTarget,
    private readonly queues: DeadlineQueues = deadlines,
    private readonly engine: (() => ConnectEngine) | null = VIA_UV ? null : connectEngine,
  ) {
    this.connectAddr = scopedAddr(target.addr, target.family, target.bindIf);
    this.bindAddr =
      target.bindAddr !== undefined ? scopedAddr(target.bindAddr, target.family, target.bindIf) : target.bindPort !== undefined ? (target.family === 6 ? '::' : '0.0.0.0') : undefined;
  }

  run(step: number, signal: AbortSignal): Promise<CheckResult> {
    return runViaStart(this, step, signal);
  }

  start(_step: number, signal: AbortSignal, done: (r: CheckResult) => void): void {
    if (signal.aborted) {
      done(ABORTED);
      return;
    }
    this.prepare(signal);
    this.begin(done);
  }

  private prepare(signal: AbortSignal): void {
    if (signal !== this.signal) {
      this.signal = signal;
      signal.addEventListener('abort', this, { once: true });
    }
    if (this.resolve !== null) this.finish(ABORTED); // overlapping runs: the older one loses
  }

  /** the abort listener */
  handleEvent(): void {
    if (this.resolve !== null) this.finish(ABORTED);
  }

  expire(seq: number): void {
    if (this.waiting(seq)) this.finish(TIMEOUT);
  }

  waiting(seq: number): boolean {
    return seq === this.seq && this.resolve !== null;
  }

  connected(status: number, handle: unknown): void {
    if (handle !== this.handle || this.resolve === null) return; // an attempt that already ended
    this.finish(status === 0 ? CONNECTED : failure(uvErrorName(status)));
  }

  /** the engine's report of the attempt: connect only, so R_DONE with 0 or -errno */
  engineEvent(_kind: number, status: number): void {
    if (this.resolve === null) return;
    this.slot = -1;
    this.finish(status === 0 ? CONNECTED : failure(uvErrorName(status)));
  }

  begin(resolve: (r: CheckResult) => void): void {
    this.resolve = resolve;
    const seq = ++this.seq;
    if (this.engine !== null) return this.beginNative(seq);
    const t = this.target;
    let h: UvTcp;
    try {
      h = newTcpHandle();
      if (t.fwmark) {
        // `fwmark`: libuv cannot mark sockets; the addon makes a marked one for the handle
        const fd = loadAddon().tcpSocket(t.family, t.fwmark);
        const err = h.open(fd);
        if (err) {
          loadAddon().close(fd);
          h.close();
          this.finish(failure(uvErrorName(err)));
          return;
        }
      }
    } catch (e) {
      this.finish(failure(e instanceof Error ? e.message : String(e)));
      return;
    }
    this.handle = h;
    let err = 0;
    if (this.bindAddr !== undefined) err = t.family === 6 ? h.bind6(this.bindAddr, t.bindPort ?? 0, 0) : h.bind(this.bindAddr, t.bindPort ?? 0);
    if (!err) {
      const req: UvConnectReq & { owner?: TcpProbe } = newConnectReq(onConnect);
      req.owner = this;
      err = t.family === 6 ? h.connect6(req, this.connectAddr, t.port) : h.connect(req, this.connectAddr, t.port);
    }
    if (err) {
      this.finish(failure(uvErrorName(err)));
      return;
    }
    this.queues.add(t.timeoutUs, this, seq);
  }

  private beginNative(seq: number): void {
    const t = this.target;
    let slot: number;
    try {
      const engine = (this.engine as () => ConnectEngine)();
      if (this.sockaddr === null) {
        const addon = loadProbeAddon();
        this.bindSockaddr = this.bindAddr !== undefined ? addon.sockaddr(this.bindAddr, t.bindPort ?? 0) : null;
        this.sockaddr = addon.sockaddr(this.connectAddr, t.port);
      }
      slot = engine.connect(this, this.sockaddr, this.bindSockaddr, t.fwmark ?? 0);
    } catch (e) {
      // a TypeError: an address the addon cannot take, which libuv reported as EINVAL
      this.finish(failure(e instanceof TypeError ? 'EINVAL' : e instanceof Error ? e.message : String(e)));
      return;
    }
    if (slot < 0) return; // ended within the call
    this.slot = slot;
    this.queues.add(t.timeoutUs, this, seq);
  }

  private finish(r: CheckResult): void {
    const resolve = this.resolve;
    this.resolve = null;
    this.seq++; // a pending expiry of this attempt is now stale
    if (this.slot >= 0) {
      // a timeout or an abort: the attempt's socket is closed unreported
      this.engine?.().cancel(this.slot);
      this.slot = -1;
    }
    const h = this.handle;
    this.handle = null;
    h?.close();
    resolve?.(r);
  }
}

/** One TCP_CHECK attempt (tests, tools): a probe of its own. */
export function tcpConnect(t: ConnectTarget, signal: AbortSignal): Promise<CheckResult> {
  return new TcpProbe(t).run(0, signal);
}
