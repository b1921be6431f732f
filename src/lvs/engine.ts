// Wires checkers to virtual-server policies: every check result goes through its counting
// machine, transitions go to the policy, and the policies' desired rows go to `apply`
// (the IPVS reconciler in the daemon, anything in tests). Changes are coalesced: one apply
// at a time, the latest state wins.
import type { Model, VirtualServer } from '../config/model.js';
import { buildCheckers, type BuiltChecker, type BuildContext } from '../check/build.js';
import { fileStatus, readTrackFile, TrackFileWatcher } from '../check/file-track.js';
import type { Decision } from '../check/machine.js';
import { CheckScheduler } from '../check/scheduler.js';
import type { CheckResult } from '../check/types.js';
import type { TableRow } from '../ipvs/reconcile.js';
import { policyConfig } from './from-model.js';
import { VirtualServerPolicy, type LvsAction } from './policy.js';

export interface CheckEvent {
  vs: string;
  rs: string;
  checker: string;
  result: CheckResult;
  decision: Decision;
}

export interface EngineOptions {
  model: Model;
  apply: (rows: TableRow[]) => Promise<void> | void;
  onAction?: (a: LvsAction) => void;
  onCheck?: (e: CheckEvent) => void;
  onError?: (err: unknown) => void;
  scheduler?: CheckScheduler;
  ids?: BuildContext['ids'];
}

interface VsRuntime {
  vs: VirtualServer;
  policy: VirtualServerPolicy;
  haSuspend: boolean;
  addressPresent: boolean;
}

export class LvsEngine {
  readonly scheduler: CheckScheduler;
  private runtimes: VsRuntime[] = [];
  private watchers: TrackFileWatcher[] = [];
  private applying = false;
  private dirty = false;
  private idle: Array<() => void> = [];
  applies = 0;

  constructor(private readonly opts: EngineOptions) {
    this.scheduler = opts.scheduler ?? new CheckScheduler({ onError: (_id, e) => opts.onError?.(e) });
  }

  get policies(): VirtualServerPolicy[] {
    return this.runtimes.map((r) => r.policy);
  }

  desired(): TableRow[] {
    return this.runtimes.flatMap((r) => r.policy.desired());
  }

  async start(): Promise<void> {
    const ctx: BuildContext = { model: this.opts.model, ...(this.opts.ids ? { ids: this.opts.ids } : {}) };
    const live = (this.opts.model.virtual_server ?? []).filter((vs) => vs.$removed !== true);
    const pending: Array<() => void> = [];
    for (const vs of live) {
      const built = (vs.real_server ?? []).map((rs) => buildCheckers(ctx, vs, rs));
      // FILE_CHECK knows its state at once: read the files before the policy starts
      const fileInit = new Map<BuiltChecker, { up: boolean; delta: number }>();
      for (const list of built) {
        for (const c of list) {
          if (!c.file) continue;
          const v = (await readTrackFile(c.file.path)) ?? 0;
          fileInit.set(c, fileStatus(v, c.file.weight, c.file.reverse));
        }
      }
      const startsUp = (c: BuiltChecker): boolean => fileInit.get(c)?.up ?? c.machine.up;
      const policy = new VirtualServerPolicy(policyConfig(vs, this.opts.model, (i) => built[i].map((c) => ({ id: c.id, startsUp: startsUp(c) }))));
      const rt: VsRuntime = { vs, policy, haSuspend: vs.ha_suspend === true, addressPresent: false };
      this.runtimes.push(rt);
      this.emit(policy.start());
      built.forEach((list, rsIndex) => {
        for (const c of list) {
          const init = fileInit.get(c);
          if (init && c.file) {
            if (init.up && init.delta) this.emit(policy.checkerWeight(rsIndex, c.id, init.delta));
            pending.push(() => this.watchFile(rt, rsIndex, c, init.up));
          } else if (c.probe) pending.push(() => this.schedule(rt, rsIndex, c));
        }
      });
    }
    this.changed();
    for (const p of pending) p();
  }

  /** ha_suspend: checks of virtual server `index` run only while its address is present. */
  setAddressPresent(index: number, present: boolean): void {
    const rt = this.runtimes[index];
    if (rt) rt.addressPresent = present;
  }

  /** Stops every check; returns omega's shutdown actions. */
  stop(): LvsAction[] {
    this.scheduler.stop();
    for (const w of this.watchers) w.stop();
    const out = this.runtimes.flatMap((r) => r.policy.shutdown());
    for (const a of out) this.opts.onAction?.(a);
    return out;
  }

  /** Resolves when no apply is running or pending. */
  settled(): Promise<void> {
    if (!this.applying && !this.dirty) return Promise.resolve();
    return new Promise((res) => this.idle.push(res));
  }

  private emit(actions: LvsAction[]): void {
    if (actions.length === 0) return;
    for (const a of actions) this.opts.onAction?.(a);
  }

  private schedule(rt: VsRuntime, rsIndex: number, c: BuiltChecker): void {
    const probe = c.probe;
    if (!probe) return;
    const rsName = rt.policy.cfg.reals[rsIndex].name;
    this.scheduler.add(async (signal) => {
      if (rt.haSuspend && !rt.addressPresent) return c.timing.delayLoopUs;
      const result = await probe.run(c.machine.step, signal);
      if (signal.aborted) return c.timing.delayLoopUs;
      const decision = c.machine.onResult(result.ok);
      this.opts.onCheck?.({ vs: rt.policy.cfg.name, rs: rsName, checker: c.id, result, decision });
      const before = this.snapshot(rt);
      if (c.dynamic && result.ok && result.weight !== undefined) this.emit(rt.policy.checkerDynamicWeight(rsIndex, c.id, result.weight));
      if (decision.event === 'up') this.emit(rt.policy.checkerState(rsIndex, c.id, true));
      else if (decision.event === 'down') this.emit(rt.policy.checkerState(rsIndex, c.id, false));
      else if (decision.event === 'down-initial') this.emit(rt.policy.checkerInitialDown(rsIndex));
      if (this.snapshot(rt) !== before) this.changed();
      return decision.delayUs;
    }, c.timing.warmupUs);
  }

  private watchFile(rt: VsRuntime, rsIndex: number, c: BuiltChecker, initialUp: boolean): void {
    const f = c.file;
    if (!f) return;
    let up = initialUp;
    const w = new TrackFileWatcher(f.path, (value) => {
      const st = fileStatus(value, f.weight, f.reverse);
      const before = this.snapshot(rt);
      if (st.up !== up) {
        up = st.up;
        this.emit(rt.policy.checkerState(rsIndex, c.id, st.up));
      }
      if (st.up) this.emit(rt.policy.checkerWeight(rsIndex, c.id, st.delta));
      if (this.snapshot(rt) !== before) this.changed();
    });
    this.watchers.push(w);
    w.start().catch((e: unknown) => this.opts.onError?.(e));
  }

  private snapshot(rt: VsRuntime): number {
    return rt.policy.version;
  }

  private changed(): void {
    this.dirty = true;
    if (!this.applying) void this.flush();
  }

  private async flush(): Promise<void> {
    this.applying = true;
    try {
      while (this.dirty) {
        this.dirty = false;
        this.applies++;
        try {
          await this.opts.apply(this.desired());
        } catch (e) {
          this.opts.onError?.(e);
        }
      }
    } finally {
      this.applying = false;
      const waiters = this.idle;
      this.idle = [];
      for (const w of waiters) w();
    }
  }
}
