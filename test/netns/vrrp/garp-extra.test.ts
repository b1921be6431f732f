// Gratuitous ARP pacing an observer can see: garp_lower_prio_repeat/_delay (a lower priority
// advert, injected from the observer, makes the master re-announce now and again after the
// delay) and garp_extra_if (periodic GARP on another VIP interface, none on the advert one).
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useDirectorLab, VIP, lvsdConf, sleep, waitVip } from './director-lab.js';
import { Proc } from './harness.js';
import { encodeIpv4, NO_AUTH, VRRP_MCAST4 } from '../../../src/vrrp/packet.js';

const here = dirname(fileURLToPath(import.meta.url));
const garpOf = (ip: string): RegExp => new RegExp(`Request who-has ${ip.replace(/\./g, '\\.')} \\(ff:ff:ff:ff:ff:ff\\) tell ${ip.replace(/\./g, '\\.')}`);

describe('GARP pacing seen by an observer (netns)', () => {
  const env = useDirectorLab();

  it('garp_lower_prio_repeat 3 / garp_lower_prio_delay 2: three GARPs at a lower advert, three more 2 s later', async () => {
    env.lab.up();
    const a = env.lab.startLvsd(env.rt.file, env.lab.d1, lvsdConf({ priority: 150, extra: 'garp_lower_prio_repeat 3\n  garp_lower_prio_delay 2' }));
    try {
      await a.became('MASTER', 10_000);
      await waitVip(env.lab, env.lab.d1, true, 2000);
      const obs = env.lab.observe('arp');
      await sleep(1800); // the entry bursts (now and garp_master_delay 1 s later) are over
      const mark = obs.lines.length;
      const lower = encodeIpv4({ version: 2, vrid: 51, priority: 50, advertIntervalMs: 1000, addresses: [VIP] },
        { src: env.lab.address(env.lab.obs), dst: VRRP_MCAST4, id: 7, auth: NO_AUTH });
      const sentAt = Date.now();
      const r = spawnSync('ip', ['netns', 'exec', env.lab.obs, process.execPath, join(here, 'sender.mjs'), 'eth0', VRRP_MCAST4, lower.toString('hex')],
        { env: { ...process.env, NODE_PATH: join(here, '../../../node_modules') }, encoding: 'utf8', timeout: 10_000 });
      if (r.status !== 0 || r.stderr) throw new Error(`sender failed: ${r.stderr}`);
      await sleep(3500);
      const garps = obs.lines.slice(mark).filter((l) => garpOf(VIP).test(l.text)).map((l) => Number(l.text.split(' ')[0]) * 1000 - sentAt);
      expect(garps).toHaveLength(6);
      const [first, second] = [garps.slice(0, 3), garps.slice(3)];
      expect(Math.max(...first)).toBeLessThan(500);
      expect(Math.min(...second)).toBeGreaterThan(1900);
      expect(Math.max(...second)).toBeLessThan(2600);
      expect(a.transitions()).toEqual(['BACKUP', 'MASTER']); // still MASTER
    } finally {
      env.lab.kill(a.proc, 'SIGKILL');
    }
  }, 30_000);

  it('garp_extra_if all 1: one GARP a second for the first VIP on the other interface, none periodic on the advert interface', async () => {
    env.lab.up();
    env.lab.ip(env.lab.d1, 'link', 'add', 'x1', 'type', 'veth', 'peer', 'name', 'x1o', 'netns', env.lab.obs);
    env.lab.ip(env.lab.d1, 'link', 'set', 'x1', 'up');
    env.lab.ip(env.lab.obs, 'link', 'set', 'x1o', 'up');
    const conf = lvsdConf({ priority: 150, extra: 'garp_extra_if all 1' })
      .replace(`${VIP}/24\n`, `${VIP}/24\n    10.89.0.100/24 dev x1\n    10.89.0.101/24 dev x1\n`);
    const tcp = new Proc(env.lab.track(spawn('ip', ['netns', 'exec', env.lab.obs, 'tcpdump', '-i', 'x1o', '--immediate-mode', '-tt', '-nn', '-l', 'arp'],
      { stdio: ['ignore', 'pipe', 'pipe'] })));
    const obs = env.lab.observe('arp');
    await tcp.waitFor(/listening on/, 5000);
    await obs.waitFor(/listening on/, 5000);
    const a = env.lab.startLvsd(env.rt.file, env.lab.d1, conf);
    try {
      await a.became('MASTER', 10_000);
      await sleep(1500); // entry bursts over (garp_master_delay 1)
      const m1 = tcp.lines.length;
      const m0 = obs.lines.length;
      await sleep(3300);
      const extra = tcp.matching(garpOf('10.89.0.100'), m1);
      expect(extra.length).toBeGreaterThanOrEqual(3);
      expect(extra.length).toBeLessThanOrEqual(4);
      expect(tcp.matching(garpOf('10.89.0.101'), m1)).toEqual([]); // one per interface: the first VIP
      expect(obs.matching(/who-has/, m0)).toEqual([]);
    } finally {
      env.lab.kill(a.proc, 'SIGKILL');
    }
  }, 30_000);

  it('sync group: a lower advert for one member makes the other member re-announce its VIP too', async () => {
    env.lab.up();
    const member = (name: string, vrid: number, vip: string): string => `vrrp_instance ${name} {
  interface eth0
  virtual_router_id ${vrid}
  priority 150
  advert_int 1
  garp_lower_prio_repeat 2
  garp_lower_prio_delay 0
  virtual_ipaddress {
    ${vip}/24
  }
}
`;
    const conf = `global_defs {
  vrrp_garp_master_delay 0
  vrrp_garp_master_repeat 1
}
vrrp_sync_group G {
  group {
    VI_1
    VI_2
  }
}
${member('VI_1', 51, VIP)}${member('VI_2', 52, '10.88.0.102')}`;
    const a = env.lab.startLvsd(env.rt.file, env.lab.d1, conf);
    try {
      for (let i = 0; i < 100 && a.events('vrrp.transition').filter((e) => e.to === 'MASTER').length < 2; i++) await sleep(100);
      const obs = await env.lab.observeReady('arp');
      await sleep(500);
      const mark = obs.lines.length;
      const lower = encodeIpv4({ version: 2, vrid: 51, priority: 50, advertIntervalMs: 1000, addresses: [VIP] },
        { src: env.lab.address(env.lab.obs), dst: VRRP_MCAST4, id: 9, auth: NO_AUTH });
      const r = spawnSync('ip', ['netns', 'exec', env.lab.obs, process.execPath, join(here, 'sender.mjs'), 'eth0', VRRP_MCAST4, lower.toString('hex')],
        { env: { ...process.env, NODE_PATH: join(here, '../../../node_modules') }, encoding: 'utf8', timeout: 10_000 });
      if (r.status !== 0 || r.stderr) throw new Error(`sender failed: ${r.stderr}`);
      await sleep(800);
      expect(obs.matching(garpOf(VIP), mark)).toHaveLength(2);
      expect(obs.matching(garpOf('10.88.0.102'), mark)).toHaveLength(2);
    } finally {
      env.lab.kill(a.proc, 'SIGKILL');
    }
  }, 30_000);
});
