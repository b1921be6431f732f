// The BFD edge (RFC 5881 single hop): one UDP socket per address family listening on port 3784,
// and one sending socket per session, bound to a source port from 49152-65535 with the
// configured TTL / hop limit. Node's dgram gives neither the received TTL nor the destination
// address (no recvmsg control data), so max_hops cannot be checked here; IP_MINTTL would let the
// kernel do it, but Linux applies it to TCP only (a UDP socket with IP_MINTTL 255 still
// receives TTL 254, checked on 6.18).
import { createSocket, type Socket } from 'node:dgram';
import { BFD_CONTROL_PORT } from './packet.js';

export type Family = 4 | 6;

export interface Received {
  data: Buffer;
  address: string;
  port: number;
}

export interface BfdSender {
  readonly port: number;
  send(data: Buffer): void;
  close(): void;
}

export interface BfdSockets {
  /** Listens on [address]:3784 (default: every address of the family). */
  listen(family: Family, onPacket: (r: Received) => void, onError: (e: Error) => void, address?: string): Promise<() => void>;
  /** A socket sending to `neighbor`:3784 from `source` (or the routed address) and a port 49152-65535. */
  sender(o: { family: Family; neighbor: string; source?: string; ttl: number; onError: (e: Error) => void }): Promise<BfdSender>;
}

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
  async listen(family, onPacket, onError, address) {
    // ipv6Only: an IPv4 listener holds 0.0.0.0:3784 at the same time
    const sock = createSocket({ type: family === 6 ? 'udp6' : 'udp4', reuseAddr: false, ...(family === 6 ? { ipv6Only: true } : {}) });
    await bind(sock, BFD_CONTROL_PORT, address);
    sock.on('message', (data, rinfo) => onPacket({ data, address: rinfo.address, port: rinfo.port }));
    sock.on('error', onError);
    return () => sock.close();
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
