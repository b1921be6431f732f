// The lvsd binary's checkers in namespaces (the host kernel has no ip_vs): ha_suspend holds a
// virtual server's checks until VRRP puts its address on the director; IPVS being unreachable
// is logged with its errno and retried with backoff while everything else keeps running.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lvsdConf, VIP, waitVip } from '../vrrp/director-lab.js';
import { Proc } from '../vrrp/harness.js';
import { startLvsd, statusOf, useDaemonLab } from './lab.js';

const VS = `
virtual_server ${VIP} 80 {
  protocol TCP
  lvs_sched rr
  lvs_method NAT
  delay_loop 0.2
  ha_suspend
  real_server 10.88.0.3 8080 {
    TCP_CHECK {
      connect_timeout 0.5
      retry 0
    }
  }
  real_server 10.88.0.3 8081 {
    TCP_CHECK {
      connect_timeout 0.5
      retry 0
    }
  }
}
`;

describe('lvsd checkers (netns, no ip_vs)', () => {
  const env = useDaemonLab();

  it('ha_suspend waits for the VIP; IPVS errors are logged with errno and retried, never fatal', async () => {
    const { lab } = env;
    if (existsSync('/proc/net/ip_vs')) throw new Error('this test expects a host kernel without ip_vs (it checks the failure path)');
    const srv = lab.track(spawn('ip', ['netns', 'exec', lab.obs, process.execPath, '-e',
      "require('net').createServer((s) => s.destroy()).listen(8080, '10.88.0.3', () => console.log('ready'))"], { stdio: ['ignore', 'pipe', 'pipe'] }));
    await new Proc(srv).waitFor(/ready/, 10_000);
    // advert_int 3: BACKUP for ~9 s, time enough to look at it even on a loaded machine
    const d = startLvsd(lab, lab.d1, lvsdConf({ priority: 150, advertInt: '3' }) + VS);
    const p = d.proc;
    await p.waitFor(/"event":"daemon.start"/, 10_000);
    await p.waitFor(/"event":"vrrp.transition".*"to":"BACKUP"/, 5000);
    // still BACKUP: the VIP is not here, so no check has run
    await new Promise((r) => setTimeout(r, 1000));
    let st = statusOf(d);
    expect(st.vrrp[0].state).toBe('BACKUP');
    expect(st.virtualServers[0].realServers.map((r) => r.lastCheck)).toEqual([null, null]);
    expect(p.matching(/"event":"check\./)).toEqual([]);

    await p.waitFor(/"event":"vrrp.transition".*"to":"MASTER"/, 15_000);
    await waitVip(lab, lab.d1, true, 2000);
    await p.waitFor(/"event":"check.down".*10\.88\.0\.3:8081/, 5000);
    st = statusOf(d);
    // the other server's first check may come a little later than this one's failure
    for (let t0 = Date.now(); st.virtualServers[0].realServers.some((r) => !r.lastCheck) && Date.now() - t0 < 5000;) {
      await new Promise((r) => setTimeout(r, 100));
      st = statusOf(d);
    }
    const rs = st.virtualServers[0].realServers;
    expect(rs.map((r) => [r.name, r.state, r.lastCheck?.ok])).toEqual([['10.88.0.3:8080', 'up', true], ['10.88.0.3:8081', 'down', false]]);
    expect(rs[0].lastCheck?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(rs[0].lastCheck?.latencyMs).toBeLessThan(500);
    expect(rs.map((r) => r.kernelWeight)).toEqual([null, null]);

    // IPVS: failed with the errno, retried with growing waits, the daemon alive throughout
    await p.waitFor(/"event":"ipvs.apply".*"retryInMs":2000/, 8000);
    const errs = p.matching(/"event":"ipvs.apply".*"level":50|"level":50.*"event":"ipvs.apply"/);
    expect(errs.length).toBeGreaterThanOrEqual(2);
    expect(errs[0]).toMatch(/"errno":2/);
    expect(errs[0]).toMatch(/"code":"ENOENT"/);
    const waits = p.matching(/"retryInMs"/).map((l) => Number(/"retryInMs":(\d+)/.exec(l)?.[1]));
    expect(waits.slice(0, 2)).toEqual([1000, 2000]);
    expect(d.proc.child.exitCode).toBeNull();

    // the down server answers again: check.up names it, with the checker and the attempt's latency
    const srv2 = lab.track(spawn('ip', ['netns', 'exec', lab.obs, process.execPath, '-e',
      "require('net').createServer((s) => s.destroy()).listen(8081, '10.88.0.3', () => console.log('ready'))"], { stdio: ['ignore', 'pipe', 'pipe'] }));
    await new Proc(srv2).waitFor(/ready/, 10_000);
    const upLine = await p.waitFor(/"event":"check.up".*10\.88\.0\.3:8081/, 5000);
    const up = JSON.parse(upLine.text) as Record<string, unknown>;
    expect([up.vs, up.rs, up.checker]).toEqual([`${VIP}:80`, '10.88.0.3:8081', 'TCP_CHECK#0']);
    expect(up.latencyMs).toBeGreaterThanOrEqual(0);
    expect(p.matching(/"event":"check.up".*10\.88\.0\.3:8080/)).toEqual([]);
    st = statusOf(d);
    expect(st.virtualServers[0].realServers.map((r) => r.state)).toEqual(['up', 'up']);

    process.kill(Number(d.proc.child.pid), 'SIGTERM');
    expect(await d.exited).toBe(0);
    await waitVip(lab, lab.d1, false, 2000);
  });
});
