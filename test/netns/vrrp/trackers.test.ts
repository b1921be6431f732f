// Trackers with real kernel events and real scripts: a tracked interface losing carrier
// puts the master in FAULT (VIP released, the peer takes over at once), and a failing
// vrrp_script lowers the master's priority by its weight so the peer preempts.
import { describe, expect, it } from 'vitest';
import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useDirectorLab, VIP, lvsdConf, sleep, waitVip, type Director } from './director-lab.js';

const SCRIPT_GLOBAL = 'enable_script_security\n  script_user root';

describe('VRRP trackers (netns)', () => {
  const env = useDirectorLab();

  it('track_interface: carrier loss -> FAULT, VIP released, peer MASTER; carrier back -> BACKUP, then preempts', async () => {
    env.lab.up();
    env.lab.ip(env.lab.d1, 'link', 'add', 'trk0', 'type', 'veth', 'peer', 'name', 'trk1');
    env.lab.ip(env.lab.d1, 'link', 'set', 'trk0', 'up');
    env.lab.ip(env.lab.d1, 'link', 'set', 'trk1', 'up');
    let a: Director | undefined;
    let b: Director | undefined;
    try {
      a = env.lab.startLvsd(env.rt.file, env.lab.d1, lvsdConf({ priority: 150, extra: 'track_interface {\n    trk0\n  }' }));
      await a.became('MASTER', 10_000);
      b = env.lab.startLvsd(env.rt.file, env.lab.d2, lvsdConf({ priority: 100 }));
      await b.became('BACKUP', 10_000);
      await waitVip(env.lab, env.lab.d1, true, 2000);
      const downAt = Date.now();
      env.lab.ip(env.lab.d1, 'link', 'set', 'trk1', 'down'); // trk0 stays up but loses its carrier
      const f = await a.became('FAULT', 2000);
      expect(f.time - downAt).toBeLessThan(500); // an rtnetlink event, not a poll
      await waitVip(env.lab, env.lab.d1, false, 2000);
      const m = await b.became('MASTER', 2000); // priority 0 from the leaving master: skew only
      expect(m.time - downAt).toBeLessThan(1500);
      await waitVip(env.lab, env.lab.d2, true, 2000);
      const mark = a.mark();
      env.lab.ip(env.lab.d1, 'link', 'set', 'trk1', 'up');
      await a.became('BACKUP', 3000, mark);
      await a.became('MASTER', 6000, mark);
      await waitVip(env.lab, env.lab.d1, true, 2000);
      await waitVip(env.lab, env.lab.d2, false, 2000);
    } finally {
      for (const d of [a, b]) if (d) env.lab.kill(d.proc, 'SIGKILL');
    }
  }, 60_000);

  it('vrrp_script failure lowers the priority by its weight: the peer takes over; success gives it back', async () => {
    env.lab.up();
    const flag = join(env.lab.dir, 'healthy');
    writeFileSync(flag, '');
    const script = env.lab.write('check.sh', `#!/bin/sh\ntest -e ${flag}\n`, 0o755);
    const conf = lvsdConf({
      priority: 150, global: SCRIPT_GLOBAL, extra: 'track_script {\n    chk\n  }',
    }).replace('vrrp_instance', `vrrp_script chk {\n  script "${script}"\n  interval 1\n  weight -60\n  fall 2\n  rise 1\n}\nvrrp_instance`);
    let a: Director | undefined;
    let b: Director | undefined;
    try {
      a = env.lab.startLvsd(env.rt.file, env.lab.d1, conf);
      await a.became('MASTER', 10_000);
      b = env.lab.startLvsd(env.rt.file, env.lab.d2, lvsdConf({ priority: 100 }));
      await b.became('BACKUP', 10_000);
      await sleep(2500);
      expect(b.transitions()).toEqual(['BACKUP']);
      const obs = env.lab.observe();
      unlinkSync(flag);
      // Two failed runs (fall 2), then 150 - 60 = 90 < 100: the peer ignores the lower adverts and takes over.
      await a.proc.waitFor(/"event":"vrrp.script".*"up":false/, 5000);
      await obs.waitFor(/10\.88\.0\.1 > 224\.0\.0\.18: VRRPv2.*prio 90/, 3000);
      await b.became('MASTER', 6000);
      await a.became('BACKUP', 3000);
      await waitVip(env.lab, env.lab.d2, true, 2000);
      await waitVip(env.lab, env.lab.d1, false, 2000);
      const mark = a.mark();
      writeFileSync(flag, '');
      await a.became('MASTER', 8000, mark);
      await waitVip(env.lab, env.lab.d1, true, 2000);
      expect(a.events('vrrp.script').map((e) => e.up)).toEqual([false, true]);
    } finally {
      for (const d of [a, b]) if (d) env.lab.kill(d.proc, 'SIGKILL');
    }
  }, 60_000);
});
