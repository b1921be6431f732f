// How an HTTP_GET / SSL_GET / genhash exchange can fail, with keepalived's wording for each
// (genhash prints it, the checkers log it), and the connect errors sorted the way keepalived's
// connect handling sorts them.

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

/** errno values keepalived's connect() treats as "network unreachable" when connect() itself fails */
const SYNC_UNREACHABLE = new Set(['EHOSTUNREACH', 'EHOSTDOWN', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT']);

/**
 * The failure for a bind/connect error code ("ECONNREFUSED"). `immediate`: bind() or connect()
 * itself returned it (a route refused at once), rather than the completed connect.
 */
export function connectFailure(code: string, immediate: boolean): HttpProbeFailure {
  if (code === 'ENETUNREACH' || code === 'ENETDOWN') return 'network-unreachable';
  if (immediate && SYNC_UNREACHABLE.has(code)) return 'network-unreachable';
  if (code === 'ETIMEDOUT') return 'connect-timeout';
  if (code === 'EADDRNOTAVAIL' || code === 'EADDRINUSE' || code === 'EACCES' || code === 'EINVAL') {
    return 'connect-error';
  }
  return 'connect-failed';
}
