// The lvsd runtime (config file in, VIPs and GARP out) paired with real keepalived 2.2.7 on
// one segment, VRRPv2 with PASS authentication, both orders: the VIP moves between an lvsd
// and a keepalived director on kill -9 and on SIGTERM, and the observer sees the new
// holder's gratuitous ARP.
import { describe, expect, it } from 'vitest';
import { type DirectorLab, useDirectorLab, VIP, lvsdConf, sleep, waitVip, type Director } from './director-lab.js';

const AUTH = 'authentication {\n    auth_type PASS\n    auth_pass s3cret\n  }';
const kaConf = (priority: number): string => lvsdConf({ priority, extra: AUTH, global: 'max_auto_priority -1' });
const VIP_RE = VIP.replace(/\./g, '\\.');

describe('lvsd runtime with keepalived as the peer (netns)', () => {
  const env = useDirectorLab();

  it('lvsd master, keepalived backup: no flapping, kill -9 -> keepalived holds the VIP; lvsd returns and preempts', async () => {
    env.lab.up();
    let a: Director | undefined;
    let a2: Director | undefined;
    try {
      a = env.lab.startLvsd(env.rt.file, env.lab.d1, lvsdConf({ priority: 150, extra: AUTH }));
      await a.became('MASTER', 10_000);
      const ka = env.lab.startKeepalived(env.lab.d2, 'ka1', kaConf(100));
      await ka.waitFor(/\(VI_1\) Entering BACKUP STATE/, 8000);
      await sleep(5000); // longer than keepalived's Master_Down_Interval: it accepts our adverts
      expect(ka.matching(/Entering MASTER STATE/)).toEqual([]);
      expect(a.events('vrrp.drop')).toEqual([]);
      expect(env.lab.addrs(env.lab.d2)).not.toContain(`${VIP}/24`);
      const obs = env.lab.observe();
      await obs.waitFor(/prio 150/, 3000);
      env.lab.kill(a.proc, 'SIGKILL');
      await ka.waitFor(/\(VI_1\) Entering MASTER STATE/, 6000);
      await waitVip(env.lab, env.lab.d2, true, 2000);
      await obs.waitFor(new RegExp(`ethertype ARP .*who-has ${VIP_RE} .*tell ${VIP_RE}`), 3000);
      spawnDel(env.lab, env.lab.d1); // kill -9 left the VIP on d1, as keepalived would too
      const mark = ka.lines.length;
      a2 = env.lab.startLvsd(env.rt.file, env.lab.d1, lvsdConf({ priority: 150, extra: AUTH }));
      await a2.became('MASTER', 10_000);
      await ka.waitFor(/\(VI_1\) Entering BACKUP STATE/, 3000, mark);
      await waitVip(env.lab, env.lab.d2, false, 2000);
      await waitVip(env.lab, env.lab.d1, true, 2000);
    } finally {
      for (const d of [a, a2]) if (d) env.lab.kill(d.proc, 'SIGKILL');
      env.lab.cleanupKeepalived('ka1');
    }
  }, 60_000);

  it('keepalived master, lvsd backup: SIGTERM of keepalived -> lvsd takes over after its skew and announces the VIP', async () => {
    env.lab.up();
    let b: Director | undefined;
    try {
      const ka = env.lab.startKeepalived(env.lab.d1, 'ka2', kaConf(200));
      await ka.waitFor(/\(VI_1\) Entering MASTER STATE/, 8000);
      b = env.lab.startLvsd(env.rt.file, env.lab.d2, lvsdConf({ priority: 100, extra: AUTH }));
      await b.became('BACKUP', 10_000);
      await sleep(5000);
      expect(b.transitions()).toEqual(['BACKUP']);
      expect(b.events('vrrp.drop')).toEqual([]);
      await waitVip(env.lab, env.lab.d1, true, 1000);
      const obs = env.lab.observe();
      await obs.waitFor(/prio 200/, 3000);
      const termAt = Date.now();
      env.lab.cleanupKeepalived('ka2', 'SIGTERM');
      const m = await b.became('MASTER', 3000);
      expect(m.time - termAt).toBeLessThan(1500); // priority 0 from keepalived: Skew_Time (609 ms)
      await waitVip(env.lab, env.lab.d2, true, 2000);
      await obs.waitFor(new RegExp(`ethertype ARP .*who-has ${VIP_RE} .*tell ${VIP_RE}`), 3000);
      await waitVip(env.lab, env.lab.d1, false, 3000);
    } finally {
      if (b) env.lab.kill(b.proc, 'SIGKILL');
      env.lab.cleanupKeepalived('ka2');
    }
  }, 60_000);
});

function spawnDel(lab: DirectorLab, ns: string): void {
  lab.ip(ns, 'addr', 'del', `${VIP}/24`, 'dev', 'eth0');
}
