// The HTTP client edge shared by HTTP_GET, SSL_GET and genhash: connect over
// TCP or TLS, send the exact request bytes, stream the response into a
// digest. Timeouts are per phase and per read, as in keepalived (each wait
// for the socket gets the full connect_timeout), and failures carry
// keepalived's own wording so callers can print or log it unchanged. Plain
// TCP goes through lvsd's connect engine (plain-exchange.ts); TLS needs a
// net.Socket for Node's TLS layer.
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { BodyDigest } from './body-digest.js';
import { connectFailure, FAILURE_MESSAGE, type HttpProbeFailure } from './failure.js';
import { PlainExchange, type ExchangeOwner, type PlainTarget } from './plain-exchange.js';
import { ResponseStream, type ResponseObserver } from './response-stream.js';

/** Where to connect (PlainTarget: server IP literal, port, local address and port, fwmark) and how. */
export interface HttpProbeOptions extends PlainTarget {
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

export { FAILURE_MESSAGE, type HttpProbeFailure };

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

/** The error code of a socket error ("ECONNREFUSED"), or "". */
function errorCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
}

export function probeHttp(opts: HttpProbeOptions): Promise<HttpProbeResult> {
  return opts.tls ? probeTls(opts) : probePlain(opts);
}

/** A probeHttp over plain TCP: one exchange, its end turned into the result. */
class PlainProbe implements ExchangeOwner {
  readonly exchange = new PlainExchange(this);
  readonly digest: BodyDigest | null;
  readonly stream: ResponseStream;
  private onAbort = (): void => this.exchange.cancel('aborted');

  constructor(
    private readonly opts: HttpProbeOptions,
    private readonly resolve: (r: HttpProbeResult) => void,
  ) {
    this.digest = opts.hash === null ? null : new BodyDigest(opts.hash);
    this.stream = new ResponseStream(this.digest, opts.observer ?? null);
  }

  start(): void {
    const o = this.opts;
    if (o.signal?.aborted) return this.exchangeEnded('aborted');
    o.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.exchange.start(o, o.request, this.stream, o.timeoutMs * 1000);
  }

  exchangeEnded(failure: HttpProbeFailure | null): void {
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    if (failure !== null) return this.resolve({ ok: false, failure, message: FAILURE_MESSAGE[failure], stream: this.stream });
    const digest = this.digest ? Buffer.from(this.digest.hex(), 'hex') : Buffer.alloc(0);
    this.resolve({ ok: true, stream: this.stream, digest, cleanEnd: true });
  }
}

function probePlain(opts: HttpProbeOptions): Promise<HttpProbeResult> {
  return new Promise<HttpProbeResult>((resolve) => new PlainProbe(opts, resolve).start());
}

async function probeTls(opts: HttpProbeOptions): Promise<HttpProbeResult> {
  // TLS code is loaded only when needed: start-up time counts for genhash.
  const tlsModule = await import('node:tls');
  const recordsModule = await import('./tls-records.js');
  const contextModule = await import('./tls-context.js');
  const marked = opts.fwmark ? await import('../../net/marked-socket.js') : null;
  return new Promise<HttpProbeResult>((resolve) => {
    const hasher = opts.hash === null ? null : new BodyDigest(opts.hash);
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
      const digest = hasher ? Buffer.from(hasher.hex(), 'hex') : Buffer.alloc(0);
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
          return fail('tls-read-timeout');
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
        // keepalived with connect_timeout 0 over TLS: the request is sent and
        // the first read wait expires (plain-exchange.ts has the TCP case).
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
        tcp = (marked as typeof import('../../net/marked-socket.js')).markedTcpSocket(opts.family, opts.fwmark);
      } catch {
        return fail('connect-failed');
      }
      tcp.connect(connectOpts);
    } else {
      tcp = net.connect(connectOpts);
    }
    tcp.on('error', (err) => {
      if (settled) return;
      if (phase === 'connect') return fail(connectFailure(errorCode(err), !loopTurned));
      if (secure !== null) return; // the TLS socket reports it
      if (phase === 'send') return fail('send-failed');
      fail('read-error');
    });
    tcp.on('connect', () => {
      if (settled) return;
      rearm();
      phase = 'handshake';
      const servername = opts.tls?.servername;
      const records = new recordsModule.TlsRecordTracker();
      let s: TLSSocket;
      try {
        s = tlsModule.connect({
          socket: new recordsModule.RecordTap(tcp as net.Socket, records),
          rejectUnauthorized: false,
          // An IP host stops Node from inventing an SNI name; keepalived sends
          // SNI only when asked to and a virtual host is known.
          host: opts.address,
          ...(servername ? { servername } : {}),
          // keepalived presents the SSL block's certificate but never verifies the server's;
          // the context is made once per SSL block (tls-context.ts)
          secureContext: contextModule.clientContext(tlsModule, opts.tls),
        });
      } catch {
        // the SSL block's key does not open (a wrong password) or is no key: the attempt
        // fails, the process goes on
        return fail('tls-handshake');
      }
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

