// The GET request keepalived's HTTP_GET / SSL_GET checkers and genhash send,
// byte for byte: request line, User-Agent, optional Connection, Host.

/** "1.0c" is HTTP/1.0 with "Connection: close". */
export type HttpVersion = '1.0' | '1.0c' | '1.1';

export interface GetRequestSpec {
  readonly path: string;
  readonly version: HttpVersion;
  /** Host header value; when absent the server address and port are used. */
  readonly virtualHost?: string | null | undefined;
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
}

/** keepalived formats the request into a 2048-byte buffer; longer requests are cut. */
export const REQUEST_BUFFER_LIMIT = 2047;

export function buildGetRequest(spec: GetRequestSpec): Buffer {
  const minor = spec.version === '1.1' ? 1 : 0;
  const connection = spec.version === '1.0' ? '' : 'Connection: close\r\n';
  let host: string;
  if (spec.virtualHost != null) host = spec.virtualHost;
  else if (spec.family === 6) host = `[${spec.address}]:${spec.port}`;
  else host = `${spec.address}:${spec.port}`;
  const text =
    `GET ${spec.path} HTTP/1.${minor}\r\n` +
    'User-Agent: KeepAliveClient\r\n' +
    connection +
    `Host: ${host}\r\n\r\n`;
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length > REQUEST_BUFFER_LIMIT ? bytes.subarray(0, REQUEST_BUFFER_LIMIT) : bytes;
}
