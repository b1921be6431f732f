// SMTP_CHECK against SMTP responders of the test on loopback: the full dialogue, each wrong
// answer keepalived rejects, silence, a closed connection and a refused port.
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { smtpCheckOnce, smtpStatus, SMTP_DEFAULT_HELO } from '../../../src/check/smtp.js';
import { closedPort, tcpServer, type Running } from './servers.js';

type Script = { banner?: string | null; helo?: string | null; quit?: string | null };

/** An SMTP responder: banner on connect, one answer per command; null = say nothing. */
function smtpServer(script: Script, seen: string[] = []): Promise<Running> {
  return tcpServer((s: net.Socket) => {
    const banner = script.banner === undefined ? '220 mx.test ESMTP\r\n' : script.banner;
    if (banner !== null) s.write(banner);
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl + 1);
        buf = buf.slice(nl + 1);
        seen.push(line);
        const verb = line.slice(0, 4).toUpperCase();
        const answer = verb === 'HELO' ? (script.helo === undefined ? '250 mx.test\r\n' : script.helo) : verb === 'QUIT' ? (script.quit === undefined ? '221 bye\r\n' : script.quit) : '500 what\r\n';
        if (answer !== null) s.write(answer);
        if (verb === 'QUIT' && answer !== null) s.end();
      }
    });
  });
}

const tgt = (port: number, timeoutUs = 1_000_000) => ({ addr: '127.0.0.1', family: 4 as const, port, timeoutUs });
const signal = () => new AbortController().signal;

describe('smtpStatus (keepalived reads three digits, then a space or the end)', () => {
  it.each([
    ['220 mx ready', 220],
    ['250', 250],
    ['220-first of many', -1],
    ['220\r', -1],
    ['22 short', -1],
    ['2200 long', -1],
    ['', -1],
  ])('%j -> %d', (line, code) => expect(smtpStatus(line)).toBe(code));
});

describe('SMTP_CHECK on loopback', () => {
  let srv: Running | undefined;
  afterEach(async () => {
    await srv?.close();
    srv = undefined;
  });

  it('banner 220, HELO -> 250, QUIT -> 221: success, with the configured HELO name', async () => {
    const seen: string[] = [];
    srv = await smtpServer({}, seen);
    const r = await smtpCheckOnce({ target: tgt(srv.port), heloName: 'checker.example' }, signal());
    expect(r.ok).toBe(true);
    expect(seen).toEqual(['HELO checker.example\r\n', 'QUIT\r\n']);
  });

  it("keepalived's default HELO name", () => expect(SMTP_DEFAULT_HELO).toBe('smtpchecker.keepalived.org'));

  it('a banner other than 220 fails before HELO', async () => {
    const seen: string[] = [];
    srv = await smtpServer({ banner: '554 go away\r\n' }, seen);
    const r = await smtpCheckOnce({ target: tgt(srv.port), heloName: 'x' }, signal());
    expect(r.ok).toBe(false);
    expect(r.reason).toContain('Bad greeting banner');
    expect(seen).toEqual([]);
  });

  it('a multi-line 220- banner fails as in keepalived', async () => {
    srv = await smtpServer({ banner: '220-mx.test first\r\n220 mx.test\r\n' });
    const r = await smtpCheckOnce({ target: tgt(srv.port), heloName: 'x' }, signal());
    expect(r).toMatchObject({ ok: false });
    expect(r.reason).toContain('Bad greeting banner');
  });

  it('HELO answered with other than 250 fails', async () => {
    srv = await smtpServer({ helo: '501 bad name\r\n' });
    const r = await smtpCheckOnce({ target: tgt(srv.port), heloName: 'x' }, signal());
    expect(r.ok).toBe(false);
    expect(r.reason).toContain('Bad HELO response');
  });

  it('no answer to QUIT (connection closed) fails', async () => {
    srv = await tcpServer((s) => {
      s.write('220 mx\r\n');
      s.on('data', (d) => (d.toString().startsWith('HELO') ? s.write('250 ok\r\n') : s.destroy()));
    });
    const r = await smtpCheckOnce({ target: tgt(srv.port), heloName: 'x' }, signal());
    expect(r.ok).toBe(false);
    expect(r.reason).toContain('Read failure');
  });

  it('a silent server fails after connect_timeout', async () => {
    srv = await smtpServer({ banner: null });
    const t0 = Date.now();
    const r = await smtpCheckOnce({ target: tgt(srv.port, 300_000), heloName: 'x' }, signal());
    const dt = Date.now() - t0;
    expect(r.ok).toBe(false);
    expect(r.reason).toContain('Read timeout');
    expect(dt).toBeGreaterThanOrEqual(280);
    expect(dt).toBeLessThan(2000);
  });

  it('refused port fails at once', async () => {
    const r = await smtpCheckOnce({ target: tgt(await closedPort()), heloName: 'x' }, signal());
    expect(r.ok).toBe(false);
    expect(r.reason).toContain('ECONNREFUSED');
  });

  it('abort ends the dialogue', async () => {
    srv = await smtpServer({ banner: null });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    expect(await smtpCheckOnce({ target: tgt(srv.port, 5_000_000), heloName: 'x' }, ac.signal)).toEqual({ ok: false, reason: 'aborted' });
  });
});
