// Two namespaces joined by a veth (lvsd 10.79.0.1 on bfl0, keepalived 10.79.0.2 on bfk0), the
// bundled BFD driver and keepalived's BFD process. Everything is removed by cleanup(), which
// the tests call in afterAll.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Proc } from '../vrrp/harness.js';
import type { BfdInstanceSpec } from '../../../src/bfd/from-model.js';

const here = dirname(fileURLToPath(import.meta.url));
const LVSD_BIN = join(here, '..', '..', '..', 'dist', 'src', 'cli', 'lvsd.js');

export const LVSD_IP = '10.79.0.1';
export const KA_IP = '10.79.0.2';
export const LVSD_IP6 = 'fd79::1';
export const KA_IP6 = 'fd79::2';

function sh(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr || r.stdout || String(r.error)}`);
}

export class BfdLab {
  readonly id = `${process.pid % 100000}`;
  readonly nsLvsd = `lvsdb-l${this.id}`;
  readonly nsKa = `lvsdb-k${this.id}`;
  readonly dir = mkdtempSync(join(tmpdir(), 'lvsd-bfd-'));
  driverJs = '';
  private pids = new Set<number>();

  async prepare(): Promise<void> {
    if (process.getuid?.() !== 0) throw new Error('netns BFD tests need root');
    if (!existsSync('/usr/sbin/keepalived')) throw new Error('/usr/sbin/keepalived missing (apt-get install keepalived)');
    this.driverJs = join(this.dir, 'driver.mjs');
    await build({ entryPoints: [join(here, 'driver.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: this.driverJs, external: ['raw-socket'], logLevel: 'error' });
  }

  up(): void {
    this.down();
    sh(['netns', 'add', this.nsLvsd]);
    sh(['netns', 'add', this.nsKa]);
    sh(['link', 'add', 'bfl0', 'netns', this.nsLvsd, 'type', 'veth', 'peer', 'name', 'bfk0', 'netns', this.nsKa]);
    sh(['-n', this.nsLvsd, 'addr', 'add', `${LVSD_IP}/24`, 'dev', 'bfl0']);
    sh(['-n', this.nsKa, 'addr', 'add', `${KA_IP}/24`, 'dev', 'bfk0']);
    for (const [ns, ifn, v6] of [[this.nsLvsd, 'bfl0', LVSD_IP6], [this.nsKa, 'bfk0', KA_IP6]]) {
      sh(['-n', ns, 'link', 'set', 'lo', 'up']);
      sh(['-n', ns, 'link', 'set', ifn, 'up']);
      sh(['-n', ns, 'addr', 'add', `${v6}/64`, 'dev', ifn, 'nodad']);
    }
  }

  link(side: 'lvsd' | 'ka', up: boolean): void {
    sh(['-n', side === 'lvsd' ? this.nsLvsd : this.nsKa, 'link', 'set', side === 'lvsd' ? 'bfl0' : 'bfk0', up ? 'up' : 'down']);
  }

  down(): void {
    for (const ns of [this.nsLvsd, this.nsKa]) spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 });
  }

  /**
   * A test's teardown: its keepalived processes killed, lvsd stopped by SIGTERM, the namespaces
   * removed; an lvsd that does not exit within 8 s fails the test (after the clean-up).
   */
  async finish(lvsd: Proc | undefined, keepaliveds: string[]): Promise<void> {
    for (const k of keepaliveds) this.killKeepalived(k, 'SIGKILL');
    try {
      if (lvsd?.child.pid && lvsd.child.exitCode === null) process.kill(lvsd.child.pid, 'SIGTERM');
      await lvsd?.exited(8000);
    } finally {
      this.down();
    }
  }

  startLvsd(specs: BfdInstanceSpec[]): Proc {
    // the bundle lives in a temp dir: raw-socket (external, native) is found through NODE_PATH
    const child = spawn('ip', ['netns', 'exec', this.nsLvsd, process.execPath, this.driverJs, JSON.stringify(specs)], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_PATH: join(here, '..', '..', '..', 'node_modules') },
    });
    if (child.pid) this.pids.add(child.pid);
    return new Proc(child);
  }

  /** The real lvsd (dist/, built by the global setup) with -n in the lvsd namespace; JSON logs on stderr. */
  startLvsdDaemon(name: string, conf: string, extra: string[] = []): Proc {
    const path = join(this.dir, `${name}.conf`);
    writeFileSync(path, conf);
    const pids = ['main', 'vrrp', 'chk'].map((k) => join(this.dir, `${name}.lvsd-${k}.pid`));
    const child = spawn('ip', ['netns', 'exec', this.nsLvsd, process.execPath, LVSD_BIN, '-n', '-f', path,
      '-p', pids[0], '-r', pids[1], '-c', pids[2], '--status-socket', join(this.dir, `${name}.sock`), ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid) this.pids.add(child.pid);
    return new Proc(child);
  }

  /** node with `args` in the lvsd namespace; its stdout. */
  inLvsd(args: string[]): string {
    const r = spawnSync('ip', ['netns', 'exec', this.nsLvsd, process.execPath, ...args], { encoding: 'utf8', timeout: 20_000 });
    if (r.status !== 0) throw new Error(`node in ${this.nsLvsd} failed (${String(r.status)}): ${r.stderr}`);
    return r.stdout;
  }

  /** UDP datagrams from the keepalived namespace (its address) to `host`:`port`. */
  sendFromKa(host: string, port: number, datagrams: Buffer[]): void {
    const hex = JSON.stringify(datagrams.map((d) => d.toString('hex')));
    const script = `const s = require('node:dgram').createSocket('udp4');
      s.bind(0, '${KA_IP}', async () => {
        for (const h of ${hex}) await new Promise((r) => s.send(Buffer.from(h, 'hex'), ${port}, '${host}', r));
        s.close();
      });`;
    const r = spawnSync('ip', ['netns', 'exec', this.nsKa, process.execPath, '-e', script], { encoding: 'utf8', timeout: 20_000 });
    if (r.status !== 0) throw new Error(`sending from ${this.nsKa} failed (${String(r.status)}): ${r.stderr}`);
  }

  confPath(name: string): string {
    return join(this.dir, `${name}.conf`);
  }

  /** `lvsd status --json` of a daemon started by startLvsdDaemon(name). */
  statusOf(name: string): Record<string, unknown> {
    const r = spawnSync(process.execPath, [LVSD_BIN, 'status', '--json', '--socket', join(this.dir, `${name}.sock`)], { encoding: 'utf8', timeout: 20_000 });
    if (r.status !== 0) throw new Error(`lvsd status failed (${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  }

  /** keepalived with only bfd_instance blocks: its parent and BFD child, pid files in the lab dir. */
  startKeepalived(name: string, conf: string): Proc {
    const path = join(this.dir, `${name}.conf`);
    writeFileSync(path, conf);
    const child = spawn('ip', ['netns', 'exec', this.nsKa, 'keepalived', '-n', '-l', '-D', '-f', path,
      '-p', this.pidFile(name, 'main'), '-b', this.pidFile(name, 'bfd'), '-r', this.pidFile(name, 'vrrp'), '-c', this.pidFile(name, 'chk')],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid) this.pids.add(child.pid);
    return new Proc(child);
  }

  pidFile(name: string, which: 'main' | 'bfd' | 'vrrp' | 'chk'): string {
    return join(this.dir, `${name}.${which}.pid`);
  }

  /** The pid in keepalived's pid file (0 when absent). */
  pidOf(name: string, which: 'main' | 'bfd'): number {
    const f = this.pidFile(name, which);
    return existsSync(f) ? Number(readFileSync(f, 'utf8').trim()) : 0;
  }

  killKeepalived(name: string, signal: NodeJS.Signals): void {
    for (const w of ['bfd', 'main'] as const) {
      const pid = this.pidOf(name, w);
      if (pid > 0) {
        try { process.kill(pid, signal); } catch { /* gone */ }
      }
    }
  }

  /** Kills keepalived's BFD process without a respawn: parent stopped first, then both killed. */
  killKeepalivedBfd(name: string): void {
    const main = this.pidOf(name, 'main');
    const bfd = this.pidOf(name, 'bfd');
    if (main <= 0 || bfd <= 0) throw new Error(`keepalived ${name}: no pid files`);
    process.kill(main, 'SIGSTOP');
    process.kill(bfd, 'SIGKILL');
    process.kill(main, 'SIGKILL');
  }

  cleanup(names: string[]): void {
    for (const n of names) this.killKeepalived(n, 'SIGKILL');
    for (const pid of this.pids) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function spec(o: Partial<BfdInstanceSpec> & Pick<BfdInstanceSpec, 'name'>): BfdInstanceSpec {
  return {
    family: 4, neighbor: KA_IP, source: LVSD_IP, minRxUs: 100_000, minTxUs: 100_000, idleTxUs: 1_000_000, multiplier: 3,
    passive: false, ttl: 255, maxHops: 0, weight: 0, reverse: false, toVrrp: true, toChecker: true, ...o,
  };
}
