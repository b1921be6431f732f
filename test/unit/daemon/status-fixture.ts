// One DaemonStatus for the status, dumps and metrics unit tests.
import type { DaemonStatus, RealServerStatus } from '../../../src/daemon/state.js';
import { newDropCounts } from '../../../src/vrrp/drop-reasons.js';

export const NOW = Date.UTC(2026, 10, 26, 3, 0, 0, 500);

function rs(address: string, over: Partial<RealServerStatus> = {}): RealServerStatus {
  return {
    name: `${address}:80`, address, port: 80, state: 'up', weight: 3, kernelWeight: 3, forwarding: 'NAT', transitions: 0,
    lastCheck: { checker: 'TCP_CHECK', ok: true, reason: 'connected', at: NOW - 2000, latencyMs: 1.5 },
    counters: { conns: 10, inPkts: 100, outPkts: 90, inBytes: 6000, outBytes: 120000, activeConns: 2, inactiveConns: 1 },
    ...over,
  };
}

export function sampleStatus(): DaemonStatus {
  const drops = newDropCounts();
  drops.ttl = 2;
  drops.auth = 1;
  return {
    pid: 4242, version: '0.1.0', configFile: '/etc/keepalived/keepalived.conf', startedAt: NOW - 60_000, reloads: 1,
    lastReload: { at: NOW - 30_000, ok: true, message: 'applied' },
    vrrpEnabled: true, checkersEnabled: true, routerId: 'dir1',
    vrrp: [
      {
        name: 'VI_1', interface: 'eth0', vrid: 51, family: 4, version: 2, state: 'MASTER', basePriority: 150, priority: 150,
        masterAddress: '192.0.2.1', vips: ['192.0.2.100/24', '198.51.100.7/32 dev eth1'], vipsInstalled: true, syncGroup: 'G1',
        transitions: 2, becameMaster: 1, lastTransitionAt: NOW - 10_000, advertsSent: 57, advertsReceived: 3,
        priorityZeroSent: 0, priorityZeroReceived: 1, drops,
      },
      {
        name: 'VI_6', interface: 'eth0', vrid: 61, family: 6, version: 3, state: 'BACKUP', basePriority: 100, priority: 90,
        masterAddress: 'fe80::2', masterPriority: 200, vips: ['2001:db8::10/64'], vipsInstalled: false, syncGroup: 'G1',
        transitions: 1, becameMaster: 0, lastTransitionAt: NOW - 20_000, advertsSent: 0, advertsReceived: 40,
        priorityZeroSent: 0, priorityZeroReceived: 0, drops: newDropCounts(), advertIntervalMs: 500,
      },
    ],
    virtualServers: [
      {
        name: '192.0.2.100:80', protocol: 'TCP', scheduler: 'wrr', quorumUp: true, sorryActive: false, delayLoopMs: 5000,
        forwarding: 'NAT', quorum: 1, hysteresis: 0,
        realServers: [
          rs('10.0.0.11'),
          rs('10.0.0.12', {
            state: 'down', kernelWeight: 0, transitions: 1, inhibitOnFailure: true,
            lastCheck: { checker: 'HTTP_GET', ok: false, reason: 'status 503', at: NOW - 4000, latencyMs: 12 },
          }),
          rs('10.0.0.13', { kernelWeight: null, lastCheck: null, counters: null, state: 'down' }),
        ],
        sorryServer: rs('10.0.0.99', { lastCheck: null }),
      },
      { name: 'FWM 7', protocol: 'TCP', scheduler: 'rr', quorumUp: false, sorryActive: true, realServers: [] },
    ],
  };
}
