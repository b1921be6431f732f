// HTTP_GET / SSL_GET attempts for one real server, on the shared HTTP edge (src/check/http):
// the body streams into the MD5 digest and, with a regex, through a bounded match window;
// nothing is buffered whole. The verdict follows check_http.c http_handle_response: no
// data, then status code, then digest, then regex. Per url the request bytes, digest sink and
// regex window are made once. In the daemon a plain HTTP_GET registers once with the timed
// engine of lvsd's addon (native/timed-checks.ts: due times, timeouts, connect, request and
// reads in C), and timedRecord() streams each batch's response chunks into the stream and
// gives the verdict: no closures, no timer and (for the usual outcomes) no result object.
import { scopedAddr } from './tcp.js';
import { loadProbeAddon, R_DATA } from './native/connect-engine.js';
import type { TimedTarget } from './native/timed-checks.js';
import { BodyDigest } from './http/body-digest.js';
import { boundedRegExp } from './http/bounded-regex.js';
import type { MatchStart } from './http/pcre-regex.js';
import { FAILURE_MESSAGE, type HttpProbeFailure } from './http/failure.js';
import { PlainExchange, timedOutcome, type ExchangeOwner, type PlainTarget } from './http/plain-exchange.js';
import { probeHttp } from './http/probe.js';
import { buildGetRequest, type HttpVersion } from './http/request.js';
import { ResponseStream, type ResponseObserver } from './http/response-stream.js';
import { runViaStart, type CheckResult, type ConnectTarget, type Probe, type TimedProbe } from './types.js';
import type { SslFiles } from '../config/ssl-block.js';

export interface UrlSpec {
  path: string;
  /** lower-case hex MD5 of the body */
  digest?: string;
  /** accepted [lo, hi] ranges */
  statusCodes: Array<[number, number]>;
  /** Host header and (with SNI) server name; resolved url > checker > real > virtual server */
  virtualHost?: string;
  regex?: RegExp;
  regexNoMatch?: boolean;
  /** regex_min_offset / regex_max_offset: a match must start within [min, max] of the body */
  regexMinOffset?: number;
  regexMaxOffset?: number;
  /** regex_options firstline: a match must start at or before the body's first LF */
  regexFirstLine?: boolean;
  /** the pattern begins with `.*`: where a match can start (compilePcre's `start`) */
  regexStart?: Exclude<MatchStart, null>;
}

export interface HttpGetSpec {
  target: ConnectTarget;
  urls: UrlSpec[];
  version: HttpVersion;
  tls: boolean;
  enableSni: boolean;
  /** the global SSL block's files, read once (PEM) */
  clientTls?: SslFiles;
}

/** How far back a regex can look across reads: the text kept from the previous chunks. */
const REGEX_WINDOW = 4096;

/**
 * Matches a regex over a streamed body with a bounded overlap between chunks, with the answer a
 * match over the whole body gives (within the overlap). With offsets (regex_min_offset /
 * regex_max_offset, as check_http.c) a match counts only when it starts at a body offset
 * within [min, max]; text before min is still seen by lookbehinds. With `firstLine` (PCRE2's
 * firstline) the first LF of the body is a bound on max too. `start` (compilePcre's, for a
 * pattern that begins with `.*`): the positions tried, as PCRE2 tries them. `end()` gives the
 * answer once the body is complete.
 */
export class StreamRegex implements ResponseObserver {
  /** a match was found in the text so far (what follows may still undo it: see body) */
  private found = false;
  /** a match that nothing after it can undo any more: the rest of the body is not searched */
  private final = false;
  private tail = '';
  /** body characters (latin1: bytes) seen, the current chunk's included */
  private seen = 0;
  /** body offset of the first LF, once seen (firstLine) */
  private firstLf = Number.POSITIVE_INFINITY;
  /** searched from an index (g); with `start` 'line': only at line starts (after an LF) */
  private readonly scan: RegExp;
  /** with `start`: tried at the search's start alone (y) */
  private readonly first: RegExp | null;
  constructor(
    re: RegExp,
    private readonly minOffset = 0,
    private readonly maxOffset = Number.POSITIVE_INFINITY,
    private readonly firstLine = false,
    private readonly start: MatchStart = null,
    private readonly window = REGEX_WINDOW,
  ) {
    // bounded: a pathological pattern and body end as no match, not as a stalled event loop
    const flags = re.flags.replace(/[gy]/g, '');
    this.scan = boundedRegExp(start === 'line' ? new RegExp(`(?<=\\n)(?:${re.source})`, flags) : re, flags + 'g');
    this.first = start === null ? null : boundedRegExp(re, flags + 'y');
  }
  /** Ready for the next body. */
  reset(): void {
    this.found = false;
    this.final = false;
    this.tail = '';
    this.seen = 0;
    this.firstLf = Number.POSITIVE_INFINITY;
  }
  headerRead(): void {}
  header(): void {}
  body(bytes: Buffer): void {
    if (this.final) return;
    const text = this.tail + bytes.toString('latin1');
    if (this.firstLine && this.firstLf === Number.POSITIVE_INFINITY) {
      const lf = bytes.indexOf(10);
      if (lf >= 0) this.firstLf = this.seen + lf;
    }
    this.seen += bytes.length;
    const m = this.search(text);
    this.found = m !== null;
    // A match near the end of the text so far is not final: a $, \b or (?!…) may have held at
    // that end and fail on what follows (PCRE2's partial match waits likewise). A window past
    // its end nothing can undo it (no match sees further). Kept: the window, and from the
    // character before a match found (bounded), where the next chunk's search finds it again,
    // or an earlier one, or none
    if (m !== null && m.index + m[0].length + this.window <= text.length) {
      this.final = true;
      this.tail = '';
      return;
    }
    let keep = text.length - this.window - 1;
    if (m !== null) keep = Math.max(Math.min(keep, m.index - 1), text.length - 4 * this.window);
    this.tail = keep > 0 ? text.slice(keep) : text;
  }
  /** The answer once the body has ended (the last search's, or a final one); the state is then reset's. */
  end(): boolean {
    const matched = this.found;
    this.reset();
    return matched;
  }

  /** the leftmost match in `text` (the body's last characters) that counts, or null */
  private search(text: string): RegExpExecArray | null {
    const base = this.seen - text.length; // body offset of text[0]
    const max = Math.min(this.maxOffset, this.firstLf);
    if (base > max) return null;
    // a kept window's first character is context only: no match starts there (the subject's
    // start, which ^ and \A look for, is the body's, not the window's)
    const m = this.find(text, Math.max(base > 0 ? 1 : 0, this.minOffset - base));
    // the leftmost from min on: if it starts past max, no other one here counts
    return m !== null && base + m.index <= max ? m : null;
  }

  private find(text: string, from: number): RegExpExecArray | null {
    if (this.first !== null) {
      this.first.lastIndex = from;
      const m = this.first.exec(text);
      if (m !== null || this.start === 'search') return m;
      from++; // then line starts after it
    }
    this.scan.lastIndex = from;
    return this.scan.exec(text);
  }
}

/** A plain loop: a closure and array destructuring per check were garbage at 10,000 checks/s. */
function inRanges(code: number, ranges: Array<[number, number]>): boolean {
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i];
    if (code >= r[0] && code <= r[1]) return true;
  }
  return false;
}

// Results are shared, frozen objects: the same few outcomes repeat at every check.
const NO_DATA: CheckResult = Object.freeze({ ok: false, reason: 'no data received' });
const REGEX_FAILED: CheckResult = Object.freeze({ ok: false, reason: 'regex match failed' });
const failureResults = new Map<HttpProbeFailure, CheckResult>();
const statusResults = new Map<number, CheckResult>();

function failed(f: HttpProbeFailure): CheckResult {
  let r = failureResults.get(f);
  if (!r) failureResults.set(f, (r = Object.freeze({ ok: false, reason: FAILURE_MESSAGE[f] })));
  return r;
}
const ABORTED = failed('aborted');

/** ok with "HTTP status code N", or the failure "HTTP status code N" */
function statusResult(ok: boolean, code: number): CheckResult {
  const key = ok ? code : -1 - code;
  let r = statusResults.get(key);
  if (!r) statusResults.set(key, (r = Object.freeze({ ok, reason: `HTTP status code ${code}` })));
  return r;
}

/** One url block, prepared once: its exact request and the sinks its attempts reuse. */
class UrlPlan {
  readonly request: Buffer;
  readonly digest: BodyDigest | null;
  readonly regex: StreamRegex | null;

  constructor(
    readonly url: UrlSpec,
    spec: HttpGetSpec,
  ) {
    const t = spec.target;
    this.request = buildGetRequest({ path: url.path, version: spec.version, virtualHost: url.virtualHost ?? null, address: t.addr, port: t.port, family: t.family });
    this.digest = url.digest ? new BodyDigest('md5') : null;
    this.regex = url.regex ? new StreamRegex(url.regex, url.regexMinOffset, url.regexMaxOffset, url.regexFirstLine, url.regexStart ?? null) : null;
  }

  /** Ready for an attempt. */
  reset(stream: ResponseStream): void {
    this.digest?.reset();
    this.regex?.reset();
    stream.reset(this.digest, this.regex);
  }

  /**
   * keepalived's verdict on a response that arrived (`digestHex`: null to take the sink's).
   * The sinks are emptied after it: a digest string or regex tail kept until the next check
   * (a delay_loop away) outlives the young generation, and at 10,000 real servers that
   * promoted garbage was tens of MB of old space between major collections.
   */
  verdict(stream: ResponseStream, digestHex: string | null): CheckResult {
    const r = this.judge(stream, digestHex);
    this.digest?.reset();
    this.regex?.reset();
    return r;
  }

  private judge(stream: ResponseStream, digestHex: string | null): CheckResult {
    if (stream.totalBytes === 0) return NO_DATA;
    const code = stream.statusCode;
    const url = this.url;
    if (!inRanges(code, url.statusCodes)) return statusResult(false, code);
    if (url.digest) {
      const got = digestHex ?? this.digest?.hex() ?? '';
      if (got !== url.digest) return { ok: false, reason: `MD5 digest mismatch (${got})` };
    }
    if (this.regex && this.regex.end() === (url.regexNoMatch === true)) return REGEX_FAILED;
    return statusResult(true, code);
  }
}

/**
 * One HTTP_GET / SSL_GET checker; at most one attempt in flight (the scheduler runs a check
 * once at a time). The probe is its own abort listener (handleEvent), added once per signal.
 */
export class HttpGetProbe implements Probe, TimedProbe, ExchangeOwner {
  private readonly plans: UrlPlan[];
  private readonly plainTarget: PlainTarget;
  private readonly stream = new ResponseStream(null);
  private readonly exchange: PlainExchange;
  private resolve: ((r: CheckResult) => void) | null = null;
  private plan: UrlPlan | null = null;
  private signal: AbortSignal | null = null;
  /** bumped per attempt: a TLS attempt that ended after an abort is not reported */
  private attempt = 0;
  /** the url of the timed attempt whose records are coming, null: none begun */
  private timedPlan: UrlPlan | null = null;

  constructor(readonly spec: HttpGetSpec) {
    this.plans = spec.urls.map((u) => new UrlPlan(u, spec));
    const t = spec.target;
    this.plainTarget = {
      // bind_if scopes an IPv6 link-local address (see scopedAddr)
      address: scopedAddr(t.addr, t.family, t.bindIf),
      port: t.port,
      family: t.family,
      localAddress: t.bindAddr !== undefined ? scopedAddr(t.bindAddr, t.family, t.bindIf) : undefined,
      localPort: t.bindPort,
      fwmark: t.fwmark,
    };
    this.exchange = new PlainExchange(this);
  }

  /** What the timed engine needs (null for SSL_GET); throws a TypeError for an address it cannot take. */
  timedTarget(): TimedTarget | null {
    if (this.spec.tls) return null;
    const t = this.plainTarget;
    const addon = loadProbeAddon();
    // as net.connect: a local port alone binds the wildcard address
    const local = t.localAddress !== undefined || t.localPort !== undefined ? (t.localAddress ?? (t.family === 6 ? '::' : '0.0.0.0')) : undefined;
    return {
      sockaddr: addon.sockaddr(t.address, t.port),
      bind: local !== undefined ? addon.sockaddr(local, t.localPort ?? 0) : null,
      mark: (t.fwmark ?? 0) >>> 0,
      timeoutUs: this.spec.target.timeoutUs,
      requests: this.plans.map((p) => p.request),
    };
  }

  /**
   * A record of a timed attempt (the first one of an attempt begins it with url `step`): the
   * verdict once the response ended or the attempt failed, else null.
   */
  timedRecord(kind: number, a: number, b: number, data: Buffer, step: number): CheckResult | null {
    let plan = this.timedPlan;
    if (plan === null) {
      plan = this.plans[step] ?? this.plans[0];
      plan.reset(this.stream);
      this.timedPlan = plan;
    }
    if (kind === R_DATA) {
      // a header too long to read further ends the attempt with what came (keepalived's 0-byte read)
      return this.stream.feed(data.subarray(a, a + b)) === 'header-overflow' ? this.timedEnd(null) : null;
    }
    const end = timedOutcome(kind, a, b);
    return end === undefined ? null : this.timedEnd(end);
  }

  private timedEnd(failure: HttpProbeFailure | null): CheckResult {
    const plan = this.timedPlan as UrlPlan;
    this.timedPlan = null;
    return failure === null ? plan.verdict(this.stream, null) : failed(failure);
  }

  run(step: number, signal: AbortSignal): Promise<CheckResult> {
    return runViaStart(this, step, signal);
  }

  start(step: number, signal: AbortSignal, done: (r: CheckResult) => void): void {
    if (signal.aborted) {
      done(ABORTED);
      return;
    }
    this.prepare(step, signal);
    this.begin(done);
  }

  private prepare(step: number, signal: AbortSignal): void {
    if (signal !== this.signal) {
      this.signal = signal;
      signal.addEventListener('abort', this, { once: true });
    }
    if (this.resolve !== null) this.abortAttempt(); // overlapping runs: the older one loses
    this.plan = this.plans[step] ?? this.plans[0];
  }

  /** the abort listener */
  handleEvent(): void {
    if (this.resolve !== null) this.abortAttempt();
  }

  begin(resolve: (r: CheckResult) => void): void {
    this.resolve = resolve;
    const plan = this.plan as UrlPlan;
    const attempt = ++this.attempt;
    if (this.spec.tls) {
      void this.tlsAttempt(plan).then((r) => {
        if (attempt === this.attempt) this.finish(r);
      });
      return;
    }
    plan.reset(this.stream);
    this.exchange.start(this.plainTarget, plan.request, this.stream, this.spec.target.timeoutUs);
  }

  exchangeEnded(failure: HttpProbeFailure | null): void {
    const plan = this.plan;
    if (plan === null) return;
    this.finish(failure === null ? plan.verdict(this.stream, null) : failed(failure));
  }

  private abortAttempt(): void {
    if (this.exchange.active) this.exchange.cancel('aborted');
    else this.finish(ABORTED);
  }

  private finish(r: CheckResult): void {
    const resolve = this.resolve;
    this.resolve = null;
    this.attempt++;
    resolve?.(r);
  }

  private async tlsAttempt(plan: UrlPlan): Promise<CheckResult> {
    const t = this.spec.target;
    const url = plan.url;
    plan.regex?.reset();
    const r = await probeHttp({
      ...this.plainTarget,
      tls: { servername: this.spec.enableSni ? url.virtualHost : undefined, ...this.spec.clientTls },
      request: plan.request,
      timeoutMs: t.timeoutUs / 1000,
      hash: url.digest ? 'md5' : null,
      observer: plan.regex ?? undefined,
      signal: this.signal ?? undefined,
    });
    if (!r.ok) return failed(r.failure);
    return plan.verdict(r.stream, r.digest.toString('hex'));
  }
}

/** One HTTP_GET / SSL_GET attempt (tests, tools): a probe of its own. */
export function httpGetOnce(spec: HttpGetSpec, step: number, signal: AbortSignal): Promise<CheckResult> {
  return new HttpGetProbe(spec).run(step, signal);
}
