// lvs_sync_daemon and lvs_timeouts against real IPVS, read back with ipvsadm: a sync daemon tied
// to a VRRP instance runs as backup, then as master once the instance is MASTER; SIGHUP with a
// new sync id replaces it and a removed lvs_timeouts brings the kernel's own timeouts back;
// SIGTERM stops it. Without an instance, master and backup run together.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createNetns, type Netns } from './vm/netns.js';
import { link } from './ipvs/topology.js';
import { JsonLines, scratch, until } from './daemon-lab.js';

const here = dirname(fileURLToPath(import.meta.url));
const LVSD = join(here, '..', '..', 'dist', 'src', 'cli', 'lvsd.js');

function startLvsd(ns: Netns, file: string): JsonLines {
  return new JsonLines(spawn('ip', ['netns', 'exec', ns.name, process.execPath, LVSD, '-n', '-f', file, '-p', `${file}.p`, '-r', `${file}.r`, '-c', `${file}.c`], { stdio: ['pipe', 'pipe', 'pipe'] }), 'stderr');
}

/** The daemon lines of `ipvsadm -L --daemon`, e.g. "master sync daemon (mcast=eth1, syncid=51, ...)". */
const daemons = (ns: Netns): string[] => ns.exec('ipvsadm', ['-L', '--daemon']).split('\n').filter((l) => l.includes('sync daemon')).sort();
const timeouts = (ns: Netns): string => ns.exec('ipvsadm', ['-L', '--timeout']).trim();

function config(ifname: string, global: string): string {
  return `global_defs {
  router_id syncd
${global}
}
vrrp_instance VI_1 {
  state BACKUP
  interface ${ifname}
  virtual_router_id 51
  priority 100
  advert_int 1
  virtual_ipaddress {
    10.0.2.100/32
  }
}
`;
}

describe('lvs_sync_daemon and lvs_timeouts', () => {
  it('follows the VRRP instance, changes on SIGHUP, stops on SIGTERM; timeouts set and restored', async () => {
    if (!existsSync(LVSD)) throw new Error(`${LVSD} missing: build with npx tsc -p . first`);
    const nss: Netns[] = [];
    let run: JsonLines | undefined;
    try {
      const dir = createNetns('sddir');
      const peer = createNetns('sdpeer');
      nss.push(dir, peer);
      const [d0] = link(dir, '10.0.2.1/24', peer, '10.0.2.2/24');
      const original = timeouts(dir);
      expect(original).toMatch(/^Timeout \(tcp tcpfin udp\): \d+ \d+ \d+$/);
      expect(daemons(dir)).toEqual([]);
      const file = join(scratch('syncd'), 'keepalived.conf');
      writeFileSync(file, config(d0, `  lvs_sync_daemon ${d0} VI_1 port 8850\n  lvs_timeouts tcp 7200 tcpfin 60`));
      run = startLvsd(dir, file);
      const r = run;
      const info = (): string => `daemons: ${JSON.stringify(daemons(dir))}\nlvsd:\n${r.log}`;
      const syncd = (): string[] => r.events('ipvs.syncd').map((x) => `${String(x.op)} ${String(x.state)} ${String(x.syncId)}`);

      // backup first (the instance starts BACKUP), master once it has taken over: sync id = VRID
      const only = (want: RegExp): boolean => { const l = daemons(dir); return l.length === 1 && want.test(l[0]); };
      await until('master sync daemon', () => only(/^master/), 60_000, info);
      expect(daemons(dir)[0]).toMatch(new RegExp(`^master sync daemon \\(mcast=${d0}, syncid=51, .*port=8850`));
      await until('the sync daemon log', () => syncd().length >= 3, 10_000, info);
      expect(syncd()).toEqual(['start backup 51', 'stop backup 51', 'start master 51']);
      await until('timeouts', () => timeouts(dir).startsWith('Timeout (tcp tcpfin udp): 7200 60 '), 10_000, info);
      expect(timeouts(dir).split(' ').at(-1)).toBe(original.split(' ').at(-1)); // udp not given: unchanged

      // SIGHUP: another sync id (the master daemon is replaced), lvs_timeouts gone (originals back)
      writeFileSync(file, config(d0, `  lvs_sync_daemon ${d0} VI_1 id 9 port 8850`));
      const mark = r.recs.length;
      dir.exec('kill', ['-HUP', dir.exec('cat', [`${file}.p`]).trim()]);
      await until('reload.applied', () => r.events('reload.applied', mark).length > 0, 30_000, info);
      await until('syncid 9', () => only(/syncid=9,/), 10_000, info);
      expect(daemons(dir)[0]).toMatch(/^master sync daemon/);
      await until('original timeouts', () => timeouts(dir) === original, 10_000, info);
      expect(r.events('vrrp.transition', mark)).toEqual([]);

      // SIGTERM: no sync daemon left
      dir.exec('kill', ['-TERM', dir.exec('cat', [`${file}.p`]).trim()]);
      expect(await r.exited).toBe(0);
      expect(daemons(dir)).toEqual([]);
      expect(timeouts(dir)).toBe(original);

      // no instance: master and backup together, from the start
      writeFileSync(file, config(d0, `  lvs_sync_daemon ${d0} id 4`));
      run = startLvsd(dir, file);
      const r2 = run;
      await until('both daemons', () => daemons(dir).length === 2, 60_000, () => `daemons: ${JSON.stringify(daemons(dir))}\n${r2.log}`);
      expect(daemons(dir).map((l) => l.split(' (')[0])).toEqual(['backup sync daemon', 'master sync daemon']);
      expect(daemons(dir).every((l) => l.includes(`mcast=${d0}, syncid=4,`))).toBe(true);
      dir.exec('kill', ['-TERM', dir.exec('cat', [`${file}.p`]).trim()]);
      expect(await r2.exited).toBe(0);
      expect(daemons(dir)).toEqual([]);
    } finally {
      if (run && run.child.exitCode === null) run.child.kill('SIGKILL');
      await new Promise((res) => setTimeout(res, 200));
      for (const ns of nss.reverse()) {
        try {
          ns.destroy();
        } catch {
          // best effort
        }
      }
    }
  }, 300_000);
});
