// A TCP socket whose packets carry a firewall mark (SO_MARK): keepalived's `fwmark` for
// checkers and genhash -m. Node cannot set SO_MARK, so the addon makes the unconnected socket
// and Node wraps it; connect() then works as on any net.Socket.
import net from 'node:net';
import { load } from './packet-socket.js';

export function markedTcpSocket(family: 4 | 6, mark: number, opts: Omit<net.SocketConstructorOpts, 'fd'> = {}): net.Socket {
  const fd = load().tcpSocket(family, mark >>> 0);
  return new net.Socket({ ...opts, fd });
}

/** The SO_MARK of a connected or unconnected net.Socket (tests, status). */
export function socketMark(s: net.Socket): number {
  const fd = (s as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new Error('socket has no file descriptor');
  return load().mark(fd);
}
