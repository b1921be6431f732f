// Pid files. keepalived writes one for its parent and one per child (/run/keepalived.pid,
// /run/vrrp.pid, /run/checkers.pid). lvsd is one process that never forks, so every pid file it
// writes holds the same pid; the defaults carry lvsd's own name so both daemons can coexist:
// /run/lvsd.pid always, /run/lvsd_vrrp.pid while VRRP runs, /run/lvsd_checkers.pid while the
// checkers run. A pid file naming a live process that is not us means lvsd already runs.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';

export const DEFAULT_PID_FILE = '/run/lvsd.pid';
export const DEFAULT_VRRP_PID_FILE = '/run/lvsd_vrrp.pid';
export const DEFAULT_CHECKERS_PID_FILE = '/run/lvsd_checkers.pid';

export interface PidFileOptions {
  pidFile?: string;
  vrrpPidFile?: string;
  checkersPidFile?: string;
}

/** The pid files this run writes, by subsystem. */
export function pidFilePaths(o: PidFileOptions, vrrp: boolean, checkers: boolean): string[] {
  const out = [o.pidFile ?? DEFAULT_PID_FILE];
  if (vrrp) out.push(o.vrrpPidFile ?? DEFAULT_VRRP_PID_FILE);
  if (checkers) out.push(o.checkersPidFile ?? DEFAULT_CHECKERS_PID_FILE);
  return [...new Set(out)];
}

/** The pid a pid file names, or undefined (absent, empty, not a number). */
export function readPid(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const n = Number(text.trim());
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, it is just not ours to signal
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class AlreadyRunning extends Error {}

/** Writes `pid` to every path; refuses when one names another live process. */
export function writePidFiles(paths: readonly string[], pid = process.pid, alive = processAlive): void {
  for (const p of paths) {
    const other = readPid(p);
    if (other !== undefined && other !== pid && alive(other)) throw new AlreadyRunning(`lvsd is already running (pid ${other} in ${p})`);
  }
  for (const p of paths) writeFileSync(p, `${pid}\n`);
}

/** Removes the pid files that still name `pid` (never another daemon's). */
export function removePidFiles(paths: readonly string[], pid = process.pid): void {
  for (const p of paths) {
    if (readPid(p) !== pid) continue;
    try {
      unlinkSync(p);
    } catch {
      // gone already
    }
  }
}
