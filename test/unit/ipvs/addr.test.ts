import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addrToBytes, bytesToAddr, normalizeAddr, addrToUnion } from '../../../src/ipvs/addr.js';
import { cmpServices, mergeSort } from '../../../src/ipvs/sort.js';
import { makeService } from '../../../src/ipvs/model.js';

describe('address text like inet_ntop', () => {
  const cases: Array<[string, string]> = [
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['1:0:1:0:1:0:1:0', '1:0:1:0:1:0:1:0'],
    ['::ffff:10.1.2.3', '::ffff:10.1.2.3'],
    ['::10.1.2.3', '::10.1.2.3'],
    ['fe80::1:2', 'fe80::1:2'],
    ['10.0.0.1', '10.0.0.1'],
  ];
  for (const [inp, want] of cases) it(`${inp} -> ${want}`, () => expect(normalizeAddr(inp)).toBe(want));
  it('round-trips every IPv6 address', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (a) => {
      const b = Buffer.from(a);
      expect(addrToBytes(bytesToAddr(10, b)).equals(b)).toBe(true);
    }));
  });
  it('puts IPv4 in the first 4 bytes of the 16-byte union', () => {
    expect(addrToUnion('10.0.0.1').toString('hex')).toBe('0a000001' + '0'.repeat(24));
  });
});

describe('ipvsadm listing order', () => {
  it('sorts IPv4 TCP, UDP, SCTP, then IPv6, then fwmarks', () => {
    const s = [
      makeService({ fwmark: 5 }), makeService({ protocol: 6, addr: '2001:db8::1', port: 80 }),
      makeService({ protocol: 132, addr: '10.0.0.1', port: 1 }), makeService({ protocol: 17, addr: '10.0.0.1', port: 53 }),
      makeService({ protocol: 6, addr: '10.0.0.2', port: 80 }), makeService({ protocol: 6, addr: '10.0.0.1', port: 80 }),
    ];
    const order = mergeSort(s, cmpServices).map((x) => `${x.protocol}/${x.addr}/${x.port}/${x.fwmark}`);
    expect(order).toEqual(['6/10.0.0.1/80/0', '6/10.0.0.2/80/0', '17/10.0.0.1/53/0', '132/10.0.0.1/1/0', '6/2001:db8::1/80/0', '0/0.0.0.0/0/5']);
  });
  it('keeps C int wrap-around: 200.0.0.1 sorts before 10.0.0.1', () => {
    const a = makeService({ addr: '10.0.0.1', port: 80 });
    const b = makeService({ addr: '200.0.0.1', port: 80 });
    expect(cmpServices(a, b)).toBeGreaterThan(0);
  });
});
