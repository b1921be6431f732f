// The lvsd binary against real IPVS: a director running VRRP (the VIP) and checkers for a
// NAT virtual server with three real servers, one of them down. SIGHUP with a changed weight
// keeps a long-lived client connection alive and the down server down (IPVS sees edits only);
// SIGTERM removes the VIP and lvsd's service, leaves a service lvsd does not own, and exits 0.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RELOAD_STEPS } from '../../src/daemon/daemon.js';
import type { DaemonStatus } from '../../src/daemon/state.js';
import { closeLab, destLines, JsonLines, natLab, scratch, until, type NatLab } from './daemon-lab.js';
import { echoClient, echoServer, type LineProc } from './ipvs/topology.js';

const here = dirname(fileURLToPath(import.meta.url));
const LVSD = join(here, '..', '..', 'dist', 'src', 'cli', 'lvsd.js');

function conf(weight1: number, ifname: string): string {
  const rs = (addr: string, w: number): string => `  real_server ${addr} 8080 {
    weight ${w}
    TCP_CHECK {
      connect_timeout 1
      retry 0
    }
  }
`;
  return `global_defs {
  router_id director
}
vrrp_instance VI_1 {
  state MASTER
  interface ${ifname}
  virtual_router_id 51
  priority 200
  advert_int 1
  virtual_ipaddress {
    10.0.1.100/32
  }
}
virtual_server 10.0.1.100 80 {
  lvs_sched wrr
  lvs_method NAT
  protocol TCP
  delay_loop 0.5
${rs('10.0.11.2', weight1)}${rs('10.0.12.2', 1)}${rs('10.0.13.2', 1)}}
`;
}

describe('lvsd daemon against real IPVS', () => {
  it('SIGHUP: connection survives, down server stays down, only edits; SIGTERM: nothing of lvsd left, exit 0', async () => {
    if (!existsSync(LVSD)) throw new Error(`${LVSD} missing: build with npx tsc -p . first`);
    let lab: NatLab | undefined;
    const servers: LineProc[] = [];
    let client: LineProc | undefined;
    let d: JsonLines | undefined;
    try {
      lab = natLab('dm', 3);
      const { director, client: cli, reals, clientIf: d0 } = lab;
      // rs1 and rs2 serve; rs3 has no server (down from its first check on)
      for (const [i, name] of [[0, 'rs1'], [1, 'rs2']] as const) {
        const s = echoServer(reals[i], name, 8080);
        servers.push(s);
        expect(await s.next()).toBe('ready');
      }
      // a service lvsd does not own: it must survive everything below
      director.exec('ipvsadm', ['-A', '-t', '10.9.9.9:80', '-s', 'rr']);

      const dir = scratch('daemon');
      const file = join(dir, 'keepalived.conf');
      writeFileSync(file, conf(1, d0));
      const pids = ['p', 'r', 'c'].map((k) => join(dir, `${k}.pid`));
      // a unix socket cannot live on the 9p share: the guest's own /tmp (tmpfs) holds it
      const sock = join(mkdtempSync('/tmp/lvsd-dm-'), 'lvsd.sock');
      d = new JsonLines(spawn('ip', ['netns', 'exec', director.name, process.execPath, LVSD, '-n', '-f', file,
        '-p', pids[0], '-r', pids[1], '-c', pids[2], '--status-socket', sock, '--metrics-listen', '127.0.0.1:9650'], { stdio: ['pipe', 'pipe', 'pipe'] }), 'stderr');
      const dm = d;
      const ipvs = (): string => director.exec('ipvsadm', ['-L', '-n']);
      const info = (): string => `ipvsadm:\n${ipvs()}\nlvsd:\n${dm.log}`;
      const table = async (what: string, want: string[], ms = 8000): Promise<void> => {
        await until(what, () => JSON.stringify(destLines(ipvs())) === JSON.stringify(want), ms, info);
      };
      await table('start: rs1 and rs2 in, rs3 down', ['10.0.11.2:8080 Masq 1', '10.0.12.2:8080 Masq 1'], 60_000);
      await until('VIP on the director', () => director.exec('ip', ['-o', 'addr', 'show', 'dev', d0]).includes('10.0.1.100/32'), 30_000, info);

      client = echoClient(cli, '10.0.1.100', 80);
      expect(await client.next()).toBe('connected');
      client.send('before');
      const first = await client.next();
      expect(first).toMatch(/^rs[12]:before$/);
      const served = first.split(':')[0];

      // SIGHUP: rs1's weight changes; rs3 unchanged (and down)
      writeFileSync(file, conf(3, d0));
      const mark = dm.recs.length;
      const pid = dm.child.pid;
      expect(pid).toBeDefined();
      director.exec('kill', ['-HUP', director.exec('cat', [pids[0]]).trim()]);
      await until('reload.applied', () => dm.events('reload.applied', mark).length === 1, 20_000, info);
      const applied = dm.events('reload.applied', mark)[0];
      expect(applied).toMatchObject({ rsKept: 3, rsAdded: 0, rsRemoved: 0, vrrpStarted: 0, vrrpStopped: 0 });
      // every step from the signal to the kernel's acknowledgement, in order (ms after the signal)
      const at = applied.at as Record<string, number>;
      // (a load prepared when the file was written, taken at the signal, has no parse to diff steps:
      // which one this is depends on the signal's timing; test/netns/daemon/rehearsal.test.ts
      // makes each happen)
      const loadSteps: readonly string[] = ['parse', 'model', 'checks', 'diff'];
      expect(typeof applied.prepared).toBe('boolean');
      const steps = RELOAD_STEPS.filter((k) => applied.prepared !== true || !loadSteps.includes(k));
      expect(Object.keys(at).sort()).toEqual([...steps].sort());
      const times = steps.map((k) => at[k]);
      expect(times.every((t) => typeof t === 'number' && t >= 0)).toBe(true);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(applied.signalAt).toBeGreaterThan(Date.now() - 60_000);
      expect(applied.signalAt).toBeLessThanOrEqual(Number(applied.time));
      await table('after reload: rs1 at weight 3, rs3 still out', ['10.0.11.2:8080 Masq 3', '10.0.12.2:8080 Masq 1']);
      await new Promise((r) => setTimeout(r, 3000)); // several delay loops: rs3 is not re-enabled
      expect(destLines(ipvs())).toEqual(['10.0.11.2:8080 Masq 3', '10.0.12.2:8080 Masq 1']);
      const applies = dm.events('ipvs.apply', mark).filter((r) => typeof r.ops === 'number');
      expect(applies.length).toBeGreaterThan(0);
      for (const a of applies) expect(a).toMatchObject({ addService: 0, deleteService: 0, addDest: 0, deleteDest: 0, failed: 0 });
      expect(applies.reduce((n, a) => n + Number(a.editDest), 0)).toBe(1);
      expect(dm.events('vip.del', mark)).toEqual([]);
      expect(dm.events('vrrp.transition', mark)).toEqual([]);
      // the established connection went on through the reload, to the same server
      client.send('after');
      expect(await client.next()).toBe(`${served}:after`);

      // lvsd status and the metrics endpoint against the known state
      const st = JSON.parse(director.exec(process.execPath, [LVSD, 'status', '--json', '--socket', sock], { timeoutMs: 60_000 })) as DaemonStatus;
      expect(st.vrrp.map((v) => [v.name, v.state])).toEqual([['VI_1', 'MASTER']]);
      const vs = st.virtualServers[0];
      expect(vs.name).toBe('10.0.1.100:80');
      expect(vs.realServers.map((r) => [r.name, r.state, r.weight, r.kernelWeight])).toEqual([
        ['10.0.11.2:8080', 'up', 3, 3], ['10.0.12.2:8080', 'up', 1, 1], ['10.0.13.2:8080', 'down', 1, null],
      ]);
      expect(vs.realServers.map((r) => r.lastCheck?.ok)).toEqual([true, true, false]);
      const servedRs = vs.realServers[served === 'rs1' ? 0 : 1];
      expect(servedRs.counters?.activeConns).toBe(1);
      expect(servedRs.counters?.conns).toBeGreaterThanOrEqual(1);
      expect(servedRs.counters?.inPkts).toBeGreaterThan(0);
      const metrics = director.exec(process.execPath, ['-e', "fetch('http://127.0.0.1:9650/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))"], { timeoutMs: 60_000 });
      expect(metrics).toContain('lvsd_real_server_up{virtual_server="10.0.1.100:80",real_server="10.0.13.2:8080"} 0');
      expect(metrics).toContain('lvsd_real_server_kernel_weight{virtual_server="10.0.1.100:80",real_server="10.0.11.2:8080"} 3');
      expect(metrics).toContain(`lvsd_ipvs_active_connections{virtual_server="10.0.1.100:80",real_server="${servedRs.name}"} 1`);
      expect(metrics).toMatch(/lvsd_checks_total\{virtual_server="10\.0\.1\.100:80",real_server="10\.0\.13\.2:8080",checker="TCP_CHECK#0",result="failure"\} [1-9]/);
      expect(metrics).toContain('lvsd_reloads_total{result="applied"} 1');

      // SIGTERM: VIP and lvsd's service gone, the foreign service stays, exit 0
      director.exec('kill', ['-TERM', director.exec('cat', [pids[0]]).trim()]);
      expect(await dm.exited).toBe(0);
      const after = ipvs();
      expect(after).not.toContain('10.0.1.100:80');
      expect(after).toContain('10.9.9.9:80');
      expect(director.exec('ip', ['-o', 'addr', 'show', 'dev', d0])).not.toContain('10.0.1.100');
      expect(pids.map((p) => existsSync(p))).toEqual([false, false, false]);
      expect(dm.events('daemon.stop').length).toBe(1);
    } finally {
      await closeLab(lab, [() => client?.stop(), () => { if (d && d.child.exitCode === null) d.child.kill('SIGKILL'); }, ...servers.map((s) => () => s.stop())]);
    }
  }, 300_000);
});
