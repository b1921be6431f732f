// No flapping with keepalived as the peer, both orders at once: one lvsd and one real
// keepalived (Debian's 2.2.7) share two instances for 60 s after they settle: VI_1 (VRRPv2,
// PASS auth) with lvsd as master, VI_2 (VRRPv3) with keepalived as master. Afterwards: no
// transition on either side, no drop, and the observer heard only the masters' adverts, one a
// second.
import { describe, expect, it } from 'vitest';
import { loadavg } from 'node:os';
import { useDirectorLab, sleep, type Director } from './director-lab.js';

const WINDOW_MS = 60_000;

function conf(prio1: number, prio2: number, global = ''): string {
  return `global_defs {
  router_id noflap
  vrrp_garp_master_delay 1
  vrrp_garp_master_repeat 1
  ${global}
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  version 2
  priority ${prio1}
  advert_int 1
  authentication {
    auth_type PASS
    auth_pass s3cret
  }
  virtual_ipaddress {
    10.88.0.100/24
  }
}
vrrp_instance VI_2 {
  state BACKUP
  interface eth0
  virtual_router_id 52
  version 3
  priority ${prio2}
  advert_int 1
  virtual_ipaddress {
    10.88.0.101/24
  }
}
`;
}

describe('lvsd with keepalived: no flapping over 60 s (netns)', () => {
  const env = useDirectorLab();

  it('VI_1 lvsd master (v2 PASS), VI_2 keepalived master (v3): 60 s without a transition', async () => {
    env.lab.up();
    let a: Director | undefined;
    try {
      const obs = await env.lab.observeReady('ip proto 112');
      // Started together: each side's down timer decides, as in a real boot.
      a = env.lab.startLvsd(env.rt.file, env.lab.d1, conf(150, 100));
      const ka = env.lab.startKeepalived(env.lab.d2, 'ka', conf(100, 200, 'max_auto_priority -1'));
      await a.proc.waitFor(/"event":"vrrp.transition","instance":"VI_1".*"to":"MASTER"/, 10_000);
      await ka.waitFor(/\(VI_2\) Entering MASTER STATE/, 10_000);
      await sleep(1500); // settled: both masters have advertised
      const t0 = Date.now();
      const [markA, markKa, markObs] = [a.mark(), ka.lines.length, obs.lines.length];
      await sleep(WINDOW_MS);
      const elapsed = Date.now() - t0;

      expect(a.events('vrrp.transition', markA)).toEqual([]);
      expect(a.events('vrrp.drop')).toEqual([]);
      expect(ka.matching(/Entering .* STATE/, markKa)).toEqual([]);
      expect(ka.matching(/receive an invalid|bad|mismatch/i)).toEqual([]);
      // Final roles as intended.
      const lvStates = Object.fromEntries(a.events('vrrp.transition').map((e) => [String(e.instance), String(e.to)]));
      expect(lvStates).toEqual({ VI_1: 'MASTER', VI_2: 'BACKUP' });

      const lines = obs.lines.slice(markObs).map((l) => l.text);
      const count = (re: RegExp): number => lines.filter((l) => re.test(l)).length;
      const v1FromLvsd = count(/10\.88\.0\.1 > 224\.0\.0\.18: VRRPv2, Advertisement, vrid 51, prio 150/);
      const v2FromKa = count(/10\.88\.0\.2 > 224\.0\.0\.18: VRRPv3, Advertisement, vrid 52, prio 200/);
      const expected = Math.floor(elapsed / 1000);
      expect(v1FromLvsd).toBeGreaterThanOrEqual(expected - 2);
      expect(v1FromLvsd).toBeLessThanOrEqual(expected + 1);
      expect(v2FromKa).toBeGreaterThanOrEqual(expected - 2);
      expect(count(/10\.88\.0\.2 > .*vrid 51/)).toBe(0);
      expect(count(/10\.88\.0\.1 > .*vrid 52/)).toBe(0);
      console.log(`no-flap: ${elapsed} ms, lvsd VI_1 adverts ${v1FromLvsd}, keepalived VI_2 adverts ${v2FromKa}, load ${loadavg()[0].toFixed(2)}`);
    } finally {
      if (a) env.lab.kill(a.proc, 'SIGKILL');
      env.lab.cleanupKeepalived('ka');
    }
  }, 80_000);
});
