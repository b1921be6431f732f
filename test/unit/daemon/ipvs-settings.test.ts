// The settings writer's own logic against a recording kernel double (the real kernel is in
// test/kernel/sync-daemon.test.ts): order of stops and starts, retry after a refusal, a daemon
// stopped by hand, and timeouts restored when lvsd is done with them.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/daemon/backoff.js';
import { IpvsSettings, type SettingsKernel } from '../../../src/daemon/ipvs-settings.js';
import { createLogger } from '../../../src/daemon/log.js';
import { IpvsError } from '../../../src/ipvs/errors.js';
import type { IpvsDaemon, IpvsTimeouts } from '../../../src/ipvs/types.js';

const quiet = createLogger({ out: new Writable({ write(_c, _e, cb) { cb(); } }) });

class RecordingKernel implements SettingsKernel {
  calls: string[] = [];
  running: IpvsDaemon[] = [];
  t: IpvsTimeouts = { tcp: 900, tcpFin: 120, udp: 300 };
  failStarts = 0;
  async daemons(): Promise<IpvsDaemon[]> { return [...this.running]; }
  async startDaemon(d: IpvsDaemon): Promise<void> {
    if (this.failStarts > 0) {
      this.failStarts--;
      throw new IpvsError('startDaemon', d.state, 19); // ENODEV: interface not there yet
    }
    if (this.running.some((r) => r.state === d.state)) throw new IpvsError('startDaemon', d.state, 17);
    this.calls.push(`start ${d.state} ${d.syncId}`);
    this.running.push(d);
  }
  async stopDaemon(d: Pick<IpvsDaemon, 'state'>): Promise<void> {
    if (!this.running.some((r) => r.state === d.state)) throw new IpvsError('stopDaemon', d.state, 3);
    this.calls.push(`stop ${d.state}`);
    this.running = this.running.filter((r) => r.state !== d.state);
  }
  async timeouts(): Promise<IpvsTimeouts> { return { ...this.t }; }
  async setTimeouts(t: IpvsTimeouts): Promise<void> { this.calls.push(`timeouts ${t.tcp} ${t.tcpFin} ${t.udp}`); this.t = t; }
}

const cfg = { ifname: 'eth1', instance: 'VI_1', syncId: 51 };

describe('IpvsSettings', () => {
  it('backup, then master (backup stopped first), then nothing at stop; opens IPVS only when asked', async () => {
    const k = new RecordingKernel();
    let opens = 0;
    const s = new IpvsSettings({ log: quiet, open: async () => { opens++; return k; } });
    await s.setSync(undefined, 'none');
    expect(opens).toBe(0);
    await s.setSync(cfg, 'backup');
    await s.setSync(cfg, 'master');
    await s.setSync(cfg, 'master');
    await s.stop();
    expect(k.calls).toEqual(['start backup 51', 'stop backup', 'start master 51', 'stop master']);
    expect(opens).toBe(1);
  });

  it('a refused start is retried with backoff until the kernel takes it', async () => {
    const k = new RecordingKernel();
    k.failStarts = 2;
    const s = new IpvsSettings({ log: quiet, open: async () => k, backoff: new Backoff(10, 20) });
    await s.setSync({ ...cfg, instance: undefined }, 'both');
    const t0 = Date.now();
    while (k.running.length < 2 && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 5));
    expect(k.running.map((d) => d.state).sort()).toEqual(['backup', 'master']);
    await s.stop();
    expect(k.running).toEqual([]);
  });

  it('a daemon stopped by hand (ESRCH) counts as stopped; one found at start with the same settings is kept', async () => {
    const k = new RecordingKernel();
    k.running = [{ state: 'backup', mcastIfn: 'eth1', syncId: 51, mcastPort: 8848, mcastTtl: 1 }];
    const s = new IpvsSettings({ log: quiet, open: async () => k });
    await s.setSync(cfg, 'backup');
    expect(k.calls).toEqual([]);
    k.running = [];
    await s.setSync(cfg, 'master');
    expect(k.calls).toEqual(['start master 51']);
    await s.stop();
  });

  it('timeouts: the configured ones over the originals, the originals back when the keyword goes and at stop', async () => {
    const k = new RecordingKernel();
    const s = new IpvsSettings({ log: quiet, open: async () => k });
    await s.setTimeouts({ tcp: 7200 });
    await s.setTimeouts({ tcp: 7200 });
    await s.setTimeouts(undefined);
    await s.setTimeouts({ udp: 60 });
    await s.stop();
    expect(k.calls).toEqual(['timeouts 7200 120 300', 'timeouts 900 120 300', 'timeouts 900 120 60', 'timeouts 900 120 300']);
  });

  it('current: only once an attempt brought the kernel to what is wanted, and not while a retry waits', async () => {
    const k = new RecordingKernel();
    k.failStarts = 1;
    const s = new IpvsSettings({ log: quiet, open: async () => k, backoff: new Backoff(30, 60) });
    expect(s.current).toBe(false); // nothing attempted yet
    const first = s.setSync({ ...cfg, instance: undefined }, 'backup');
    expect(s.current).toBe(false); // running
    await first;
    expect(s.current).toBe(false); // the start was refused: a retry is pending
    const t0 = Date.now();
    while (!s.current && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 5));
    expect(s.current).toBe(true);
    expect(k.running.map((d) => d.state)).toEqual(['backup']);
    await s.setTimeouts({ tcp: 60 });
    expect(s.current).toBe(true);
    await s.stop();
  });
});
