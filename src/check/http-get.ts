// HTTP_GET / SSL_GET attempt for one url block, on the shared HTTP edge (src/check/http):
// the body streams into the MD5 digest and, with a regex, through a bounded match window;
// nothing is buffered whole. The verdict follows check_http.c http_handle_response: no
// data, then status code, then digest, then regex.
import { probeHttp } from './http/probe.js';
import { scopedAddr } from './tcp.js';
import { buildGetRequest, type HttpVersion } from './http/request.js';
import type { ResponseObserver } from './http/response-stream.js';
import type { CheckResult, ConnectTarget, Probe } from './types.js';

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
}

export interface HttpGetSpec {
  target: ConnectTarget;
  urls: UrlSpec[];
  version: HttpVersion;
  tls: boolean;
  enableSni: boolean;
  /** the global SSL block's files, read once (PEM) */
  clientTls?: { cert?: Buffer; key?: Buffer; passphrase?: string; ca?: Buffer };
}

/** How far back a regex can look across reads: the text kept from the previous chunks. */
const REGEX_WINDOW = 4096;

/** Matches a regex over a streamed body with a bounded overlap between chunks. */
export class StreamRegex implements ResponseObserver {
  matched = false;
  private tail = '';
  constructor(private readonly re: RegExp) {}
  headerRead(): void {}
  header(): void {}
  body(bytes: Buffer): void {
    if (this.matched) return;
    const text = this.tail + bytes.toString('latin1');
    this.re.lastIndex = 0;
    if (this.re.test(text)) {
      this.matched = true;
      this.tail = '';
      return;
    }
    this.tail = text.length > REGEX_WINDOW ? text.slice(text.length - REGEX_WINDOW) : text;
  }
}

/** PCRE2 option names of regex_options -> JavaScript RegExp flags (others have no equivalent). */
export function regexFlags(options: readonly string[]): string {
  let f = '';
  if (options.includes('caseless')) f += 'i';
  if (options.includes('multiline')) f += 'm';
  if (options.includes('dotall')) f += 's';
  if (options.includes('utf') || options.includes('ucp')) f += 'u';
  return f;
}

const inRanges = (code: number, ranges: Array<[number, number]>): boolean => ranges.some(([lo, hi]) => code >= lo && code <= hi);

export async function httpGetOnce(spec: HttpGetSpec, step: number, signal: AbortSignal): Promise<CheckResult> {
  const url = spec.urls[step] ?? spec.urls[0];
  const t = spec.target;
  const request = buildGetRequest({ path: url.path, version: spec.version, virtualHost: url.virtualHost ?? null, address: t.addr, port: t.port, family: t.family });
  const regex = url.regex ? new StreamRegex(url.regex) : undefined;
  const r = await probeHttp({
    // bind_if scopes an IPv6 link-local address (see scopedAddr)
    address: scopedAddr(t.addr, t.family, t.bindIf),
    port: t.port,
    family: t.family,
    localAddress: t.bindAddr !== undefined ? scopedAddr(t.bindAddr, t.family, t.bindIf) : undefined,
    localPort: t.bindPort,
    fwmark: t.fwmark,
    tls: spec.tls ? { servername: spec.enableSni ? url.virtualHost : undefined, ...spec.clientTls } : undefined,
    request,
    timeoutMs: t.timeoutUs / 1000,
    hash: url.digest ? 'md5' : null,
    observer: regex,
    signal,
  });
  if (!r.ok) return { ok: false, reason: r.message };
  if (r.stream.totalBytes === 0) return { ok: false, reason: 'no data received' };
  const code = r.stream.statusCode;
  if (!inRanges(code, url.statusCodes)) return { ok: false, reason: `HTTP status code ${code}` };
  if (url.digest) {
    const got = r.digest.toString('hex');
    if (got !== url.digest) return { ok: false, reason: `MD5 digest mismatch (${got})` };
  }
  if (regex && regex.matched === (url.regexNoMatch === true)) return { ok: false, reason: 'regex match failed' };
  return { ok: true, reason: `HTTP status code ${code}` };
}

export class HttpGetProbe implements Probe {
  constructor(readonly spec: HttpGetSpec) {}
  run(step: number, signal: AbortSignal): Promise<CheckResult> {
    return httpGetOnce(this.spec, step, signal);
  }
}
