// Namespaces, the bundled agent (agent.ts) and a tcpdump observer for the src/net netns
// tests. Lab.cleanup() removes everything it created; tests call it in afterAll.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { basename, join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = join(here, '..', '..', '..');
const addon = join(repo, 'build', 'Release', 'lvsd_packet.node');
const addonSource = join(repo, 'src', 'net', 'native', 'packet.c');

export const wall = (): number => performance.timeOrigin + performance.now();

export function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.stdout || r.error}`);
  return r.stdout;
}

const addonFresh = (): boolean => existsSync(addon) && statSync(addon).mtimeMs >= statSync(addonSource).mtimeMs;

/**
 * Root, tcpdump, and the AF_PACKET addon: `npm ci` builds it; when it is missing or older than
 * its source, it is built here with npm's node-gyp, one test file at a time (a mkdir lock).
 */
export function requirePrerequisites(): void {
  if (process.getuid?.() !== 0) throw new Error('src/net netns tests need root');
  if (!existsSync('/usr/bin/tcpdump')) throw new Error('/usr/bin/tcpdump missing (apt-get install tcpdump)');
  if (addonFresh()) return;
  const lock = join(repo, 'build.lvsd-lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${lock} held for 3 minutes: remove it if no build is running`);
      spawnSync('sleep', ['0.2']);
    }
  }
  try {
    if (addonFresh()) return;
    const npmRoot = sh('npm', ['root', '-g']).trim();
    const gyp = join(npmRoot, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    const nodedir = sh('npm', ['config', 'get', 'nodedir']).trim();
    const args = [gyp, 'rebuild', ...(nodedir && nodedir !== 'undefined' && nodedir !== 'null' ? [`--nodedir=${nodedir}`] : [])];
    const r = spawnSync(process.execPath, args, { cwd: repo, encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0 || !existsSync(addon)) throw new Error(`building the AF_PACKET addon failed:\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Bundles `entry` into a fresh folder `<prefix>-*` under node_modules/.cache, so that the
 * `external` packages and build/ (the native addons) resolve from it.
 */
export async function bundleUnderCache(
  entry: string, prefix: string, external: string[], banner?: string,
): Promise<{ file: string; dir: string }> {
  const base = join(repo, 'node_modules', '.cache');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, `${prefix}-`));
  const file = join(dir, `${basename(entry, '.ts')}.mjs`);
  await build({
    entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20',
    outfile: file, external, logLevel: 'error', ...(banner ? { banner: { js: banner } } : {}),
  });
  return { file, dir };
}

/** Bundles agent.ts (see bundleUnderCache). */
export function bundleAgent(): Promise<{ file: string; dir: string }> {
  return bundleUnderCache(join(here, 'agent.ts'), 'lvsd-net', ['netlink']);
}

/** Two namespaces joined by a veth pair: `ns` (interface `dev`) and an observer `obs` (`obsDev`). */
export class Lab {
  readonly id = `${process.pid % 100000}${Math.floor(Math.random() * 100)}`;
  readonly ns: string;
  readonly obs: string;
  readonly dev = 'n0';
  readonly obsDev = 'o0';
  readonly devMac = '02:00:00:00:01:01';
  private procs: ChildProcess[] = [];
  private dirs: string[] = [];

  constructor(tag: string) {
    this.ns = `lvsdn-${tag}${this.id}`;
    this.obs = `lvsdo-${tag}${this.id}`;
  }

  up(): void {
    this.down();
    sh('ip', ['netns', 'add', this.ns]);
    sh('ip', ['netns', 'add', this.obs]);
    sh('ip', ['link', 'add', this.dev, 'netns', this.ns, 'address', this.devMac, 'type', 'veth', 'peer', 'name', this.obsDev, 'netns', this.obs]);
    for (const [ns, dev] of [[this.ns, this.dev], [this.obs, this.obsDev]]) {
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);
    }
  }

  ip(...args: string[]): string {
    return sh('ip', ['-n', this.ns, ...args]);
  }

  ipObs(...args: string[]): string {
    return sh('ip', ['-n', this.obs, ...args]);
  }

  track<T extends ChildProcess>(p: T): T {
    this.procs.push(p);
    return p;
  }

  trackDir(d: string): void {
    this.dirs.push(d);
  }

  down(): void {
    for (const ns of [this.ns, this.obs]) spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 });
  }

  cleanup(): void {
    for (const p of this.procs) {
      if (p.exitCode === null && p.signalCode === null && p.pid) {
        try { process.kill(p.pid, 'SIGKILL'); } catch { /* already gone */ }
      }
    }
    this.down();
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}

export interface AgentEvent { event: string; at: number; [k: string]: unknown }

export class AgentError extends Error {
  constructor(message: string, readonly errno: number | undefined, readonly code: string | undefined) { super(message); }
}

/** The agent process in the lab namespace: call(op, args) and a log of pushed events. */
export class Agent {
  readonly events: AgentEvent[] = [];
  private seq = 0;
  private waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private eventWaiters: Array<() => void> = [];
  private stderr = '';

  private constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = JSON.parse(line) as { id?: number; ok?: boolean; value?: unknown; error?: { message: string; errno?: number; code?: string }; event?: string; at?: number };
      if (m.event) {
        this.events.push(m as AgentEvent);
        for (const w of this.eventWaiters.splice(0)) w();
        return;
      }
      const w = this.waiting.get(m.id ?? -1);
      if (!w) return;
      this.waiting.delete(m.id ?? -1);
      if (m.ok) w.resolve(m.value);
      else w.reject(new AgentError(m.error?.message ?? 'agent error', m.error?.errno, m.error?.code));
    });
    child.stderr?.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    child.on('exit', () => {
      for (const w of this.waiting.values()) w.reject(new Error(`agent exited: ${this.stderr}`));
      this.waiting.clear();
      for (const w of this.eventWaiters.splice(0)) w();
    });
  }

  static async start(lab: Lab, file: string): Promise<Agent> {
    const child = lab.track(spawn('ip', ['netns', 'exec', lab.ns, process.execPath, file], { stdio: ['pipe', 'pipe', 'pipe'] }));
    const agent = new Agent(child);
    await agent.waitEvent((e) => e.event === 'ready', 10_000);
    return agent;
  }

  call<T>(op: string, args: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<T> {
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => { this.waiting.delete(id); reject(new Error(`agent ${op} timed out; stderr: ${this.stderr}`)); }, timeoutMs);
      this.waiting.set(id, {
        resolve: (v) => { clearTimeout(t); resolve(v as T); },
        reject: (e) => { clearTimeout(t); reject(e); },
      });
      this.child.stdin!.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  }

  /** The first event (from index `from`) matching, or throws after timeoutMs. */
  async waitEvent(match: (e: AgentEvent) => boolean, timeoutMs: number, from = 0): Promise<AgentEvent> {
    const deadline = Date.now() + timeoutMs;
    for (let guard = 0; guard < 100_000; guard++) {
      for (let i = from; i < this.events.length; i++) if (match(this.events[i])) return this.events[i];
      const left = deadline - Date.now();
      if (left <= 0 || this.child.exitCode !== null) break;
      await new Promise<void>((res) => {
        const t = setTimeout(res, Math.min(left, 100));
        this.eventWaiters.push(() => { clearTimeout(t); res(); });
      });
    }
    throw new Error(`no matching agent event within ${timeoutMs} ms; events: ${JSON.stringify(this.events.slice(from))}; stderr: ${this.stderr}`);
  }
}

/** tcpdump in the observer namespace, printing every frame matching `filter` as hex with its capture time. */
export class Observer {
  readonly frames: Array<{ at: number; hex: string }> = [];
  private current: string[] = [];
  private child: ChildProcess;
  private stderr = '';

  private constructor(lab: Lab, filter: string) {
    this.child = lab.track(spawn('ip', ['netns', 'exec', lab.obs, 'tcpdump', '-i', lab.obsDev, '--immediate-mode', '-tt', '-nn', '-l', '-xx', '-B', '4096', filter], { stdio: ['ignore', 'pipe', 'pipe'] }));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      if (/^\s+0x[0-9a-f]+:/.test(line)) {
        this.current.push(...line.trim().split(/\s+/).slice(1).filter((g) => /^[0-9a-f]{2,4}$/.test(g)));
        return;
      }
      this.flush();
      // -tt: the kernel's capture time, epoch seconds with microseconds.
      const ts = /^(\d+\.\d+) /.exec(line);
      this.pendingAt = ts ? Number(ts[1]) * 1000 : wall();
    });
    this.child.stderr?.on('data', (d: Buffer) => { this.stderr += d.toString(); });
  }

  private pendingAt = 0;

  private flush(): void {
    if (this.current.length) this.frames.push({ at: this.pendingAt, hex: this.current.join('') });
    this.current = [];
  }

  static async start(lab: Lab, filter: string): Promise<Observer> {
    const o = new Observer(lab, filter);
    const deadline = Date.now() + 10_000;
    while (!/listening on/.test(o.stderr)) {
      if (Date.now() > deadline || o.child.exitCode !== null) throw new Error(`tcpdump did not start: ${o.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return o;
  }

  /** Capture time (epoch ms) of the first frame equal to `hex`, the one still being printed included. */
  stampOf(hex: string): number | undefined {
    const f = this.frames.find((x) => x.hex === hex);
    if (f) return f.at;
    return this.current.join('') === hex ? this.pendingAt : undefined;
  }

  /** Frames matching `pred` once `count` of them were seen (the last one may still be printing). */
  async waitFrames(pred: (hex: string) => boolean, count: number, timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (let guard = 0; guard < 10_000; guard++) {
      const done = [...this.frames.map((f) => f.hex), this.current.join('')].filter((h) => h && pred(h));
      if (done.length >= count) return done;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`observer saw ${this.frames.length} frames, not ${count} matching; ${JSON.stringify(this.frames)}`);
  }
}

/**
 * The usual start of a net test: prerequisites, the lab's namespaces, `prepare` (addresses, a
 * kernel feature check) once they are up, and its agent running in them.
 */
export async function startLabAgent(lab: Lab, prepare?: () => void): Promise<Agent> {
  requirePrerequisites();
  lab.up();
  prepare?.();
  const b = await bundleAgent();
  lab.trackDir(b.dir);
  return Agent.start(lab, b.file);
}
