// One vrrp_script: runs every interval (never two runs at once), with the timeout, through a
// shared Limiter, and reports status changes. Exit 0 is success; anything else (non-zero,
// signal, timeout, failure to start) is a failure, as keepalived counts it.
import { EventEmitter } from 'node:events';
import { ScriptStatus } from './script-status.js';
import { runCommand, type RunResult } from './run-command.js';
import { resolveCredentials, type Credentials } from './command.js';
import type { Limiter } from './limiter.js';
import type { ScriptSpec } from '../from-model.js';

export class ScriptTracker extends EventEmitter {
  readonly status: ScriptStatus;
  runs = 0;
  lastResult: RunResult | null = null;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;
  private readonly creds: Credentials | undefined;

  constructor(readonly spec: ScriptSpec, private readonly limiter: Limiter) {
    super();
    this.status = new ScriptStatus(spec.rise, spec.fall, spec.initFail);
    this.creds = spec.user ? resolveCredentials(spec.user, spec.group) : undefined;
  }

  get up(): boolean {
    return this.status.up;
  }

  start(): void {
    this.stopped = false;
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), this.spec.intervalMs);
    if (this.running) return; // the previous run is still going (its timeout bounds it)
    this.running = true;
    void this.limiter.run(() => runCommand(this.spec.cmd, { timeoutMs: this.spec.timeoutMs, ...(this.creds ? { credentials: this.creds } : {}) }))
      .then((r) => {
        this.running = false;
        this.runs++;
        this.lastResult = r;
        if (this.stopped) return;
        const ok = r.kind === 'exit' && r.code === 0;
        if (this.status.result(ok)) this.emit('change', this.status.up, r);
      });
  }
}
