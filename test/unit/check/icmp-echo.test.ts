import { describe, expect, it } from 'vitest';
import { decodeIcmp4, decodeIcmp6, ECHO_DATA_BYTES, encodeEcho, inetChecksum, ipv4Header } from '../../../src/check/icmp-echo.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('ICMP echo codec', () => {
  it('RFC 1071 checksum: the example of RFC 1071 section 3, and a packet checks to 0 with its sum', () => {
    expect(inetChecksum(hex('0001 f203 f4f5 f6f7'))).toBe(~0xddf2 & 0xffff);
    const p = encodeEcho(4, 0x1234, 7);
    expect(inetChecksum(p)).toBe(0);
  });

  it('IPv4 echo request: type 8, id, seq, 128 bytes of data; IPv6: type 128, checksum left to the kernel', () => {
    const p = encodeEcho(4, 0xbeef, 0x0102);
    expect(p.length).toBe(8 + ECHO_DATA_BYTES);
    expect([p[0], p[1], p.readUInt16BE(4), p.readUInt16BE(6)]).toEqual([8, 0, 0xbeef, 0x0102]);
    const q = encodeEcho(6, 1, 2);
    expect([q[0], q.readUInt16BE(2)]).toEqual([128, 0]);
  });

  it('reads an IPv4 echo reply with its source; ignores requests and other ICMP', () => {
    const reply = Buffer.concat([ipv4Header('10.0.0.2', '10.0.0.1', 8 + 128), encodeEcho(4, 0xbeef, 9)]);
    reply[20] = 0; // echo reply
    expect(decodeIcmp4(reply)).toEqual({ kind: 'reply', id: 0xbeef, seq: 9, src: '10.0.0.2' });
    const request = Buffer.concat([ipv4Header('10.0.0.1', '10.0.0.2', 136), encodeEcho(4, 1, 1)]);
    expect(decodeIcmp4(request)).toBeNull();
    const redirect = Buffer.from(reply);
    redirect[20] = 5;
    expect(decodeIcmp4(redirect)).toBeNull();
  });

  it('reads an IPv4 host unreachable that quotes our echo request', () => {
    const quoted = Buffer.concat([ipv4Header('10.0.0.1', '10.0.0.2', 136), encodeEcho(4, 0xabcd, 42).subarray(0, 8)]);
    const icmp = Buffer.concat([hex('0301 0000 00000000'), quoted]);
    const pkt = Buffer.concat([ipv4Header('10.0.0.1', '10.0.0.1', icmp.length), icmp]);
    expect(decodeIcmp4(pkt)).toEqual({ kind: 'error', id: 0xabcd, seq: 42, type: 3, code: 1 });
  });

  it('reads ICMPv6 echo replies and address unreachable quoting our request', () => {
    const r = encodeEcho(6, 0x4242, 3);
    r[0] = 129;
    expect(decodeIcmp6(r)).toEqual({ kind: 'reply', id: 0x4242, seq: 3, src: null });
    const ip6 = Buffer.alloc(40);
    ip6[0] = 0x60;
    ip6[6] = 58;
    const err = Buffer.concat([hex('0103 0000 00000000'), ip6, encodeEcho(6, 0x4242, 4)]);
    expect(decodeIcmp6(err)).toEqual({ kind: 'error', id: 0x4242, seq: 4, type: 1, code: 3 });
    expect(decodeIcmp6(encodeEcho(6, 1, 1))).toBeNull();
  });
});
