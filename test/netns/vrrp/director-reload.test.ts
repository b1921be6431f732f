// Reload (SIGHUP) applies only the difference: an added instance starts, a removed one stops
// (priority 0, VIP released), and an unchanged instance is not touched (no transition, its
// VIP never leaves); a priority-only change is taken in place. use_vmac: the VIP lives on the macvlan and the GARP carries the VRRP MAC.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { until, useDirectorLab, VIP, VIP2, VI2_CONF as VI2, lvsdConf, sleep, waitVip, type Director } from './director-lab.js';

describe('director reload and use_vmac (netns)', () => {
  const env = useDirectorLab();

  it('SIGHUP: added instance starts, unchanged one untouched, removed one stops with priority 0', async () => {
    env.lab.up();
    const base = lvsdConf({ priority: 150 });
    let a: Director | undefined;
    try {
      a = env.lab.startLvsd(env.rt.file, env.lab.d1, base);
      await a.became('MASTER', 10_000);
      await waitVip(env.lab, env.lab.d1, true, 2000);
      const obs = env.lab.observe();
      await obs.waitFor(/prio 150/, 3000);
      let vipLost = false;
      const watch = setInterval(() => { if (!env.lab.addrs(env.lab.d1).includes(`${VIP}/24`)) vipLost = true; }, 50);
      try {
        writeFileSync(a.confPath, base + VI2);
        const mark = a.mark();
        env.lab.kill(a.proc, 'SIGHUP');
        await a.proc.waitFor(/"event":"reload.applied"/, 5000, mark);
        await a.proc.waitFor(/"instance":"VI_2".*"to":"MASTER"/, 6000, mark);
        await until(() => env.lab.addrs(env.lab.d1).includes(`${VIP2}/24`), 2000);
        expect(a.events('vrrp.transition', mark).filter((e) => e.instance === 'VI_1')).toEqual([]);
      } finally {
        clearInterval(watch);
      }
      expect(vipLost).toBe(false); // VI_1's VIP stayed through the reload
      {
        const mark2 = a.mark();
        const obsMark = obs.lines.length;
        writeFileSync(a.confPath, VI2);
        env.lab.kill(a.proc, 'SIGHUP');
        await a.proc.waitFor(/"event":"reload.applied"/, 5000, mark2);
        await a.proc.waitFor(/"instance":"VI_1".*"to":"INIT"/, 3000, mark2);
        await obs.waitFor(/vrid 51, prio 0/, 2000, obsMark);
        await waitVip(env.lab, env.lab.d1, false, 2000);
        expect(a.events('vrrp.transition', mark2).filter((e) => e.instance === 'VI_2')).toEqual([]);
        expect(env.lab.addrs(env.lab.d1)).toContain(`${VIP2}/24`);
      }
    } finally {
      if (a) env.lab.kill(a.proc, 'SIGKILL');
    }
  }, 60_000);

  it('SIGHUP with only a new priority: taken in place (no priority 0, VIP kept); lowered below the peer, the peer preempts', async () => {
    env.lab.up();
    let a: Director | undefined;
    let b: Director | undefined;
    try {
      a = env.lab.startLvsd(env.rt.file, env.lab.d1, lvsdConf({ priority: 150 }));
      await a.became('MASTER', 10_000);
      b = env.lab.startLvsd(env.rt.file, env.lab.d2, lvsdConf({ priority: 140 }));
      await b.became('BACKUP', 10_000);
      await waitVip(env.lab, env.lab.d1, true, 2000);
      const obs = env.lab.observe();
      await obs.waitFor(/prio 150/, 3000);
      let vipLost = false;
      const watch = setInterval(() => { if (!env.lab.addrs(env.lab.d1).includes(`${VIP}/24`)) vipLost = true; }, 50);
      const obsMark = obs.lines.length;
      const mark = a.mark();
      try {
        writeFileSync(a.confPath, lvsdConf({ priority: 145 }));
        env.lab.kill(a.proc, 'SIGHUP');
        const applied = await a.proc.waitFor(/"event":"reload.applied"/, 5000, mark);
        expect(JSON.parse(applied.text)).toMatchObject({ updated: ['VI_1'], started: [], stopped: [] });
        await obs.waitFor(/prio 145/, 3000, obsMark);
        await sleep(1500);
      } finally {
        clearInterval(watch);
      }
      expect(vipLost).toBe(false);
      expect(a.events('vrrp.transition', mark)).toEqual([]);
      expect(obs.matching(/prio 0/, obsMark)).toEqual([]);
      expect(b.transitions()).toEqual(['BACKUP']);

      // Below the peer: it hears lower adverts, lets its down timer run out and preempts.
      const mark2 = a.mark();
      writeFileSync(a.confPath, lvsdConf({ priority: 130 }));
      env.lab.kill(a.proc, 'SIGHUP');
      await b.became('MASTER', 6000);
      await a.became('BACKUP', 3000, mark2);
      await waitVip(env.lab, env.lab.d2, true, 2000);
    } finally {
      if (a) env.lab.kill(a.proc, 'SIGKILL');
      if (b) env.lab.kill(b.proc, 'SIGKILL');
    }
  }, 60_000);

  it('SIGHUP with a changed VIP list on a master: in place, the kept VIP never leaves, the new one is announced', async () => {
    env.lab.up();
    const conf = (vips: string[]): string => lvsdConf({ priority: 150 }).replace(`    ${VIP}/24\n`, vips.map((v) => `    ${v}/24\n`).join(''));
    let a: Director | undefined;
    try {
      a = env.lab.startLvsd(env.rt.file, env.lab.d1, conf([VIP, '10.88.0.105']));
      await a.became('MASTER', 10_000);
      await until(() => env.lab.addrs(env.lab.d1).includes('10.88.0.105/24'), 3000);
      const obs = env.lab.observe('arp or ip proto 112');
      await obs.waitFor(/prio 150/, 3000);
      let vipLost = false;
      const watch = setInterval(() => { if (!env.lab.addrs(env.lab.d1).includes(`${VIP}/24`)) vipLost = true; }, 50);
      const mark = a.mark();
      const obsMark = obs.lines.length;
      try {
        writeFileSync(a.confPath, conf([VIP, '10.88.0.106']));
        env.lab.kill(a.proc, 'SIGHUP');
        const applied = await a.proc.waitFor(/"event":"reload.applied"/, 5000, mark);
        expect(JSON.parse(applied.text)).toMatchObject({ updated: ['VI_1'], started: [], stopped: [] });
        await obs.waitFor(/Request who-has 10\.88\.0\.106 .*tell 10\.88\.0\.106/, 3000, obsMark);
        await until(() => env.lab.addrs(env.lab.d1).includes('10.88.0.106/24') && !env.lab.addrs(env.lab.d1).includes('10.88.0.105/24'), 2000);
        await sleep(1200);
      } finally {
        clearInterval(watch);
      }
      expect(vipLost).toBe(false);
      expect(a.events('vrrp.transition', mark)).toEqual([]);
      expect(obs.matching(/prio 0/, obsMark)).toEqual([]);
      expect(obs.matching(/VRRPv2, Advertisement, vrid 51, prio 150/, obsMark).length).toBeGreaterThanOrEqual(1);
    } finally {
      if (a) env.lab.kill(a.proc, 'SIGKILL');
    }
  }, 40_000);

  it('SIGHUP with a changed sync group member restarts the whole group; an instance outside it is untouched', async () => {
    env.lab.up();
    const inst = (name: string, vrid: number, prio: number, vip: string): string =>
      `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id ${vrid}\n  priority ${prio}\n  advert_int 1\n  virtual_ipaddress {\n    ${vip}/24\n  }\n}\n`;
    const group = 'vrrp_sync_group G1 {\n  group {\n    VI_A\n    VI_B\n  }\n}\n';
    const conf = (prioB: number): string => group + inst('VI_A', 71, 150, '10.88.0.171') + inst('VI_B', 72, prioB, '10.88.0.172') + inst('VI_C', 73, 150, '10.88.0.173');
    let a: Director | undefined;
    try {
      a = env.lab.startLvsd(env.rt.file, env.lab.d1, conf(150));
      for (const n of ['VI_A', 'VI_B', 'VI_C']) await a.proc.waitFor(new RegExp(`"instance":"${n}".*"to":"MASTER"`), 10_000);
      writeFileSync(a.confPath, conf(140));
      const mark = a.mark();
      env.lab.kill(a.proc, 'SIGHUP');
      await a.proc.waitFor(/"event":"reload.applied"/, 8000, mark);
      for (const n of ['VI_A', 'VI_B']) {
        await a.proc.waitFor(new RegExp(`"instance":"${n}".*"to":"INIT"`), 3000, mark);
        await a.proc.waitFor(new RegExp(`"instance":"${n}".*"to":"MASTER"`), 8000, mark);
      }
      expect(a.events('vrrp.transition', mark).filter((e) => e.instance === 'VI_C')).toEqual([]);
      await until(() => ['10.88.0.171/24', '10.88.0.172/24', '10.88.0.173/24'].every((v) => env.lab.addrs(env.lab.d1).includes(v)), 3000);
    } finally {
      if (a) env.lab.kill(a.proc, 'SIGKILL');
    }
  }, 60_000);

  it('use_vmac: VIP on the macvlan, GARP from 00:00:5e:00:01:VRID, macvlan removed at stop', async () => {
    env.lab.up();
    let a: Director | undefined;
    try {
      const obs = env.lab.observe();
      a = env.lab.startLvsd(env.rt.file, env.lab.d1, lvsdConf({ priority: 150, extra: 'use_vmac' }));
      await a.became('MASTER', 10_000);
      await until(() => env.lab.addrs(env.lab.d1, 'vrrp.51').includes(`${VIP}/24`), 2000);
      expect(env.lab.addrs(env.lab.d1)).not.toContain(`${VIP}/24`);
      const link = env.lab.ip(env.lab.d1, '-o', 'link', 'show', 'dev', 'vrrp.51');
      expect(link).toMatch(/link\/ether 00:00:5e:00:01:33/);
      await obs.waitFor(/^\d+\.\d+ 00:00:5e:00:01:33 > ff:ff:ff:ff:ff:ff, ethertype ARP .*Request who-has 10\.88\.0\.100 .*tell 10\.88\.0\.100/, 3000);
      await obs.waitFor(/^\d+\.\d+ 00:00:5e:00:01:33 > 01:00:5e:00:00:12, .*10\.88\.0\.1 > 224\.0\.0\.18: VRRPv2, Advertisement, vrid 51, prio 150/, 3000);
      env.lab.kill(a.proc, 'SIGTERM');
      await a.proc.exited(5000);
      expect(env.lab.ip(env.lab.d1, '-o', 'link', 'show')).not.toMatch(/vrrp\.51/);
    } finally {
      if (a) env.lab.kill(a.proc, 'SIGKILL');
    }
  }, 60_000);
});
