// The one edge to libuv's TCP handle (Node's tcp_wrap and stream_wrap bindings), below
// net.Socket: a health check only needs socket/bind/connect/close (and for HTTP one write and
// reads into a caller's buffer), and net.Socket's stream machinery costs several times the
// connect's own user-space work at thousands of checks per second.
import { getSystemErrorName } from 'node:util';

export interface UvTcp {
  open(fd: number): number;
  bind(addr: string, port: number): number;
  bind6(addr: string, port: number, flags: number): number;
  connect(req: UvConnectReq, addr: string, port: number): number;
  connect6(req: UvConnectReq, addr: string, port: number): number;
  close(cb?: () => void): void;
  /** reads go to `buf` (reused); onread then gets no buffer, the count is in streamState() */
  useUserBuffer(buf: Uint8Array): void;
  readStart(): number;
  readStop(): number;
  /** 0 or a negative errno; streamWasAsync() says whether req will complete later */
  writeBuffer(req: UvWriteReq, buf: Uint8Array): number;
  /** called with `this` = the handle after each read; the byte count or error: readResult() */
  onread: (this: UvTcp) => unknown;
}

/** status: 0 or a negative libuv errno */
export interface UvWriteReq {
  oncomplete?: (this: UvWriteReq, status: number) => void;
}

/** status: 0 or a negative libuv errno; handle: the handle the request was made on */
export type ConnectDone = (status: number, handle: unknown) => void;

export interface UvConnectReq {
  oncomplete: ConnectDone;
}

interface TcpWrapBinding {
  TCP: new (type: number) => UvTcp;
  TCPConnectWrap: new () => UvConnectReq;
  constants: { SOCKET: number };
}

interface StreamWrapBinding {
  WriteWrap: new () => UvWriteReq;
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kLastWriteWasAsync: number;
}

function isStreamBinding(v: unknown): v is StreamWrapBinding {
  if (typeof v !== 'object' || v === null) return false;
  const b = v as Record<string, unknown>;
  return (
    typeof b.WriteWrap === 'function' && b.streamBaseState instanceof Int32Array && typeof b.kReadBytesOrError === 'number' && typeof b.kLastWriteWasAsync === 'number'
  );
}

function isBinding(v: unknown): v is TcpWrapBinding {
  if (typeof v !== 'object' || v === null) return false;
  const b = v as Record<string, unknown>;
  const c = b.constants as Record<string, unknown> | undefined;
  return typeof b.TCP === 'function' && typeof b.TCPConnectWrap === 'function' && typeof c?.SOCKET === 'number';
}

let binding: TcpWrapBinding | undefined;

function load(): TcpWrapBinding {
  if (binding) return binding;
  // process.binding is typed as `any` by @types/node; narrow it before use
  const b: unknown = (process as unknown as { binding(name: string): unknown }).binding('tcp_wrap');
  if (!isBinding(b)) throw new Error("node's tcp_wrap binding lacks TCP/TCPConnectWrap");
  binding = b;
  return b;
}

let streams: StreamWrapBinding | undefined;

function loadStreams(): StreamWrapBinding {
  if (streams) return streams;
  const b: unknown = (process as unknown as { binding(name: string): unknown }).binding('stream_wrap');
  if (!isStreamBinding(b)) throw new Error("node's stream_wrap binding lacks WriteWrap/streamBaseState");
  streams = b;
  return b;
}

/** Bytes of the read onread reports (> 0), UV_EOF or another negative errno. */
export function readResult(): number {
  const s = loadStreams();
  return s.streamBaseState[s.kReadBytesOrError];
}

export const UV_EOF = -4095;

/**
 * A write request for writeBuffer. A write that completes at once (a request of a few hundred
 * bytes on a fresh connection) never binds its request, so one spare serves until a write
 * goes asynchronous: that one is handed over and a new spare made.
 */
let spareWriteReq: UvWriteReq | undefined;

/** Writes buf: 0 (done), a negative errno, or the request a pending write completes through. */
export function writeOnce(h: UvTcp, buf: Uint8Array): number | UvWriteReq {
  const s = loadStreams();
  const req = (spareWriteReq ??= new s.WriteWrap());
  const err = h.writeBuffer(req, buf);
  if (err) {
    spareWriteReq = undefined; // a write that failed part way may have bound it
    return err;
  }
  if (s.streamBaseState[s.kLastWriteWasAsync] === 0) return 0;
  spareWriteReq = undefined;
  return req;
}

export function newTcpHandle(): UvTcp {
  const b = load();
  return new b.TCP(b.constants.SOCKET);
}

export function newConnectReq(done: ConnectDone): UvConnectReq {
  const req = new (load().TCPConnectWrap)();
  req.oncomplete = done;
  return req;
}

const names = new Map<number, string>();

/** "ECONNREFUSED" for a libuv status, cached (failing checks repeat the same few). */
export function uvErrorName(status: number): string {
  let n = names.get(status);
  if (n === undefined) {
    try {
      n = getSystemErrorName(status);
    } catch {
      n = `errno ${-status}`;
    }
    names.set(status, n);
  }
  return n;
}
