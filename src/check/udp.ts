// UDP_CHECK: send the payload on a connected UDP socket. An ICMP error (port unreachable ->
// ECONNREFUSED) is failure. Without require_reply, silence until connect_timeout is success;
// with it, a reply within min..max_reply_length matching the pattern is needed.
import dgram from 'node:dgram';
import { matchesPattern, type HexPattern } from './hex.js';
import { scopedAddr } from './tcp.js';
import type { CheckResult, ConnectTarget, Probe } from './types.js';

export interface UdpSpec {
  target: ConnectTarget;
  payload?: Buffer;
  /** undefined: no reply needed; the string 'any' = whatever comes back; else the pattern */
  requireReply?: HexPattern | 'any';
  minReplyLength: number;
  maxReplyLength: number;
}

/** What keepalived sends without a payload: a small filler datagram. */
const FILLER = Buffer.alloc(32, 0x5a);

/** Sends one datagram and waits for a reply, an ICMP error or the timeout. */
export function udpExchange(
  t: ConnectTarget,
  payload: Buffer,
  signal: AbortSignal,
  accept: (msg: Buffer) => boolean,
): Promise<{ kind: 'reply'; msg: Buffer } | { kind: 'timeout' } | { kind: 'error'; reason: string }> {
  type Out = { kind: 'reply'; msg: Buffer } | { kind: 'timeout' } | { kind: 'error'; reason: string };
  return new Promise<Out>((resolve) => {
    const sock = dgram.createSocket(t.family === 6 ? 'udp6' : 'udp4');
    let settled = false;
    const finish = (r: Out): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      try {
        sock.close();
      } catch {
        // already closed
      }
      resolve(r);
    };
    const onAbort = (): void => finish({ kind: 'error', reason: 'aborted' });
    // decided after the loop's I/O phase, so a reply already queued is not taken for silence
    const timer = setTimeout(() => setImmediate(() => finish({ kind: 'timeout' })), t.timeoutUs / 1000);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    sock.on('error', (e: NodeJS.ErrnoException) => finish({ kind: 'error', reason: e.code ?? e.message }));
    sock.on('message', (msg) => {
      if (accept(msg)) finish({ kind: 'reply', msg });
    });
    const connect = (): void =>
      sock.connect(t.port, scopedAddr(t.addr, t.family, t.bindIf), () => {
        sock.send(payload, (err) => {
          if (err) finish({ kind: 'error', reason: (err as NodeJS.ErrnoException).code ?? err.message });
        });
      });
    if (t.bindAddr !== undefined || t.bindPort !== undefined) sock.bind({ address: t.bindAddr !== undefined ? scopedAddr(t.bindAddr, t.family, t.bindIf) : undefined, port: t.bindPort ?? 0 }, connect);
    else connect();
  });
}

export async function udpCheckOnce(spec: UdpSpec, signal: AbortSignal): Promise<CheckResult> {
  const r = await udpExchange(spec.target, spec.payload ?? FILLER, signal, () => true);
  if (r.kind === 'error') return { ok: false, reason: `UDP connection failed (${r.reason})` };
  if (r.kind === 'timeout') return spec.requireReply ? { ok: false, reason: 'no reply' } : { ok: true, reason: 'no error' };
  const req = spec.requireReply;
  if (req === undefined) return { ok: true, reason: 'reply' };
  const len = r.msg.length;
  if (len < spec.minReplyLength || len > spec.maxReplyLength) return { ok: false, reason: `reply length ${len}` };
  if (req !== 'any' && !matchesPattern(r.msg, req)) return { ok: false, reason: 'reply data mismatch' };
  return { ok: true, reason: 'reply' };
}

export class UdpProbe implements Probe {
  constructor(readonly spec: UdpSpec) {}
  run(_step: number, signal: AbortSignal): Promise<CheckResult> {
    return udpCheckOnce(this.spec, signal);
  }
}
