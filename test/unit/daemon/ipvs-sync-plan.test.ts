// lvs_sync_daemon and lvs_timeouts read from a parsed configuration, and the steps that bring
// the kernel's sync daemons to what is wanted.
import { afterAll, describe, expect, it } from 'vitest';
import type { Model } from '../../../src/config/model.js';
import { cleanup, load } from '../config/checks/load-text.js';
import {
  syncDaemonConfig, syncDaemonSteps, timeoutsConfig, timeoutsToWrite, wantedDaemons,
} from '../../../src/daemon/ipvs-sync-plan.js';

afterAll(cleanup);

const loadConfigFromString = (text: string): Model => {
  const r = load(text, ['eth1']);
  expect(r.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
  return r.model;
};

const vi1 = 'vrrp_instance VI_1 {\n interface eth1\n virtual_router_id 51\n priority 100\n virtual_ipaddress {\n  10.9.0.1/24\n }\n}\n';

describe('syncDaemonConfig', () => {
  it('takes the sync id from the instance when `id` is not given, and keeps the options', () => {
    const m = loadConfigFromString(`global_defs {\n lvs_sync_daemon eth1 VI_1 maxlen 1400 port 8850 ttl 3 group 224.0.0.90\n}\n${vi1}`);
    expect(syncDaemonConfig(m)).toEqual({ ok: true, config: { ifname: 'eth1', instance: 'VI_1', syncId: 51, maxlen: 1400, port: 8850, ttl: 3, group: '224.0.0.90' } });
  });
  it('an explicit id wins; no instance means sync id 0 by default', () => {
    expect(syncDaemonConfig(loadConfigFromString(`global_defs {\n lvs_sync_daemon eth1 inst VI_1 id 7\n}\n${vi1}`))).toEqual({ ok: true, config: { ifname: 'eth1', instance: 'VI_1', syncId: 7 } });
    expect(syncDaemonConfig(loadConfigFromString('global_defs {\n lvs_sync_daemon eth1\n}\n'))).toEqual({ ok: true, config: { ifname: 'eth1', syncId: 0 } });
  });
  it('an instance that does not exist clears the settings with keepalived\'s message', () => {
    const r = syncDaemonConfig(loadConfigFromString(`global_defs {\n lvs_sync_daemon eth1 VI_9\n}\n${vi1}`));
    expect(r).toEqual({ ok: false, message: 'Unable to find vrrp instance VI_9 for lvs_syncd - clearing lvs_syncd config' });
  });
  it('no keyword, no daemons', () => {
    expect(syncDaemonConfig(loadConfigFromString(vi1))).toEqual({ ok: true, config: undefined });
  });
});

describe('wantedDaemons / syncDaemonSteps', () => {
  const c = { ifname: 'eth1', instance: 'VI_1', syncId: 51, port: 8850 };
  it('one daemon per role, both without an instance, none when stopped', () => {
    expect(wantedDaemons(c, 'master')).toEqual([{ state: 'master', mcastIfn: 'eth1', syncId: 51, mcastPort: 8850 }]);
    expect(wantedDaemons(c, 'both').map((d) => d.state)).toEqual(['master', 'backup']);
    expect(wantedDaemons(c, 'none')).toEqual([]);
    expect(wantedDaemons(undefined, 'both')).toEqual([]);
  });
  it('BACKUP -> MASTER stops the backup daemon, then starts the master one', () => {
    const steps = syncDaemonSteps(wantedDaemons(c, 'backup'), wantedDaemons(c, 'master'), true);
    expect(steps.stop.map((d) => d.state)).toEqual(['backup']);
    expect(steps.start.map((d) => d.state)).toEqual(['master']);
  });
  it('a daemon found in the kernel counts as wanted when the set fields match (the kernel fills defaults in)', () => {
    const found = { state: 'backup' as const, mcastIfn: 'eth1', syncId: 51, mcastPort: 8850, mcastTtl: 1, syncMaxlen: 1472, mcastGroup: '224.0.0.81' };
    expect(syncDaemonSteps([found], wantedDaemons(c, 'backup'), false)).toEqual({ stop: [], start: [] });
    // started by lvsd with other options: replaced
    const other = wantedDaemons({ ...c, port: 9000 }, 'backup');
    expect(syncDaemonSteps(other, wantedDaemons(c, 'backup'), true)).toEqual({ stop: other, start: wantedDaemons(c, 'backup') });
    // another sync id in the kernel: replaced
    expect(syncDaemonSteps([{ ...found, syncId: 9 }], wantedDaemons(c, 'backup'), false).stop).toHaveLength(1);
  });
  it('a port removed from the configuration restarts the daemon lvsd started with it', () => {
    const before = wantedDaemons(c, 'master');
    const after = wantedDaemons({ ifname: 'eth1', instance: 'VI_1', syncId: 51 }, 'master');
    expect(syncDaemonSteps(before, after, true)).toEqual({ stop: before, start: after });
  });
});

describe('timeouts', () => {
  it('lvs_timeouts values over the kernel\'s originals; 0 keeps the original', () => {
    const t = timeoutsConfig(loadConfigFromString('global_defs {\n lvs_timeouts tcp 7200 udp 0\n}\n'));
    expect(t).toEqual({ tcp: 7200 });
    expect(timeoutsToWrite(t, { tcp: 900, tcpFin: 120, udp: 300 })).toEqual({ tcp: 7200, tcpFin: 120, udp: 300 });
    expect(timeoutsToWrite(undefined, { tcp: 900, tcpFin: 120, udp: 300 })).toEqual({ tcp: 900, tcpFin: 120, udp: 300 });
    expect(timeoutsConfig(loadConfigFromString('global_defs {\n router_id a\n}\n'))).toBeUndefined();
  });
});
