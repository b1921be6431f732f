// SSL_GET's TLS client contexts, made once per SSL block instead of once per attempt: making
// one costs ~0.2 ms without certificate and key, ~0.8 ms with them and ~1.3 ms with an
// encrypted key (measured on the dev host), which tls.connect would otherwise pay at every
// attempt. The block's files are Buffers read once per model (check/build.ts), so their
// identity names the block.
import type { SecureContext } from 'node:tls';

type TlsModule = typeof import('node:tls');

/** What keepalived's global SSL block gives a client context. */
export interface ClientTlsFiles {
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
  readonly passphrase?: string | undefined;
  readonly ca?: Buffer | undefined;
}

interface Made extends ClientTlsFiles {
  readonly ctx: SecureContext;
}

const made = new WeakMap<Buffer, Made>();
let plain: SecureContext | undefined;

/**
 * The context for these files (none: the default one). Throws what tls.createSecureContext
 * throws (a key the password does not open); nothing is kept then.
 */
export function clientContext(tls: TlsModule, f: ClientTlsFiles | undefined): SecureContext {
  const cert = f?.cert, key = f?.key, passphrase = f?.passphrase, ca = f?.ca;
  const anchor = key ?? cert ?? ca;
  if (anchor === undefined) return (plain ??= tls.createSecureContext());
  const hit = made.get(anchor);
  if (hit && hit.cert === cert && hit.key === key && hit.passphrase === passphrase && hit.ca === ca) return hit.ctx;
  const ctx = tls.createSecureContext({
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(passphrase !== undefined ? { passphrase } : {}),
    ...(ca ? { ca } : {}),
  });
  made.set(anchor, { cert, key, passphrase, ca, ctx });
  return ctx;
}
