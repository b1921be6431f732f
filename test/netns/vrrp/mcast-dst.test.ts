// mcast_dst_ip: adverts go to the configured group, lvsd joins it, and real keepalived with
// the same setting agrees on one master (both orders of priority). The observer sees the
// adverts on the group, none on 224.0.0.18.
import { describe, expect, it } from 'vitest';
import { useDirectorLab, lvsdConf, sleep, type Director } from './director-lab.js';

const GROUP = 'mcast_dst_ip 224.0.0.99';

describe('mcast_dst_ip (netns, with keepalived)', () => {
  const env = useDirectorLab();

  it('lvsd master / keepalived backup on 224.0.0.99, then keepalived master / lvsd backup', async () => {
    env.lab.up();
    let a: Director | undefined;
    try {
      const obs = await env.lab.observeReady('ip proto 112');
      a = env.lab.startLvsd(env.rt.file, env.lab.d1, lvsdConf({ priority: 150, extra: GROUP }));
      await a.became('MASTER', 10_000);
      const ka = env.lab.startKeepalived(env.lab.d2, 'ka1', lvsdConf({ priority: 100, extra: GROUP, global: 'max_auto_priority -1' }));
      await ka.waitFor(/\(VI_1\) Entering BACKUP STATE/, 8000);
      await sleep(4500); // beyond keepalived's Master_Down_Interval: it hears us on the group
      expect(ka.matching(/Entering MASTER STATE/)).toEqual([]);
      const adverts = obs.matching(/VRRPv2, Advertisement/);
      expect(adverts.length).toBeGreaterThanOrEqual(4);
      expect(adverts.every((l) => / > 224\.0\.0\.99: VRRPv2/.test(l))).toBe(true);
      // SIGTERM: priority 0 on the group, keepalived takes over fast and lvsd (restarted lower) follows it.
      env.lab.kill(a.proc, 'SIGTERM');
      await a.proc.exited(5000);
      await ka.waitFor(/\(VI_1\) Entering MASTER STATE/, 3000);
      a = env.lab.startLvsd(env.rt.file, env.lab.d1, lvsdConf({ priority: 50, extra: GROUP }));
      await a.became('BACKUP', 10_000);
      await sleep(4500);
      expect(a.transitions()).toEqual(['BACKUP']);
      expect(a.events('vrrp.drop')).toEqual([]);
    } finally {
      if (a) env.lab.kill(a.proc, 'SIGKILL');
      env.lab.cleanupKeepalived('ka1');
    }
  }, 60_000);
});
