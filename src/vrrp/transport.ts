// The one real VRRP socket edge: raw IP sockets (protocol 112, or 51 for AH) from the
// `raw-socket` package, bound to one interface. IPv4 is sent with IP_HDRINCL, packets built
// by packet.ts exactly as keepalived builds them; IPv6 lets the kernel fill the header and
// the checksum (IPV6_CHECKSUM).
import { readFileSync } from 'node:fs';
import { ipv4ToBytes, ipv6ToBytes } from './addr.js';
import { IPPROTO_AH, IPPROTO_VRRP, VRRP_MCAST4, VRRP_MCAST6, VRRP_TTL, type Family } from './packet.js';
import { loadRawSocket } from '../net/raw-socket.js';

// Socket option numbers from /usr/include (linux/in.h, linux/in6.h, asm-generic/socket.h).
const SOL_SOCKET = 1;
const SO_BINDTODEVICE = 25;
const SO_RCVBUF = 8;
const IPPROTO_IP = 0;
const IP_HDRINCL = 3;
const IP_MULTICAST_IF = 32;
const IP_MULTICAST_TTL = 33;
const IP_MULTICAST_LOOP = 34;
const IP_ADD_MEMBERSHIP = 35;
const IPPROTO_IPV6 = 41;
const IPV6_CHECKSUM = 7;
const IPV6_UNICAST_HOPS = 16;
const IPV6_MULTICAST_IF = 17;
const IPV6_MULTICAST_HOPS = 18;
const IPV6_MULTICAST_LOOP = 19;
const IPV6_ADD_MEMBERSHIP = 20;

export type ReceivedPacket =
  /** Whole IPv4 packet, header included. */
  | { family: 4; packet: Buffer }
  /** VRRP payload; the raw-socket API gives no destination or hop limit, see transport notes. */
  | { family: 6; payload: Buffer; src: string };

export interface VrrpTransport {
  /** IPv4: a full packet from encodeIpv4; IPv6: the payload from encodeIpv6. */
  send(pkt: Buffer, dst: string): Promise<void>;
  onPacket(cb: (rx: ReceivedPacket) => void): void;
  onError(cb: (err: Error) => void): void;
  close(): void;
}

export interface TransportOptions {
  family: Family;
  interfaceName: string;
  /** Local address used for the multicast join (ip_mreqn.imr_address) on IPv4. */
  sourceAddress: string;
  /** Join the VRRP group (multicast instances). */
  multicast: boolean;
  /** IPv4 AH instances receive IP protocol 51 instead of 112. */
  ah?: boolean;
  /** The multicast group to join (default 224.0.0.18 / ff02::12). */
  group?: string;
}

export function interfaceIndex(name: string): number {
  return Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim());
}

function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v, 0); // host order; lvsd runs on little-endian Linux only
  return b;
}

/** struct ip_mreqn { in_addr multiaddr; in_addr address; int ifindex; } */
export function ipMreqn(group: string, local: string, ifindex: number): Buffer {
  return Buffer.concat([ipv4ToBytes(group), ipv4ToBytes(local), int32(ifindex)]);
}

export function openTransport(o: TransportOptions): VrrpTransport {
  const raw = loadRawSocket();
  const ifindex = interfaceIndex(o.interfaceName);
  const v6 = o.family === 6;
  const protocol = !v6 && o.ah ? IPPROTO_AH : IPPROTO_VRRP;
  const sock = raw.createSocket({ protocol, addressFamily: v6 ? raw.AddressFamily.IPv6 : raw.AddressFamily.IPv4, bufferSize: 65536 });
  const dev = Buffer.from(`${o.interfaceName}\0`);
  sock.setOption(SOL_SOCKET, SO_BINDTODEVICE, dev, dev.length);
  sock.setOption(SOL_SOCKET, SO_RCVBUF, int32(1 << 18), 4);
  if (!v6) {
    sock.setOption(IPPROTO_IP, IP_HDRINCL, int32(1), 4);
    const mreqn = ipMreqn(o.group ?? VRRP_MCAST4, o.sourceAddress, ifindex);
    sock.setOption(IPPROTO_IP, IP_MULTICAST_IF, mreqn, mreqn.length);
    sock.setOption(IPPROTO_IP, IP_MULTICAST_TTL, int32(VRRP_TTL), 4);
    sock.setOption(IPPROTO_IP, IP_MULTICAST_LOOP, int32(0), 4);
    if (o.multicast) sock.setOption(IPPROTO_IP, IP_ADD_MEMBERSHIP, mreqn, mreqn.length);
  } else {
    sock.setOption(IPPROTO_IPV6, IPV6_CHECKSUM, int32(6), 4);
    sock.setOption(IPPROTO_IPV6, IPV6_MULTICAST_IF, int32(ifindex), 4);
    sock.setOption(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, int32(VRRP_TTL), 4);
    sock.setOption(IPPROTO_IPV6, IPV6_UNICAST_HOPS, int32(VRRP_TTL), 4);
    sock.setOption(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, int32(0), 4);
    if (o.multicast) {
      const mreq = Buffer.concat([ipv6ToBytes(o.group ?? VRRP_MCAST6), int32(ifindex)]); // struct ipv6_mreq
      sock.setOption(IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, mreq, mreq.length);
    }
  }
  let closed = false;
  return {
    send(pkt, dst) {
      return new Promise((resolve, reject) => {
        if (closed) { reject(new Error('transport closed')); return; }
        sock.send(pkt, 0, pkt.length, dst, (err) => (err ? reject(err) : resolve()));
      });
    },
    onPacket(cb) {
      sock.on('message', (buf, source) => {
        // raw-socket reuses its receive buffer: hand out a copy.
        const copy = Buffer.from(buf);
        if (v6) cb({ family: 6, payload: copy, src: source.split('%')[0] });
        else cb({ family: 4, packet: copy });
      });
    },
    onError(cb) {
      sock.on('error', cb);
    },
    close() {
      if (closed) return;
      closed = true;
      sock.close();
    },
  };
}
