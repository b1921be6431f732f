import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { BodyDigest } from '../../../../src/check/http/body-digest.js';
import { READ_SIZE, ResponseStream, type ResponseObserver } from '../../../../src/check/http/response-stream.js';
import { patternBody } from './test-servers.js';

const md5 = (b: Buffer | string): string => createHash('md5').update(b).digest('hex');

function feedAll(chunks: Buffer[], observer: ResponseObserver | null = null): { s: ResponseStream; digest: string; overflow: boolean } {
  const h = createHash('md5');
  const s = new ResponseStream(h, observer);
  let overflow = false;
  for (const c of chunks) {
    if (s.feed(c) === 'header-overflow') {
      overflow = true;
      break;
    }
  }
  return { s, digest: h.digest('hex'), overflow };
}

function split(data: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const p of points) {
    out.push(data.subarray(at, p));
    at = p;
  }
  out.push(data.subarray(at));
  return out.filter((c) => c.length > 0);
}

const response = (head: string, body: Buffer): Buffer => Buffer.concat([Buffer.from(head, 'latin1'), body]);

describe('ResponseStream', () => {
  it('hashes the body after CRLFCRLF, cut at Content-Length', () => {
    const { s, digest } = feedAll([response('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', Buffer.from('0123456789'))]);
    expect(digest).toBe(md5('01234'));
    expect([s.statusCode, s.contentLength, s.headerBytes, s.bodyBytes, s.hashedBytes]).toEqual([200, 5, 38, 10, 5]);
  });

  it('hashes a chunked body raw, framing included', () => {
    const body = Buffer.from('5\r\nhello\r\n0\r\n\r\n');
    const { digest } = feedAll([response('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', body)]);
    expect(digest).toBe(md5(body));
  });

  it('the digest does not depend on how the bytes were chunked', () => {
    const body = patternBody(20000, 9);
    const full = response('HTTP/1.1 200 OK\r\nContent-Length: 15000\r\n\r\n', body);
    const want = md5(body.subarray(0, 15000));
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), fc.boolean(), (cuts, observe) => {
        const noop: ResponseObserver = { headerRead() {}, header() {}, body() {} };
        return feedAll(split(full, cuts), observe ? noop : null).digest === want;
      }),
    );
  });

  it('without Content-Length everything up to the end is hashed', () => {
    const body = patternBody(10000, 2);
    expect(feedAll(split(response('HTTP/1.0 200 OK\r\n\r\n', body), [7, 100, 5000])).digest).toBe(md5(body));
  });

  it('reports a header that does not fit in 4095 bytes as keepalived\'s premature end', () => {
    const big = response(`HTTP/1.1 200 OK\r\nX: ${'x'.repeat(5000)}\r\n\r\n`, Buffer.from('body'));
    const r = feedAll([big]);
    expect(r.overflow).toBe(true);
    expect(r.s.headerComplete).toBe(false);
  });

  it('a header ending exactly at byte 4095 still counts', () => {
    const head = `HTTP/1.1 200 OK\r\nX: ${'x'.repeat(READ_SIZE - 24)}\r\n\r\n`;
    expect(head.length).toBe(READ_SIZE);
    const r = feedAll([response(head, Buffer.from('abc'))]);
    expect(r.overflow).toBe(false);
    expect(r.digest).toBe(md5('abc'));
  });

  it('observer sees keepalived\'s reads: 4095-byte pieces, first body piece flagged', () => {
    const events: string[] = [];
    const obs: ResponseObserver = {
      headerRead: () => events.push('read'),
      header: (b) => events.push(`header ${b.length}`),
      body: (b, first) => events.push(`${first ? 'first' : 'body'} ${b.length}`),
    };
    const head = 'HTTP/1.1 200 OK\r\n\r\n'; // 19 bytes
    feedAll([Buffer.from('HTTP/1.1 2'), response(head.slice(10), patternBody(10000))], obs);
    // read 1: 10 bytes (no header); read 2: up to 4085 bytes -> header + 4076 body; then 4095 + 1829.
    expect(events).toEqual(['read', 'read', 'header 19', 'first 4076', 'body 4095', 'body 1829']);
  });

  it('no body piece is reported when Content-Length is 0', () => {
    const seen: boolean[] = [];
    const obs: ResponseObserver = { headerRead() {}, header() {}, body: (_b, first) => seen.push(first) };
    const r = feedAll([response('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', Buffer.from('junk'))], obs);
    expect(seen).toEqual([]);
    expect(r.digest).toBe(md5(''));
    expect(r.s.bodyBytes).toBe(4);
  });

  it('BodyDigest: hashed whole or piece by piece, one stream reused, the same digest', () => {
    const digest = new BodyDigest('md5');
    const s = new ResponseStream(null);
    fc.assert(
      fc.property(fc.nat({ max: 6000 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 6 }), (size, withLength, cuts) => {
        const body = patternBody(size, 3);
        const head = withLength ? `HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n` : 'HTTP/1.0 200 OK\r\n\r\n';
        digest.reset();
        s.reset(digest, null);
        for (const c of split(response(head, body), cuts)) s.feed(c);
        return digest.hex() === md5(body) && s.hashedBytes === size && s.statusCode === 200;
      }),
    );
  });

  it('one native call for a body that comes whole with its header and length, else piece by piece', () => {
    const calls = (chunks: Buffer[]): string[] => {
      const seen: string[] = [];
      const digest = new BodyDigest('md5');
      new ResponseStream({ update: (d) => (seen.push(`update ${d.length}`), digest.update(d)), updateWhole: (d) => (seen.push(`whole ${d.length}`), digest.updateWhole(d)) }).feed(Buffer.concat(chunks));
      return seen;
    };
    expect(calls([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')])).toEqual(['whole 2']);
    expect(calls([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok')])).toEqual(['update 2']);
    expect(calls([Buffer.from('HTTP/1.0 200 OK\r\n\r\nok')])).toEqual(['update 2']);
    const split2 = new ResponseStream(new BodyDigest('md5'));
    const spy = vi.spyOn(BodyDigest.prototype, 'updateWhole');
    split2.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\no'));
    split2.feed(Buffer.from('k'));
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it('a body-less response has the digest of no bytes', () => {
    const digest = new BodyDigest('sha256');
    new ResponseStream(digest).feed(Buffer.from('HTTP/1.1 204 OK\r\nContent-Length: 0\r\n\r\n'));
    expect(digest.hex()).toBe(createHash('sha256').digest('hex'));
  });
});
