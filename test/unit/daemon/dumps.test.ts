import { describe, expect, it } from 'vitest';
import { constants } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DaemonStatus, RealServerStatus } from '../../../src/daemon/state.js';
import {
  ctimeUs, dumpPath, formatVip, JSON_DUMP_SIGNAL, renderCheckDataDump, renderDataDump, renderJsonDump, renderStatsDump, secUsec, signalFor, signumFor,
} from '../../../src/daemon/dumps.js';
import { sampleStatus, NOW } from './status-fixture.js';
import { missingInOrder } from './lines-in-order.js';

describe('signals', () => {
  it('maps keepalived signal functions to the signals lvsd listens on', () => {
    expect(signumFor('RELOAD')).toBe(1);
    expect(signumFor('DATA')).toBe(10);
    expect(signumFor('STATS')).toBe(12);
    expect(signumFor('STOP')).toBe(15);
    expect(signalFor('JSON')).toBe(JSON_DUMP_SIGNAL);
    expect(signumFor('JSON')).toBe(constants.signals.SIGURG);
  });
  it('the JSON signal is one Node can listen on and no other function uses', () => {
    const off = (): void => undefined;
    process.on(JSON_DUMP_SIGNAL, off);
    process.off(JSON_DUMP_SIGNAL, off);
    const nums = (['STOP', 'RELOAD', 'DATA', 'STATS', 'JSON'] as const).map(signumFor);
    expect(new Set(nums).size).toBe(5);
  });
});

describe('formatting', () => {
  it('dump paths follow $TMPDIR like keepalived', () => {
    expect(dumpPath('data', {})).toBe('/tmp/keepalived.data');
    expect(dumpPath('checkData', { TMPDIR: '/var/tmp/' })).toBe('/var/tmp/keepalived_check.data');
    expect(dumpPath('json', { TMPDIR: 'relative' })).toBe('/tmp/keepalived.json');
  });
  it('seconds.microseconds and ctime with microseconds', () => {
    expect(secUsec(1795663293208.909)).toBe('1795663293.208909');
    expect(secUsec(5)).toBe('0.005000');
    const s = ctimeUs(NOW);
    expect(s).toMatch(/^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) Nov [ 0-9]\d \d\d:\d\d:\d\d\.500000 2026$/);
  });
  it('VIPs in keepalived form, host prefixes dropped', () => {
    expect(formatVip('10.0.0.1/24', 'eth0', true)).toBe('10.0.0.1/24 dev eth0 scope global set');
    expect(formatVip('10.0.0.1/32 dev eth1', 'eth0', false)).toBe('10.0.0.1 dev eth1 scope global');
    expect(formatVip('2001:db8::1/128', 'eth0', false)).toBe('2001:db8::1 dev eth0 scope global');
    expect(formatVip('2001:db8::1/64', 'eth0', false)).toBe('2001:db8::1/64 dev eth0 scope global');
  });
});

describe('renderDataDump', () => {
  const text = renderDataDump(sampleStatus());
  it('has the global and VRRP sections with the instance facts', () => {
    expect(text.startsWith('------< Global definitions >------\n')).toBe(true);
    expect(text).toContain('\n Router ID = dir1\n');
    expect(text).toContain('\n------< VRRP Topology >------\n VRRP Instance = VI_1\n   VRRP Version = 2\n   Sync group = G1\n   State = MASTER\n');
    expect(text).toContain('   Virtual IP (2):\n     192.0.2.100/24 dev eth0 scope global set\n     198.51.100.7 dev eth1 scope global set\n');
  });
  it('a v3 IPv6 backup names its master and intervals in ms, no auth line', () => {
    const vi6 = text.slice(text.indexOf(' VRRP Instance = VI_6'));
    expect(vi6).toContain('   Using Native IPv6\n   State = BACKUP\n   Master router = fe80::2\n   Master priority = 200\n   Master advert int = 0.50 sec\n');
    expect(vi6).toContain('   Multicast address ff02::12\n');
    expect(vi6).toContain('   Advert interval = 500 milli-sec\n   Master advert interval = 500 milli-sec\n');
    expect(vi6).toContain('   Effective priority = 90\n');
    expect(vi6.slice(0, vi6.indexOf('VRRP Sync groups'))).not.toContain('Authentication type');
  });
  it('sync groups with their derived state', () => {
    expect(text).toContain('------< VRRP Sync groups >------\n VRRP Sync Group = G1, BACKUP\n   VRRP member instances :\n     VI_1\n     VI_6\n');
  });
  it('no VRRP section when VRRP does not run here (-C)', () => {
    expect(renderDataDump({ ...sampleStatus(), vrrpEnabled: false })).not.toContain('VRRP Topology');
  });
});

describe('renderCheckDataDump', () => {
  const text = renderCheckDataDump(sampleStatus());
  it('LVS topology with virtual and real servers', () => {
    expect(text).toContain('------< LVS Topology >------\n System is compiled with LVS v1.2.1\n ------< Virtual server >------\n VS VIP = 192.0.2.100, VPORT = 80\n   delay_loop = 5.000000\n   lvs_sched = wrr\n');
    expect(text).toContain('   ------< Real server >------\n   RIP = 10.0.0.12, RPORT = 80, WEIGHT = 3 EFF WEIGHT = 3\n   forwarding method = NAT\n   Inhibit on failure is ON\n   initial weight = 3\n');
    expect(text).toContain('   sorry server = [10.0.0.99]:tcp:80\n');
    expect(text).toContain(' ------< Virtual server >------\n VS FWMARK = 7\n');
    expect(text).toContain('------< Health checkers >------\n [192.0.2.100]:tcp:80 -> [10.0.0.11]:tcp:80\n   Enabled = yes\n   Up = yes\n   Has run = yes\n   Keepalive method = TCP_CHECK\n');
    // no Keepalive method line for HTTP_GET (keepalived adds the http protocol version there)
    expect(text.endsWith(' [192.0.2.100]:tcp:80 -> [10.0.0.12]:tcp:80\n   Enabled = yes\n   Up = no\n   Has run = yes\n')).toBe(true);
  });
  it('empty topology when checkers do not run here (-P)', () => {
    expect(renderCheckDataDump({ ...sampleStatus(), checkersEnabled: false })).not.toContain('LVS Topology');
  });
});

describe('renderStatsDump', () => {
  it('drop reasons land in keepalived counters', () => {
    const text = renderStatsDump(sampleStatus());
    expect(text.startsWith('VRRP Instance: VI_1\n  Advertisements:\n    Received: 3\n    Sent: 57\n  Became master: 1\n  Released master: 0\n')).toBe(true);
    expect(text).toContain('    TTL: 2\n');
    expect(text).toContain('  Authentication Errors:\n    Invalid Type: 0\n    Type Mismatch: 0\n    Failure: 1\n  Priority Zero:\n    Received: 1\n');
    expect(text.split('\n').length).toBe(2 * 19 + 1);
  });
  it('nothing without instances', () => {
    expect(renderStatsDump({ ...sampleStatus(), vrrp: [] })).toBe('');
  });
});

describe('renderJsonDump', () => {
  it('keepalived state numbers and fields', () => {
    const j = JSON.parse(renderJsonDump(sampleStatus())) as Array<{ data: Record<string, unknown>; stats: Record<string, unknown> }>;
    expect(j.map((x) => [x.data.iname, x.data.state, x.data.version, x.data.adver_int])).toEqual([['VI_1', 2, 2, 1], ['VI_6', 1, 3, 0.5]]);
    expect(j[0]?.data.vips).toEqual(['192.0.2.100/24 dev eth0 scope global set', '198.51.100.7 dev eth1 scope global set']);
    expect(j[0]?.stats.ip_ttl_err).toBe(2);
    expect(j[0]?.stats.auth_failure).toBe(1);
    expect(j[1]?.data.master_priority).toBe(200);
    expect(renderJsonDump(sampleStatus())).toMatch(/"last_transition":\d+\.500000,/);
  });
});

describe('renderCheckDataDump against keepalived 2.2.7 (test/fixtures/dumps, made in the VM)', () => {
  it('every lvsd line is a line of keepalived_check.data, in keepalived order', () => {
    const rs = (address: string, port: number, o: Partial<RealServerStatus>): RealServerStatus => ({
      name: `${address}:${port}`, address, port, state: 'up', weight: 1, kernelWeight: 1, forwarding: 'NAT', lastCheck: null, transitions: 0, counters: null, ...o,
    });
    const s: DaemonStatus = {
      ...sampleStatus(), vrrpEnabled: false, vrrp: [], routerId: 'vmtest',
      virtualServers: [
        {
          name: '10.99.0.1:80', protocol: 'TCP', scheduler: 'wrr', quorumUp: true, sorryActive: false, delayLoopMs: 2000, forwarding: 'NAT', quorum: 1, hysteresis: 0,
          sorryServer: rs('127.0.0.1', 9999, {}),
          realServers: [
            rs('127.0.0.1', 8080, { weight: 3, kernelWeight: 3, lastCheck: { checker: 'TCP_CHECK', ok: true, reason: '', at: NOW, latencyMs: 0.2 } }),
            rs('127.0.0.1', 8081, { weight: 2, kernelWeight: 0, state: 'down', inhibitOnFailure: true, lastCheck: { checker: 'HTTP_GET', ok: false, reason: 'connection refused', at: NOW, latencyMs: 0.2 } }),
          ],
        },
        { name: 'FWM 7', protocol: 'TCP', scheduler: 'rr', quorumUp: true, sorryActive: false, delayLoopMs: 5000, forwarding: 'DR', realServers: [rs('10.99.0.5', 0, { forwarding: 'DR' })] },
      ],
    };
    const theirs = readFileSync(join(import.meta.dirname, '../../fixtures/dumps/keepalived_check.data'), 'utf8').trimEnd().split('\n');
    const ours = renderCheckDataDump(s).trimEnd().split('\n');
    expect(missingInOrder(ours, theirs)).toEqual([]);
    expect(ours.length).toBeGreaterThan(40);
  });
});
