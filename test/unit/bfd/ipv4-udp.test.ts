import { describe, expect, it } from 'vitest';
import { parseIpv4Udp } from '../../../src/bfd/ipv4-udp.js';

// An IPv4/UDP datagram as keepalived sent it (10.78.0.1:60016 -> 10.78.0.2:3784, TTL 255), IP + UDP headers before the BFD bytes.
const BFD = Buffer.from('20400318961ff31200000000000f4240000186a000000000', 'hex');
function datagram(o: { ttl?: number; flags?: number; proto?: number; ihl?: number; udpLen?: number } = {}): Buffer {
  const ihl = o.ihl ?? 5;
  const ip = Buffer.alloc(ihl * 4);
  ip[0] = 0x40 | ihl;
  ip.writeUInt16BE(ihl * 4 + 8 + BFD.length, 2);
  ip.writeUInt16BE(o.flags ?? 0x4000, 6); // DF
  ip[8] = o.ttl ?? 255;
  ip[9] = o.proto ?? 17;
  Buffer.from([10, 78, 0, 1]).copy(ip, 12);
  Buffer.from([10, 78, 0, 2]).copy(ip, 16);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(60016, 0);
  udp.writeUInt16BE(3784, 2);
  udp.writeUInt16BE(o.udpLen ?? 8 + BFD.length, 4);
  return Buffer.concat([ip, udp, BFD]);
}

describe('IPv4 UDP datagram from a raw socket', () => {
  it('reads TTL, addresses, ports and the payload (options too)', () => {
    for (const ihl of [5, 6]) {
      expect(parseIpv4Udp(datagram({ ttl: 254, ihl }))).toEqual({
        ttl: 254, source: '10.78.0.1', destination: '10.78.0.2', sourcePort: 60016, destPort: 3784, payload: BFD,
      });
    }
  });

  it('refuses what is not a whole IPv4 UDP datagram', () => {
    expect(parseIpv4Udp(datagram({ proto: 6 }))).toBeUndefined();
    expect(parseIpv4Udp(datagram({ flags: 0x2000 }))).toBeUndefined(); // more fragments
    expect(parseIpv4Udp(datagram({ flags: 0x0010 }))).toBeUndefined(); // offset
    expect(parseIpv4Udp(datagram({ udpLen: 200 }))).toBeUndefined();
    expect(parseIpv4Udp(datagram({ udpLen: 4 }))).toBeUndefined();
    expect(parseIpv4Udp(datagram().subarray(0, 27))).toBeUndefined();
    const v6 = datagram();
    v6[0] = 0x65;
    expect(parseIpv4Udp(v6)).toBeUndefined();
  });
});
