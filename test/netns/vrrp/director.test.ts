// Two lvsd directors (the VRRP runtime, real processes) on one bridged segment with an
// observer running tcpdump: election, kill -9 takeover with gratuitous ARP, SIGTERM with a
// priority 0 advert, preempt on return and nopreempt holding.
import { describe, expect, it } from 'vitest';
import { useDirectorLab, VIP, lvsdConf, sleep, waitVip, type Director } from './director-lab.js';

describe('two lvsd directors (netns)', () => {
  const env = useDirectorLab();

  async function pair(p1: number, p2: number, o: { nopreempt?: boolean } = {}): Promise<{ a: Director; b: Director }> {
    env.lab.up();
    // The higher one first: started together, the slower starter could briefly win.
    const a = env.lab.startLvsd(env.rt.file, env.lab.d1, lvsdConf({ priority: p1, ...o }));
    await a.became('MASTER', 10_000);
    const b = env.lab.startLvsd(env.rt.file, env.lab.d2, lvsdConf({ priority: p2, ...o }));
    await b.became('BACKUP', 10_000);
    return { a, b };
  }

  it('elects the higher priority; kill -9 of the master: the backup takes the VIP and the observer sees its GARP', async () => {
    const { a, b } = await pair(150, 100);
    try {
      await waitVip(env.lab, env.lab.d1, true, 2000);
      expect(env.lab.addrs(env.lab.d2)).not.toContain(`${VIP}/24`);
      await sleep(3500); // longer than the backup's Master_Down_Interval: it really hears the master
      expect(b.transitions()).toEqual(['BACKUP']);
      const obs = env.lab.observe();
      await obs.waitFor(/VRRPv2.*prio 150/, 3000);
      const killedAt = Date.now();
      env.lab.kill(a.proc, 'SIGKILL');
      const m = await b.became('MASTER', 6000);
      const vipAt = await waitVip(env.lab, env.lab.d2, true, 2000);
      // Master_Down_Interval for priority 100 and advert_int 1: 3 s + 0.609 s skew.
      expect(m.time - killedAt).toBeGreaterThan(2500);
      expect(m.time - killedAt).toBeLessThan(3700 + 300);
      expect(vipAt - killedAt).toBeLessThan(4500);
      const garp = await obs.waitFor(new RegExp(`ethertype ARP .*Request who-has ${VIP.replace(/\./g, '\\.')} \\(ff:ff:ff:ff:ff:ff\\) tell ${VIP.replace(/\./g, '\\.')}`), 3000);
      expect(b.events('vip.add').map((e) => e.vip)).toEqual([`${VIP}/24`]);
      console.log(`kill -9: backup MASTER after ${m.time - killedAt} ms, VIP seen ${vipAt - killedAt} ms, GARP ${garp.at - killedAt} ms`);
    } finally {
      env.lab.kill(a.proc, 'SIGKILL');
      env.lab.kill(b.proc, 'SIGKILL');
    }
  }, 40_000);

  it('SIGTERM: priority 0 advert, VIP released, the backup takes over after its skew; the master preempts on return', async () => {
    const { a, b } = await pair(150, 100);
    let a2: Director | undefined;
    try {
      await waitVip(env.lab, env.lab.d1, true, 2000);
      const obs = env.lab.observe();
      await obs.waitFor(/VRRPv2.*prio 150/, 3000);
      const mark = obs.lines.length;
      const termAt = Date.now();
      env.lab.kill(a.proc, 'SIGTERM');
      await a.proc.exited(5000);
      expect(a.proc.child.exitCode).toBe(0);
      await obs.waitFor(new RegExp(`${env.lab.address(env.lab.d1).replace(/\./g, '\\.')} > 224\\.0\\.0\\.18: VRRPv2, Advertisement, vrid 51, prio 0`), 2000, mark);
      expect(env.lab.addrs(env.lab.d1)).not.toContain(`${VIP}/24`);
      expect(a.events('vip.del').map((e) => e.vip)).toEqual([`${VIP}/24`]);
      const m = await b.became('MASTER', 3000);
      // Skew_Time for priority 100 is 609 ms instead of the 3.6 s Master_Down_Interval.
      expect(m.time - termAt).toBeLessThan(1500);
      await waitVip(env.lab, env.lab.d2, true, 2000);

      const bMark = b.mark();
      a2 = env.lab.startLvsd(env.rt.file, env.lab.d1, lvsdConf({ priority: 150 }));
      await a2.became('MASTER', 10_000);
      await b.became('BACKUP', 3000, bMark);
      await waitVip(env.lab, env.lab.d1, true, 2000);
      await waitVip(env.lab, env.lab.d2, false, 2000);
    } finally {
      for (const d of [a, b, a2]) if (d) env.lab.kill(d.proc, 'SIGKILL');
    }
  }, 50_000);

  it('nopreempt: a returning higher-priority director stays BACKUP and the VIP stays where it is', async () => {
    const { a, b } = await pair(150, 100, { nopreempt: true });
    let a2: Director | undefined;
    try {
      env.lab.kill(a.proc, 'SIGTERM');
      await a.proc.exited(5000);
      await b.became('MASTER', 3000);
      await waitVip(env.lab, env.lab.d2, true, 2000);
      a2 = env.lab.startLvsd(env.rt.file, env.lab.d1, lvsdConf({ priority: 150, nopreempt: true }));
      await a2.became('BACKUP', 10_000);
      await sleep(5000); // more than a Master_Down_Interval
      expect(a2.transitions()).toEqual(['BACKUP']);
      expect(env.lab.addrs(env.lab.d2)).toContain(`${VIP}/24`);
      expect(env.lab.addrs(env.lab.d1)).not.toContain(`${VIP}/24`);
      // And with the holder gone (SIGTERM), the waiting one takes over at once.
      env.lab.kill(b.proc, 'SIGTERM');
      await a2.became('MASTER', 3000);
      await waitVip(env.lab, env.lab.d1, true, 2000);
    } finally {
      for (const d of [a, b, a2]) if (d) env.lab.kill(d.proc, 'SIGKILL');
    }
  }, 50_000);
});
