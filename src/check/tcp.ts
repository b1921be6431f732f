// TCP_CHECK: a connect within connect_timeout is success; refused, unreachable or timeout
// is failure. The connection is closed at once (keepalived closes right after connect).
// In the daemon a check registers once with the timed engine of lvsd's addon
// (native/timed-checks.ts: due times, timeouts and connects in C, results in batches) and
// timedResult() reads its records. start() runs one attempt on the untimed connect engine
// (native/connect-engine.ts) with the shared deadline queues: tools, tests, the JS scheduler.
import { deadlines, type DeadlineQueues, type Expirable } from './deadlines.js';
import { errnoName } from './errno-name.js';
import { connectEngine, loadProbeAddon, type ConnectEngine, type EngineOwner } from './native/connect-engine.js';
import { R_TIMEOUT, type TimedTarget } from './native/timed-checks.js';
import { runViaStart, type CheckResult, type ConnectTarget, type Probe, type TimedProbe } from './types.js';

const CONNECTED: CheckResult = Object.freeze({ ok: true, reason: 'connected' });
const TIMEOUT: CheckResult = Object.freeze({ ok: false, reason: 'connection timeout' });
const ABORTED: CheckResult = Object.freeze({ ok: false, reason: 'aborted' });
const failures = new Map<string, CheckResult>();

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
 * The address as the engine takes it: an IPv6 link-local address gets bind_if as its scope
 * (keepalived binds the socket to the device, which scopes the link-local address the same).
 */
export function scopedAddr(addr: string, family: 4 | 6, bindIf: string | undefined): string {
  return family === 6 && bindIf !== undefined && isLinkLocal6(addr) && !addr.includes('%') ? `${addr}%${bindIf}` : addr;
}

/**
 * One TCP_CHECK target; at most one attempt in flight (the scheduler runs a check once at a
 * time). No closures of its own: the probe itself is the abort listener (handleEvent).
 */
export class TcpProbe implements Probe, TimedProbe, Expirable, EngineOwner {
  private seq = 0;
  /** the engine slot of the attempt in flight, -1: none */
  private slot = -1;
  /** struct sockaddr of the target and of the bind address (made on first use) */
  private sockaddr: Buffer | null = null;
  private bindSockaddr: Buffer | null = null;
  private resolve: ((r: CheckResult) => void) | null = null;
  private signal: AbortSignal | null = null;
  private readonly connectAddr: string;
  private readonly bindAddr: string | undefined;

  constructor(
    readonly target: ConnectTarget,
    private readonly queues: DeadlineQueues = deadlines,
    private readonly engine: () => ConnectEngine = connectEngine,
  ) {
    this.connectAddr = scopedAddr(target.addr, target.family, target.bindIf);
    this.bindAddr =
      target.bindAddr !== undefined ? scopedAddr(target.bindAddr, target.family, target.bindIf) : target.bindPort !== undefined ? (target.family === 6 ? '::' : '0.0.0.0') : undefined;
  }

  /** the sockaddrs (throws a TypeError for an address the addon cannot take) */
  private addrs(): Buffer {
    if (this.sockaddr === null) {
      const addon = loadProbeAddon();
      this.bindSockaddr = this.bindAddr !== undefined ? addon.sockaddr(this.bindAddr, this.target.bindPort ?? 0) : null;
      this.sockaddr = addon.sockaddr(this.connectAddr, this.target.port);
    }
    return this.sockaddr;
  }

  /** What the timed engine needs; throws a TypeError for an address it cannot take. */
  timedTarget(): TimedTarget {
    const t = this.target;
    return { sockaddr: this.addrs(), bind: this.bindSockaddr, mark: t.fwmark ?? 0, timeoutUs: t.timeoutUs, requests: null };
  }

  /** A timed attempt's record (each one ends a TCP_CHECK attempt): its result. */
  timedRecord(kind: number, a: number): CheckResult {
    return kind === R_TIMEOUT ? TIMEOUT : a === 0 ? CONNECTED : failure(errnoName(a));
  }

  run(step: number, signal: AbortSignal): Promise<CheckResult> {
    return runViaStart(this, step, signal);
  }

  start(_step: number, signal: AbortSignal, done: (r: CheckResult) => void): void {
    if (signal.aborted) {
      done(ABORTED);
      return;
    }
    if (signal !== this.signal) {
      this.signal = signal;
      signal.addEventListener('abort', this, { once: true });
    }
    if (this.resolve !== null) this.finish(ABORTED); // overlapping runs: the older one loses
    this.begin(done);
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

  /** the engine's report of the attempt: connect only, so R_DONE with 0 or -errno */
  engineEvent(_kind: number, status: number): void {
    if (this.resolve === null) return;
    this.slot = -1;
    this.finish(status === 0 ? CONNECTED : failure(errnoName(status)));
  }

  private begin(resolve: (r: CheckResult) => void): void {
    this.resolve = resolve;
    const seq = ++this.seq;
    let slot: number;
    try {
      slot = this.engine().connect(this, this.addrs(), this.bindSockaddr, this.target.fwmark ?? 0);
    } catch (e) {
      // a TypeError: an address the addon cannot take (EINVAL, as a kernel refusal would say)
      this.finish(failure(e instanceof TypeError ? 'EINVAL' : e instanceof Error ? e.message : String(e)));
      return;
    }
    if (slot < 0) return; // ended within the call
    this.slot = slot;
    this.queues.add(this.target.timeoutUs, this, seq);
  }

  private finish(r: CheckResult): void {
    const resolve = this.resolve;
    this.resolve = null;
    this.seq++; // a pending expiry of this attempt is now stale
    if (this.slot >= 0) {
      // a timeout or an abort: the attempt's socket is closed unreported
      this.engine().cancel(this.slot);
      this.slot = -1;
    }
    resolve?.(r);
  }
}

/** One TCP_CHECK attempt (tests, tools): a probe of its own. */
export function tcpConnect(t: ConnectTarget, signal: AbortSignal): Promise<CheckResult> {
  return new TcpProbe(t).run(0, signal);
}
