// Checkers across a veth between two namespaces of the test: the probes run in "chk", the
// servers in "srv". Covers IPv4 and IPv6, refused, a link that silently drops (timeouts),
// bindto as the source, DNS and UDP (ICMP unreachable).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbeLab, target as tgt } from './probe-lab.js';

const lab = new ProbeLab({ prefix: 'lvsdc', chk: ['10.88.0.1/24', 'fd88::1/64', '10.88.0.11/24'], srv: ['10.88.0.2/24', 'fd88::2/64'] });
const WEB = `
const net = require('net');
const body = 'served from srv';
const srv = net.createServer((s) => {
  s.on('error', () => {});
  s.once('data', () => s.end('HTTP/1.0 200 OK\\r\\nContent-Length: ' + body.length + '\\r\\nX-Peer: ' + s.remoteAddress + '\\r\\n\\r\\n' + body));
});
srv.listen(8080, '::', () => console.log('ready'));
`;
const DNS = `
const dgram = require('dgram');
const s = dgram.createSocket('udp4');
s.on('message', (m, r) => { const o = Buffer.from(m); o.writeUInt16BE(0x8180, 2); s.send(o, r.port, r.address); });
s.bind(5353, '10.88.0.2', () => console.log('ready'));
`;

beforeAll(async () => {
  await lab.start();
  await lab.serverProc(WEB);
  await lab.serverProc(DNS);
}, 60_000);

afterAll(() => lab.close());

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const http = (addr: string, extra: Record<string, unknown> = {}) => ({
  kind: 'http',
  spec: { target: tgt(addr, 8080, 1_000_000, extra), urls: [{ path: '/', statusCodes: [[200, 299]], digest: md5('served from srv') }], version: '1.0', tls: false, enableSni: false },
});

describe('checkers across namespaces', () => {
  it('TCP_CHECK over IPv4 and IPv6; refused port', async () => {
    expect(await lab.run({ kind: 'tcp', spec: tgt('10.88.0.2', 8080) })).toMatchObject({ ok: true });
    expect(await lab.run({ kind: 'tcp', spec: tgt('fd88::2', 8080) })).toMatchObject({ ok: true });
    const r = await lab.run({ kind: 'tcp', spec: tgt('10.88.0.2', 8081) });
    expect(r).toMatchObject({ ok: false });
    expect(String(r.reason)).toContain('ECONNREFUSED');
  });

  it('bindto: a local address works, a foreign one fails', async () => {
    expect(await lab.run({ kind: 'tcp', spec: tgt('10.88.0.2', 8080, 1_000_000, { bindAddr: '10.88.0.11' }) })).toMatchObject({ ok: true });
    const r = await lab.run({ kind: 'tcp', spec: tgt('10.88.0.2', 8080, 1_000_000, { bindAddr: '10.88.0.99' }) });
    expect(r.ok).toBe(false);
    expect(String(r.reason)).toContain('EADDRNOTAVAIL');
  });

  it('HTTP_GET digest over IPv4 and IPv6', async () => {
    expect(await lab.run(http('10.88.0.2'))).toMatchObject({ ok: true });
    expect(await lab.run(http('fd88::2'))).toMatchObject({ ok: true });
  });

  it('DNS_CHECK against a responder in the other namespace; UDP_CHECK sees ICMP port unreachable', async () => {
    expect(await lab.run({ kind: 'dns', spec: { target: tgt('10.88.0.2', 5353), type: 'A', name: 'svc.test' } })).toMatchObject({ ok: true });
    expect(await lab.run({ kind: 'udp', spec: { target: tgt('10.88.0.2', 5353), minReplyLength: 0, maxReplyLength: 255, requireReply: 'any' } })).toMatchObject({ ok: true });
    const r = await lab.run({ kind: 'udp', spec: { target: tgt('10.88.0.2', 5354), minReplyLength: 0, maxReplyLength: 255 } });
    expect(r).toMatchObject({ ok: false });
    expect(String(r.reason)).toContain('ECONNREFUSED');
  });

  it('a link that drops everything: TCP and HTTP time out at connect_timeout', async () => {
    await lab.whilePeerDown(async () => {
      const r = await lab.run({ kind: 'tcp', spec: tgt('10.88.0.2', 8080, 400_000) });
      expect(r).toMatchObject({ ok: false, reason: 'connection timeout' });
      expect(Number(r.ms)).toBeGreaterThanOrEqual(390);
      expect(Number(r.ms)).toBeLessThan(1500);
      const h = await lab.run({ ...http('fd88::2'), spec: { ...http('fd88::2').spec, target: tgt('fd88::2', 8080, 400_000) } });
      expect(h).toMatchObject({ ok: false, reason: 'Timeout connecting' });
      const d = await lab.run({ kind: 'dns', spec: { target: tgt('10.88.0.2', 5353, 300_000), type: 'SOA', name: '.' } });
      expect(d).toMatchObject({ ok: false, reason: 'read timeout from socket' });
    });
    // back: the probe succeeds again once the link is up
    expect(await lab.okAgain({ kind: 'tcp', spec: tgt('10.88.0.2', 8080, 300_000) })).toBe(true);
  });
});
