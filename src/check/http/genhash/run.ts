// genhash: fetch one URL the way HTTP_GET / SSL_GET do and print the digest
// they would compare, with keepalived's output and exit status (0 whenever the
// arguments were usable, even if the server could not be reached; 1 for bad
// arguments).
import { parseGenhashArgs, type GenhashOptions } from './args.js';
import { FdWriter } from './output.js';
import { buildGetRequest } from '../request.js';
import { probeHttp, type HttpProbeResult } from '../probe.js';

export const NO_DATA_MESSAGE = 'no data received from remote webserver';
export const SSL_NO_HEADER_MESSAGE = 'SSL read error from';

export async function runGenhash(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const out = new FdWriter(1);
  const err = new FdWriter(2);
  const parsed = parseGenhashArgs(args, env);
  if (!parsed.ok) {
    for (const m of parsed.messages) err.text(`${m}\n`);
    // Loaded on demand: start-up time matters for the common, successful run.
    const { usageText } = await import('./usage.js');
    err.text(usageText('genhash'));
    err.flush();
    return 1;
  }
  const o = parsed.options;
  // keepalived sends an IP literal as SNI name when told to (-I -V <ip>); Node
  // does too but warns on stderr, which would break output compatibility.
  (process as NodeJS.Process & { noDeprecation?: boolean }).noDeprecation = true;
  const verbose = o.verbose ? await import('./verbose.js') : null;
  const started = o.verbose ? process.hrtime.bigint() : 0n;
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const result = await probeHttp({
    address: o.server.address,
    port: o.port,
    family: o.server.family,
    fwmark: o.fwmark,
    tls: o.ssl ? { servername: o.sni && o.virtualHost ? o.virtualHost : undefined } : undefined,
    request: buildGetRequest({
      path: o.url,
      version: o.version,
      virtualHost: o.virtualHost,
      address: o.server.address,
      port: o.port,
      family: o.server.family,
    }),
    timeoutMs: Math.ceil(o.timeoutUsec / 1000),
    hash: o.hash,
    observer: verbose ? verbose.verboseObserver(out) : undefined,
    signal: abort.signal,
  });
  if (verbose && result.ok && result.cleanEnd) verbose.writeDigestDump(out, result.digest);
  report(o, result, out, err);
  if (o.verbose) {
    const usecs = (process.hrtime.bigint() - started) / 1000n;
    out.text(`\nGlobal response time for [${o.url}] = ${usecs} usecs\n`);
  }
  // keepalived's stderr is unbuffered and its stdout block-buffered when piped:
  // with both on one file, the stderr line comes first.
  err.flush();
  out.flush();
  return 0;
}

function report(o: GenhashOptions, result: HttpProbeResult, out: FdWriter, err: FdWriter): void {
  if (!result.ok) {
    if (result.failure !== 'aborted') out.text(`${result.message}\n`);
    return;
  }
  if (!result.stream.headerComplete) {
    if (o.ssl && result.cleanEnd) out.text(`${SSL_NO_HEADER_MESSAGE}\n`);
    else err.text(`${NO_DATA_MESSAGE}\n`);
    return;
  }
  out.text(`${result.digest.toString('hex')}\n`);
}
