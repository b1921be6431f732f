// vrrp_track_process with real processes: a uniquely named copy of sleep(1) is started and
// killed; the tracking director's priority moves by the weight and the peer's role follows.
// terminate_delay holds the drop back. (Processes are seen from every network namespace.)
import { describe, expect, it } from 'vitest';
import { copyFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { useDirectorLab, lvsdConf, type Director } from './director-lab.js';

describe('vrrp_track_process (netns)', () => {
  const env = useDirectorLab();

  it('process started: +50 and the director takes over; killed: back down after terminate_delay 1 s', async () => {
    env.lab.up();
    const name = `lvsdslp${process.pid % 100000}`; // comm holds 15 characters
    const bin = join(env.lab.dir, name);
    copyFileSync('/bin/sleep', bin);
    const v3 = { version: 3, advertInt: '0.2' };
    const b = env.lab.startLvsd(env.rt.file, env.lab.d2, lvsdConf({ priority: 120, ...v3 }));
    let a: Director | undefined;
    let worker: ReturnType<typeof spawn> | undefined;
    try {
      await b.became('MASTER', 10_000);
      a = env.lab.startLvsd(env.rt.file, env.lab.d1, lvsdConf({
        priority: 100, ...v3,
        global: `}\nvrrp_track_process P {\n  process ${name}\n  terminate_delay 1\n}\nglobal_defs {`,
        extra: 'track_process {\n    P weight 50\n  }',
      }));
      await a.became('BACKUP', 10_000);
      await new Promise((r) => setTimeout(r, 1000));
      expect(a.transitions()).toEqual(['BACKUP']);

      worker = env.lab.track(spawn(bin, ['300'], { stdio: 'ignore' }));
      const started = Date.now();
      const up = await a.proc.waitFor(/"event":"vrrp.track-process".*"up":true/, 3000);
      expect(up.at - started).toBeLessThan(1500); // one scan (500 ms) and no fork_delay
      await a.became('MASTER', 3000);
      await b.became('BACKUP', 3000);

      const mark = a.mark();
      const killedAt = Date.now();
      process.kill(worker.pid as number, 'SIGKILL');
      const down = await a.proc.waitFor(/"event":"vrrp.track-process".*"up":false/, 4000, mark);
      expect(down.at - killedAt).toBeGreaterThanOrEqual(950);
      expect(down.at - killedAt).toBeLessThan(2000);
      await a.became('BACKUP', 3000, mark);
      const st = a.events('vrrp.track-process').map((e) => [e.process, e.up, e.count]);
      expect(st).toEqual([['P', true, 1], ['P', false, 0]]);
    } finally {
      if (worker) env.lab.kill({ child: worker }, 'SIGKILL');
      if (a) env.lab.kill(a.proc, 'SIGKILL');
      env.lab.kill(b.proc, 'SIGKILL');
    }
  }, 40_000);
});
