import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AttrWriter, Attrs, nlaAlign } from '../../../src/ipvs/attrs.js';
import { encodeGenl, parseGenl, parseNetlink, errorCode } from '../../../src/ipvs/message.js';

describe('nlattr codec', () => {
  it('encodes header, payload and padding exactly', () => {
    const b = new AttrWriter().u8(1, 7).u16(2, 0x1234).be16(3, 80).u32(4, 1).str(5, 'rr').toBuffer();
    expect(b.toString('hex')).toBe(
      '0500010007000000' + '0600020034120000' + '0600030000500000' + '0800040001000000' + '0700050072720000',
    );
  });
  it('marks nests with NLA_F_NESTED as libnl does, and parses them back', () => {
    const inner = new AttrWriter().u32(1, 5);
    const b = new AttrWriter().nest(1, inner).toBuffer();
    expect(b.toString('hex')).toBe('0c000180' + '0800010005000000');
    expect(Attrs.parse(b).nested(1).u32(1)).toBe(5);
  });
  it('round-trips random attribute sets', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 200 }), fc.uint8Array({ maxLength: 40 })), { maxLength: 20 }), (list) => {
      const w = new AttrWriter();
      for (const [t, p] of list) w.put(t, Buffer.from(p));
      const b = w.toBuffer();
      expect(b.length % 4).toBe(0);
      expect(b.length).toBe(list.reduce((n, [, p]) => n + nlaAlign(4 + p.length), 0));
      const a = Attrs.parse(b);
      const last = new Map<number, Uint8Array>();
      for (const [t, p] of list) last.set(t, p);
      for (const [t, p] of last) expect(Buffer.compare(a.raw(t)!, Buffer.from(p))).toBe(0);
    }));
  });
  it('keeps every value when the buffer grows in the middle of a write', () => {
    const w = new AttrWriter();
    for (let i = 1; i <= 100; i++) {
      if (i % 4 === 0) w.u8(i, i);
      else if (i % 4 === 1) w.u16(i, i * 3);
      else if (i % 4 === 2) w.be32(i, i * 100000);
      else w.addr16(i, `10.0.0.${i}`);
    }
    const a = Attrs.parse(w.toBuffer());
    for (let i = 1; i <= 100; i++) {
      if (i % 4 === 0) expect(a.u8(i)).toBe(i);
      else if (i % 4 === 1) expect(a.u16(i)).toBe(i * 3);
      else if (i % 4 === 2) expect(a.be32(i)).toBe(i * 100000);
      else expect(a.raw(i)!.toString('hex')).toBe(`0a0000${i.toString(16).padStart(2, '0')}${'0'.repeat(24)}`);
    }
    const n = w.begin(200);
    w.u32(1, 7);
    w.end(n);
    expect(Attrs.parse(w.toBuffer()).nested(200).u32(1)).toBe(7);
  });
  it('rejects a truncated attribute and a missing required one', () => {
    expect(() => Attrs.parse(Buffer.from('0800010001', 'hex'))).toThrow(/malformed/);
    expect(() => Attrs.parse(Buffer.alloc(0)).u32(3, 'service.port')).toThrow(/missing attribute service.port/);
    expect(() => Attrs.parse(Buffer.from('0500010001000000', 'hex')).u32(1, 'x')).toThrow(/too short/);
  });
  it('reads 64-bit and big-endian values', () => {
    const a = Attrs.parse(new AttrWriter().u64(1, 2n ** 40n + 3n).be32(2, 0xffffff00).toBuffer());
    expect(a.u64(1)).toBe(2n ** 40n + 3n);
    expect(a.be32(2)).toBe(0xffffff00);
    expect(a.optU32(9)).toBeUndefined();
  });
});

describe('netlink framing', () => {
  it('frames a generic netlink request and splits replies', () => {
    const m = encodeGenl({ family: 0x20, cmd: 4, flags: 0x305, seq: 9, pid: 0, attrs: Buffer.alloc(0) });
    expect(m.toString('hex')).toBe('14000000' + '2000' + '0503' + '09000000' + '00000000' + '04010000');
    const two = Buffer.concat([m, encodeGenl({ family: 0x20, cmd: 1, flags: 2, seq: 9, pid: 0, attrs: Buffer.from([1, 2, 3, 4]) })]);
    const parsed = parseNetlink(two);
    expect(parsed.map((p) => [p.type, p.flags, p.seq])).toEqual([[0x20, 0x305, 9], [0x20, 2, 9]]);
    expect(parseGenl(parsed[1]).attrs).toEqual(Buffer.from([1, 2, 3, 4]));
  });
  it('reads the errno of an NLMSG_ERROR', () => {
    const e = Buffer.alloc(36);
    e.writeUInt32LE(36, 0);
    e.writeUInt16LE(2, 4);
    e.writeInt32LE(-17, 16);
    expect(errorCode(parseNetlink(e)[0])).toBe(-17);
    expect(() => parseNetlink(Buffer.from('ff000000020000000000000000000000', 'hex'))).toThrow(/malformed/);
  });
});
