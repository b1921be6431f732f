// The lvsd binary in namespaces: SIGHUP with an unchanged instance and a new one leaves the
// old VIP alone (no deletion in `ip monitor`) while the new instance elects; a broken file is
// refused with file:line:col and the running configuration goes on; SIGTERM sends priority 0,
// removes the VIPs and the pid files, and exits 0.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lvsdConf, VI2_CONF as VI2, VIP, VIP2 } from '../vrrp/director-lab.js';
import { metricsOf, monitorAddresses, startLvsd, statusOf, useDaemonLab } from './lab.js';

describe('lvsd daemon signals (netns)', () => {
  const env = useDaemonLab();

  it('SIGHUP applies the difference, refuses a broken file, SIGTERM releases everything and exits 0', async () => {
    const { lab } = env;
    const base = lvsdConf({ priority: 150 });
    const d = startLvsd(lab, lab.d1, base, ['-l', '--metrics-listen', '127.0.0.1:9650']);
    const p = d.proc;
    await p.waitFor(/vrrp\.transition .*instance=VI_1 .*to=MASTER/, 10_000);
    await p.waitFor(/vip\.add .*instance=VI_1/, 2000);
    expect(lab.addrs(lab.d1)).toContain(`${VIP}/24`);
    const pid = Number(readFileSync(d.pidFiles[0], 'utf8').trim());
    expect(pid).toBeGreaterThan(1);
    // one process: every pid file names it
    expect(d.pidFiles.map((f) => Number(readFileSync(f, 'utf8').trim()))).toEqual([pid, pid, pid]);

    // (a) unchanged VI_1 + new VI_2
    const mon = monitorAddresses(lab, lab.d1);
    await new Promise((r) => setTimeout(r, 300)); // monitor subscribed
    writeFileSync(d.conf, base + VI2);
    let mark = p.lines.length;
    process.kill(pid, 'SIGHUP');
    const applied = await p.waitFor(/reload\.applied /, 5000, mark);
    expect(applied.text).toMatch(/started=\["VI_2"\] stopped=\[\]/);
    expect(applied.text).toMatch(/ ms=[\d.]+/);
    await p.waitFor(/vrrp\.transition .*instance=VI_2 .*to=MASTER/, 8000, mark);
    await mon.waitFor(new RegExp(`inet ${VIP2.replace(/\./g, '\\.')}/24`), 3000);
    expect(p.matching(/vrrp\.transition .*instance=VI_1/, mark)).toEqual([]);
    expect(mon.matching(/Deleted/)).toEqual([]);
    expect(lab.addrs(lab.d1)).toEqual(expect.arrayContaining([`${VIP}/24`, `${VIP2}/24`]));
    // lvsd status and the metrics endpoint tell the same known state
    let st = statusOf(d);
    expect(st.pid).toBe(pid);
    expect(st.reloads).toBe(1);
    expect(st.lastReload?.ok).toBe(true);
    expect(st.vrrp.map((v) => [v.name, v.state, v.priority, v.vipsInstalled, v.vips])).toEqual([
      ['VI_1', 'MASTER', 150, true, [`${VIP}/24`]],
      ['VI_2', 'MASTER', 120, true, [`${VIP2}/24`]],
    ]);
    expect(st.vrrp[0].masterAddress).toBe('10.88.0.1');
    let metrics = metricsOf(lab.d1, 9650);
    expect(metrics).toContain('lvsd_vrrp_state{instance="VI_2",interface="eth0",vrid="52",state="MASTER"} 1');
    expect(metrics).toContain('lvsd_vrrp_transitions_total{instance="VI_1",state="MASTER"} 1');
    expect(metrics).toContain('lvsd_reloads_total{result="applied"} 1');

    // (b) a broken file: refused with file:line:col, both instances keep running
    writeFileSync(d.conf, `${base}${VI2}vrrp_instance VI_3 {\n  interface eth0\n  virtual_router_id 300\n`);
    mark = p.lines.length;
    process.kill(pid, 'SIGHUP');
    const err = await p.waitFor(/config\.error /, 5000, mark);
    expect(err.text).toContain(`${d.conf}:`);
    expect(err.text).toMatch(new RegExp(`${d.conf.replace(/[./]/g, '\\$&')}:\\d+:\\d+: error`));
    await p.waitFor(/reload\.refused /, 2000, mark);
    await new Promise((r) => setTimeout(r, 1500));
    expect(p.matching(/vrrp\.transition|vip\.del/, mark)).toEqual([]);
    expect(mon.matching(/Deleted/)).toEqual([]);
    expect(lab.addrs(lab.d1)).toEqual(expect.arrayContaining([`${VIP}/24`, `${VIP2}/24`]));
    st = statusOf(d);
    expect(st.reloads).toBe(2);
    expect(st.lastReload?.ok).toBe(false);
    expect(st.vrrp.map((v) => v.name)).toEqual(['VI_1', 'VI_2']);
    metrics = metricsOf(lab.d1, 9650);
    expect(metrics).toContain('lvsd_reloads_total{result="refused"} 1');
    // SIGUSR1: keepalived's data dump (in TMPDIR)
    mark = p.lines.length;
    process.kill(pid, 'SIGUSR1');
    await p.waitFor(/daemon\.dump .*keepalived\.data/, 3000, mark);
    const data = readFileSync(`${d.dumpDir}/keepalived.data`, 'utf8');
    expect(data).toMatch(/VRRP Instance = VI_1/);
    expect(data).toMatch(/VRRP Instance = VI_2/);

    // (c) SIGTERM: priority 0 adverts, VIPs gone, pid files gone, exit 0
    const obs = lab.observe('ip proto 112');
    await new Promise((r) => setTimeout(r, 1500)); // tcpdump listening (it sees the adverts)
    await obs.waitFor(/vrid 51, prio 150/, 3000);
    mark = obs.lines.length;
    process.kill(pid, 'SIGTERM');
    expect(await d.exited).toBe(0);
    await obs.waitFor(/vrid 51, prio 0/, 2000, mark);
    await obs.waitFor(/vrid 52, prio 0/, 2000, mark);
    expect(lab.addrs(lab.d1).filter((a) => a.startsWith('10.88.0.10'))).toEqual([]);
    expect(d.pidFiles.map((f) => existsSync(f))).toEqual([false, false, false]);
    expect(p.matching(/daemon\.stop /).length).toBe(1);
  });

  it('refuses --snmp, prints --version, and refuses a second daemon on the same pid file', async () => {
    const { lab } = env;
    const { spawnSync } = await import('node:child_process');
    const { LVSD } = await import('./lab.js');
    const snmp = spawnSync(process.execPath, [LVSD, '-x', '-f', '/dev/null'], { encoding: 'utf8', timeout: 20_000 });
    expect(snmp.status).toBe(2);
    expect(snmp.stderr).toMatch(/not supported/);
    const v = spawnSync(process.execPath, [LVSD, '--version'], { encoding: 'utf8', timeout: 20_000 });
    expect(v.status).toBe(0);
    expect(v.stdout).toMatch(/^lvsd v\d+\.\d+\.\d+/);
    // the Prometheus endpoint from lvsd's own global_defs keyword
    const d = startLvsd(lab, lab.d2, lvsdConf({ priority: 100, global: 'lvsd_metrics_listen 127.0.0.1 9651' }));
    await d.proc.waitFor(/"event":"daemon.start"/, 10_000);
    await d.proc.waitFor(/"event":"daemon.metrics"/, 5000);
    expect(metricsOf(lab.d2, 9651)).toMatch(/^lvsd_vrrp_state\{instance="VI_1",interface="eth0",vrid="51",state="BACKUP"\} [01]$/m);
    const second = spawnSync('ip', ['netns', 'exec', lab.d2, process.execPath, LVSD, '-n', '-f', d.conf, '-p', d.pidFiles[0], '-r', d.pidFiles[1], '-c', d.pidFiles[2]],
      { encoding: 'utf8', timeout: 20_000 });
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/already running/);
    d.proc.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });
});
