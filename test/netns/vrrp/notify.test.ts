// Notifications from a running director: notify_master/backup/fault/stop, the generic
// `notify` with keepalived's arguments, the notify FIFO lines, sync group notifications, and
// vrrp_track_file driving FAULT. One director alone on the segment.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FifoReader, until, useDirectorLab, VIP, waitVip, type Director } from './director-lab.js';

describe('VRRP notify and track_file (netns)', () => {
  const env = useDirectorLab();

  it('scripts get keepalived\'s arguments, the FIFO gets its lines; track_file value 0 -> ok, non-zero (weight 0) -> FAULT', async () => {
    env.lab.up();
    const calls = join(env.lab.dir, 'calls');
    const fifo = join(env.lab.dir, 'notify.fifo');
    const tfile = join(env.lab.dir, 'track.value');
    writeFileSync(tfile, '0\n');
    const rec = env.lab.write('rec.sh', `#!/bin/sh\necho "$(basename $0) $*" >> ${calls}\n`, 0o755);
    const conf = `global_defs {
  enable_script_security
  script_user root
  vrrp_garp_master_delay 0
  vrrp_notify_fifo ${fifo}
}
vrrp_track_file tf {
  file ${tfile}
  weight 0
}
vrrp_sync_group G1 {
  group {
    VI_1
    VI_2
  }
  notify ${rec}
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 61
  priority 120
  advert_int 0.2
  version 3
  track_file {
    tf
  }
  notify ${rec}
  notify_master "${rec} own-master"
  notify_backup "${rec} own-backup"
  notify_fault "${rec} own-fault"
  notify_stop "${rec} own-stop"
  virtual_ipaddress {
    ${VIP}/24
  }
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 62
  priority 120
  advert_int 0.2
  version 3
  virtual_ipaddress {
    10.88.0.101/24
  }
}
`;
    let a: Director | undefined;
    try {
      a = env.lab.startLvsd(env.rt.file, env.lab.d1, conf);
      await a.became('MASTER', 10_000);
      await waitVip(env.lab, env.lab.d1, true, 2000);
      await until(() => existsSync(calls) && readFileSync(calls, 'utf8').includes('INSTANCE VI_1 MASTER 120'), 3000, 'notify MASTER');
      expect(env.lab.addrs(env.lab.d1)).toContain('10.88.0.101/24'); // the group went MASTER together
      // keepalived's FIFO reader would hold it open; read what is there without blocking.
      const fifoReader = new FifoReader(fifo);
      const readFifo = (): string => fifoReader.text();
      try {
        let seen = '';
        await until(() => (seen += readFifo()).includes('INSTANCE "VI_2" MASTER 120'), 3000, 'fifo lines');
        expect(seen).toContain('INSTANCE "VI_1" BACKUP 120\n');
        expect(seen).toContain('INSTANCE "VI_1" MASTER 120\n');
        expect(seen).toContain('GROUP "G1" MASTER 0\n');

        const mark = a.mark();
        writeFileSync(tfile, '1\n'); // weight 0: any non-zero value is FAULT (inotify, no polling)
        await a.became('FAULT', 3000, mark);
        await waitVip(env.lab, env.lab.d1, false, 2000);
        await waitVip(env.lab, env.lab.d1, false, 2000);
        await until(() => !env.lab.addrs(env.lab.d1).includes('10.88.0.101/24'), 2000, 'group member follows into FAULT');
        await until(() => (seen += readFifo()).includes('GROUP "G1" FAULT 0'), 3000, 'group FAULT on the fifo');
        writeFileSync(tfile, '0\n');
        await a.became('MASTER', 5000, mark);
      } finally {
        fifoReader.close();
      }
      env.lab.kill(a.proc, 'SIGTERM');
      await a.proc.exited(8000);
      const lines = readFileSync(calls, 'utf8').trim().split('\n');
      for (const l of ['rec.sh own-master', 'rec.sh own-backup', 'rec.sh own-fault', 'rec.sh own-stop',
        'rec.sh INSTANCE VI_1 BACKUP 120', 'rec.sh INSTANCE VI_1 FAULT 120', 'rec.sh INSTANCE VI_1 STOP 120',
        'rec.sh GROUP G1 MASTER 0', 'rec.sh GROUP G1 FAULT 0', 'rec.sh GROUP G1 STOP 0']) {
        expect(lines).toContain(l);
      }
      expect(env.lab.addrs(env.lab.d1)).not.toContain(`${VIP}/24`);
    } finally {
      if (a) env.lab.kill(a.proc, 'SIGKILL');
    }
  }, 60_000);
});
