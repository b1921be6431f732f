// Checkers across a veth between two namespaces of the test: the probes run in "chk", the
// servers in "srv". Covers IPv4 and IPv6, refused, a link that silently drops (timeouts),
// bindto as the source, DNS and UDP (ICMP unreachable).
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbeDriver, serverProcIn, sh } from './probe-lab.js';

const here = dirname(fileURLToPath(import.meta.url));
const id = process.pid % 100000;
const CHK = `lvsdc-c${id}`;
const SRV = `lvsdc-s${id}`;
const dir = mkdtempSync(join(tmpdir(), 'lvsd-chk-'));

const procs: ChildProcessWithoutNullStreams[] = [];
const serverProc = (script: string): Promise<ChildProcessWithoutNullStreams> => serverProcIn(SRV, procs, script);

let driver: ProbeDriver;
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
  if (process.getuid?.() !== 0) throw new Error('netns checker tests need root');
  spawnSync('ip', ['netns', 'del', CHK]);
  spawnSync('ip', ['netns', 'del', SRV]);
  sh('ip', ['netns', 'add', CHK]);
  sh('ip', ['netns', 'add', SRV]);
  sh('ip', ['link', 'add', 'ck0', 'netns', CHK, 'type', 'veth', 'peer', 'name', 'sv0', 'netns', SRV]);
  for (const [ns, ifn, v4, v6] of [[CHK, 'ck0', '10.88.0.1/24', 'fd88::1/64'], [SRV, 'sv0', '10.88.0.2/24', 'fd88::2/64']]) {
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', ns, 'addr', 'add', v4, 'dev', ifn]);
    sh('ip', ['-n', ns, 'addr', 'add', v6, 'dev', ifn, 'nodad']);
    sh('ip', ['-n', ns, 'link', 'set', ifn, 'up']);
  }
  sh('ip', ['-n', CHK, 'addr', 'add', '10.88.0.11/24', 'dev', 'ck0']);
  // fixed neighbours: a downed peer must drop packets silently, not fail ARP/ND quickly
  const mac = sh('ip', ['-n', SRV, '-br', 'link', 'show', 'sv0']).trim().split(/\s+/)[2];
  sh('ip', ['-n', CHK, 'neigh', 'replace', '10.88.0.2', 'lladdr', mac, 'dev', 'ck0', 'nud', 'permanent']);
  sh('ip', ['-n', CHK, 'neigh', 'replace', 'fd88::2', 'lladdr', mac, 'dev', 'ck0', 'nud', 'permanent']);
  const out = join(dir, 'probe-driver.mjs');
  await build({ entryPoints: [join(here, 'probe-driver.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'error' });
  const child = spawn('ip', ['netns', 'exec', CHK, process.execPath, out], { stdio: ['pipe', 'pipe', 'pipe'] });
  procs.push(child);
  driver = new ProbeDriver(child);
  await serverProc(WEB);
  await serverProc(DNS);
}, 60_000);

afterAll(() => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  spawnSync('ip', ['netns', 'del', CHK]);
  spawnSync('ip', ['netns', 'del', SRV]);
  rmSync(dir, { recursive: true, force: true });
});

const tgt = (addr: string, port: number, timeoutUs = 1_000_000, extra: Record<string, unknown> = {}) => ({ addr, family: addr.includes(':') ? 6 : 4, port, timeoutUs, ...extra });
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const http = (addr: string, extra: Record<string, unknown> = {}) => ({
  kind: 'http',
  spec: { target: tgt(addr, 8080, 1_000_000, extra), urls: [{ path: '/', statusCodes: [[200, 299]], digest: md5('served from srv') }], version: '1.0', tls: false, enableSni: false },
});

describe('checkers across namespaces', () => {
  it('TCP_CHECK over IPv4 and IPv6; refused port', async () => {
    expect(await driver.run({ kind: 'tcp', spec: tgt('10.88.0.2', 8080) })).toMatchObject({ ok: true });
    expect(await driver.run({ kind: 'tcp', spec: tgt('fd88::2', 8080) })).toMatchObject({ ok: true });
    const r = await driver.run({ kind: 'tcp', spec: tgt('10.88.0.2', 8081) });
    expect(r).toMatchObject({ ok: false });
    expect(String(r.reason)).toContain('ECONNREFUSED');
  });

  it('bindto: a local address works, a foreign one fails', async () => {
    expect(await driver.run({ kind: 'tcp', spec: tgt('10.88.0.2', 8080, 1_000_000, { bindAddr: '10.88.0.11' }) })).toMatchObject({ ok: true });
    const r = await driver.run({ kind: 'tcp', spec: tgt('10.88.0.2', 8080, 1_000_000, { bindAddr: '10.88.0.99' }) });
    expect(r.ok).toBe(false);
    expect(String(r.reason)).toContain('EADDRNOTAVAIL');
  });

  it('HTTP_GET digest over IPv4 and IPv6', async () => {
    expect(await driver.run(http('10.88.0.2'))).toMatchObject({ ok: true });
    expect(await driver.run(http('fd88::2'))).toMatchObject({ ok: true });
  });

  it('DNS_CHECK against a responder in the other namespace; UDP_CHECK sees ICMP port unreachable', async () => {
    expect(await driver.run({ kind: 'dns', spec: { target: tgt('10.88.0.2', 5353), type: 'A', name: 'svc.test' } })).toMatchObject({ ok: true });
    expect(await driver.run({ kind: 'udp', spec: { target: tgt('10.88.0.2', 5353), minReplyLength: 0, maxReplyLength: 255, requireReply: 'any' } })).toMatchObject({ ok: true });
    const r = await driver.run({ kind: 'udp', spec: { target: tgt('10.88.0.2', 5354), minReplyLength: 0, maxReplyLength: 255 } });
    expect(r).toMatchObject({ ok: false });
    expect(String(r.reason)).toContain('ECONNREFUSED');
  });

  it('a link that drops everything: TCP and HTTP time out at connect_timeout', async () => {
    sh('ip', ['-n', SRV, 'link', 'set', 'sv0', 'down']);
    try {
      const r = await driver.run({ kind: 'tcp', spec: tgt('10.88.0.2', 8080, 400_000) });
      expect(r).toMatchObject({ ok: false, reason: 'connection timeout' });
      expect(Number(r.ms)).toBeGreaterThanOrEqual(390);
      expect(Number(r.ms)).toBeLessThan(1500);
      const h = await driver.run({ ...http('fd88::2'), spec: { ...http('fd88::2').spec, target: tgt('fd88::2', 8080, 400_000) } });
      expect(h).toMatchObject({ ok: false, reason: 'Timeout connecting' });
      const d = await driver.run({ kind: 'dns', spec: { target: tgt('10.88.0.2', 5353, 300_000), type: 'SOA', name: '.' } });
      expect(d).toMatchObject({ ok: false, reason: 'read timeout from socket' });
    } finally {
      sh('ip', ['-n', SRV, 'link', 'set', 'sv0', 'up']);
    }
    // back: the probe succeeds again once the link is up (bounded wait for the carrier)
    let ok = false;
    for (let i = 0; i < 40 && !ok; i++) {
      ok = (await driver.run({ kind: 'tcp', spec: tgt('10.88.0.2', 8080, 300_000) })).ok === true;
      if (!ok) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ok).toBe(true);
  });
});
