// virtual_routes and virtual_rules in real namespaces: the MASTER holds them (visible in
// `ip route` / `ip rule`), the BACKUP does not; on SIGTERM they leave with the VIPs and the
// new master installs them.
import { describe, expect, it } from 'vitest';
import { useDirectorLab, lvsdConf, waitVip, type Director, type DirectorLab } from './director-lab.js';

const EXTRA = `
  virtual_routes {
    10.99.0.0/24 via 10.88.0.254 dev eth0 table 100
    blackhole 10.98.0.0/16 no_track
    10.97.0.0/16 dev eth0 metric 7
  }
  virtual_rules {
    from 10.88.0.100 table 100 preference 100
    to 10.99.0.0/24 fwmark 0x10/0xff lookup 100 preference 101
    fwmark 0x99 prohibit preference 300
  }`;

function held(lab: DirectorLab, ns: string): { routes: string[]; rules: string[] } {
  // `table all`: table 100 does not exist (and `show table 100` fails) while nobody holds the routes.
  const routes = lab.ip(ns, 'route', 'show', 'table', 'all').split('\n').map((l) => l.trim()).filter((l) => l.includes('proto keepalived'));
  const rules = lab.ip(ns, 'rule', 'show').split('\n').map((l) => l.trim()).filter((l) => /^(100|101|300):/.test(l));
  return { routes: routes.sort(), rules };
}

const EXPECTED = {
  routes: [
    '10.97.0.0/16 dev eth0 proto keepalived metric 7',
    '10.99.0.0/24 via 10.88.0.254 dev eth0 table 100 proto keepalived',
    'blackhole 10.98.0.0/16 proto keepalived',
  ],
  rules: [
    '100:\tfrom 10.88.0.100 lookup 100',
    '101:\tfrom all to 10.99.0.0/24 fwmark 0x10/0xff lookup 100',
    '300:\tfrom all fwmark 0x99 prohibit',
  ],
};

describe('virtual_routes / virtual_rules (netns)', () => {
  const env = useDirectorLab();

  it('held by the master only, moved to the backup on SIGTERM, gone when the last one stops', async () => {
    env.lab.up();
    const a = env.lab.startLvsd(env.rt.file, env.lab.d1, lvsdConf({ priority: 150, extra: EXTRA }));
    let b: Director | undefined;
    try {
      await a.became('MASTER', 10_000);
      await waitVip(env.lab, env.lab.d1, true, 2000);
      await a.proc.waitFor(/"event":"vrrp.route-add".*fwmark 0x99/, 2000);
      const got = held(env.lab, env.lab.d1);
      expect(got).toEqual(EXPECTED);
      expect(a.events('vrrp.route-error')).toEqual([]);

      b = env.lab.startLvsd(env.rt.file, env.lab.d2, lvsdConf({ priority: 100, extra: EXTRA }));
      await b.became('BACKUP', 10_000);
      expect(held(env.lab, env.lab.d2)).toEqual({ routes: [], rules: [] });

      env.lab.kill(a.proc, 'SIGTERM');
      await a.proc.exited(5000);
      expect(held(env.lab, env.lab.d1)).toEqual({ routes: [], rules: [] });
      await b.became('MASTER', 3000);
      await b.proc.waitFor(/"event":"vrrp.route-add".*fwmark 0x99/, 2000);
      expect(held(env.lab, env.lab.d2)).toEqual(EXPECTED);

      env.lab.kill(b.proc, 'SIGTERM');
      await b.proc.exited(5000);
      expect(held(env.lab, env.lab.d2)).toEqual({ routes: [], rules: [] });
    } finally {
      env.lab.kill(a.proc, 'SIGKILL');
      if (b) env.lab.kill(b.proc, 'SIGKILL');
    }
  }, 40_000);
});
