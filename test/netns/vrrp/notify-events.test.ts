// notify_master_rx_lower_pri (a lower advert injected from the observer reaches a master) and
// what a reload that removes instances reports: DELETED with notify_deleted (its own script,
// `notify` and the FIFO), FAULT without it (keepalived's default).
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FifoReader, until, useDirectorLab, VIP, sleep, type Director } from './director-lab.js';
import { encodeIpv4, NO_AUTH, VRRP_MCAST4 } from '../../../src/vrrp/packet.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('notify_master_rx_lower_pri and notify_deleted (netns)', () => {
  const env = useDirectorLab();

  it('a lower advert runs the script and writes MASTER_RX_LOWER_PRI; a reload reports removed instances as DELETED or FAULT', async () => {
    env.lab.up();
    const calls = join(env.lab.dir, 'calls');
    const fifo = join(env.lab.dir, 'notify.fifo');
    const rec = env.lab.write('rec.sh', `#!/bin/sh\necho "$*" >> ${calls}\n`, 0o755);
    const inst = (name: string, vrid: number, extra: string, vip: string): string => `vrrp_instance ${name} {
  interface eth0
  virtual_router_id ${vrid}
  priority 150
  advert_int 1
  notify ${rec}
  ${extra}
  virtual_ipaddress {
    ${vip}/24
  }
}
`;
    const head = `global_defs {
  enable_script_security
  script_user root
  vrrp_garp_master_delay 0
  vrrp_notify_fifo ${fifo}
}
`;
    const vi1 = inst('VI_1', 51, `notify_master_rx_lower_pri "${rec} rxlow"`, VIP);
    const full = head + vi1 + inst('VI_2', 52, `notify_deleted "${rec} own-deleted"`, '10.88.0.102') + inst('VI_3', 53, '', '10.88.0.103');
    let a: Director | undefined;
    let fifoReader: FifoReader | undefined;
    try {
      a = env.lab.startLvsd(env.rt.file, env.lab.d1, full);
      for (let i = 0; i < 100 && a.events('vrrp.transition').filter((e) => e.to === 'MASTER').length < 3; i++) await sleep(100);
      fifoReader = new FifoReader(fifo);
      const read = (): string[] => (fifoReader as FifoReader).lines();
      // drain the three MASTER lines (the transition is logged before its FIFO line is written)
      const startLines: string[] = [];
      await until(() => startLines.push(...read()) >= 0 && startLines.filter((l) => / MASTER 150$/.test(l)).length >= 3, 3000, 'MASTER lines on the FIFO');

      const lower = encodeIpv4({ version: 2, vrid: 51, priority: 50, advertIntervalMs: 1000, addresses: [VIP] },
        { src: env.lab.address(env.lab.obs), dst: VRRP_MCAST4, id: 7, auth: NO_AUTH });
      const r = spawnSync('ip', ['netns', 'exec', env.lab.obs, process.execPath, join(here, 'sender.mjs'), 'eth0', VRRP_MCAST4, lower.toString('hex')],
        { env: { ...process.env, NODE_PATH: join(here, '../../../node_modules') }, encoding: 'utf8', timeout: 10_000 });
      if (r.status !== 0 || r.stderr) throw new Error(`sender failed: ${r.stderr}`);
      await until(() => existsSync(calls) && readFileSync(calls, 'utf8').includes('rxlow'), 3000, 'notify_master_rx_lower_pri');
      expect(read()).toEqual(['INSTANCE "VI_1" MASTER_RX_LOWER_PRI 150']);

      writeFileSync(a.confPath, head + vi1);
      const mark = readFileSync(calls, 'utf8').length;
      process.kill(a.pid, 'SIGHUP');
      await a.proc.waitFor(/"event":"reload.applied"/, 5000);
      await until(() => readFileSync(calls, 'utf8').slice(mark).split('\n').filter(Boolean).length >= 3, 3000, 'deletion notifications');
      await sleep(200);
      expect(readFileSync(calls, 'utf8').slice(mark).split('\n').filter(Boolean).sort()).toEqual([
        'INSTANCE VI_2 DELETED 150', 'INSTANCE VI_3 FAULT 150', 'own-deleted',
      ]);
      expect(read().sort()).toEqual(['INSTANCE "VI_2" DELETED 150', 'INSTANCE "VI_3" FAULT 150']);
      expect(env.lab.addrs(env.lab.d1)).not.toContain('10.88.0.102/24');
    } finally {
      fifoReader?.close();
      if (a) env.lab.kill(a.proc, 'SIGKILL');
    }
  }, 40_000);
});
