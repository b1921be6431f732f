// The one raw ICMP socket edge of PING_CHECK (the `raw-socket` package; Node has no ICMP).
// One socket per family and source (bind_if, bindto) is shared by every PING_CHECK that uses
// it: replies are told apart by echo id and sequence number. The socket is opened when the
// first attempt starts and closed when the last pending one ends, so an idle daemon (or a
// stopped engine) holds no raw socket and the event loop can end.
import { interfaceIndexOf } from './ifindex.js';
import { ipToBytes } from '../net/ip.js';
import { loadRawSocket } from '../net/raw-socket.js';

// Socket option numbers from /usr/include (asm-generic/socket.h, linux/in.h, linux/in6.h).
const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
const SO_BINDTODEVICE = 25;
const SO_MARK = 36;
const IPPROTO_IP = 0;
const IP_HDRINCL = 3;
const IPPROTO_IPV6 = 41;
const IPV6_PKTINFO = 50;
const RCVBUF_BYTES = 128 * 1024;

export interface IcmpSource {
  family: 4 | 6;
  /** SO_BINDTODEVICE */
  bindIf?: string | undefined;
  /** source address (IPv4: IP_HDRINCL header; IPv6: sticky IPV6_PKTINFO) */
  bindAddr?: string | undefined;
  /** SO_MARK (keepalived `fwmark`) */
  fwmark?: number | undefined;
}

export interface IcmpSocket {
  /** IPv4 with bindto: the caller must prepend an IP header (ipv4Header) */
  readonly headerIncluded: boolean;
  send(pkt: Buffer, dst: string, after: (err: Error | null) => void): void;
  close(): void;
}

function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v, 0); // host order; lvsd runs on little-endian Linux only
  return b;
}

/** Opens a raw ICMP (or ICMPv6) socket; every datagram received goes to `onMessage`. */
export function openIcmpSocket(src: IcmpSource, onMessage: (buf: Buffer) => void, onError: (err: Error) => void): IcmpSocket {
  const r = loadRawSocket();
  const v6 = src.family === 6;
  const sock = r.createSocket({ protocol: v6 ? r.Protocol.ICMPv6 : r.Protocol.ICMP, addressFamily: v6 ? r.AddressFamily.IPv6 : r.AddressFamily.IPv4, bufferSize: 4096 });
  try {
    sock.setOption(SOL_SOCKET, SO_RCVBUF, int32(RCVBUF_BYTES), 4);
    if (src.fwmark) sock.setOption(SOL_SOCKET, SO_MARK, int32(src.fwmark | 0), 4);
    if (src.bindIf) {
      const dev = Buffer.from(`${src.bindIf}\0`);
      sock.setOption(SOL_SOCKET, SO_BINDTODEVICE, dev, dev.length);
    }
    if (src.bindAddr && !v6) sock.setOption(IPPROTO_IP, IP_HDRINCL, int32(1), 4);
    if (src.bindAddr && v6) {
      // struct in6_pktinfo { in6_addr ipi6_addr; int ipi6_ifindex; }: a sticky source address
      const info = Buffer.concat([ipToBytes(src.bindAddr), int32(src.bindIf ? interfaceIndexOf(src.bindIf) : 0)]);
      sock.setOption(IPPROTO_IPV6, IPV6_PKTINFO, info, info.length);
    }
  } catch (e) {
    sock.close();
    throw e;
  }
  sock.on('message', (buf) => onMessage(buf));
  sock.on('error', onError);
  return {
    headerIncluded: !v6 && src.bindAddr !== undefined,
    send: (pkt, dst, after) => sock.send(pkt, 0, pkt.length, dst, (err) => after(err)),
    close: () => sock.close(),
  };
}
