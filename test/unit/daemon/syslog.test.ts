// Syslog through lvsd's addon to a real unix datagram socket bound by the test (python3, which
// CI installs; Node cannot bind one), and the bytes compared with util-linux logger(1)'s.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSyslogStream, FACILITY, formatSyslog, loadSyslogAddon, MAX_SYSLOG_BYTES, parseLogFacility, recordText, rfc3164Time, severityOf,
} from '../../../src/daemon/syslog.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-syslog-'));
const sock = join(dir, 'log.sock');
let rx: ChildProcess | undefined;
const got: Buffer[] = [];
const waiters: Array<() => void> = [];

// Binds the datagram socket and prints each datagram base64-encoded, one per line; exits on its own.
const RECEIVER = `
import socket, sys, base64
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
print("ready", flush=True)
for _ in range(1000):
    try:
        d = s.recv(65536)
    except socket.timeout:
        break
    print(base64.b64encode(d).decode(), flush=True)
`;

beforeAll(async () => {
  rx = spawn('python3', ['-c', RECEIVER, sock], { stdio: ['ignore', 'pipe', 'inherit'] });
  let buf = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('python3 receiver did not start')), 10_000);
    rx?.once('error', reject);
    rx?.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line === 'ready') { clearTimeout(t); resolve(); } else got.push(Buffer.from(line, 'base64'));
      }
      for (const w of waiters.splice(0)) w();
    });
  });
});

afterAll(() => {
  if (rx?.pid && rx.exitCode === null) rx.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function received(n: number): Promise<string[]> {
  const end = Date.now() + 5000;
  while (got.length < n) {
    if (Date.now() > end) throw new Error(`only ${got.length} of ${n} datagrams arrived`);
    await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 100); });
  }
  return got.splice(0, n).map((b) => b.toString('utf8'));
}

describe('facility and severity', () => {
  it('-S values as keepalived reads them', () => {
    expect(parseLogFacility(undefined)).toBe(3);
    expect(['0', '7', 'local0', 'local5', 'daemon', 'user'].map(parseLogFacility)).toEqual([16, 23, 16, 21, 3, 1]);
    expect(['8', 'local8', 'kern', '', '-1'].map(parseLogFacility)).toEqual([null, null, null, null, null]);
  });
  it('pino levels to syslog severities', () => {
    expect([10, 20, 30, 40, 50, 60, undefined].map(severityOf)).toEqual([7, 7, 6, 4, 3, 2, 6]);
  });
});

describe('createSyslogStream', () => {
  it('sends the same bytes as logger(1) for the same facility, severity, tag and pid', async () => {
    const at = Date.now();
    const l = spawnSync('logger', ['-u', sock, '--id=1234', '-t', 'lvsd', '-p', 'local3.warning', 'hello world'], { encoding: 'utf8', timeout: 10_000 });
    expect(l.status).toBe(0);
    const [theirs] = await received(1);
    const s = createSyslogStream(FACILITY.local0 + 3, 'lvsd', { path: sock, pid: 1234 });
    s.write(JSON.stringify({ level: 40, time: at, msg: 'hello world' }) + '\n');
    s.close();
    const [ours] = await received(1);
    const ts = /^<\d+>(\w{3} [ \d]\d \d\d:\d\d:\d\d) /;
    expect(ours?.replace(ts, '<>T ')).toBe(theirs?.replace(ts, '<>T '));
    expect(ours?.startsWith(`<156>${rfc3164Time(at)} lvsd[1234]: `)).toBe(true);
  });

  it('is a pino destination: event names, fields, levels, facility daemon', async () => {
    const s = createSyslogStream(parseLogFacility(undefined) ?? -1, 'lvsd', { path: sock });
    const log = pino({ level: 'debug', base: { pid: process.pid } }, s);
    log.info({ event: 'vrrp.transition', instance: 'VI_1', from: 'BACKUP', to: 'MASTER' }, 'entering MASTER');
    log.error({ event: 'config.error', file: '/etc/k.conf', line: 3 }, 'bad\nthing');
    log.debug('detail');
    const msgs = await received(3);
    expect(msgs[0]).toMatch(new RegExp(`^<30>\\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d lvsd\\[${process.pid}\\]: vrrp\\.transition entering MASTER instance=VI_1 from=BACKUP to=MASTER$`));
    expect(msgs[1]).toMatch(/^<27>.* lvsd\[\d+\]: config\.error bad thing file=\/etc\/k\.conf line=3$/);
    expect(msgs[2]).toMatch(/^<31>.*: detail$/);
    expect(s.dropped).toBe(0);
    s.close();
  });

  it('cuts oversized records and never throws when syslog is absent', async () => {
    const s = createSyslogStream(FACILITY.daemon, 'lvsd', { path: sock });
    s.write(JSON.stringify({ level: 30, msg: 'x'.repeat(20_000) }) + '\n');
    s.write('not json at all\n');
    const [big, raw] = await received(2);
    expect(Buffer.byteLength(big ?? '')).toBe(MAX_SYSLOG_BYTES);
    expect(raw).toMatch(/: not json at all$/);
    s.close();

    const gone = createSyslogStream(FACILITY.daemon, 'lvsd', { path: join(dir, 'nobody.sock') });
    expect(() => gone.write('{"level":30,"msg":"lost"}\n')).not.toThrow();
    expect([gone.dropped, gone.lastError]).toEqual([1, 'ENOENT']);
    gone.close();
    expect(() => gone.write('{"msg":"after close"}\n')).not.toThrow();
  });

  it('the addon refuses bad arguments with TypeErrors and a closed fd with EBADF', () => {
    const a = loadSyslogAddon();
    const fd = a.open();
    expect(() => a.send(fd, '', Buffer.from('x'))).toThrow(TypeError);
    expect(() => a.send(fd, 'x'.repeat(200), Buffer.from('x'))).toThrow(TypeError);
    expect(() => a.send(fd, sock, 'x' as unknown as Buffer)).toThrow(TypeError);
    a.close(fd);
    expect(() => a.send(fd, sock, Buffer.from('x'))).toThrow(expect.objectContaining({ code: 'EBADF' }) as Error);
  });

  it('record text and framing', () => {
    expect(recordText({ level: 30, time: 1, pid: 2, event: 'vip.add', msg: 'added', vip: '10.0.0.1/24', n: 2 })).toBe('vip.add added vip=10.0.0.1/24 n=2');
    expect(formatSyslog(16, 6, 'lvsd', 7, Date.UTC(2026, 0, 5, 12, 0, 0), 'a\r\nb\x01c').toString()).toMatch(/^<134>Jan [ \d]\d \d\d:\d\d:00 lvsd\[7\]: a b\?c$/);
  });
});
