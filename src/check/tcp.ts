// TCP_CHECK: a connect within connect_timeout is success; refused, unreachable or timeout
// is failure. The connection is closed at once (keepalived closes right after connect).
import net from 'node:net';
import type { CheckResult, ConnectTarget, Probe } from './types.js';

export function tcpConnect(t: ConnectTarget, signal: AbortSignal): Promise<CheckResult> {
  return new Promise<CheckResult>((resolve) => {
    let settled = false;
    const sock = net.connect({
      host: t.addr,
      port: t.port,
      family: t.family,
      ...(t.bindAddr !== undefined ? { localAddress: t.bindAddr } : {}),
      ...(t.bindPort !== undefined ? { localPort: t.bindPort } : {}),
    });
    const finish = (r: CheckResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(r);
    };
    const onAbort = (): void => finish({ ok: false, reason: 'aborted' });
    // The verdict waits for the I/O phase of the loop iteration the timer fires in: a connect
    // that completed while the loop was busy must win over a timer that is only late.
    const timer = setTimeout(() => setImmediate(() => finish({ ok: false, reason: 'connection timeout' })), t.timeoutUs / 1000);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    sock.once('connect', () => finish({ ok: true, reason: 'connected' }));
    sock.once('error', (e: NodeJS.ErrnoException) => finish({ ok: false, reason: `connection failed (${e.code ?? e.message})` }));
  });
}

export class TcpProbe implements Probe {
  constructor(readonly target: ConnectTarget) {}
  run(_step: number, signal: AbortSignal): Promise<CheckResult> {
    return tcpConnect(this.target, signal);
  }
}
