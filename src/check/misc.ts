// MISC_CHECK: runs a program (no shell) in its own process group. Exit 0 is success; with
// misc_dynamic an exit status 2..255 is success too and asks for weight status - 2 (1 stays
// a failure). A program still running at misc_timeout gets SIGTERM on its whole group, then
// SIGKILL 2 s later; that is a failure. Node reaps every child, so none is left a zombie.
import { spawn } from 'node:child_process';
import type { CheckResult, Probe } from './types.js';
import type { Ids } from './users.js';

export interface MiscSpec {
  args: string[];
  /** microseconds; keepalived uses the virtual server's delay_loop when misc_timeout is 0/absent */
  timeoutUs: number;
  dynamic: boolean;
  ids?: Ids;
  /** grace between SIGTERM and SIGKILL, ms (keepalived: 2 s) */
  killGraceMs?: number;
}

export function interpretExit(code: number | null, signal: string | null, timedOut: boolean, dynamic: boolean): CheckResult {
  if (timedOut) return { ok: false, reason: 'timed out' };
  if (code === null) return { ok: false, reason: `killed by ${signal ?? 'signal'}` };
  if (code === 0) return { ok: true, reason: 'exit 0', ...(dynamic ? { weight: null } : {}) };
  if (dynamic && code >= 2 && code <= 255) return { ok: true, reason: `exit ${code}`, weight: code - 2 };
  return { ok: false, reason: `exited with status ${code}` };
}

export function runMisc(spec: MiscSpec, signal: AbortSignal): Promise<CheckResult> {
  return new Promise<CheckResult>((resolve) => {
    if (spec.args.length === 0) return resolve({ ok: false, reason: 'no program' });
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const child = spawn(spec.args[0], spec.args.slice(1), {
      stdio: 'ignore',
      detached: true, // own process group, so a timeout kills the program and its children
      ...(spec.ids ? { uid: spec.ids.uid, gid: spec.ids.gid } : {}),
    });
    const killGroup = (sig: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    const terminate = (): void => {
      if (timedOut) return;
      timedOut = true;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), spec.killGraceMs ?? 2000);
    };
    const timer = setTimeout(terminate, Math.max(1, spec.timeoutUs / 1000));
    const onAbort = (): void => terminate();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) terminate();
    let settled = false;
    const finish = (r: CheckResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      // after a timeout, whatever the program started dies with it (keepalived does the same)
      if (timedOut) killGroup('SIGKILL');
      resolve(r);
    };
    child.once('error', (e: NodeJS.ErrnoException) => finish({ ok: false, reason: `cannot run: ${e.code ?? e.message}` }));
    child.once('exit', (code, sig) => finish(interpretExit(code, sig, timedOut, spec.dynamic)));
  });
}

export class MiscProbe implements Probe {
  constructor(readonly spec: MiscSpec) {}
  run(_step: number, signal: AbortSignal): Promise<CheckResult> {
    return runMisc(this.spec, signal);
  }
}
