// An IPv4 datagram as an IPPROTO_UDP raw socket hands it over (IP header included): the fields
// the BFD receive path needs, above all the TTL Node's UDP sockets never report. Pure.

export interface Ipv4Udp {
  ttl: number;
  source: string;
  destination: string;
  sourcePort: number;
  destPort: number;
  payload: Buffer;
}

/** undefined for anything but a whole, unfragmented IPv4 UDP datagram. */
export function parseIpv4Udp(b: Buffer): Ipv4Udp | undefined {
  if (b.length < 28 || b[0] >> 4 !== 4) return undefined;
  const ihl = (b[0] & 0x0f) * 4;
  if (ihl < 20 || b[9] !== 17 || b.length < ihl + 8) return undefined;
  // a fragment (more-fragments set or an offset) carries no whole UDP datagram
  if ((b.readUInt16BE(6) & 0x3fff) !== 0) return undefined;
  const udpLen = b.readUInt16BE(ihl + 4);
  if (udpLen < 8 || ihl + udpLen > b.length) return undefined;
  return {
    ttl: b[8],
    source: `${b[12]}.${b[13]}.${b[14]}.${b[15]}`,
    destination: `${b[16]}.${b[17]}.${b[18]}.${b[19]}`,
    sourcePort: b.readUInt16BE(ihl),
    destPort: b.readUInt16BE(ihl + 2),
    payload: b.subarray(ihl + 8, ihl + udpLen),
  };
}
