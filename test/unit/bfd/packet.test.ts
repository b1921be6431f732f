import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeControl, DropCounter, encodeControl, type BfdControl } from '../../../src/bfd/packet.js';

const FIX = join(import.meta.dirname, '..', '..', 'fixtures', 'bfd', 'keepalived-2.2.7-session.txt');
const lines = readFileSync(FIX, 'utf8').trim().split('\n').map((l) => {
  const [src, ttl, sport, dport, hex] = l.split(' ');
  return { src, ttl: Number(ttl), sport: Number(sport), dport: Number(dport), bytes: Buffer.from(hex, 'hex') };
});

function decoded(hex: string): BfdControl {
  const r = decodeControl(Buffer.from(hex, 'hex'));
  if (!r.ok) throw new Error(`refused: ${r.reason}`);
  return r.packet;
}

describe('BFD control packet codec', () => {
  it('decodes every packet keepalived 2.2.7 sent and encodes each back to the same bytes', () => {
    expect(lines.length).toBeGreaterThan(20);
    for (const l of lines) {
      const r = decodeControl(l.bytes);
      expect(r.ok).toBe(true);
      if (r.ok) expect(encodeControl(r.packet).equals(l.bytes)).toBe(true);
      // what RFC 5881 asks of the sender: TTL 255, a source port from 49152-65535, destination 3784
      expect(l.ttl).toBe(255);
      expect(l.dport).toBe(3784);
      expect(l.sport).toBeGreaterThanOrEqual(49152);
    }
  });

  it('reads the fields of the keepalived handshake (Down, Init, Up+Poll, Up+Final, expired Down)', () => {
    expect(decoded('20400318961ff31200000000000f4240000186a000000000')).toEqual({
      diag: 0, state: 'Down', poll: false, final: false, cpi: false, demand: false, detectMult: 3,
      myDiscr: 0x961ff312, yourDiscr: 0, desiredMinTxUs: 1_000_000, requiredMinRxUs: 100_000, requiredMinEchoRxUs: 0,
    });
    expect(decoded('20800318961ff312f1397fc7000f4240000186a000000000')).toMatchObject({ state: 'Init', yourDiscr: 0xf1397fc7 });
    expect(decoded('20e00518f1397fc7961ff3120000c35000030d4000000000')).toMatchObject({ state: 'Up', poll: true, final: false, desiredMinTxUs: 50_000, requiredMinRxUs: 200_000, detectMult: 5 });
    expect(decoded('20d00318961ff312f1397fc7000186a0000186a000000000')).toMatchObject({ state: 'Up', poll: false, final: true, desiredMinTxUs: 100_000 });
    expect(decoded('21400318f14da09700000000000f4240000186a000000000')).toMatchObject({ state: 'Down', diag: 1, yourDiscr: 0 });
  });

  it('encodes AdminDown with its diagnostic and the C and D bits', () => {
    const b = encodeControl({
      diag: 7, state: 'AdminDown', poll: false, final: false, cpi: true, demand: true, detectMult: 1,
      myDiscr: 0xffffffff, yourDiscr: 1, desiredMinTxUs: 0xffffffff, requiredMinRxUs: 0, requiredMinEchoRxUs: 5,
    });
    expect(b.toString('hex')).toBe('27' + '0a' + '01' + '18' + 'ffffffff' + '00000001' + 'ffffffff' + '00000000' + '00000005');
  });

  const good = '20c00518f1397fc7961ff3120000c35000030d4000000000';
  const mutate = (f: (b: Buffer) => Buffer): Buffer => f(Buffer.from(good, 'hex'));
  const cases: Array<[string, Buffer]> = [
    ['short', mutate((b) => b.subarray(0, 23))],
    ['short', mutate((b) => { b[3] = 20; return b; })],
    ['version', mutate((b) => { b[0] = 0x40; return b; })],
    ['version', mutate((b) => { b[0] = 0x00; return b; })],
    ['length', mutate((b) => { b[3] = 26; return b; })],
    ['detect-mult', mutate((b) => { b[2] = 0; return b; })],
    ['multipoint', mutate((b) => { b[1] |= 0x01; return b; })],
    ['my-discr', mutate((b) => { b.writeUInt32BE(0, 4); return b; })],
    ['your-discr', mutate((b) => { b.writeUInt32BE(0, 8); return b; })],
    ['auth', mutate((b) => { b[1] |= 0x04; b[3] = 24; return b; })],
  ];
  it.each(cases)('refuses a packet for reason %s', (reason, bytes) => {
    expect(decodeControl(bytes)).toEqual({ ok: false, reason });
  });

  it('accepts Your Discriminator 0 from a Down or AdminDown sender and a longer datagram than Length', () => {
    expect(decodeControl(Buffer.from('20400318961ff31200000000000f4240000186a000000000', 'hex')).ok).toBe(true);
    expect(decodeControl(Buffer.from('27000318961ff31200000000000f4240000186a000000000', 'hex')).ok).toBe(true);
    expect(decodeControl(Buffer.concat([Buffer.from(good, 'hex'), Buffer.alloc(4)])).ok).toBe(true);
  });

  it('counts drops by reason', () => {
    const c = new DropCounter();
    for (const [reason, bytes] of cases) {
      const r = decodeControl(bytes);
      if (!r.ok) c.add(r.reason);
      expect(r.ok ? 'accepted' : r.reason).toBe(reason);
    }
    c.add('no-session');
    expect(c.counts.short).toBe(2);
    expect(c.counts['no-session']).toBe(1);
    expect(c.total()).toBe(cases.length + 1);
  });
});
