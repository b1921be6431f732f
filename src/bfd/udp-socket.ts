// The BFD edge (RFC 5881 single hop): one UDP socket per address family listening on port 3784,
// and one sending socket per session, bound to a source port from 49152-65535 with the
// configured TTL / hop limit. Node's dgram gives neither the received TTL nor the destination
// address (no recvmsg control data), and IP_MINTTL, which would let the kernel check it, is
// applied to TCP only by Linux (a UDP socket with IP_MINTTL 255 still receives TTL 254, checked
// on 6.18). So for IPv4 the packets are read from an IPPROTO_UDP raw socket, whose datagrams
// carry their IP header (TTL), while the UDP socket only holds port 3784 (no ICMP port
// unreachable). IPv6 raw sockets hand over no header and the hop limit would need recvmsg
// control data: IPv6 packets come without a TTL, unchecked.
import { createSocket, type Socket } from 'node:dgram';
import { loadRawSocket } from '../net/raw-socket.js';
import { parseIpv4Udp } from './ipv4-udp.js';
import { BFD_CONTROL_PORT } from './packet.js';

export type Family = 4 | 6;

export interface Received {
  data: Buffer;
  address: string;
  port: number;
  /** The IP TTL, when the edge can see it (IPv4). */
  ttl?: number;
}

export interface BfdListener {
  /** Whether received packets carry their TTL. */
  readonly ttl: boolean;
  close(): void;
}

export interface BfdSender {
  readonly port: number;
  send(data: Buffer): void;
  close(): void;
}

export interface BfdSockets {
  /**
   * Listens on [address]:3784 (default: every address of the family; IPv6 only for 6). `ttl`:
   * report the TTL (IPv4: through a raw socket, which sees every UDP datagram the host receives).
   */
  listen(family: Family, onPacket: (r: Received) => void, onError: (e: Error) => void, o?: { address?: string; ttl?: boolean }): Promise<BfdListener>;
  /** A socket sending to `neighbor`:3784 from `source` (or the routed address) and a port 49152-65535. */
  sender(o: { family: Family; neighbor: string; source?: string; ttl: number; onError: (e: Error) => void }): Promise<BfdSender>;
}

/** IPv4 UDP datagrams to port 3784 (and `address`, when given) with their TTL; undefined when no raw socket can be had. */
function rawUdp4(onPacket: (r: Received) => void, onError: (e: Error) => void, address?: string): { close(): void } | undefined {
  let raw;
  try {
    const m = loadRawSocket();
    raw = m.createSocket({ protocol: IPPROTO_UDP, addressFamily: m.AddressFamily.IPv4 });
  } catch {
    return undefined;
  }
  raw.on('message', (buf) => {
    const u = parseIpv4Udp(buf);
    if (!u || u.destPort !== BFD_CONTROL_PORT || (address && u.destination !== address)) return;
    onPacket({ data: u.payload, address: u.source, port: u.sourcePort, ttl: u.ttl });
  });
  raw.on('error', onError);
  return raw;
}

const IPPROTO_UDP = 17;
const PORT_MIN = 49152;
const PORT_MAX = 65535;
const BIND_TRIES = 64;

function bind(sock: Socket, port: number, address?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (e: Error) => reject(e);
    sock.once('error', fail);
    sock.bind({ port, ...(address ? { address } : {}), exclusive: true }, () => {
      sock.off('error', fail);
      resolve();
    });
  });
}

export const udpBfdSockets: BfdSockets = {
  async listen(family, onPacket, onError, o = {}) {
    const address = o.address;
    // ipv6Only: an IPv4 listener holds 0.0.0.0:3784 at the same time
    const sock = createSocket({ type: family === 6 ? 'udp6' : 'udp4', reuseAddr: false, ...(family === 6 ? { ipv6Only: true } : {}) });
    await bind(sock, BFD_CONTROL_PORT, address);
    sock.on('error', onError);
    const raw = family === 4 && o.ttl === true ? rawUdp4(onPacket, onError, address) : undefined;
    // Without the raw socket (no CAP_NET_RAW), the UDP socket's packets are used, TTL unknown.
    if (!raw) sock.on('message', (data, rinfo) => onPacket({ data, address: rinfo.address, port: rinfo.port }));
    return {
      ttl: raw !== undefined,
      close: () => {
        raw?.close();
        sock.close();
      },
    };
  },

  async sender(o) {
    // RFC 5881 4: the source port MUST be in 49152-65535; pick at random, bounded retries on EADDRINUSE.
    let last: unknown;
    for (let i = 0; i < BIND_TRIES; i++) {
      const port = PORT_MIN + Math.floor(Math.random() * (PORT_MAX - PORT_MIN + 1));
      const sock = createSocket({ type: o.family === 6 ? 'udp6' : 'udp4' });
      try {
        await bind(sock, port, o.source);
      } catch (e) {
        last = e;
        sock.close();
        if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') continue;
        throw e;
      }
      // setTTL: IP_TTL for IPv4, IPV6_UNICAST_HOPS for IPv6 (the neighbour is unicast).
      sock.setTTL(o.ttl);
      sock.on('error', o.onError);
      return {
        port,
        send: (data) => sock.send(data, BFD_CONTROL_PORT, o.neighbor, (err) => { if (err) o.onError(err); }),
        close: () => sock.close(),
      };
    }
    throw new Error(`no free UDP source port in ${PORT_MIN}-${PORT_MAX}: ${String(last)}`);
  },
};
