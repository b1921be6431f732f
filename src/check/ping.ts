// PING_CHECK: one ICMP echo request per attempt; an echo reply within connect_timeout is
// success, silence or an ICMP error about the request (unreachable, time exceeded) is
// failure. keepalived uses an unprivileged ping socket, whose kernel demultiplexes replies by
// echo id; lvsd's raw socket is shared (see icmp-socket.ts), so it does that itself: each
// socket has a random echo id and each attempt its own sequence number.
import { deadlines, type DeadlineQueues, type Expirable } from './deadlines.js';
import { decodeIcmp4, decodeIcmp6, encodeEcho, ipv4Header } from './icmp-echo.js';
import { openIcmpSocket, type IcmpSocket, type IcmpSource } from './icmp-socket.js';
import { scopedAddr } from './tcp.js';
import type { CheckResult, ConnectTarget, Probe } from './types.js';

const REPLY: CheckResult = Object.freeze({ ok: true, reason: 'echo reply' });
const TIMEOUT: CheckResult = Object.freeze({ ok: false, reason: 'ICMP echo timeout' });
const ABORTED: CheckResult = Object.freeze({ ok: false, reason: 'aborted' });

interface Waiter {
  onReply(src: string | null): void;
  onIcmpError(type: number, code: number): void;
}

/** One shared raw socket and the attempts waiting on it, by sequence number. */
class EchoChannel {
  readonly id = Math.floor(Math.random() * 0x10000);
  private seq = Math.floor(Math.random() * 0x10000);
  private readonly waiting = new Map<number, Waiter>();
  private sock: IcmpSocket | null = null;

  constructor(
    private readonly src: IcmpSource,
    private readonly onIdle: () => void,
  ) {}

  /** Sends an echo to `dst`; returns its sequence number. Throws when no socket can be had. */
  send(dst: string, w: Waiter, after: (err: Error | null) => void): number {
    this.sock ??= openIcmpSocket(this.src, (m) => this.onMessage(m), () => {});
    let seq = (this.seq = (this.seq + 1) & 0xffff);
    // 65,536 attempts in flight on one socket would wrap onto a live one: skip those numbers
    for (let i = 0; this.waiting.has(seq) && i < 0x10000; i++) seq = this.seq = (this.seq + 1) & 0xffff;
    this.waiting.set(seq, w);
    let pkt = encodeEcho(this.src.family, this.id, seq);
    if (this.sock.headerIncluded && this.src.bindAddr) pkt = Buffer.concat([ipv4Header(this.src.bindAddr, dst, pkt.length), pkt]);
    this.sock.send(pkt, dst, after);
    return seq;
  }

  done(seq: number): void {
    this.waiting.delete(seq);
    if (this.waiting.size === 0 && this.sock) {
      this.sock.close();
      this.sock = null;
      this.onIdle();
    }
  }

  private onMessage(buf: Buffer): void {
    const ev = this.src.family === 4 ? decodeIcmp4(buf) : decodeIcmp6(buf);
    if (!ev || ev.id !== this.id) return;
    const w = this.waiting.get(ev.seq);
    if (!w) return;
    if (ev.kind === 'reply') w.onReply(ev.src);
    else w.onIcmpError(ev.type, ev.code);
  }
}

const channels = new Map<string, EchoChannel>();

function channelFor(src: IcmpSource): EchoChannel {
  const key = `${src.family}|${src.bindIf ?? ''}|${src.bindAddr ?? ''}|${src.fwmark ?? 0}`;
  let c = channels.get(key);
  if (!c) {
    c = new EchoChannel(src, () => {});
    channels.set(key, c);
  }
  return c;
}

export class PingProbe implements Probe, Expirable, Waiter {
  private attempt = 0;
  private seq = -1;
  private resolve: ((r: CheckResult) => void) | null = null;
  private signal: AbortSignal | null = null;
  private readonly channel: EchoChannel;
  private readonly dst: string;
  /** IPv4: the reply must come from the address pinged (IPv6 replies carry no header to read) */
  private readonly expectSrc: string | null;

  constructor(
    readonly target: ConnectTarget,
    private readonly queues: DeadlineQueues = deadlines,
  ) {
    const src: IcmpSource = { family: target.family, bindIf: target.bindIf, bindAddr: target.bindAddr, fwmark: target.fwmark };
    this.channel = channelFor(src);
    this.dst = scopedAddr(target.addr, target.family, target.bindIf);
    this.expectSrc = target.family === 4 ? target.addr : null;
  }

  run(_step: number, signal: AbortSignal): Promise<CheckResult> {
    if (signal.aborted) return Promise.resolve(ABORTED);
    if (signal !== this.signal) {
      this.signal = signal;
      signal.addEventListener('abort', () => this.finish(ABORTED), { once: true });
    }
    if (this.resolve !== null) this.finish(ABORTED);
    return new Promise<CheckResult>(this.begin);
  }

  expire(attempt: number): void {
    if (this.waiting(attempt)) this.finish(TIMEOUT);
  }

  waiting(attempt: number): boolean {
    return attempt === this.attempt && this.resolve !== null;
  }

  onReply(src: string | null): void {
    if (this.expectSrc !== null && src !== this.expectSrc) return;
    this.finish(REPLY);
  }

  onIcmpError(type: number, code: number): void {
    this.finish({ ok: false, reason: `ICMP error type ${type} code ${code}` });
  }

  private readonly begin = (resolve: (r: CheckResult) => void): void => {
    this.resolve = resolve;
    const attempt = ++this.attempt;
    try {
      this.seq = this.channel.send(this.dst, this, (err) => {
        if (err && attempt === this.attempt) this.finish({ ok: false, reason: `send ICMP packet fail (${(err as NodeJS.ErrnoException).code ?? err.message})` });
      });
    } catch (e) {
      this.finish({ ok: false, reason: `ICMP socket failed (${e instanceof Error ? e.message : String(e)})` });
      return;
    }
    this.queues.add(this.target.timeoutUs, this, attempt);
  };

  private finish(r: CheckResult): void {
    const resolve = this.resolve;
    if (resolve === null) return;
    this.resolve = null;
    this.attempt++;
    if (this.seq >= 0) this.channel.done(this.seq);
    this.seq = -1;
    resolve(r);
  }
}

/** One PING_CHECK attempt (tests, tools). */
export function pingOnce(t: ConnectTarget, signal: AbortSignal): Promise<CheckResult> {
  return new PingProbe(t).run(0, signal);
}
