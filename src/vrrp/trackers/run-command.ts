// The one child-process edge for scripts (vrrp_script, notify): no shell, own process group,
// a timeout that kills the whole group (TERM, then KILL), and every child waited for, so
// no zombie is left behind. Resolves with how the run ended; never rejects.
import { spawn } from 'node:child_process';
import { splitCommand, type Credentials } from './command.js';

export type RunResult =
  | { kind: 'exit'; code: number }
  | { kind: 'signal'; signal: string }
  | { kind: 'timeout' }
  | { kind: 'error'; message: string };

export interface RunOptions {
  timeoutMs?: number;
  /** Extra arguments after the command line's own (notify's TYPE NAME STATE PRIORITY). */
  args?: string[];
  credentials?: Credentials;
  /** Grace between SIGTERM and SIGKILL after a timeout. */
  killGraceMs?: number;
}

export function runCommand(line: string, o: RunOptions = {}): Promise<RunResult> {
  const argv = [...splitCommand(line), ...(o.args ?? [])];
  if (argv.length === 0) return Promise.resolve({ kind: 'error', message: 'empty command' });
  return new Promise((resolve) => {
    let timedOut = false;
    let done = false;
    const finish = (r: RunResult): void => {
      if (done) return;
      done = true;
      resolve(r);
    };
    let child;
    try {
      child = spawn(argv[0], argv.slice(1), {
        stdio: 'ignore', detached: true, ...(o.credentials ? { uid: o.credentials.uid, gid: o.credentials.gid } : {}),
      });
    } catch (e) {
      finish({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
      return;
    }
    const pid = child.pid;
    const killGroup = (sig: NodeJS.Signals): void => {
      if (pid === undefined) return;
      try { process.kill(-pid, sig); } catch { /* already gone */ }
    };
    let grace: NodeJS.Timeout | undefined;
    const timer = o.timeoutMs !== undefined && o.timeoutMs > 0
      ? setTimeout(() => {
        timedOut = true;
        killGroup('SIGTERM');
        grace = setTimeout(() => killGroup('SIGKILL'), o.killGraceMs ?? 1000);
      }, o.timeoutMs)
      : undefined;
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      finish({ kind: 'error', message: e.message });
    });
    // 'exit' means the child was reaped; the slot frees only then.
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (grace) clearTimeout(grace);
      if (timedOut) finish({ kind: 'timeout' });
      else if (signal) finish({ kind: 'signal', signal });
      else finish({ kind: 'exit', code: code ?? 0 });
    });
  });
}
