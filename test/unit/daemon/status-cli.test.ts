// `lvsd status` against a real status socket, and the table it prints.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startStatusServer } from '../../../src/daemon/status-server.js';
import { age, formatStatus, runStatus } from '../../../src/cli/status.js';
import { NOW, sampleStatus } from './status-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-status-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(): { out: string[]; err: string[]; io: Parameters<typeof runStatus>[1] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: { write: (s: string) => out.push(s) }, err: { write: (s: string) => err.push(s) }, now: () => NOW } };
}

describe('formatStatus', () => {
  const text = formatStatus(sampleStatus(), NOW);
  const lines = text.split('\n');
  it('header: version, pid, uptime, config and last reload', () => {
    expect(lines[0]).toBe('lvsd 0.1.0, pid 4242, up 1m00s, config /etc/keepalived/keepalived.conf');
    expect(lines[1]).toBe('reloads 1, last 30s ago applied: applied');
  });
  it('one row per VRRP instance with state, priority, master and VIPs', () => {
    const vi1 = lines.find((l) => l.trimStart().startsWith('VI_1'));
    expect(vi1?.split(/\s{2,}/).map((c) => c.trim())).toEqual(['', 'VI_1 (G1)', 'MASTER', '150', '51', 'eth0', '192.0.2.1', '10s', '192.0.2.100/24, 198.51.100.7/32 dev eth1 [installed]']);
    const vi6 = lines.find((l) => l.trimStart().startsWith('VI_6'));
    expect(vi6).toMatch(/BACKUP\s+90 \(base 100\)\s+61\s+eth0\s+fe80::2\s+20s\s+2001:db8::10\/64 \[not installed\]$/);
  });
  it('real servers with state, weights, last check and IPVS counters', () => {
    const head = lines.find((l) => l.includes('REAL SERVER'));
    expect(head?.trim().split(/\s{2,}/)).toEqual(['REAL SERVER', 'STATE', 'WEIGHT', 'KERNEL', 'LAST CHECK', 'ACTIVE', 'INACT', 'CONNS', 'IN BYTES', 'OUT BYTES']);
    const row = (name: string): string[] | undefined => lines.find((l) => l.trim().startsWith(name))?.trim().split(/\s{2,}/);
    expect(row('10.0.0.11:80')).toEqual(['10.0.0.11:80', 'UP', '3', '3', 'TCP_CHECK ok 2s ago', '2', '1', '10', '6000', '120.0k']);
    expect(row('10.0.0.12:80')).toEqual(['10.0.0.12:80', 'DOWN', '3', '0', 'HTTP_GET FAILED 4s ago (status 503)', '2', '1', '10', '6000', '120.0k']);
    expect(row('10.0.0.13:80')).toEqual(['10.0.0.13:80', 'DOWN', '3', '-', '-', '-', '-', '-', '-', '-']);
    expect(row('sorry 10.0.0.99:80')?.[0]).toBe('sorry 10.0.0.99:80');
    expect(text).toContain('  192.0.2.100:80  TCP, wrr, quorum up\n');
    expect(text).toContain('  FWM 7  TCP, rr, QUORUM DOWN, SORRY SERVER ACTIVE\n    (no real servers)\n');
  });
  it('says which half does not run in this process', () => {
    expect(formatStatus({ ...sampleStatus(), vrrpEnabled: false, checkersEnabled: false }, NOW)).toMatch(/VRRP: not running in this process \(-C\)[\s\S]*checkers not running in this process \(-P\)/);
  });
  it('ages', () => {
    expect([age(0), age(59_999), age(61_000), age(3_600_000 * 2 + 180_000), age(86_400_000 * 3 + 3_600_000)]).toEqual(['0s', '59s', '1m01s', '2h03m', '3d01h']);
  });
});

describe('runStatus', () => {
  it('--json prints the daemon snapshot; the table by default', async () => {
    const path = join(dir, 'a.sock');
    const srv = await startStatusServer(path, sampleStatus);
    try {
      const j = io();
      expect(await runStatus(['--json', '--socket', path], j.io)).toBe(0);
      expect(JSON.parse(j.out.join(''))).toEqual(sampleStatus());
      const t = io();
      expect(await runStatus([`--socket=${path}`], t.io)).toBe(0);
      expect(t.out.join('')).toBe(formatStatus(sampleStatus(), NOW));
    } finally {
      await srv.close();
    }
  });
  it('exit 1 with a clear message when no daemon answers', async () => {
    const r = io();
    expect(await runStatus(['--socket', join(dir, 'nobody.sock')], r.io)).toBe(1);
    expect(r.err.join('')).toBe(`lvsd status: no lvsd daemon answers on ${join(dir, 'nobody.sock')}: no socket there\nIs lvsd running? (choose its socket with --socket PATH)\n`);
    expect(r.out).toEqual([]);
  });
  it('exit 1 when the daemon cannot produce its status', async () => {
    const path = join(dir, 'b.sock');
    const srv = await startStatusServer(path, () => { throw new Error('not ready'); });
    try {
      const r = io();
      expect(await runStatus(['--socket', path], r.io)).toBe(1);
      expect(r.err.join('')).toContain('answered: status unavailable: not ready');
    } finally {
      await srv.close();
    }
  });
  it('exit 2 on an unknown argument', async () => {
    const r = io();
    expect(await runStatus(['--bogus'], r.io)).toBe(2);
    expect(r.err.join('')).toContain('unknown argument "--bogus"');
  });
});
