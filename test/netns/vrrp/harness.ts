// Namespaces, processes and the bundled driver for the VRRP netns tests. Everything created
// here is torn down by cleanup(), which tests call in afterAll/finally.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll } from 'vitest';
import type { DriverConfig } from './driver.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');

export function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.stdout || r.error}`);
  return r.stdout;
}

export function requirePrerequisites(): void {
  if (process.getuid?.() !== 0) throw new Error('netns VRRP tests need root');
  if (!existsSync('/usr/sbin/keepalived')) throw new Error('/usr/sbin/keepalived missing (apt-get install keepalived)');
}

/** Bundles driver.ts into a temp dir; raw-socket stays external and is found via NODE_PATH. */
export async function bundleDriver(dir: string): Promise<string> {
  const outfile = join(dir, 'driver.mjs');
  await build({
    entryPoints: [join(here, 'driver.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20',
    outfile, external: ['raw-socket'], logLevel: 'error',
  });
  return outfile;
}

export class Lab {
  readonly id = `${process.pid % 100000}`;
  readonly nsLvsd = `lvsdv-l${this.id}`;
  readonly nsKa = `lvsdv-k${this.id}`;
  readonly ifLvsd = 'vrl0';
  readonly ifKa = 'vrk0';
  readonly dir = mkdtempSync(join(tmpdir(), 'lvsd-vrrp-'));
  private procs: ChildProcess[] = [];

  up(): void {
    this.down();
    sh('ip', ['netns', 'add', this.nsLvsd]);
    sh('ip', ['netns', 'add', this.nsKa]);
    sh('ip', ['link', 'add', this.ifLvsd, 'netns', this.nsLvsd, 'type', 'veth', 'peer', 'name', this.ifKa, 'netns', this.nsKa]);
    sh('ip', ['-n', this.nsLvsd, 'addr', 'add', '10.77.0.1/24', 'dev', this.ifLvsd]);
    sh('ip', ['-n', this.nsKa, 'addr', 'add', '10.77.0.2/24', 'dev', this.ifKa]);
    // Fixed link-local addresses (fe80::1 lvsd, fe80::2 keepalived) instead of generated ones.
    for (const [ns, ifn, ll] of [[this.nsLvsd, this.ifLvsd, 'fe80::1'], [this.nsKa, this.ifKa, 'fe80::2']]) {
      sh('ip', ['-n', ns, 'link', 'set', ifn, 'addrgenmode', 'none']);
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      sh('ip', ['-n', ns, 'link', 'set', ifn, 'up']);
      sh('ip', ['-n', ns, 'addr', 'add', `${ll}/64`, 'dev', ifn, 'nodad']);
    }
  }

  down(): void {
    for (const ns of [this.nsLvsd, this.nsKa]) spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 });
  }

  track(p: ChildProcess): ChildProcess {
    this.procs.push(p);
    return p;
  }

  /** keepalived forks a VRRP child; its pid file lets us kill it too (kill -9 of the parent leaves it). */
  killKeepalived(name: string, signal: NodeJS.Signals): void {
    for (const f of [`${name}.vrrp.pid`, `${name}.pid`]) {
      const path = join(this.dir, f);
      if (!existsSync(path)) continue;
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (pid > 0) {
        try { process.kill(pid, signal); } catch { /* already gone */ }
      }
    }
  }

  cleanup(): void {
    for (const f of readdirSync(this.dir).filter((x) => x.endsWith('.pid'))) {
      this.killKeepalived(f.replace(/(\.vrrp|\.chk)?\.pid$/, ''), 'SIGKILL');
    }
    for (const p of this.procs) {
      if (p.exitCode === null && p.signalCode === null && p.pid) {
        try { process.kill(p.pid, 'SIGKILL'); } catch { /* already gone */ }
      }
    }
    this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A child process whose output lines are kept and can be awaited. */
export class Proc {
  readonly lines: Array<{ at: number; text: string }> = [];
  readonly child: ChildProcess;
  private waiters: Array<() => void> = [];

  constructor(child: ChildProcess) {
    this.child = child;
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        this.lines.push({ at: Date.now(), text: buf.slice(0, i) });
        buf = buf.slice(i + 1);
      }
      for (const w of this.waiters.splice(0)) w();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', () => { for (const w of this.waiters.splice(0)) w(); });
  }

  /** Resolves with the first line (after index `from`) matching, or rejects after timeoutMs. */
  async waitFor(re: RegExp, timeoutMs: number, from = 0): Promise<{ at: number; text: string; index: number }> {
    const deadline = Date.now() + timeoutMs;
    for (let guard = 0; guard < 100_000; guard++) {
      for (let i = from; i < this.lines.length; i++) if (re.test(this.lines[i].text)) return { ...this.lines[i], index: i };
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise<void>((res) => {
        const t = setTimeout(res, Math.min(left, 200));
        this.waiters.push(() => { clearTimeout(t); res(); });
      });
    }
    throw new Error(`timed out waiting for ${re}; output:\n${this.lines.map((l) => l.text).join('\n')}`);
  }

  matching(re: RegExp, from = 0): string[] {
    return this.lines.slice(from).map((l) => l.text).filter((t) => re.test(t));
  }

  async exited(timeoutMs: number): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error('process did not exit')), timeoutMs);
      this.child.on('exit', () => { clearTimeout(t); res(); });
    });
  }
}

export function startDriver(lab: Lab, driverJs: string, cfg: DriverConfig): Proc {
  const child = spawn('ip', ['netns', 'exec', lab.nsLvsd, process.execPath, driverJs, JSON.stringify(cfg)], {
    env: { ...process.env, NODE_PATH: join(repo, 'node_modules') }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Proc(lab.track(child));
}

export function startKeepalived(lab: Lab, name: string, conf: string): Proc {
  const confPath = join(lab.dir, `${name}.conf`);
  writeFileSync(confPath, conf);
  const child = spawn('ip', ['netns', 'exec', lab.nsKa, 'keepalived', '-n', '-l', '-D', '--vrrp', '-f', confPath,
    '-p', join(lab.dir, `${name}.pid`), '-r', join(lab.dir, `${name}.vrrp.pid`), '-c', join(lab.dir, `${name}.chk.pid`)],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Proc(lab.track(child));
}

/** A lab and the bundled test driver for one test file; removed after it, even on failure. */
export function useDriverLab(o: { up: boolean }): { lab: Lab; driverJs: string } {
  const env = {} as { lab: Lab; driverJs: string };
  beforeAll(async () => {
    requirePrerequisites();
    env.lab = new Lab();
    env.driverJs = await bundleDriver(env.lab.dir);
    if (o.up) env.lab.up();
  });
  afterAll(() => env.lab?.cleanup());
  return env;
}
