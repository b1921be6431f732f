import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpGetProbe, httpGetOnce, StreamRegex, type HttpGetSpec, type UrlSpec } from '../../../src/check/http-get.js';
import { TimedChecks } from '../../../src/check/native/timed-checks.js';
import { closedPort, httpResponse, rawHttpServer, tcpServer, type Running } from './servers.js';
import { timedOnce } from './native/timed-once.js';

const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');
const BIG = Buffer.alloc(3_000_000, 'abcdefghij'); // several MB streamed through the digest

function spec(port: number, urls: Partial<UrlSpec>[], timeoutUs = 1_000_000): HttpGetSpec {
  return {
    target: { addr: '127.0.0.1', family: 4, port, timeoutUs },
    urls: urls.map((u) => ({ path: '/', statusCodes: [[200, 299]], ...u })),
    version: '1.0',
    tls: false,
    enableSni: false,
  };
}

/** One search of the whole body from min: is there a match, starting at or before max? */
function wholeBody(re: RegExp, min: number, max: number | undefined, body: string): boolean {
  const whole = new RegExp(re.source, 'g');
  whole.lastIndex = min;
  const m = whole.exec(body);
  return m !== null && (max === undefined || m.index <= max);
}

/** The body fed to `r` in reads of the lengths in `cuts` (the rest in one), and its answer. */
function streamed(r: StreamRegex, body: string, cuts: readonly number[]): boolean {
  let i = 0;
  for (const c of cuts) {
    if (i >= body.length) break;
    r.body(Buffer.from(body.slice(i, i + c), 'latin1'));
    i += c;
  }
  if (i < body.length) r.body(Buffer.from(body.slice(i), 'latin1'));
  return r.end();
}

describe('HTTP_GET probe on loopback', () => {
  let web: Running;
  let silent: Running;
  const hosts: string[] = [];
  beforeAll(async () => {
    web = await rawHttpServer((path, host) => {
      hosts.push(host);
      if (path === '/ok') return httpResponse(200, 'hello world');
      if (path === '/big') return httpResponse(200, BIG);
      if (path === '/moved') return httpResponse(302, 'moved');
      if (path === '/err') return httpResponse(503, 'unavailable');
      if (path === '/nodata') return '';
      if (path === '/redos') return httpResponse(200, 'a'.repeat(28) + 'b');
      if (path === '/longhead') return `HTTP/1.0 200 OK\r\nX-Pad: ${'p'.repeat(6000)}\r\n\r\nbody`;
      return httpResponse(404, 'nope');
    });
    silent = await tcpServer(() => {}); // accepts, never answers
  });
  afterAll(async () => {
    await web?.close();
    await silent?.close();
  });
  const sig = () => new AbortController().signal;

  it('digest match and mismatch', async () => {
    expect(await httpGetOnce(spec(web.port, [{ path: '/ok', digest: md5('hello world') }]), 0, sig())).toMatchObject({ ok: true });
    const bad = await httpGetOnce(spec(web.port, [{ path: '/ok', digest: md5('hello') }]), 0, sig());
    expect(bad.ok).toBe(false);
    expect(bad.reason).toContain('MD5 digest mismatch');
  });

  it('streams a large body into the digest', async () => {
    expect(await httpGetOnce(spec(web.port, [{ path: '/big', digest: md5(BIG) }]), 0, sig())).toMatchObject({ ok: true });
  });

  it('status codes: default 200-299, single values and ranges', async () => {
    expect((await httpGetOnce(spec(web.port, [{ path: '/err' }]), 0, sig())).reason).toBe('HTTP status code 503');
    expect((await httpGetOnce(spec(web.port, [{ path: '/moved' }]), 0, sig())).ok).toBe(false);
    expect((await httpGetOnce(spec(web.port, [{ path: '/moved', statusCodes: [[200, 200], [300, 399]] }]), 0, sig())).ok).toBe(true);
    expect((await httpGetOnce(spec(web.port, [{ path: '/err', statusCodes: [[503, 503]] }]), 0, sig())).ok).toBe(true);
  });

  it('the step selects the url', async () => {
    const s = spec(web.port, [{ path: '/ok' }, { path: '/err' }]);
    expect((await httpGetOnce(s, 0, sig())).ok).toBe(true);
    expect((await httpGetOnce(s, 1, sig())).ok).toBe(false);
  });

  it('virtualhost goes in the Host header; without it address:port', async () => {
    hosts.length = 0;
    await httpGetOnce(spec(web.port, [{ path: '/ok', virtualHost: 'www.example.test' }]), 0, sig());
    await httpGetOnce(spec(web.port, [{ path: '/ok' }]), 0, sig());
    expect(hosts).toEqual(['www.example.test', `127.0.0.1:${web.port}`]);
  });

  it('regex and regex_no_match', async () => {
    expect((await httpGetOnce(spec(web.port, [{ path: '/ok', regex: /wor.d/ }]), 0, sig())).ok).toBe(true);
    expect((await httpGetOnce(spec(web.port, [{ path: '/ok', regex: /absent/ }]), 0, sig())).ok).toBe(false);
    expect((await httpGetOnce(spec(web.port, [{ path: '/ok', regex: /wor.d/, regexNoMatch: true }]), 0, sig())).ok).toBe(false);
    expect((await httpGetOnce(spec(web.port, [{ path: '/ok', regex: /absent/, regexNoMatch: true }]), 0, sig())).ok).toBe(true);
  });

  it('a regex that would backtrack for ~30 s on the body fails the check at its bound', async () => {
    const t0 = Date.now();
    const r = await httpGetOnce(spec(web.port, [{ path: '/redos', regex: /(a+)+$/ }]), 0, sig());
    expect(r).toMatchObject({ ok: false, reason: 'regex match failed' });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect((await httpGetOnce(spec(web.port, [{ path: '/redos', regex: /(a+)+$/, regexNoMatch: true }]), 0, sig())).ok).toBe(true);
    expect((await httpGetOnce(spec(web.port, [{ path: '/redos', regex: /a+b$/ }]), 0, sig())).ok).toBe(true);
  });

  it('a regex match across two reads is found', () => {
    const r = new StreamRegex(/needle/);
    r.body(Buffer.from('xxxxnee'));
    expect(r.end()).toBe(false); // the body ended there
    r.body(Buffer.from('xxxxnee'));
    r.body(Buffer.from('dleyyy'));
    expect(r.end()).toBe(true);
  });

  it('regex_min_offset / regex_max_offset: the match must start within [min, max] of the body', async () => {
    const at = async (url: Partial<UrlSpec>) => (await httpGetOnce(spec(web.port, [{ path: '/ok', ...url }]), 0, sig())).ok;
    // "hello world": an "o" at 4 and at 7
    expect(await at({ regex: /o/, regexMinOffset: 5 })).toBe(true); // the one at 7
    expect(await at({ regex: /o/, regexMaxOffset: 4 })).toBe(true); // the one at 4
    expect(await at({ regex: /o/, regexMinOffset: 5, regexMaxOffset: 6 })).toBe(false);
    expect(await at({ regex: /o/, regexMinOffset: 8 })).toBe(false);
    expect(await at({ regex: /(?<=w)o/, regexMinOffset: 7, regexMaxOffset: 7 })).toBe(true); // lookbehind sees before min
    expect(await at({ regex: /o/, regexMinOffset: 5, regexMaxOffset: 6, regexNoMatch: true })).toBe(true);
  });

  it('with offsets, any chunking finds what one scan of the whole body finds', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 30 }),
        fc.constantFrom(/ab/, /b+c/, /(?<=a)b/, /a.c/, /ca?b/),
        fc.nat(40),
        fc.option(fc.nat(60), { nil: undefined }),
        (body, cuts, re, min, max) => {
          expect(streamed(new StreamRegex(re, min, max), body, cuts)).toBe(wholeBody(re, min, max, body));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('with a window shorter than the body, anchors and lookarounds give the whole body\'s answer', () => {
    // compilePcre's renderings of ^ab, multiline ^b, ab$, a\z, and ab(?!c), (?<=a)b, b\b, ab
    const patterns = [/(?<![^])ab/, /(?:(?<![^])|(?<=\n)(?=[^]))b/, /ab(?=\n?(?![^]))/, /a(?![^])/, /ab(?!c)/, /(?<=a)b/, /b\b/, /ab/];
    const text = (n: number) => fc.string({ unit: fc.constantFrom('a', 'b', 'c', '\n'), maxLength: n });
    // also a match early and a long stretch without any after it (it must stay found)
    const body = fc.oneof(text(60), fc.tuple(text(8), fc.nat(40), text(4)).map(([a, n, b]) => a + 'c'.repeat(n) + b));
    fc.assert(
      fc.property(
        body,
        fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 30 }),
        fc.constantFrom(...patterns),
        fc.nat(40),
        fc.option(fc.nat(60), { nil: undefined }),
        (body, cuts, re, min, max) => {
          expect(streamed(new StreamRegex(re, min, max, false, null, 4), body, cuts)).toBe(wholeBody(re, min, max, body));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('a match early in a long body stays found', () => {
    const r = new StreamRegex(/ab/, 0, undefined, false, null, 4);
    r.body(Buffer.from('ab'));
    for (let i = 0; i < 10; i++) r.body(Buffer.from('ccccc'));
    expect(r.end()).toBe(true);
    const big = new StreamRegex(/ok(?!x)/);
    big.body(Buffer.from('ok'));
    big.body(Buffer.from('y'));
    for (let i = 0; i < 4; i++) big.body(Buffer.alloc(65536, 'x'));
    expect(big.end()).toBe(true);
  });

  it('a match at a read\'s end is not taken before what follows is seen', () => {
    const r = new StreamRegex(/ok(?=\n?(?![^]))/); // ok$
    r.body(Buffer.from('status ok'));
    r.body(Buffer.from(' but failing'));
    expect(r.end()).toBe(false);
    r.body(Buffer.from('status ok'));
    r.body(Buffer.from('\n'));
    expect(r.end()).toBe(true);
  });

  it('refused, no data and read timeout fail', async () => {
    expect((await httpGetOnce(spec(await closedPort(), [{}]), 0, sig())).reason).toBe('Connection failed');
    expect((await httpGetOnce(spec(web.port, [{ path: '/nodata' }]), 0, sig())).ok).toBe(false);
    const t0 = Date.now();
    const r = await httpGetOnce(spec(silent.port, [{}], 300_000), 0, sig());
    expect(r.ok).toBe(false);
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('one probe serves attempt after attempt: urls, digests and regex windows start afresh each time', async () => {
    const probe = new HttpGetProbe(spec(web.port, [{ path: '/ok', digest: md5('hello world'), regex: /hello/ }, { path: '/big', digest: md5(BIG) }]));
    const reasons: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await probe.run(i % 2, sig());
      reasons.push(r.ok ? 'ok' : r.reason);
    }
    expect(reasons).toEqual(Array(12).fill('ok'));
  });

  it('an aborted attempt ends at once and the probe runs again afterwards', async () => {
    const probe = new HttpGetProbe(spec(silent.port, [{}], 200_000));
    const ac = new AbortController();
    const p = probe.run(0, ac.signal);
    setTimeout(() => ac.abort(), 50);
    const t0 = Date.now();
    expect(await p).toEqual({ ok: false, reason: 'Aborted' });
    expect(Date.now() - t0).toBeLessThan(150);
    expect(await probe.run(0, sig())).toEqual({ ok: false, reason: 'Timeout WEB read' });
  });
});

describe('HTTP_GET: the timed engine and one attempt through start() give the same verdicts', () => {
  let web: Running;
  let silent: Running;
  let timed: TimedChecks;
  beforeAll(async () => {
    web = await rawHttpServer((path) => {
      if (path === '/ok') return httpResponse(200, 'hello world');
      if (path === '/big') return httpResponse(200, BIG);
      if (path === '/err') return httpResponse(503, 'unavailable');
      if (path === '/nodata') return '';
      if (path === '/longhead') return `HTTP/1.0 200 OK\r\nX-Pad: ${'p'.repeat(6000)}\r\n\r\nbody`;
      return httpResponse(404, 'nope');
    });
    silent = await tcpServer(() => {});
    timed = new TimedChecks({ quantumUs: 0 });
  });
  afterAll(async () => {
    timed?.close();
    await web?.close();
    await silent?.close();
  });

  it.each([
    ['digest match', () => spec(web.port, [{ path: '/ok', digest: md5('hello world') }]), 0, 'HTTP status code 200'],
    ['digest mismatch', () => spec(web.port, [{ path: '/ok', digest: md5('hello') }]), 0, `MD5 digest mismatch (${md5('hello world')})`],
    ['a large body', () => spec(web.port, [{ path: '/big', digest: md5(BIG) }]), 0, 'HTTP status code 200'],
    ['status code', () => spec(web.port, [{ path: '/err' }]), 0, 'HTTP status code 503'],
    ['the step selects the url', () => spec(web.port, [{ path: '/ok' }, { path: '/err' }]), 1, 'HTTP status code 503'],
    ['regex', () => spec(web.port, [{ path: '/ok', regex: /absent/ }]), 0, 'regex match failed'],
    ['no data', () => spec(web.port, [{ path: '/nodata' }]), 0, 'no data received'],
    ['a header longer than a read', () => spec(web.port, [{ path: '/longhead' }]), 0, 'HTTP status code 0'],
    ['refused', async () => spec(await closedPort(), [{}]), 0, 'Connection failed'],
    ['no answer', () => spec(silent.port, [{}], 150_000), 0, 'Timeout WEB read'],
    ['connect_timeout 0', () => spec(web.port, [{ path: '/ok' }], 0), 0, 'Timeout WEB write'],
  ] as const)('%s', async (_name, make, step, reason) => {
    const viaStart = await new HttpGetProbe(await make()).run(step, new AbortController().signal);
    const viaTimed = await timedOnce(timed, new HttpGetProbe(await make()), step);
    expect(viaTimed.reason).toBe(reason);
    expect(viaTimed).toEqual(viaStart);
    expect(timed.inFlight()).toBe(0);
  });

  it('SSL_GET has no timed target (it stays on the scheduler)', () => {
    expect(new HttpGetProbe({ ...spec(web.port, [{}]), tls: true }).timedTarget()).toBe(null);
  });
});
