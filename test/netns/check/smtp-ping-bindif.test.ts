// SMTP_CHECK, PING_CHECK and bind_if across a veth between two namespaces of the test: the
// probes run in "chk", an SMTP responder of the test and the ping target in "srv". Down when
// the peer is gone or answers wrong; bind_if scopes IPv6 link-local targets.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbeLab, sh, target as tgt } from './probe-lab.js';

const lab = new ProbeLab({
  prefix: 'lvsdsp',
  chk: ['10.89.0.1/24', 'fd89::1/64', 'fe80::a1/64'],
  srv: ['10.89.0.2/24', 'fd89::2/64', 'fe80::a2/64'],
  ownLinkLocal: true,
});

// 2525: a good SMTP server; 2526: banner 421; 2527: HELO refused. 8080: plain TCP/HTTP;
// udp 5300: echo.
const SERVERS = `
const net = require('net');
const smtp = (port, banner, helo) => net.createServer((s) => {
  s.on('error', () => {});
  s.write(banner);
  let buf = '';
  s.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\\n')) >= 0) {
      const line = buf.slice(0, nl); buf = buf.slice(nl + 1);
      if (line.startsWith('HELO ')) s.write(helo);
      else if (line.startsWith('QUIT')) s.end('221 bye\\r\\n');
    }
  });
}).listen(port, '::');
smtp(2525, '220 mx.srv ESMTP\\r\\n', '250 mx.srv\\r\\n');
smtp(2526, '421 busy\\r\\n', '250 mx.srv\\r\\n');
smtp(2527, '220 mx.srv ESMTP\\r\\n', '550 not you\\r\\n');
const body = 'ok';
const u = require('dgram').createSocket('udp6');
u.on('message', (m, r) => u.send(m, r.port, r.address));
u.bind(5300, '::');
net.createServer((s) => { s.on('error', () => {}); s.once('data', () => s.end('HTTP/1.0 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok')); }).listen(8080, '::', () => console.log('ready'));
`;

let servers: ChildProcessWithoutNullStreams;

beforeAll(async () => {
  await lab.start();
  // a subnet behind srv that srv declares unreachable: it answers with ICMP host unreachable
  sh('ip', ['netns', 'exec', lab.srv, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  sh('ip', ['-n', lab.srv, 'route', 'add', 'unreachable', '10.90.0.0/24']);
  sh('ip', ['-n', lab.chk, 'route', 'add', '10.90.0.0/24', 'via', '10.89.0.2']);
  servers = await lab.serverProc(SERVERS);
}, 60_000);

afterAll(() => lab.close());

const smtp = (addr: string, port: number, extra: Record<string, unknown> = {}) => ({ kind: 'smtp', spec: { target: tgt(addr, port, 1_000_000, extra), heloName: 'chk.test' } });

describe('SMTP_CHECK across namespaces', () => {
  it('a good server over IPv4 and IPv6; a wrong banner or HELO answer is down', async () => {
    expect(await lab.run(smtp('10.89.0.2', 2525))).toMatchObject({ ok: true });
    expect(await lab.run(smtp('fd89::2', 2525))).toMatchObject({ ok: true });
    const banner = await lab.run(smtp('10.89.0.2', 2526));
    expect(banner).toMatchObject({ ok: false });
    expect(String(banner.reason)).toContain('Bad greeting banner');
    const helo = await lab.run(smtp('10.89.0.2', 2527));
    expect(helo).toMatchObject({ ok: false });
    expect(String(helo.reason)).toContain('Bad HELO response');
  });
});

describe('PING_CHECK across namespaces', () => {
  it('the peer answers over IPv4 and IPv6', async () => {
    expect(await lab.run({ kind: 'ping', spec: tgt('10.89.0.2', 0) })).toMatchObject({ ok: true });
    expect(await lab.run({ kind: 'ping', spec: tgt('fd89::2', 0) })).toMatchObject({ ok: true });
  });

  it('an ICMP host unreachable about the echo fails at once', async () => {
    const r = await lab.run({ kind: 'ping', spec: tgt('10.90.0.7', 0, 3_000_000) });
    expect(r).toMatchObject({ ok: false });
    expect(String(r.reason)).toMatch(/ICMP error type 3/);
    expect(Number(r.ms)).toBeLessThan(1500);
  });

  it('a peer that ignores echo requests is down after connect_timeout', async () => {
    sh('ip', ['netns', 'exec', lab.srv, 'sysctl', '-qw', 'net.ipv4.icmp_echo_ignore_all=1']);
    try {
      const r = await lab.run({ kind: 'ping', spec: tgt('10.89.0.2', 0, 400_000) });
      expect(r).toMatchObject({ ok: false, reason: 'ICMP echo timeout' });
      expect(Number(r.ms)).toBeGreaterThanOrEqual(390);
    } finally {
      sh('ip', ['netns', 'exec', lab.srv, 'sysctl', '-qw', 'net.ipv4.icmp_echo_ignore_all=0']);
    }
    expect(await lab.run({ kind: 'ping', spec: tgt('10.89.0.2', 0) })).toMatchObject({ ok: true });
  });
});

describe('bind_if: IPv6 link-local targets', () => {
  it('TCP, HTTP, SMTP and PING reach fe80::a2 through ck0; without bind_if the TCP connect fails', async () => {
    const ll = (extra: Record<string, unknown> = {}) => tgt('fe80::a2', 8080, 1_000_000, { bindIf: 'ck0', ...extra });
    expect(await lab.run({ kind: 'tcp', spec: ll() })).toMatchObject({ ok: true });
    expect(await lab.run({ kind: 'tcp', spec: ll({ bindAddr: 'fe80::a1' }) })).toMatchObject({ ok: true });
    expect(
      await lab.run({ kind: 'http', spec: { target: ll(), urls: [{ path: '/', statusCodes: [[200, 299]] }], version: '1.0', tls: false, enableSni: false } }),
    ).toMatchObject({ ok: true });
    expect(await lab.run(smtp('fe80::a2', 2525, { bindIf: 'ck0' }))).toMatchObject({ ok: true });
    expect(await lab.run({ kind: 'ping', spec: ll() })).toMatchObject({ ok: true });
    const udp = { target: tgt('fe80::a2', 5300, 1_000_000, { bindIf: 'ck0' }), minReplyLength: 0, maxReplyLength: 255, requireReply: 'any' };
    expect(await lab.run({ kind: 'udp', spec: udp })).toMatchObject({ ok: true });
    const bare = await lab.run({ kind: 'tcp', spec: tgt('fe80::a2', 8080) });
    expect(bare.ok).toBe(false);
    expect(String(bare.reason)).toContain('EINVAL'); // a link-local address needs its interface
  });

  it('PING_CHECK bind_if on a device that is not the route: no reply reaches the check', async () => {
    // SO_BINDTODEVICE to lo: the echo for 10.89.0.2 cannot leave through ck0
    const r = await lab.run({ kind: 'ping', spec: tgt('10.89.0.2', 0, 300_000, { bindIf: 'lo' }) });
    expect(r.ok).toBe(false);
  });
});

describe('peer gone', () => {
  it('SMTP and PING go down when the server namespace drops everything', async () => {
    await lab.whilePeerDown(async () => {
      const s = await lab.run({ kind: 'smtp', spec: { target: tgt('10.89.0.2', 2525, 400_000), heloName: 'x' } });
      expect(s).toMatchObject({ ok: false });
      expect(String(s.reason)).toContain('Connection timeout');
      const p = await lab.run({ kind: 'ping', spec: tgt('fd89::2', 0, 400_000) });
      // no carrier on the veth: silence, or the send itself refused (ENOBUFS) - down either way
      expect(p.ok).toBe(false);
      expect(String(p.reason)).toMatch(/ICMP echo timeout|send ICMP packet fail/);
    });
    // back once the carrier is up again
    expect(await lab.okAgain(smtp('10.89.0.2', 2525))).toBe(true);
  });

  it('SMTP is refused once its server process is gone', async () => {
    servers.kill('SIGKILL');
    await new Promise<void>((r) => (servers.exitCode !== null ? r() : servers.once('exit', () => r())));
    const s = await lab.run(smtp('10.89.0.2', 2525));
    expect(s).toMatchObject({ ok: false });
    expect(String(s.reason)).toContain('ECONNREFUSED');
  });
});
