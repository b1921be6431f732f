// notify_priority_changes: a tracked file moves the effective priority; instances with the
// option (own or global) write MASTER_PRIORITY / BACKUP_PRIORITY lines on the notify FIFO,
// others write nothing for it. One director alone on the segment.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FifoReader, useDirectorLab, sleep, type Director } from './director-lab.js';

describe('notify_priority_changes (netns)', () => {
  const env = useDirectorLab();

  it('FIFO lines on each effective priority change, in the instance\'s state; none without the option', async () => {
    env.lab.up();
    const fifo = join(env.lab.dir, 'notify.fifo');
    const tfile = join(env.lab.dir, 'track.value');
    writeFileSync(tfile, '0\n');
    const inst = (name: string, vrid: number, prio: number, extra: string): string => `vrrp_instance ${name} {
  interface eth0
  virtual_router_id ${vrid}
  priority ${prio}
  advert_int 0.2
  version 3
  track_file {
    tf weight 10
  }
  ${extra}
  virtual_ipaddress {
    10.88.0.${vrid}/24
  }
}
`;
    const conf = `global_defs {
  vrrp_garp_master_delay 0
  vrrp_notify_fifo ${fifo}
}
vrrp_track_file tf {
  file ${tfile}
}
${inst('VI_1', 101, 120, 'notify_priority_changes')}
${inst('VI_2', 102, 120, '')}
${inst('VI_3', 103, 120, 'notify_priority_changes')}
`;
    // VI_3 stays BACKUP: a higher master for VRID 103 runs on d2.
    const peer = `vrrp_instance VI_3 {
  interface eth0
  virtual_router_id 103
  priority 250
  advert_int 0.2
  version 3
  virtual_ipaddress {
    10.88.0.103/24
  }
}
`;
    let a: Director | undefined;
    let fifoReader: FifoReader | undefined;
    const b = env.lab.startLvsd(env.rt.file, env.lab.d2, peer);
    try {
      await b.became('MASTER', 10_000);
      a = env.lab.startLvsd(env.rt.file, env.lab.d1, conf);
      const masters = (): number => (a as Director).events('vrrp.transition').filter((e) => e.to === 'MASTER').length;
      for (let i = 0; i < 100 && masters() < 2; i++) await sleep(100);
      expect(masters()).toBe(2);
      await a.became('BACKUP', 5000);
      await sleep(300);
      fifoReader = new FifoReader(fifo);
      const read = (): string[] => (fifoReader as FifoReader).lines();
      expect(read().filter((l) => /PRIORITY/.test(l))).toEqual([]); // starting is not a change
      writeFileSync(tfile, '2\n');
      await sleep(600);
      writeFileSync(tfile, '-1\n');
      await sleep(600);
      const lines = read().filter((l) => /PRIORITY/.test(l));
      expect(lines.sort()).toEqual([
        'INSTANCE "VI_1" MASTER_PRIORITY 110',
        'INSTANCE "VI_1" MASTER_PRIORITY 140',
        'INSTANCE "VI_3" BACKUP_PRIORITY 110',
        'INSTANCE "VI_3" BACKUP_PRIORITY 140',
      ]);
    } finally {
      fifoReader?.close();
      if (a) env.lab.kill(a.proc, 'SIGKILL');
      env.lab.kill(b.proc, 'SIGKILL');
    }
  }, 30_000);
});
