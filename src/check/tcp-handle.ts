// The one edge to libuv's TCP handle (Node's tcp_wrap binding), below net.Socket: a health
// check only needs socket/bind/connect/close, and net.Socket's stream machinery costs several
// times the connect's own user-space work at thousands of checks per second.
import { getSystemErrorName } from 'node:util';

export interface UvTcp {
  open(fd: number): number;
  bind(addr: string, port: number): number;
  bind6(addr: string, port: number, flags: number): number;
  connect(req: UvConnectReq, addr: string, port: number): number;
  connect6(req: UvConnectReq, addr: string, port: number): number;
  close(cb?: () => void): void;
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
