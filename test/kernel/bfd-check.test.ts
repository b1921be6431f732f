// BFD_CHECK against real IPVS: the lvsd daemon on a NAT director follows two bfd_instance
// sessions, each with keepalived 2.2.7's BFD process running in a real server's namespace.
// Both checkers start failed (alpha); a peer that comes Up puts its destination in `ipvsadm -L
// -n`; a peer killed takes it out (RS1) or to weight 0 (RS2, inhibit_on_failure) within the
// detection time (3 x 100 ms) plus a bound; a peer back returns it. Three kill/return cycles;
// each leave time (kill -> ipvsadm shows the change) is printed as a LEAVE line.
// lvsd's detection time is keepalived's multiplier (3) x 100 ms; lvsd asks for multiplier 5, so
// keepalived waits 500 ms for lvsd's packets: node under TCG on a loaded host was seen 390-460 ms
// late with 3 (keepalived "Expired after"), a flap of the peer's side, not of what is measured.
// The second test runs keepalived 2.2.7 itself as the director with the same file (the
// reference): the same tables at every step, and its leave times as KA-LEAVE lines.
// bench/bfd-check-leave.sh runs this file several times and sums both up.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { closeLab, destLines, JsonLines, natLab, scratch, until, type NatLab } from './daemon-lab.js';
import type { Netns } from './vm/netns.js';

const here = dirname(fileURLToPath(import.meta.url));
const LVSD = join(here, '..', '..', 'dist', 'src', 'cli', 'lvsd.js');
const KEEPALIVED = '/usr/sbin/keepalived';
const DETECT_MS = 300;
/**
 * What a TCG VM adds to the detection time up to lvsd's confirmed apply (its `ipvs.apply` log
 * time, written after the kernel's read-back): timers firing late and the netlink round trips.
 * Seen 68-536 ms on a 2-core host at load average 1.6-7.9 (other jobs' benchmarks).
 */
const APPLY_BOUND_MS = 1200;
/** Up to `ipvsadm -L -n` showing it: each poll is a process start through `ip netns exec` under TCG. */
const SEEN_BOUND_MS = 4000;
const CYCLES = 3;
/** `ipvsadm -L -n` poll step after a kill (each poll is a process start under TCG, tens of ms). */
const POLL_MS = 50;

const lvsdConf = `bfd_instance RS1 {
  neighbor_ip 10.0.11.2
  source_ip 10.0.11.1
  min_rx 100
  min_tx 100
  multiplier 5
}
bfd_instance RS2 {
  neighbor_ip 10.0.12.2
  source_ip 10.0.12.1
  min_rx 100
  min_tx 100
  multiplier 5
}
virtual_server 10.0.1.100 80 {
  lvs_sched rr
  lvs_method NAT
  protocol TCP
  delay_loop 1
  real_server 10.0.11.2 8080 {
    BFD_CHECK {
      name RS1
      alpha
    }
  }
  real_server 10.0.12.2 8080 {
    weight 2
    inhibit_on_failure
    BFD_CHECK {
      name RS2
      alpha
    }
  }
}
`;

const peerConf = (i: number) => `bfd_instance DIRECTOR {
  neighbor_ip 10.0.1${i}.1
  source_ip 10.0.1${i}.2
  min_rx 100
  min_tx 100
  multiplier 3
}
`;

/** keepalived in a namespace (a real server's BFD peer, or the reference director); pid files in `dir`. */
class Peer {
  readonly out: string[] = [];
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<void>;
  constructor(ns: Netns, readonly dir: string, readonly tag: string, text: string) {
    const conf = join(dir, `${tag}.conf`);
    writeFileSync(conf, text);
    this.child = spawn('ip', ['netns', 'exec', ns.name, KEEPALIVED, '-n', '-l', '-D', '-f', conf,
      '-p', this.pid('main'), '-b', this.pid('bfd'), '-r', this.pid('vrrp'), '-c', this.pid('chk')], { stdio: ['pipe', 'pipe', 'pipe'] });
    for (const s of [this.child.stdout, this.child.stderr]) s.on('data', (d: Buffer) => { this.out.push(...d.toString().split('\n').filter((l) => l)); });
    this.exited = new Promise((r) => this.child.on('exit', () => r()));
  }
  pid(which: string): string {
    return join(this.dir, `${this.tag}.${which}.pid`);
  }
  pidOf(which: 'main' | 'bfd'): number {
    return existsSync(this.pid(which)) ? Number(readFileSync(this.pid(which), 'utf8').trim()) : 0;
  }
  /** The BFD process dies without a word (no AdminDown) and is not respawned: parent stopped, then both killed. */
  kill(): void {
    const main = this.pidOf('main');
    const bfd = this.pidOf('bfd');
    if (main <= 0 || bfd <= 0) throw new Error(`keepalived ${this.tag}: no pid files\n${this.out.join('\n')}`);
    process.kill(main, 'SIGSTOP');
    process.kill(bfd, 'SIGKILL');
    process.kill(main, 'SIGKILL');
  }
  stop(): void {
    for (const w of ['bfd', 'main'] as const) {
      const p = this.pidOf(w);
      if (p > 0) try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
    }
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
  get up(): boolean {
    return this.out.some((l) => /\(DIRECTOR\) Entering Up state/.test(l));
  }
}

/** Kills both peers; polls `ipvsadm -L -n` for RS1 gone and RS2 at weight 0; ms from the kill to each. */
async function killAndWatch(cycle: number, p1: Peer, p2: Peer, director: Netns, info: () => string): Promise<{ t0: number; rs1Out: number; rs2Zero: number }> {
  const t0 = Date.now();
  p1.kill();
  p2.kill();
  let rs1Out = 0, rs2Zero = 0;
  await until(`cycle ${cycle}: RS1 out, RS2 at weight 0`, () => {
    const l = destLines(director.exec('ipvsadm', ['-L', '-n']));
    const now = Date.now() - t0;
    if (!rs1Out && !l.some((x) => x.startsWith('10.0.11.2:'))) rs1Out = now;
    if (!rs2Zero && l.includes('10.0.12.2:8080 Masq 0')) rs2Zero = now;
    return rs1Out > 0 && rs2Zero > 0;
  }, 10_000, info, POLL_MS);
  return { t0, rs1Out, rs2Zero };
}

const sorted = (xs: number[]): string => xs.sort((a, b) => a - b).join(', ');

describe('BFD_CHECK drives the kernel IPVS table (keepalived 2.2.7 BFD peers)', () => {
  it('peer up -> in; peer killed -> out / weight 0 within detection + bound; peer back -> in (3 cycles)', async () => {
    if (!existsSync(LVSD)) throw new Error(`${LVSD} missing: build with npx tsc -p . first`);
    if (!existsSync(KEEPALIVED)) throw new Error(`${KEEPALIVED} missing (apt-get install keepalived)`);
    let lab: NatLab | undefined;
    let d: JsonLines | undefined;
    const peers: Peer[] = [];
    try {
      lab = natLab('bf', 2);
      const { director, reals } = lab;
      director.exec('ip', ['addr', 'add', '10.0.1.100/32', 'dev', lab.clientIf]);
      const dir = scratch('bfd-check');
      // keepalived's pid files and lvsd's status socket in the guest's own /tmp (tmpfs)
      const tmp = mkdtempSync('/tmp/lvsd-bf-');
      const file = join(dir, 'keepalived.conf');
      writeFileSync(file, lvsdConf);
      d = new JsonLines(spawn('ip', ['netns', 'exec', director.name, process.execPath, LVSD, '-n', '-f', file,
        '-p', join(tmp, 'p.pid'), '-r', join(tmp, 'r.pid'), '-c', join(tmp, 'c.pid'), '--status-socket', join(tmp, 'lvsd.sock'), '--metrics-listen', '127.0.0.1:9662'],
      { stdio: ['pipe', 'pipe', 'pipe'] }), 'stderr');
      const dm = d;
      const ipvs = (): string => director.exec('ipvsadm', ['-L', '-n']);
      const info = (): string => `ipvsadm:\n${ipvs()}\nlvsd:\n${dm.log}\npeers:\n${peers.map((p) => `${p.tag}: ${p.out.slice(-15).join('\n')}`).join('\n')}`;
      const table = async (what: string, want: string[], ms: number, stepMs = 50): Promise<number> => {
        const t = await until(what, () => JSON.stringify(destLines(ipvs())) === JSON.stringify(want), ms, info, stepMs);
        expect(destLines(ipvs())).toEqual(want);
        return t;
      };

      // alpha: both checkers start failed, before any peer runs
      await until('lvsd started', () => dm.events('daemon.start').length === 1, 60_000, info);
      await table('start: RS1 out, RS2 at weight 0', ['10.0.12.2:8080 Masq 0'], 30_000, 200);
      await new Promise((r) => setTimeout(r, 1500));
      expect(destLines(ipvs())).toEqual(['10.0.12.2:8080 Masq 0']);

      const all = ['10.0.11.2:8080 Masq 1', '10.0.12.2:8080 Masq 2'];
      const leaves: Array<{ cycle: number; rs: string; ms: number; detected: number; apply: number }> = [];
      for (let cycle = 1; cycle <= CYCLES; cycle++) {
        const p1 = new Peer(reals[0], tmp, `rs1-${cycle}`, peerConf(1));
        const p2 = new Peer(reals[1], tmp, `rs2-${cycle}`, peerConf(2));
        peers.push(p1, p2);
        await table(`cycle ${cycle}: peers Up -> both in at full weight`, all, 60_000, 200);
        await until(`cycle ${cycle}: keepalived sessions Up`, () => p1.up && p2.up, 20_000, info);
        // a second of Up: no flap while both sides run
        await new Promise((r) => setTimeout(r, 1000));
        expect(destLines(ipvs())).toEqual(all);

        const mark = dm.recs.length;
        const { t0, rs1Out, rs2Zero } = await killAndWatch(cycle, p1, p2, director, info);
        expect(destLines(ipvs())).toEqual(['10.0.12.2:8080 Masq 0']);
        // lvsd's own view: the BFD Down (detection expired) from its log time
        const bfdDowns = () => dm.events('bfd.transition', mark).filter((r) => r.to === 'Down');
        // the log may reach the pipe a little after the table changed
        await until(`cycle ${cycle}: lvsd logs both BFD Downs`, () => bfdDowns().length >= 2, 5000, info);
        const downs = bfdDowns();
        expect(downs.map((r) => [r.instance, r.diag]).sort()).toEqual([['RS1', 1], ['RS2', 1]]);
        // and the IPVS apply that carried the change (the first one with operations after the Downs)
        // RS1 deleted, RS2 edited to weight 0 (in one apply or two; the log may trail the table)
        const applies = () => dm.events('ipvs.apply', mark).filter((r) => Number(r.ops) > 0);
        const sum = (f: string) => applies().reduce((n, r) => n + Number(r[f]), 0);
        await until(`cycle ${cycle}: lvsd logs the applies`, () => sum('deleteDest') >= 1 && sum('editDest') >= 1, 5000, info);
        expect([sum('deleteDest'), sum('editDest')]).toEqual([1, 1]);
        expect(applies().every((r) => r.confirmed === true && r.failed === 0)).toBe(true);
        const apply = Number(applies().at(-1)?.time) - t0;
        for (const [rs, ms] of [['RS1', rs1Out], ['RS2', rs2Zero]] as const) {
          const down = downs.find((r) => r.instance === rs);
          const detected = Number(down?.time) - t0;
          leaves.push({ cycle, rs, ms, detected, apply });
          console.log(`LEAVE cycle ${cycle} ${rs}: kill -> ipvsadm ${ms} ms; kill -> BFD Down ${detected} ms (silent ${String(down?.silentMs)} ms, detection ${DETECT_MS}); kill -> last apply ${apply} ms`);
          expect(apply).toBeLessThanOrEqual(DETECT_MS + APPLY_BOUND_MS);
          expect(apply).toBeGreaterThanOrEqual(detected);
          expect(ms).toBeLessThanOrEqual(DETECT_MS + SEEN_BOUND_MS);
          // not before the peer could have been missed: two of the three 100 ms intervals at least
          expect(detected).toBeGreaterThanOrEqual(150);
          expect(ms).toBeGreaterThanOrEqual(detected - 50);
        }
        await Promise.all([p1.exited, p2.exited]);
      }
      console.log(`LEAVE summary: kill -> ipvsadm ${sorted(leaves.map((l) => l.ms))} ms; kill -> BFD Down ${sorted(leaves.map((l) => l.detected))} ms; kill -> apply ${sorted(leaves.filter((l) => l.rs === 'RS1').map((l) => l.apply))} ms; load ${readFileSync('/proc/loadavg', 'utf8').trim()}`);

      // a last return, then lvsd stops: its service leaves the table
      const p1 = new Peer(reals[0], tmp, 'rs1-end', peerConf(1));
      const p2 = new Peer(reals[1], tmp, 'rs2-end', peerConf(2));
      peers.push(p1, p2);
      await table('peers back once more', all, 60_000, 200);
      // the metrics endpoint agrees: both Up, Up entered once per cycle plus this one, Down per
      // kill (more of both if a session flapped on the loaded VM: counted and printed)
      const metrics = director.exec(process.execPath, ['-e', "fetch('http://127.0.0.1:9662/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))"], { timeoutMs: 60_000 });
      const value = (series: string): number => Number(metrics.split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1]);
      for (const rs of ['RS1', 'RS2']) {
        expect(metrics).toContain(`lvsd_bfd_session_state{instance="${rs}",state="Up"} 1`);
        const ups = value(`lvsd_bfd_transitions_total{instance="${rs}",state="Up"}`);
        const downs = value(`lvsd_bfd_transitions_total{instance="${rs}",state="Down"}`);
        expect(ups).toBeGreaterThanOrEqual(CYCLES + 1);
        expect(downs).toBeGreaterThanOrEqual(CYCLES);
        expect(ups).toBeLessThanOrEqual(downs + 1);
        console.log(`FLAPS ${rs}: ${downs - CYCLES} (Up entered ${ups}, Down ${downs})`);
      }
      expect(metrics).toContain('lvsd_real_server_kernel_weight{virtual_server="10.0.1.100:80",real_server="10.0.12.2:8080"} 2');
      director.exec('kill', ['-TERM', director.exec('cat', [join(tmp, 'p.pid')]).trim()]);
      expect(await dm.exited).toBe(0);
      expect(ipvs()).not.toContain('10.0.1.100:80');
      // lvsd's AdminDown on its way out: keepalived hears the neighbour signal, not a timeout
      await until('keepalived sees AdminDown', () => p1.out.some((l) => /\(DIRECTOR\) Entering Down state/.test(l)), 10_000, info);
      expect(p1.out.filter((l) => /\(DIRECTOR\) Entering Down state/.test(l)).join('\n')).toMatch(/Neighbor Signaled Session Down/i);
    } finally {
      await closeLab(lab, [...peers.map((p) => () => p.stop()), () => { if (d && d.child.exitCode === null) d.child.kill('SIGKILL'); }]);
    }
  }, 600_000);

  it('reference: keepalived 2.2.7 as the director with the same file gives the same tables; its leave times (KA-LEAVE)', async () => {
    let lab: NatLab | undefined;
    const procs: Peer[] = [];
    try {
      lab = natLab('bk', 2);
      const { director, reals } = lab;
      director.exec('ip', ['addr', 'add', '10.0.1.100/32', 'dev', lab.clientIf]);
      const tmp = mkdtempSync('/tmp/lvsd-bk-');
      const ka = new Peer(director, tmp, 'director', lvsdConf);
      procs.push(ka);
      const ipvs = (): string => director.exec('ipvsadm', ['-L', '-n']);
      const info = (): string => `ipvsadm:\n${ipvs()}\nkeepalived:\n${ka.out.slice(-40).join('\n')}\npeers:\n${procs.slice(1).map((p) => `${p.tag}: ${p.out.slice(-10).join('\n')}`).join('\n')}`;
      const table = async (what: string, want: string[], ms: number): Promise<void> => {
        await until(what, () => JSON.stringify(destLines(ipvs())) === JSON.stringify(want), ms, info, 200);
        expect(destLines(ipvs())).toEqual(want);
      };
      await table('start: RS1 out, RS2 at weight 0', ['10.0.12.2:8080 Masq 0'], 60_000);
      await new Promise((r) => setTimeout(r, 1500));
      expect(destLines(ipvs())).toEqual(['10.0.12.2:8080 Masq 0']);
      const all = ['10.0.11.2:8080 Masq 1', '10.0.12.2:8080 Masq 2'];
      const leaves: number[] = [];
      for (let cycle = 1; cycle <= CYCLES; cycle++) {
        const p1 = new Peer(reals[0], tmp, `rs1-${cycle}`, peerConf(1));
        const p2 = new Peer(reals[1], tmp, `rs2-${cycle}`, peerConf(2));
        procs.push(p1, p2);
        await table(`cycle ${cycle}: peers Up -> both in at full weight`, all, 60_000);
        await until(`cycle ${cycle}: keepalived sessions Up`, () => p1.up && p2.up, 20_000, info);
        await new Promise((r) => setTimeout(r, 1000));
        expect(destLines(ipvs())).toEqual(all);
        const { rs1Out, rs2Zero } = await killAndWatch(cycle, p1, p2, director, info);
        expect(destLines(ipvs())).toEqual(['10.0.12.2:8080 Masq 0']);
        for (const [rs, ms] of [['RS1', rs1Out], ['RS2', rs2Zero]] as const) {
          console.log(`KA-LEAVE cycle ${cycle} ${rs}: kill -> ipvsadm ${ms} ms (keepalived director)`);
          leaves.push(ms);
        }
        await Promise.all([p1.exited, p2.exited]);
      }
      console.log(`KA-LEAVE summary: kill -> ipvsadm ${sorted(leaves)} ms; load ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
    } finally {
      await closeLab(lab, procs.map((p) => () => p.stop()));
    }
  }, 600_000);
});
