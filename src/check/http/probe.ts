// The HTTP client edge shared by HTTP_GET, SSL_GET and genhash: connect over
// TCP or TLS, send the exact request bytes, stream the response into a
// digest. Timeouts are per phase and per read, as in keepalived (each wait
// for the socket gets the full connect_timeout), and failures carry
// keepalived's own wording so callers can print or log it unchanged.
import net from 'node:net';
import { createHash, type Hash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { ResponseStream, type ResponseObserver } from './response-stream.js';

export interface HttpProbeOptions {
  /** Server IP literal (no name resolution). */
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
  /** SO_MARK of the connection (keepalived `fwmark`, genhash -m); 0/absent: none */
  readonly fwmark?: number | undefined;
  /** Present for SSL_GET / genhash -S; servername enables SNI. */
  readonly tls?: {
    readonly servername?: string | undefined;
    /** client certificate, key, key password and CA of the global SSL block (PEM) */
    readonly cert?: Buffer | undefined;
    readonly key?: Buffer | undefined;
    readonly passphrase?: string | undefined;
    readonly ca?: Buffer | undefined;
  } | undefined;
  /** Exact request bytes (see buildGetRequest). */
  readonly request: Buffer;
  /** Per-wait timeout; 0 reproduces keepalived's behaviour for connect_timeout 0. */
  readonly timeoutMs: number;
  /** Node crypto digest name; null skips hashing (no digest configured). */
  readonly hash: string | null;
  readonly observer?: ResponseObserver | undefined;
  readonly signal?: AbortSignal | undefined;
}

export type HttpProbeFailure =
  | 'connect-failed'
  | 'network-unreachable'
  | 'connect-error'
  | 'connect-timeout'
  | 'tls-handshake'
  | 'send-failed'
  | 'write-timeout'
  | 'first-read-timeout'
  | 'read-timeout'
  | 'tls-read-timeout'
  | 'read-error'
  | 'aborted';

/** keepalived's message for each failure (printed by genhash, logged by the checkers). */
export const FAILURE_MESSAGE: Readonly<Record<HttpProbeFailure, string>> = {
  'connect-failed': 'Connection failed',
  'network-unreachable': 'HTTP_CHECK - network unreachable',
  'connect-error': 'Error connecting',
  'connect-timeout': 'Timeout connecting',
  'tls-handshake': 'SSL handshake/communication error connecting to',
  'send-failed': 'Cannot send get request to',
  'write-timeout': 'Timeout WEB write',
  'first-read-timeout': 'Timeout WEB read',
  'read-timeout': 'Timeout HTTP read',
  'tls-read-timeout': 'Timeout SSL read',
  'read-error': 'Read error with',
  aborted: 'Aborted',
};

export interface HttpProbeFailed {
  readonly ok: false;
  readonly failure: HttpProbeFailure;
  readonly message: string;
  readonly stream: ResponseStream;
}

export interface HttpProbeDone {
  readonly ok: true;
  /**
   * Response parse state: headerComplete, statusCode, contentLength, byte
   * counts. keepalived's "no data received" is !stream.headerComplete (a
   * response cut before CRLFCRLF counts as no data, whatever its length).
   */
  readonly stream: ResponseStream;
  /** Digest of the hashed body bytes (empty when hash is null). */
  readonly digest: Buffer;
  /**
   * The stream ended in an orderly way: a FIN over TCP, a close_notify over
   * TLS. genhash -v prints the digest block only then, and an orderly TLS
   * close before any header is keepalived's "SSL read error from".
   */
  readonly cleanEnd: boolean;
}

export type HttpProbeResult = HttpProbeDone | HttpProbeFailed;

/** Bytes handed to each onread callback for plain TCP; reused, never grows. */
const READ_BUFFER_BYTES = 256 * 1024;
/**
 * One receive buffer for every plain-TCP probe: onread hands each chunk to onBytes, which
 * consumes it (parser copy, digest update, regex text) before returning, and reads happen one
 * at a time on the event loop. A buffer per attempt was 256 KiB of garbage per check.
 */
let sharedReadBuffer: Buffer | undefined;

/** errno values keepalived's connect() treats as "network unreachable" when connect() itself fails */
const SYNC_UNREACHABLE = new Set(['EHOSTUNREACH', 'EHOSTDOWN', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT']);

/** `immediate`: the error came from connect() itself, before the event loop turned (a route refused it). */
function connectFailure(err: unknown, immediate: boolean): HttpProbeFailure {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  if (code === 'ENETUNREACH' || code === 'ENETDOWN') return 'network-unreachable';
  if (immediate && SYNC_UNREACHABLE.has(code)) return 'network-unreachable';
  if (code === 'ETIMEDOUT') return 'connect-timeout';
  if (code === 'EADDRNOTAVAIL' || code === 'EADDRINUSE' || code === 'EACCES' || code === 'EINVAL') {
    return 'connect-error';
  }
  return 'connect-failed';
}

export async function probeHttp(opts: HttpProbeOptions): Promise<HttpProbeResult> {
  // TLS code is loaded only when needed: start-up time counts for genhash.
  const tlsModule = opts.tls ? await import('node:tls') : null;
  const recordsModule = opts.tls ? await import('./tls-records.js') : null;
  const marked = opts.fwmark ? await import('../../net/marked-socket.js') : null;
  return new Promise<HttpProbeResult>((resolve) => {
    const hasher: Hash | null = opts.hash === null ? null : createHash(opts.hash);
    const stream = new ResponseStream(hasher, opts.observer ?? null);
    let settled = false;
    let phase: 'connect' | 'handshake' | 'send' | 'first-read' | 'read' = 'connect';
    let tcp: net.Socket | null = null;
    let secure: TLSSocket | null = null;
    const timeoutMs = opts.timeoutMs;
    // With timeout 0 nothing waits on a timer (see startSend).
    const timer = timeoutMs > 0 ? setTimeout(onTimer, timeoutMs) : null;
    /** bumped by every rearm: a deferred timeout that saw an older value is stale */
    let armed = 0;
    const rearm = (): void => {
      armed++;
      timer?.refresh();
    };
    // The verdict waits for the I/O phase of the loop iteration the timer fires in: a reply
    // that arrived while the loop was late (a starved VM, a long GC) must win over the timer.
    function onTimer(): void {
      const at = armed;
      setImmediate(() => {
        if (!settled && at === armed) onTimeout();
      });
    }

    const finish = (result: HttpProbeResult): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      secure?.destroy();
      tcp?.destroy();
      resolve(result);
    };
    const fail = (failure: HttpProbeFailure): void => {
      finish({ ok: false, failure, message: FAILURE_MESSAGE[failure], stream });
    };
    const done = (cleanEnd: boolean): void => {
      const digest = hasher ? hasher.digest() : Buffer.alloc(0);
      finish({ ok: true, stream, digest, cleanEnd });
    };

    function onTimeout(): void {
      switch (phase) {
        case 'connect':
        case 'handshake':
          return fail('connect-timeout');
        case 'send':
          return fail('write-timeout');
        case 'first-read':
          return fail('first-read-timeout');
        case 'read':
          return fail(opts.tls ? 'tls-read-timeout' : 'read-timeout');
      }
    }
    function onAbort(): void {
      fail('aborted');
    }
    if (opts.signal?.aborted) return fail('aborted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    // Returns false when reading must stop (header overflow = keepalived EOF).
    const onBytes = (chunk: Buffer): boolean => {
      if (settled) return false;
      if (phase === 'first-read' || phase === 'send') phase = 'read';
      rearm();
      if (stream.feed(chunk) === 'header-overflow') {
        done(true);
        return false;
      }
      return true;
    };

    const startSend = (sock: net.Socket | TLSSocket): void => {
      if (timeoutMs === 0) {
        // keepalived with connect_timeout 0: over TCP the write wait expires
        // before the request goes out; over TLS the request is sent and the
        // first read wait expires.
        if (!opts.tls) return fail('write-timeout');
        phase = 'first-read';
        sock.write(opts.request, () => fail('first-read-timeout'));
        return;
      }
      phase = 'send';
      rearm();
      sock.write(opts.request, (err) => {
        if (settled) return;
        if (err) return fail('send-failed');
        if (phase === 'send') {
          phase = ticketSeen ? 'read' : 'first-read';
          rearm();
        }
      });
    };

    // TLS 1.3 session tickets reach the client after the handshake; to
    // keepalived they make the socket readable, which ends its first wait
    // ("Timeout WEB read") and starts the per-read one ("Timeout SSL read").
    let ticketSeen = false;
    const plain = !opts.tls;
    const socketOpts: Omit<net.SocketConstructorOpts, 'fd'> & { onread?: net.OnReadOpts } = plain
      ? {
          onread: {
            buffer: (sharedReadBuffer ??= Buffer.allocUnsafe(READ_BUFFER_BYTES)),
            callback: (n: number, buf: Uint8Array): boolean =>
              onBytes(Buffer.from(buf.buffer, buf.byteOffset, n)),
          },
        }
      : {};
    const connectOpts: net.TcpSocketConnectOpts = {
      host: opts.address,
      port: opts.port,
      family: opts.family,
      ...(opts.localAddress !== undefined ? { localAddress: opts.localAddress } : {}),
      ...(opts.localPort !== undefined ? { localPort: opts.localPort } : {}),
    };
    // Errors connect() returns at once reach us before setImmediate runs; later ones after.
    let loopTurned = false;
    setImmediate(() => {
      loopTurned = true;
    });
    if (opts.fwmark) {
      // Node cannot mark its own sockets: the addon makes a marked one for Node to connect.
      try {
        tcp = (marked as typeof import('../../net/marked-socket.js')).markedTcpSocket(opts.family, opts.fwmark, socketOpts);
      } catch {
        return fail('connect-failed');
      }
      tcp.connect(connectOpts);
    } else {
      tcp = net.connect({ ...connectOpts, ...socketOpts });
    }
    tcp.on('error', (err) => {
      if (settled) return;
      if (phase === 'connect') return fail(connectFailure(err, !loopTurned));
      if (secure !== null) return; // the TLS socket reports it
      if (phase === 'send') return fail('send-failed');
      fail('read-error');
    });
    tcp.on('connect', () => {
      if (settled) return;
      rearm();
      if (tlsModule === null || recordsModule === null) {
        tcp?.on('end', () => {
          if (!settled) done(true);
        });
        startSend(tcp as net.Socket);
        return;
      }
      phase = 'handshake';
      const servername = opts.tls?.servername;
      const records = new recordsModule.TlsRecordTracker();
      const s = tlsModule.connect({
        socket: new recordsModule.RecordTap(tcp as net.Socket, records),
        rejectUnauthorized: false,
        // An IP host stops Node from inventing an SNI name; keepalived sends
        // SNI only when asked to and a virtual host is known.
        host: opts.address,
        ...(servername ? { servername } : {}),
        // keepalived presents the SSL block's certificate but never verifies the server's
        ...(opts.tls?.cert ? { cert: opts.tls.cert } : {}),
        ...(opts.tls?.key ? { key: opts.tls.key } : {}),
        ...(opts.tls?.passphrase !== undefined ? { passphrase: opts.tls.passphrase } : {}),
        ...(opts.tls?.ca ? { ca: opts.tls.ca } : {}),
      });
      secure = s;
      let closeNotify = false;
      s.on('session', () => {
        if (s.getProtocol() !== 'TLSv1.3') return;
        ticketSeen = true;
        if (phase === 'first-read') {
          phase = 'read';
          rearm();
        }
      });
      s.on('secureConnect', () => {
        if (settled) return;
        rearm();
        startSend(s);
      });
      s.on('data', (chunk: Buffer) => {
        if (!onBytes(chunk)) s.destroy();
      });
      s.on('end', () => {
        const tag = /CCM_8|CCM8/.test(s.getCipher()?.standardName ?? '') ? 8 : 16;
        closeNotify = records.endedWithCloseNotify(s.getProtocol(), tag);
        if (!settled) done(closeNotify);
      });
      s.on('error', () => {
        if (settled) return;
        if (phase === 'handshake') return fail('tls-handshake');
        if (phase === 'send') return fail('send-failed');
        // keepalived ends an SSL stream on any read error and still reports
        // the digest of what it got.
        done(closeNotify);
      });
      s.on('close', () => {
        if (!settled) {
          if (phase === 'handshake') fail('tls-handshake');
          else done(closeNotify);
        }
      });
    });
    tcp.on('close', () => {
      if (settled || secure !== null) return;
      if (phase === 'connect') fail('connect-failed');
      else done(true);
    });
  });
}

