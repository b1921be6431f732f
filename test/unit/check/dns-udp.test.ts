import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsCheckOnce } from '../../../src/check/dns.js';
import { encodeQuery, judgeAnswer } from '../../../src/check/dns-packet.js';
import { matchesPattern, parseHexPattern } from '../../../src/check/hex.js';
import { udpCheckOnce } from '../../../src/check/udp.js';
import { closedPort, dnsResponder, udpResponder } from './servers.js';

const sig = () => new AbortController().signal;
const t = (port: number, timeoutUs = 300_000) => ({ addr: '127.0.0.1', family: 4 as const, port, timeoutUs });

describe('DNS query codec', () => {
  it('encodes one question with RD and class IN', () => {
    expect(encodeQuery(0x1234, 'example.com', 'A').toString('hex')).toBe('123401000001000000000000076578616d706c6503636f6d0000010001');
    expect(encodeQuery(1, '.', 'soa').toString('hex')).toBe('000101000001000000000000' + '00' + '0006' + '0001');
  });
  it('judges answers like keepalived', () => {
    const q = encodeQuery(7, 'a.b', 'A');
    expect(judgeAnswer(7, q)).toMatchObject({ kind: 'ignore' }); // QR not set
    const a = Buffer.from(q);
    a.writeUInt16BE(0x8183, 2);
    expect(judgeAnswer(7, a)).toEqual({ kind: 'error', rcode: 3 });
    expect(judgeAnswer(8, a)).toMatchObject({ kind: 'ignore' });
    a.writeUInt16BE(0x8180, 2);
    expect(judgeAnswer(7, a)).toEqual({ kind: 'ok' });
  });
});

describe('DNS_CHECK against a responder of the test', () => {
  let rcode: number | null = 0;
  let dns: Awaited<ReturnType<typeof dnsResponder>>;
  beforeAll(async () => {
    dns = await dnsResponder(() => rcode);
  });
  afterAll(async () => dns?.close());

  it('answer with RCODE 0: up; error RCODE, silence and refused: down', async () => {
    rcode = 0;
    expect(await dnsCheckOnce({ target: t(dns.port), type: 'A', name: 'www.example.test' }, sig())).toMatchObject({ ok: true });
    expect(dns.queries.at(-1)!.subarray(12).toString('latin1')).toContain('example');
    rcode = 2;
    expect((await dnsCheckOnce({ target: t(dns.port), type: 'SOA', name: '.' }, sig())).reason).toContain('rcode = 2');
    rcode = null;
    expect((await dnsCheckOnce({ target: t(dns.port), type: 'SOA', name: '.' }, sig())).reason).toBe('read timeout from socket');
    expect((await dnsCheckOnce({ target: t(await closedPort()), type: 'SOA', name: '.' }, sig())).ok).toBe(false);
  });
});

describe('UDP_CHECK', () => {
  it('hex patterns with x nibbles', () => {
    const p = parseHexPattern('01 2x ff');
    expect(matchesPattern(Buffer.from([1, 0x2a, 0xff]), p)).toBe(true);
    expect(matchesPattern(Buffer.from([1, 0x3a, 0xff]), p)).toBe(false);
    expect(matchesPattern(Buffer.from([1]), p)).toBe(true); // shorter reply: compared over its length
  });

  it('no reply needed: silence is up, port unreachable is down', async () => {
    const silent = await udpResponder(() => null);
    try {
      expect(await udpCheckOnce({ target: t(silent.port), minReplyLength: 0, maxReplyLength: 255 }, sig())).toMatchObject({ ok: true });
    } finally {
      await silent.close();
    }
    const r = await udpCheckOnce({ target: t(await closedPort()), minReplyLength: 0, maxReplyLength: 255 }, sig());
    expect(r.ok).toBe(false);
    expect(r.reason).toContain('ECONNREFUSED');
  });

  it('require_reply: pattern, lengths, silence', async () => {
    const echo = await udpResponder((m) => (m[0] === 0x99 ? null : Buffer.concat([Buffer.from([0xab]), m])));
    try {
      const base = { target: t(echo.port), payload: Buffer.from([1, 2, 3]), minReplyLength: 0, maxReplyLength: 255 };
      expect((await udpCheckOnce({ ...base, requireReply: parseHexPattern('ab01') }, sig())).ok).toBe(true);
      expect((await udpCheckOnce({ ...base, requireReply: parseHexPattern('ac01') }, sig())).reason).toBe('reply data mismatch');
      expect((await udpCheckOnce({ ...base, requireReply: 'any', minReplyLength: 5 }, sig())).reason).toBe('reply length 4');
      expect((await udpCheckOnce({ ...base, payload: Buffer.from([0x99]), requireReply: 'any' }, sig())).reason).toBe('no reply');
    } finally {
      await echo.close();
    }
  });
});
