// The real `lvsd` binary (dist/src/cli/lvsd.js, built by the global setup) in the VRRP
// director lab's namespaces: started with -n and its own pid files, logs on stderr. The lab's
// cleanup() kills what is still running and removes the namespaces.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { DirectorLab, requirePrerequisites } from '../vrrp/director-lab.js';
import { Proc } from '../vrrp/harness.js';
import type { DaemonStatus } from '../../../src/daemon/state.js';

const here = dirname(fileURLToPath(import.meta.url));
export const LVSD = join(here, '..', '..', '..', 'dist', 'src', 'cli', 'lvsd.js');

export interface Lvsd {
  proc: Proc;
  conf: string;
  pidFiles: string[];
  /** its status socket, in the lab's folder */
  socket: string;
  /** where its keepalived-style dumps go (TMPDIR) */
  dumpDir: string;
  exited: Promise<number | null>;
}

export function startLvsd(lab: DirectorLab, ns: string, confText: string, extra: string[] = []): Lvsd {
  const conf = lab.write(`${ns}-lvsd.conf`, confText);
  const pidFiles = ['main', 'vrrp', 'chk'].map((k) => join(lab.dir, `${ns}-${k}.pid`));
  const socket = join(lab.dir, `${ns}.sock`);
  const dumpDir = join(lab.dir, `${ns}-dumps`);
  mkdirSync(dumpDir, { recursive: true });
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, LVSD, '-n', '-f', conf,
    '-p', pidFiles[0], '-r', pidFiles[1], '-c', pidFiles[2], '--status-socket', socket, ...extra],
  { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: dumpDir } });
  lab.track(child);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { proc: new Proc(child), conf, pidFiles, socket, dumpDir, exited };
}

/** `lvsd status --json` against a daemon's socket. */
export function statusOf(d: Lvsd): DaemonStatus {
  const r = spawnSync(process.execPath, [LVSD, 'status', '--json', '--socket', d.socket], { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`lvsd status failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as DaemonStatus;
}

/** GET http://127.0.0.1:port/metrics from inside a namespace. */
export function metricsOf(ns: string, port: number): string {
  const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '-e',
    `fetch('http://127.0.0.1:${port}/metrics').then((r) => r.text()).then((t) => process.stdout.write(t), (e) => { console.error(String(e)); process.exit(1); })`],
  { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`metrics fetch failed: ${r.stderr}`);
  return r.stdout;
}

/** `ip -o monitor address` inside a namespace: one line per address added or deleted. */
export function monitorAddresses(lab: DirectorLab, ns: string): Proc {
  const child = spawn('ip', ['-n', ns, '-o', 'monitor', 'address'], { stdio: ['ignore', 'pipe', 'pipe'] });
  lab.track(child);
  return new Proc(child);
}

export function useDaemonLab(): { lab: DirectorLab } {
  const env = {} as { lab: DirectorLab };
  beforeAll(() => {
    requirePrerequisites();
    if (!existsSync(LVSD)) throw new Error(`${LVSD} missing: build with npx tsc -p .`);
    env.lab = new DirectorLab();
    env.lab.up();
  });
  afterAll(() => env.lab?.cleanup());
  return env;
}
