// Fresh network namespaces for kernel tests inside the VM: each test gets its own IPVS table,
// links and routes (IPVS state is per network namespace).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Netns {
  readonly name: string;
  /** Runs argv inside the namespace, returns stdout; throws with stderr on a non-zero exit. */
  exec(cmd: string, args?: readonly string[], opts?: { input?: string; timeoutMs?: number }): string;
  /** Like exec, but returns the status and both streams instead of throwing. */
  run(cmd: string, args?: readonly string[], opts?: { input?: string; timeoutMs?: number }): RunResult;
  destroy(): void;
}

export interface RunResult { status: number; stdout: string; stderr: string }

let counter = 0;

/** Throws unless running inside the harness VM (node test/kernel/vm/run.mjs). */
export function requireVm(): void {
  if (process.env.LVSD_IN_VM !== '1' || !existsSync('/proc/net/ip_vs')) {
    throw new Error('kernel tests run inside the VM only: use `node test/kernel/vm/run.mjs` (or npm test)');
  }
}

function runIn(name: string, cmd: string, args: readonly string[], opts: { input?: string; timeoutMs?: number }): RunResult {
  try {
    const stdout = execFileSync('ip', ['netns', 'exec', name, cmd, ...args], {
      // Generous by default: starting node under TCG on a busy host can take many seconds.
      encoding: 'utf8', input: opts.input, timeout: opts.timeoutMs ?? 90_000, stdio: ['pipe', 'pipe', 'pipe'],
    });
    return { status: 0, stdout, stderr: '' };
  } catch (e: unknown) {
    const err = e as { status?: number | null; stdout?: string; stderr?: string; message?: string };
    return { status: err.status ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? err.message ?? '' };
  }
}

/** Creates a namespace named `<prefix>-<pid>-<n>` with lo up. */
export function createNetns(prefix = 'kt'): Netns {
  requireVm();
  const name = `${prefix}-${process.pid}-${++counter}`;
  execFileSync('ip', ['netns', 'add', name], { stdio: 'pipe' });
  let alive = true;
  const ns: Netns = {
    name,
    run: (cmd, args = [], opts = {}) => runIn(name, cmd, args, opts),
    exec(cmd, args = [], opts = {}) {
      const r = runIn(name, cmd, args, opts);
      if (r.status !== 0) throw new Error(`[netns ${name}] ${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
      return r.stdout;
    },
    destroy() {
      if (!alive) return;
      alive = false;
      execFileSync('ip', ['netns', 'del', name], { stdio: 'pipe' });
    },
  };
  try {
    ns.exec('ip', ['link', 'set', 'lo', 'up']);
  } catch (e) {
    ns.destroy();
    throw e;
  }
  return ns;
}

/** Runs fn in a fresh namespace and always deletes it afterwards. */
export async function withNetns<T>(prefix: string, fn: (ns: Netns) => T | Promise<T>): Promise<T> {
  const ns = createNetns(prefix);
  try {
    return await fn(ns);
  } finally {
    ns.destroy();
  }
}
