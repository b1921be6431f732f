// VRRPv3 over IPv6 between two lvsd directors: adverts to ff02::12 from the link-local
// address, the VIP added without DAD, and an unsolicited neighbour advertisement seen by the
// observer when the backup takes over after kill -9.
import { describe, expect, it } from 'vitest';
import { until, useDirectorLab, sleep, type Director } from './director-lab.js';

const VIP6 = 'fd00:88::100';

function conf6(priority: number): string {
  return `global_defs {
  vrrp_garp_master_delay 0
}
vrrp_instance VI_6 {
  interface eth0
  virtual_router_id 61
  version 3
  priority ${priority}
  advert_int 0.5
  virtual_ipaddress {
    ${VIP6}/64
  }
}
`;
}

describe('VRRPv3 IPv6 directors (netns)', () => {
  const env = useDirectorLab();

  const has6 = (ns: string): boolean => env.lab.ip(ns, '-6', '-o', 'addr', 'show', 'dev', 'eth0').includes(`${VIP6}/64`);

  it('election over ff02::12, kill -9 -> the backup holds the VIP and sends an unsolicited NA', async () => {
    env.lab.up({ ipv6: true });
    let a: Director | undefined;
    let b: Director | undefined;
    try {
      const obs = env.lab.observe('icmp6 or ip6 proto 112');
      a = env.lab.startLvsd(env.rt.file, env.lab.d1, conf6(150));
      await a.became('MASTER', 10_000);
      b = env.lab.startLvsd(env.rt.file, env.lab.d2, conf6(100));
      await b.became('BACKUP', 10_000);
      await until(() => has6(env.lab.d1), 2000);
      await obs.waitFor(/fe80::1 > ff02::12: VRRPv3, Advertisement, vrid 61, prio 150/, 3000);
      await sleep(2500); // > Master_Down_Interval (1.8 s): the backup hears the master
      expect(b.transitions()).toEqual(['BACKUP']);
      expect(has6(env.lab.d2)).toBe(false);
      const mark = obs.lines.length;
      env.lab.kill(a.proc, 'SIGKILL');
      await b.became('MASTER', 4000);
      await until(() => has6(env.lab.d2), 2000);
      await obs.waitFor(new RegExp(`${VIP6} > ff02::1: ICMP6, neighbor advertisement, tgt is ${VIP6}`), 3000, mark);
      await obs.waitFor(/fe80::2 > ff02::12: VRRPv3, Advertisement, vrid 61, prio 100/, 3000, mark);
    } finally {
      for (const d of [a, b]) if (d) env.lab.kill(d.proc, 'SIGKILL');
    }
  }, 60_000);
});
