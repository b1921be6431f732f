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

function isStreamBinding(v: Record<string, unknown>): boolean {
  return typeof v.WriteWrap === 'function' && v.streamBaseState instanceof Int32Array && typeof v.kReadBytesOrError === 'number' && typeof v.kLastWriteWasAsync === 'number';
}

function isTcpBinding(v: Record<string, unknown>): boolean {
  const c = v.constants as Record<string, unknown> | undefined;
  return typeof v.TCP === 'function' && typeof v.TCPConnectWrap === 'function' && typeof c?.SOCKET === 'number';
}

/** One of Node's internal bindings, checked for what is used of it. */
function nodeBinding<T>(name: string, usable: (v: Record<string, unknown>) => boolean): T {
  // process.binding is typed as `any` by @types/node; narrow it before use
  const b: unknown = (process as unknown as { binding(name: string): unknown }).binding(name);
  if (typeof b !== 'object' || b === null || !usable(b as Record<string, unknown>)) throw new Error(`node's ${name} binding lacks what lvsd uses of it`);
  return b as T;
}

let binding: TcpWrapBinding | undefined;
let streams: StreamWrapBinding | undefined;

function load(): TcpWrapBinding {
  return (binding ??= nodeBinding<TcpWrapBinding>('tcp_wrap', isTcpBinding));
}

function loadStreams(): StreamWrapBinding {
  return (streams ??= nodeBinding<StreamWrapBinding>('stream_wrap', isStreamBinding));
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
