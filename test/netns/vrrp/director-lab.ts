// A LAN segment for two directors and an observer: namespace `seg` holds a bridge, and each
// of d1, d2 and obs has an eth0 plugged into it (veth). Directors run the VRRP runtime
// (src/vrrp/runtime-main.ts, bundled) or keepalived; the observer runs tcpdump. cleanup()
// kills every process started here and removes the namespaces; tests call it in afterAll.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { Proc, sh } from './harness.js';
import { bundleUnderCache, requirePrerequisites as netPrerequisites } from '../net/harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');

export const SUBNET = '10.88.0';
export const VIP = `${SUBNET}.100`;

export function requirePrerequisites(): void {
  netPrerequisites(); // root, tcpdump, the AF_PACKET addon (built when missing)
  const r = spawnSync('keepalived', ['--version'], { encoding: 'utf8' });
  if (r.error) throw new Error('keepalived missing (apt-get install keepalived)');
}

/** Bundles runtime-main.ts below node_modules/.cache, so `netlink`, `raw-socket`, `pino` and build/ resolve. */
export function bundleRuntime(): Promise<{ file: string; dir: string }> {
  return bundleUnderCache(join(repo, 'src', 'vrrp', 'runtime-main.ts'), 'lvsd-vrrp-rt', ['netlink', 'raw-socket', 'pino'],
    "import { createRequire as __lvsdCreateRequire } from 'node:module'; const require = __lvsdCreateRequire(import.meta.url);");
}

export interface LogLine {
  at: number;
  rec: Record<string, unknown>;
}

/** A runtime-main process: its JSON log lines, parsed. */
export class Director {
  constructor(readonly ns: string, readonly proc: Proc, readonly confPath: string) {}

  get pid(): number {
    return this.proc.child.pid ?? -1;
  }

  events(event: string, from = 0): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const l of this.proc.lines.slice(from)) {
      if (!l.text.startsWith('{')) continue;
      const rec = JSON.parse(l.text) as Record<string, unknown>;
      if (rec.event === event) out.push(rec);
    }
    return out;
  }

  /** The record of the next transition to `state` (after line index `from`). */
  async became(state: string, timeoutMs: number, from = 0): Promise<{ time: number; index: number }> {
    const l = await this.proc.waitFor(new RegExp(`"event":"vrrp.transition".*"to":"${state}"`), timeoutMs, from);
    return { time: (JSON.parse(l.text) as { time: number }).time, index: l.index };
  }

  mark(): number {
    return this.proc.lines.length;
  }

  /** Its state changes since line `from`, in order. */
  transitions(from = 0): unknown[] {
    return this.events('vrrp.transition', from).map((e) => e.to);
  }
}

export class DirectorLab {
  readonly id = `${process.pid % 10000}${Math.floor(Math.random() * 100)}`;
  readonly seg = `lvsdv-s${this.id}`;
  readonly d1 = `lvsdv-a${this.id}`;
  readonly d2 = `lvsdv-b${this.id}`;
  readonly obs = `lvsdv-o${this.id}`;
  readonly dir = mkdtempSync(join('/tmp', 'lvsd-dir-'));
  private procs: ChildProcess[] = [];

  address(ns: string): string {
    return `${SUBNET}.${ns === this.d1 ? 1 : ns === this.d2 ? 2 : 3}`;
  }

  /** `ipv6`: stable link-local addresses (fe80::1, ::2, ::3) without DAD, so adverts can go out at once. */
  up(o: { ipv6?: boolean } = {}): void {
    this.down();
    for (const ns of [this.seg, this.d1, this.d2, this.obs]) {
      sh('ip', ['netns', 'add', ns]);
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    sh('ip', ['-n', this.seg, 'link', 'add', 'br0', 'type', 'bridge']);
    sh('ip', ['-n', this.seg, 'link', 'set', 'br0', 'up']);
    [this.d1, this.d2, this.obs].forEach((ns, i) => {
      const port = `p${i + 1}`;
      sh('ip', ['link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', port, 'netns', this.seg]);
      sh('ip', ['-n', this.seg, 'link', 'set', port, 'master', 'br0']);
      sh('ip', ['-n', this.seg, 'link', 'set', port, 'up']);
      sh('ip', ['-n', ns, 'addr', 'add', `${this.address(ns)}/24`, 'dev', 'eth0']);
      if (o.ipv6) {
        sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'addrgenmode', 'none']);
        sh('ip', ['-n', ns, 'addr', 'add', `fe80::${i + 1}/64`, 'dev', 'eth0', 'nodad']);
      }
      sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    });
  }

  down(): void {
    for (const ns of [this.seg, this.d1, this.d2, this.obs]) spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 });
  }

  track(p: ChildProcess): ChildProcess {
    this.procs.push(p);
    return p;
  }

  write(name: string, text: string, mode = 0o644): string {
    const path = join(this.dir, name);
    writeFileSync(path, text, { mode });
    return path;
  }

  startLvsd(runtimeJs: string, ns: string, conf: string): Director {
    const path = this.write(`${ns}-${Date.now()}.conf`, conf);
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, runtimeJs, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    return new Director(ns, new Proc(this.track(child)), path);
  }

  startKeepalived(ns: string, name: string, conf: string): Proc {
    const path = this.write(`${name}.conf`, conf);
    const child = spawn('ip', ['netns', 'exec', ns, 'keepalived', '-n', '-l', '-D', '--vrrp', '-f', path,
      '-p', join(this.dir, `${name}.pid`), '-r', join(this.dir, `${name}.vrrp.pid`), '-c', join(this.dir, `${name}.chk.pid`)],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    return new Proc(this.track(child));
  }

  /** tcpdump in the observer namespace: ARP and VRRP, one text line per frame, kernel timestamps. */
  observe(filter = 'arp or ip proto 112'): Proc {
    const child = spawn('ip', ['netns', 'exec', this.obs, 'tcpdump', '-i', 'eth0', '--immediate-mode', '-tt', '-nn', '-l', '-e', filter],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    return new Proc(this.track(child));
  }

  /** observe(), once tcpdump says it is listening (nothing sent before then is missed). */
  async observeReady(filter?: string): Promise<Proc> {
    const obs = this.observe(filter);
    await obs.waitFor(/listening on/, 5000);
    return obs;
  }

  /** IPv4 addresses on an interface (eth0) of a namespace. */
  addrs(ns: string, dev = 'eth0'): string[] {
    const out = sh('ip', ['-n', ns, '-4', '-o', 'addr', 'show', 'dev', dev]);
    return [...out.matchAll(/inet (\S+)/g)].map((m) => m[1]);
  }

  ip(ns: string, ...args: string[]): string {
    return sh('ip', ['-n', ns, ...args]);
  }

  kill(p: { child: ChildProcess }, sig: NodeJS.Signals): void {
    if (p.child.pid && p.child.exitCode === null && p.child.signalCode === null) process.kill(p.child.pid, sig);
  }

  /** Signals keepalived's VRRP child and parent (pid files); a kill -9 of the parent alone leaves the child. */
  cleanupKeepalived(name: string, sig: NodeJS.Signals = 'SIGKILL'): void {
    for (const f of [`${name}.vrrp.pid`, `${name}.pid`]) {
      let pid = 0;
      try { pid = Number(readFileSync(join(this.dir, f), 'utf8').trim()); } catch { /* not written (yet) */ }
      if (pid > 1) {
        try { process.kill(pid, sig); } catch { /* already gone */ }
      }
    }
  }

  cleanup(): void {
    for (const p of this.procs) {
      if (p.exitCode === null && p.signalCode === null && p.pid) {
        try { process.kill(p.pid, 'SIGKILL'); } catch { /* already gone */ }
      }
    }
    // keepalived's VRRP child outlives a killed parent: its pid files say where it is.
    for (const f of spawnSync('sh', ['-c', `cat ${this.dir}/*.pid 2>/dev/null`], { encoding: 'utf8' }).stdout.split('\n')) {
      const pid = Number(f.trim());
      if (pid > 1) {
        try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
      }
    }
    this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function lvsdConf(o: {
  priority: number; advertInt?: string; nopreempt?: boolean; extra?: string; global?: string; vrid?: number; version?: number; state?: string;
}): string {
  return `global_defs {
  router_id lvsd_test
  vrrp_garp_master_delay 1
  vrrp_garp_master_repeat 2
  ${o.global ?? ''}
}
vrrp_instance VI_1 {
  state ${o.state ?? 'BACKUP'}
  interface eth0
  virtual_router_id ${o.vrid ?? 51}
  version ${o.version ?? 2}
  priority ${o.priority}
  advert_int ${o.advertInt ?? '1'}
  ${o.nopreempt ? 'nopreempt' : ''}
  ${o.extra ?? ''}
  virtual_ipaddress {
    ${VIP}/24
  }
}
`;
}

/** The VIP of VI2_CONF, a second instance reload tests add next to lvsdConf's VI_1. */
export const VIP2 = `${SUBNET}.101`;
export const VI2_CONF = `
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 52
  priority 120
  advert_int 1
  virtual_ipaddress {
    ${VIP2}/24
  }
}
`;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every 50 ms; throws `timed out: <what>` when it still fails after `ms`. */
export async function until(cond: () => boolean, ms: number, what = 'condition'): Promise<void> {
  for (let t = 0; t < ms && !cond(); t += 50) await sleep(50);
  if (!cond()) throw new Error(`timed out: ${what}`);
}

/** A notify FIFO held open without blocking, as keepalived's reader would; reads what has arrived. */
export class FifoReader {
  private readonly fd: number;
  private readonly buf = Buffer.alloc(8192);
  constructor(path: string) {
    this.fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  }
  /** What the writers sent since the last read ('' when nothing: EAGAIN). */
  text(): string {
    try {
      return this.buf.subarray(0, readSync(this.fd, this.buf, 0, this.buf.length, null)).toString();
    } catch {
      return '';
    }
  }
  lines(): string[] {
    return this.text().split('\n').filter(Boolean);
  }
  close(): void {
    closeSync(this.fd);
  }
}

/** Polls `ip addr` of a namespace until the VIP is (or is not) there. Resolves with Date.now() at that moment. */
export async function waitVip(lab: DirectorLab, ns: string, present: boolean, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    if (lab.addrs(ns).includes(`${VIP}/24`) === present) return Date.now();
    await sleep(20);
  }
  throw new Error(`VIP ${VIP} ${present ? 'not added to' : 'still on'} ${ns} within ${timeoutMs} ms: ${lab.addrs(ns).join(', ')}`);
}

/**
 * The lab every director test needs: prerequisites checked, namespaces ready to build, the
 * runtime bundled once; torn down after the file even when a test fails.
 */
export function useDirectorLab(): { lab: DirectorLab; rt: { file: string; dir: string } } {
  const env = {} as { lab: DirectorLab; rt: { file: string; dir: string } };
  beforeAll(async () => {
    requirePrerequisites();
    env.lab = new DirectorLab();
    env.rt = await bundleRuntime();
  });
  afterAll(() => {
    env.lab?.cleanup();
    if (env.rt) rmSync(env.rt.dir, { recursive: true, force: true });
  });
  return env;
}
