// SMTP_CHECK: the dialogue keepalived holds with a mail server: read the banner (status 220),
// send "HELO <helo_name>", read the answer (250), send "QUIT", read one more line. Each wait
// (connect, every read and write) gets the whole connect_timeout. A status is the first three
// characters of a line followed by a space or the line's end, as keepalived reads it, so a
// multi-line "220-" banner or a bare "220\r" line is a failure there and here.
import net from 'node:net';
import { markedTcpSocket } from '../net/marked-socket.js';
import { scopedAddr } from './tcp.js';
import type { CheckResult, ConnectTarget, Probe } from './types.js';

export const SMTP_DEFAULT_HELO = 'smtpchecker.keepalived.org';
/** keepalived's line buffer: a longer line without a newline wraps (is dropped and read on). */
const LINE_MAX = 511;

export interface SmtpSpec {
  target: ConnectTarget;
  heloName: string;
}

/** The status of a reply line (text before '\n'), or -1 when it has none in keepalived's reading. */
export function smtpStatus(line: string): number {
  const m = /^(\d{3})(?: |$)/.exec(line);
  return m ? Number(m[1]) : -1;
}

type Phase = 'connect' | 'banner' | 'helo' | 'quit';

export function smtpCheckOnce(spec: SmtpSpec, signal: AbortSignal): Promise<CheckResult> {
  const t = spec.target;
  const host = `[${t.addr}]:${t.port}`;
  return new Promise<CheckResult>((resolve) => {
    let settled = false;
    let phase: Phase = 'connect';
    let buf = '';
    let sock: net.Socket | undefined;
    const finish = (ok: boolean, reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      sock?.destroy();
      resolve({ ok, reason });
    };
    const onAbort = (): void => finish(false, 'aborted');
    const ms = t.timeoutUs / 1000;
    const timer = setTimeout(() => {
      // decided after the I/O phase, so data already queued is read before the verdict
      setImmediate(() => {
        if (phase === 'connect') finish(false, `Connection timeout to server ${host}`);
        else finish(false, `Read timeout from server ${host}`);
      });
    }, ms);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });

    const send = (line: string): void => {
      timer.refresh();
      sock?.write(line, (err) => {
        if (err) finish(false, `Write failure to server ${host}`);
      });
    };
    const onLine = (line: string): void => {
      timer.refresh();
      switch (phase) {
        case 'banner':
          if (smtpStatus(line) !== 220) return finish(false, `Bad greeting banner from server ${host}`);
          phase = 'helo';
          return send(`HELO ${spec.heloName}\r\n`);
        case 'helo':
          if (smtpStatus(line) !== 250) return finish(false, `Bad HELO response from server ${host}`);
          phase = 'quit';
          return send('QUIT\r\n');
        case 'quit':
          return finish(true, 'SMTP dialogue complete');
        default:
          return undefined;
      }
    };
    const connectOpts: net.TcpSocketConnectOpts = {
      host: scopedAddr(t.addr, t.family, t.bindIf),
      port: t.port,
      family: t.family,
      ...(t.bindAddr !== undefined ? { localAddress: scopedAddr(t.bindAddr, t.family, t.bindIf) } : {}),
      ...(t.bindPort !== undefined ? { localPort: t.bindPort } : {}),
    };
    try {
      if (t.fwmark) {
        sock = markedTcpSocket(t.family, t.fwmark);
        sock.connect(connectOpts);
      } else sock = net.connect(connectOpts);
    } catch (e) {
      return finish(false, `Error connecting to server ${host} (${e instanceof Error ? e.message : String(e)})`);
    }
    sock.setEncoding('latin1');
    sock.on('connect', () => {
      phase = 'banner';
      timer.refresh();
    });
    sock.on('data', (chunk: string) => {
      if (settled) return;
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        // keepalived reads one line per wait and drops whatever came after it in the same read
        const line = buf.slice(0, nl);
        buf = '';
        onLine(line);
      } else if (buf.length >= LINE_MAX) buf = '';
    });
    sock.on('end', () => finish(false, `Read failure from server ${host}`));
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (phase === 'connect') finish(false, `Error connecting to server ${host} (${e.code ?? e.message})`);
      else finish(false, `Read failure from server ${host} (${e.code ?? e.message})`);
    });
    sock.on('close', () => finish(false, `Read failure from server ${host}`));
  });
}

export class SmtpProbe implements Probe {
  constructor(readonly spec: SmtpSpec) {}
  run(_step: number, signal: AbortSignal): Promise<CheckResult> {
    return smtpCheckOnce(this.spec, signal);
  }
}
