// The virtual-server policy's scripts (real server notify_up/notify_down, quorum_up/quorum_down)
// through the shared child-process edge: no shell, own process group, a timeout that kills
// the group, bounded concurrency. A failing script is logged, never fatal.
import { runCommand, type RunResult } from '../vrrp/trackers/run-command.js';
import { resolveCredentials, type Credentials } from '../vrrp/trackers/command.js';
import { Limiter } from '../vrrp/trackers/limiter.js';
import type { LvsAction, ScriptSpec } from '../lvs/policy.js';
import type { Logger } from './log.js';

export class LvsScripts {
  private readonly limiter: Limiter;
  private readonly running = new Set<Promise<RunResult>>();

  constructor(private readonly log: Logger, concurrency = 8, private readonly timeoutMs = 30_000) {
    this.limiter = new Limiter(concurrency);
  }

  /** Runs the script an action carries, if any. */
  run(a: LvsAction): void {
    const s: ScriptSpec | undefined = 'script' in a ? a.script : undefined;
    if (!s) return;
    let credentials: Credentials | undefined;
    try {
      credentials = s.user ? resolveCredentials(s.user, s.group) : undefined;
    } catch (e) {
      this.log.warn({ event: 'lvs.script-failed', cmd: s.cmd, err: String(e) }, `script ${s.cmd} not run`);
      return;
    }
    const p = this.limiter.run(() => runCommand(s.cmd, { timeoutMs: this.timeoutMs, ...(credentials ? { credentials } : {}) }));
    this.running.add(p);
    void p.then((r) => {
      this.running.delete(p);
      if (r.kind !== 'exit' || r.code !== 0) this.log.warn({ event: 'lvs.script-failed', cmd: s.cmd, action: a.kind, result: r }, `script ${s.cmd} failed`);
    });
  }

  /** Waits up to `ms` for running scripts (omega's shutdown scripts). */
  async settle(ms: number): Promise<void> {
    if (this.running.size === 0) return;
    let t: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => { t = setTimeout(r, ms); })]);
    if (t) clearTimeout(t);
  }
}
