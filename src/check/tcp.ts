// TCP_CHECK: a connect within connect_timeout is success; refused, unreachable or timeout
// is failure. The connection is closed at once (keepalived closes right after connect).
import net from 'node:net';
import type { CheckResult, ConnectTarget, Probe } from './types.js';
import { markedTcpSocket } from '../net/marked-socket.js';

export function tcpConnect(t: ConnectTarget, signal: AbortSignal): Promise<CheckResult> {
  return new Promise<CheckResult>((resolve) => {
    let settled = false;
    const opts: net.TcpSocketConnectOpts = {
      host: t.addr,
      port: t.port,
      family: t.family,
      ...(t.bindAddr !== undefined ? { localAddress: t.bindAddr } : {}),
      ...(t.bindPort !== undefined ? { localPort: t.bindPort } : {}),
    };
    let sock: net.Socket;
    if (t.fwmark) {
      // `fwmark`: Node cannot mark sockets, the addon makes a marked one for Node to connect
      try {
        sock = markedTcpSocket(t.family, t.fwmark);
      } catch (e) {
        resolve({ ok: false, reason: `connection failed (${(e as Error).message})` });
        return;
      }
      sock.connect(opts);
    } else sock = net.connect(opts);
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
