// The frames a new master sends so neighbours re-learn where its VIPs live, byte for byte
// as keepalived 2.2.7 sends them (golden frames in test/fixtures/net/keepalived-frames.json).

const BROADCAST = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
const ETH_P_ARP = 0x0806;
const ETH_P_IPV6 = 0x86dd;
const ARPHRD_ETHER = 1;
const ETH_P_IP = 0x0800;
const ARPOP_REQUEST = 1;
const IPPROTO_ICMPV6 = 58;
const ND_NEIGHBOR_ADVERT = 136;
const ND_OPT_TARGET_LINKADDR = 2;
const NA_FLAG_ROUTER = 0x80000000;
const NA_FLAG_OVERRIDE = 0x20000000;
/** ff02::1, all nodes, and its Ethernet mapping 33:33:00:00:00:01 (RFC 2464 section 7). */
const ALL_NODES = Buffer.from('ff020000000000000000000000000001', 'hex');
const ALL_NODES_MAC = Buffer.from([0x33, 0x33, 0x00, 0x00, 0x00, 0x01]);

function ethernet(dst: Buffer, src: Buffer, type: number): Buffer {
  if (src.length !== 6) throw new Error('source MAC must be 6 bytes');
  const h = Buffer.alloc(14);
  dst.copy(h, 0);
  src.copy(h, 6);
  h.writeUInt16BE(type, 12);
  return h;
}

/**
 * Gratuitous ARP: an ARP request to broadcast with sender = target = the VIP and the
 * target hardware address set to broadcast (as keepalived; RFC 5227 allows either form).
 * 42 bytes; the NIC pads to the Ethernet minimum.
 */
export function gratuitousArp(senderMac: Buffer, vip: Buffer): Buffer {
  if (vip.length !== 4) throw new Error('gratuitous ARP needs an IPv4 address');
  const arp = Buffer.alloc(28);
  arp.writeUInt16BE(ARPHRD_ETHER, 0);
  arp.writeUInt16BE(ETH_P_IP, 2);
  arp.writeUInt8(6, 4);
  arp.writeUInt8(4, 5);
  arp.writeUInt16BE(ARPOP_REQUEST, 6);
  senderMac.copy(arp, 8);
  vip.copy(arp, 14);
  BROADCAST.copy(arp, 18);
  vip.copy(arp, 24);
  return Buffer.concat([ethernet(BROADCAST, senderMac, ETH_P_ARP), arp]);
}

/**
 * Unsolicited neighbour advertisement (RFC 4861 section 7.2.6): from the VIP to ff02::1,
 * hop limit 255, override flag, router flag when the interface forwards, and the
 * target link-layer address option. 86 bytes.
 */
export function unsolicitedNa(senderMac: Buffer, vip: Buffer, router: boolean): Buffer {
  if (vip.length !== 16) throw new Error('neighbour advertisement needs an IPv6 address');
  const icmp = Buffer.alloc(32);
  icmp.writeUInt8(ND_NEIGHBOR_ADVERT, 0);
  icmp.writeUInt32BE((NA_FLAG_OVERRIDE | (router ? NA_FLAG_ROUTER : 0)) >>> 0, 4);
  vip.copy(icmp, 8);
  icmp.writeUInt8(ND_OPT_TARGET_LINKADDR, 24);
  icmp.writeUInt8(1, 25); // option length in units of 8 bytes
  senderMac.copy(icmp, 26);
  icmp.writeUInt16BE(icmpv6Checksum(vip, ALL_NODES, icmp), 2);
  const ip6 = Buffer.alloc(40);
  ip6.writeUInt32BE(0x60000000, 0);
  ip6.writeUInt16BE(icmp.length, 4);
  ip6.writeUInt8(IPPROTO_ICMPV6, 6);
  ip6.writeUInt8(255, 7);
  vip.copy(ip6, 8);
  ALL_NODES.copy(ip6, 24);
  return Buffer.concat([ethernet(ALL_NODES_MAC, senderMac, ETH_P_IPV6), ip6, icmp]);
}

/** RFC 4443 section 2.3: one's complement sum over the pseudo-header and the message. */
export function icmpv6Checksum(src: Buffer, dst: Buffer, msg: Buffer): number {
  const pseudo = Buffer.alloc(40);
  src.copy(pseudo, 0);
  dst.copy(pseudo, 16);
  pseudo.writeUInt32BE(msg.length, 32);
  pseudo.writeUInt8(IPPROTO_ICMPV6, 39);
  let sum = 0;
  for (const b of [pseudo, msg]) {
    for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
    if (b.length % 2) sum += b[b.length - 1] << 8;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
