// Wires checkers to virtual-server policies: every check result goes through its counting
// machine, transitions go to the policy, and the policies' desired rows go to `apply`
// (the IPVS reconciler in the daemon, anything in tests). Changes are coalesced: check results
// of one event-loop turn make one apply, one apply runs at a time, the latest state wins, and
// each apply names the services whose rows changed, so the reconciler diffs only those.
// reload(model) applies a new configuration by difference: an unchanged virtual server is kept
// as it runs (nothing rebuilt or re-diffed); one whose real servers only changed their entry
// settings (weight, inhibit, ...) is updated in place; otherwise checkers whose inputs did not
// change keep running with their state (a down server stays down), others are stopped or
// started, and the policy is rebuilt around them.
import { realServerKey, virtualServerKey } from '../config/diff.js';
import type { Model, RealServer, VirtualServer } from '../config/model.js';
import { buildCheckers, type BuiltChecker, type BuildContext } from '../check/build.js';
import { fileStatus, readTrackFile, TrackFileWatcher } from '../check/file-track.js';
import { followBfd, type BfdEvents } from '../check/bfd-check.js';
import type { Decision } from '../check/machine.js';
import { CheckScheduler } from '../check/scheduler.js';
import { firstDue } from '../check/scheduler-core.js';
import { timedChecks, type QuietSuccesses, type TimedChecks, type TimedOwner } from '../check/native/timed-checks.js';
import { turnNowMs, turnWallMs } from '../check/turn-clock.js';
import type { CheckResult } from '../check/types.js';
import { serviceKey } from '../ipvs/model.js';
import { byPhase } from '../ipvs/apply.js';
import { reconcile, type TableRow } from '../ipvs/reconcile.js';
import { opRequest } from '../ipvs/requests.js';
import type { IpvsVirtualEntry } from '../ipvs/types.js';
import type { LastCheck, VirtualServerStatus } from '../daemon/state.js';
import { realServerChange, sameGlobalCheckInputs, sameInheritedCheckInputs, sameOwnCheckInputs } from './check-inputs.js';
import { policyConfig, realServerPolicy } from './from-model.js';
import { VirtualServerPolicy, type LvsAction, type RealServerPolicy } from './policy.js';
import { nextRenewed } from './renewed.js';
import { servicesOf } from './service.js';
import { copyValue, sameExcept, sameValue } from './same-value.js';
import { virtualServerStatus, type RsInfo } from './status.js';

export interface CheckEvent {
  vs: string;
  rs: string;
  checker: string;
  result: CheckResult;
  decision: Decision;
  /** time the probe took, ms */
  latencyMs: number;
}

export interface EngineOptions {
  model: Model;
  /**
   * Brings IPVS to `rows` (every service the engine wants). `changed`: keys (ipvs/model
   * serviceKey) of the only services whose rows may differ from the previous call's, including
   * services no longer wanted; absent when anything may have changed.
   */
  apply: (rows: TableRow[], changed?: ReadonlySet<string>) => Promise<void> | void;
  onAction?: (a: LvsAction) => void;
  onCheck?: (e: CheckEvent) => void;
  /**
   * Turns the quiet path on: successes of a steady TCP_CHECK (up and succeeding) are settled by
   * the timed engine without a record, so without an onCheck; they come here, counts and
   * latency buckets, when drained (drainQuiet, status(), before the check's next record).
   */
  onQuiet?: (vs: string, rs: string, checker: string, q: QuietSuccesses) => void;
  onError?: (err: unknown) => void;
  scheduler?: CheckScheduler;
  /**
   * The timed engine TCP_CHECK and plain HTTP_GET run on (default: the process-wide one, unless
   * a scheduler is given; null: every check on the scheduler).
   */
  timed?: TimedChecks | null;
  ids?: BuildContext['ids'];
  /** ha_suspend: whether a virtual server's address is on this machine now (default: absent) */
  addressPresent?: (addr: string) => boolean;
  /** wall clock for status times (ms since the epoch) */
  now?: () => number;
  /** BFD_CHECK: the bfd_instance up/down events */
  bfd?: BfdEvents;
}

/** One checker of one real server. rt/rsIndex move when a reload rebuilds the policies. */
interface Slot {
  c: BuiltChecker;
  rt: VsRuntime;
  rsIndex: number;
  schedId?: number;
  watcher?: TrackFileWatcher;
  /** FILE_CHECK: the state its file said last (BFD_CHECK: its bfd_instance) */
  fileUp?: boolean;
  /** BFD_CHECK: stops following its bfd_instance */
  unfollow?: () => void;
  /** starts the attempt the scheduler asked for (after a hold: see holdChecks) */
  begin?: () => void;
  /** its slot in the timed engine, when it runs there */
  timedId?: number;
  /** rebuilt at reload with the old state: its first failure is no news (no notify_down again) */
  carried: boolean;
  /** its last attempt (status), updated in place */
  last?: LastCheck;
  /**
   * when its running attempt started (ms). A field, not a closure variable: a double in a
   * closure's context is a new heap number per write, which lives until the next attempt,
   * outlives the young generation and piles up in the old one.
   */
  t0: number;
  stopped: boolean;
}

interface RsRuntime {
  key: string;
  rs: RealServer;
  slots: Slot[];
  info: RsInfo;
}

interface VsRuntime {
  key: string;
  vs: VirtualServer;
  policy: VirtualServerPolicy;
  haSuspend: boolean;
  addressPresent: boolean;
  reals: RsRuntime[];
  /** serviceKey of each of the policy's services */
  keys: string[];
}

/** What a reload in place of one virtual server does (LvsEngine.planInPlace). */
interface InPlacePlan {
  /** real servers that are new objects, equal or changed: their runtimes take the new object */
  renewed: number[] | undefined;
  /** real servers whose entry changed (weight, inhibit...), with their new policy entries */
  updates: Array<{ i: number; next: RealServerPolicy }> | undefined;
}

/** prepareReload's plans, by the new model's virtual server, with the runtime each was made for */
type PreparedPlans = ReadonlyMap<VirtualServer, { old: VsRuntime; plan: InPlacePlan | undefined }>;

export interface ReloadCounts {
  vsAdded: number;
  vsRemoved: number;
  vsKept: number;
  rsAdded: number;
  rsRemoved: number;
  /** real servers whose checkers kept running untouched */
  rsKept: number;
  /** real servers whose checkers were rebuilt (their up/down state carried over) */
  rsRebuilt: number;
  /** virtual servers whose comparisons prepareReload had made */
  vsPlanned: number;
}

/** A reload holds due probes at most this long (its apply normally takes milliseconds). */
const HOLD_MAX_MS = 2000;

const live = (m: Model): VirtualServer[] => (m.virtual_server ?? []).filter((vs) => vs.$removed !== true);

const REAL_SERVERS = new Set(['real_server']);

/** Same virtual-server settings, real servers aside. */
function sameExceptReals(a: VirtualServer, b: VirtualServer): boolean {
  return a === b || sameExcept(a as Record<string, unknown>, b as Record<string, unknown>, REAL_SERVERS);
}

/**
 * Whether the IPVS services of `vs` can differ from those of `old` when their settings (real
 * servers aside) are the same: an address's service follows from those settings alone, a
 * fwmark's family may come from its first real server, a group's entries from the model.
 */
function servicesMayDiffer(old: VirtualServer, vs: VirtualServer): boolean {
  if (vs.kind === 'ip') return false;
  if (vs.kind === 'fwmark') return old.real_server?.[0]?.addr.family !== vs.real_server?.[0]?.addr.family;
  return true;
}

export class LvsEngine {
  readonly scheduler: CheckScheduler;
  /** the timed engine (made on first use; null: none) */
  private timedEngine: TimedChecks | null | undefined;
  /** checks registered with the timed engine */
  private timedCount = 0;
  private runtimes: VsRuntime[] = [];
  private model: Model;
  private applying = false;
  private dirty = false;
  /** an apply waits for the end of this event-loop turn (check results batch up) */
  private flushTimer: NodeJS.Immediate | undefined;
  /** services whose rows changed since the last apply; all of them when `pendingAll` */
  private pendingKeys = new Set<string>();
  private pendingAll = false;
  private idle: Array<() => void> = [];
  /** changes made so far, and how many of them the last finished apply included */
  private gen = 0;
  private appliedGen = 0;
  private genWaiters: Array<{ gen: number; res: () => void }> = [];
  private readonly now: () => number;
  /** probes due during a reload, started once its apply is done (undefined: none held) */
  private held: Slot[] | undefined;
  private holdTimer: NodeJS.Timeout | undefined;
  /** prepareReload's plans: for `model`, made against the runtimes `base` */
  private preparedReload: {
    model: Model;
    base: VsRuntime[];
    sameGlobals: boolean;
    plans: PreparedPlans;
  } | undefined;
  /** probes held so far (tests, logs) */
  heldTotal = 0;
  applies = 0;

  constructor(private readonly opts: EngineOptions) {
    this.scheduler = opts.scheduler ?? new CheckScheduler({ onError: (_id, e) => opts.onError?.(e) });
    this.timedEngine = opts.timed !== undefined ? opts.timed : opts.scheduler !== undefined ? null : undefined;
    this.model = opts.model;
    this.now = opts.now ?? turnWallMs;
  }

  get policies(): VirtualServerPolicy[] {
    return this.runtimes.map((r) => r.policy);
  }

  /** Every wanted row; a policy rebuilds only what changed since it was last asked. */
  desired(): TableRow[] {
    // loops, not flatMap: no closure and no array per virtual server (each apply, each reload)
    const out: TableRow[] = [];
    for (const r of this.runtimes) for (const row of r.policy.desired()) out.push(row);
    return out;
  }

  /**
   * Builds the policies and applies the first table; the checks start once that apply is done,
   * so the first fill of IPVS does not compete with thousands of first probes (keepalived also
   * fills IPVS before it starts its checkers).
   */
  async start(): Promise<void> {
    const pending: Array<() => void> = [];
    this.runtimes = await this.build(this.model, new Map(), pending, undefined, false);
    this.changed(undefined, true, true);
    void this.applied().then(() => { for (const p of pending) p(); });
  }

  /**
   * Applies a new configuration by difference. Unchanged checkers keep running; the desired
   * table is recomputed, so IPVS sees only the edits the reconciler derives from it.
   */
  async reload(model: Model): Promise<ReloadCounts> {
    const counts: ReloadCounts = { vsAdded: 0, vsRemoved: 0, vsKept: 0, rsAdded: 0, rsRemoved: 0, rsKept: 0, rsRebuilt: 0, vsPlanned: 0 };
    this.holdChecks();
    // prepareReload's work, when it was for this model and no reload came since
    const ready = this.preparedReload;
    this.preparedReload = undefined;
    const plan = ready && ready.model === model && ready.base === this.runtimes ? ready : undefined;
    const sameGlobals = plan ? plan.sameGlobals : sameGlobalCheckInputs(this.model, model);
    if (sameGlobals && this.reloadAllInPlace(model, counts, plan?.plans)) return counts;
    const prev = new Map(this.runtimes.map((r) => [r.key, r]));
    const pending: Array<() => void> = [];
    let next: VsRuntime[];
    try {
      next = await this.build(model, prev, pending, counts, sameGlobals, plan?.plans);
    } catch (e) {
      this.releaseChecks();
      throw e;
    }
    // whatever is left in prev was removed from the configuration
    for (const rt of prev.values()) {
      counts.vsRemoved++;
      for (const k of rt.keys) this.pendingKeys.add(k);
      for (const r of rt.reals) {
        counts.rsRemoved++;
        this.stopSlots(r.slots);
      }
    }
    this.commitReload(model, next);
    for (const p of pending) p();
    return counts;
  }

  /** The reload's runtimes become the running ones and the apply starts. */
  private commitReload(model: Model, runtimes: VsRuntime[]): void {
    this.model = model;
    this.runtimes = runtimes;
    this.changed(undefined, true, false);
    // after the apply's own continuations (the daemon's reload.applied): the held probes are
    // the next event-loop turn's work, not the reload's
    void this.applied().then(() => setImmediate(() => this.releaseChecks()));
  }

  /** prepareReload's plan for `vs` when it was made against `old` (ahead), else one made now. */
  private planFor(old: VsRuntime, vs: VirtualServer, model: Model, plans: PreparedPlans | undefined): { plan: InPlacePlan | undefined; ahead: boolean } {
    const p = plans?.get(vs);
    return p !== undefined && p.old === old ? { plan: p.plan, ahead: true } : { plan: this.planInPlace(old, vs, model), ahead: false };
  }

  /**
   * The usual reload, in one tight pass: each virtual server can be updated in place as the one
   * that runs at the same position (planInPlace: same settings, so the same identity, and the
   * same real servers). Then they are, and the apply starts; false (nothing changed) otherwise,
   * and build() does the reload, matching them by key. Spares the key strings, the map of
   * runtimes and build's general path per virtual server (under emulation, a third of the step).
   */
  private reloadAllInPlace(model: Model, counts: ReloadCounts, ahead: PreparedPlans | undefined): boolean {
    const rts = this.runtimes;
    const vss = live(model);
    const n = vss.length;
    if (n !== rts.length) return false;
    const plans: InPlacePlan[] = [];
    let planned = 0;
    for (let i = 0; i < n; i++) {
      const { plan, ahead: was } = this.planFor(rts[i], vss[i], model, ahead);
      if (!plan) return false;
      if (was) planned++;
      plans.push(plan);
    }
    counts.vsPlanned += planned;
    for (let i = 0; i < n; i++) this.applyInPlace(rts[i], vss[i], plans[i], counts);
    // a new array: what was planned against the old one (prepareReload's base) is not taken
    this.commitReload(model, rts.slice());
    return true;
  }

  /**
   * Runs what a reload runs for a changed real server on copies of up to `limit` running ones
   * with another weight: the comparisons, the new policy entry, and on a throwaway policy of
   * that one server its update, the rows with it patched in, the reconciler's diff of those
   * rows and the edit's request bytes. Pure calls, nothing kept or changed, nothing sent. For
   * the daemon's start-up rehearsal, whose reload of the running model meets no changed server:
   * a first SIGHUP then runs none of this for the first time (under emulation, code running for
   * the first time costs 3-4x what it costs warm). Returns how many were run.
   */
  rehearseChanges(limit = 100): number {
    let n = 0;
    for (const rt of this.runtimes) {
      const reals = rt.vs.real_server ?? [];
      if (reals.length !== rt.reals.length || reals.length === 0) continue;
      // a reload's virtual servers are new objects: the comparison that finds them the same
      if (!sameExceptReals(rt.vs, { ...rt.vs })) continue;
      const cfg = rt.policy.cfg;
      const step = Math.max(1, Math.floor(reals.length / 4));
      for (let i = 0; i < reals.length && n < limit; i += step, n++) {
        const a = reals[i];
        const b: RealServer = { ...a, weight: (typeof a.weight === 'number' ? a.weight : 1) + 1 };
        if (realServerChange(a, b) !== 1) continue;
        const next = realServerPolicy(rt.vs, b, cfg.reals[i].checkers, { entry: cfg.reals[i], rs: a });
        const spare = new VirtualServerPolicy({ ...cfg, reals: [cfg.reals[i]] });
        const before = spare.desired();
        const have = new Map<string, TableRow>();
        for (const row of before) have.set(serviceKey(row.service), row);
        spare.updateReal(0, next);
        // (by phase, as executeOps takes them: its split is first met with an edit here)
        for (const phase of byPhase(reconcile(spare.desired(), have))) for (const op of phase) opRequest(op);
      }
      if (n >= limit) break;
    }
    return n;
  }

  /**
   * The comparisons a reload with changed real servers makes (prepareReload, planInPlace), run
   * on a made-up copy of the running model: every virtual server a deep copy, one real server
   * in `every` (from `round`'s offset on) a deep copy at another weight and one a deep copy at
   * the same weight, the rest the running objects (as the parser hands back unchanged ones). The plans are
   * dropped: a reload prepared before stays prepared, nothing is applied, emitted or kept. For
   * the daemon's start-up rehearsal, whose reloads of the running model never reach these
   * branches: without it the first SIGHUP after an edit met them cold (under emulation a deopt
   * and a recompile in the reload's lvs step). Returns how many real servers changed weight.
   */
  rehearsePlans(round = 0, every = 100): number {
    const kept = this.preparedReload;
    const vss: VirtualServer[] = [];
    /** running real servers and their made-up copies */
    const pairs: RealServer[] = [];
    let n = 0;
    for (const rt of this.runtimes) {
      const reals = rt.reals.map((r) => r.rs);
      const len = reals.length;
      for (let i = round % every; i < len; i += every, n++) {
        const a = reals[i];
        const b = copyValue(a);
        b.weight = (typeof a.weight === 'number' ? a.weight : 1) + 1;
        reals[i] = b;
        pairs.push(a, b);
        const j = (i + (every >> 1)) % len;
        if (j !== i) pairs.push(reals[j], (reals[j] = copyValue(reals[j])));
      }
      // (deep copies: nested values compared by value, as with a parser's new objects)
      const vs: Record<string, unknown> = {};
      for (const k in rt.vs) vs[k] = k === 'real_server' ? reals : copyValue((rt.vs as Record<string, unknown>)[k]);
      vss.push(vs as VirtualServer);
    }
    try {
      this.prepareReload({ ...this.model, virtual_server: vss });
    } finally {
      this.preparedReload = kept;
    }
    // The same comparisons with the sides swapped: a SIGHUP's new objects (the right-hand side)
    // are the parser's, whose hidden classes the copies do not share; without these the code
    // optimised on the copies met the parser's objects as a "wrong map" (a deopt in the reload).
    for (let k = 0; k < pairs.length; k += 2) realServerChange(pairs[k + 1], pairs[k]);
    this.runtimes.forEach((rt, k) => sameExceptReals(vss[k], rt.vs));
    return n;
  }

  /**
   * Decides a reload of `old` as `vs` in place, changing nothing: possible when the virtual
   * server's settings and services are the same and its real servers are the same ones in the
   * same order (unchanged ones are left alone; those whose changes leave their checks alone,
   * weight, inhibit..., get new policy entries). Undefined when it needs the full rebuild.
   */
  private planInPlace(old: VsRuntime, vs: VirtualServer, model: Model): InPlacePlan | undefined {
    const reals = vs.real_server ?? [];
    const n = reals.length;
    if (n !== old.reals.length || !sameExceptReals(old.vs, vs)) return undefined;
    if (servicesMayDiffer(old.vs, vs) && !sameValue(servicesOf(vs, model), old.policy.cfg.services)) return undefined;
    // One pass over every real server, and the only one: a server the parser kept (the very
    // object) costs an identity compare (nextRenewed); only the others are compared by value, and only a
    // changed one goes further. Nothing is allocated for the kept ones. The compare reads the
    // running model's array (old.vs.real_server[i] is old.reals[i].rs: build and applyInPlace
    // keep it so), two arrays side by side rather than a runtime object per server.
    const olds = old.vs.real_server ?? [];
    const plan: InPlacePlan = { renewed: undefined, updates: undefined };
    const checkers = old.policy.cfg.reals;
    for (let i = nextRenewed(olds, reals, 0, n); i < n; i = nextRenewed(olds, reals, i + 1, n)) {
      const a = olds[i];
      const b = reals[i];
      (plan.renewed ??= []).push(i);
      // 1: same address and port (those are check inputs), same checks: an entry update
      const c = realServerChange(a, b);
      if (c === 0) continue;
      if (c === 2) return undefined;
      // (same address and port: made from the running entry)
      (plan.updates ??= []).push({ i, next: realServerPolicy(vs, b, checkers[i].checkers, { entry: checkers[i], rs: a }) });
    }
    return plan;
  }

  /** Carries out planInPlace's plan. */
  private applyInPlace(old: VsRuntime, vs: VirtualServer, plan: InPlacePlan, counts: ReloadCounts | undefined): void {
    const reals = vs.real_server ?? [];
    if (counts) {
      counts.vsKept++;
      counts.rsKept += reals.length;
    }
    // the new model's objects from now on, equal or not: the next reload's parser keeps these
    old.vs = vs;
    if (plan.renewed) for (const i of plan.renewed) old.reals[i].rs = reals[i];
    if (!plan.updates) return;
    const policy = old.policy;
    for (const u of plan.updates) this.emit(old, u.i, policy.updateReal(u.i, u.next));
    for (const k of old.keys) this.pendingKeys.add(k);
  }

  /**
   * The comparisons of a reload to `model` made now, ahead of it (the daemon calls this when
   * it prepares the next reload's load): reload(model) then only carries out their plans, as
   * long as no reload came in between (the plans compare with the running configuration, which
   * only a reload changes). Nothing changes now.
   */
  prepareReload(model: Model): void {
    const sameGlobals = sameGlobalCheckInputs(this.model, model);
    const plans = new Map<VirtualServer, { old: VsRuntime; plan: InPlacePlan | undefined }>();
    if (sameGlobals) {
      const prev = new Map(this.runtimes.map((r) => [r.key, r]));
      for (const vs of live(model)) {
        const old = prev.get(virtualServerKey(vs));
        if (old) plans.set(vs, { old, plan: this.planInPlace(old, vs, model) });
      }
    }
    this.preparedReload = { model, base: this.runtimes, sameGlobals, plans };
  }

  private async build(
    model: Model,
    prev: Map<string, VsRuntime>,
    pending: Array<() => void>,
    counts: ReloadCounts | undefined,
    sameGlobals: boolean,
    /** prepareReload's plans, by the new model's virtual server */
    plans?: PreparedPlans,
  ): Promise<VsRuntime[]> {
    const ctx: BuildContext = { model, ...(this.opts.ids ? { ids: this.opts.ids } : {}) };
    const out: VsRuntime[] = [];
    for (const vs of live(model)) {
      const key = virtualServerKey(vs);
      const old = prev.get(key);
      prev.delete(key);
      if (old && sameGlobals) {
        const { plan, ahead } = this.planFor(old, vs, model, plans);
        if (ahead && counts) counts.vsPlanned++;
        if (plan) {
          this.applyInPlace(old, vs, plan, counts);
          out.push(old);
          continue;
        }
      }
      if (counts) old ? counts.vsKept++ : counts.vsAdded++;
      const oldReals = new Map((old?.reals ?? []).map((r) => [r.key, r]));
      const sameInherited = sameGlobals && old !== undefined && sameInheritedCheckInputs(old.vs, vs);
      const reals: RsRuntime[] = [];
      const built: BuiltChecker[][] = [];
      /** per real server: its checkers are new (built now) rather than kept running */
      const fresh: boolean[] = [];
      const rebuilt: boolean[] = [];
      const starts: boolean[][] = [];
      const fileInit = new Map<BuiltChecker, { up: boolean; delta: number; value: number }>();
      for (const rs of vs.real_server ?? []) {
        const rkey = realServerKey(rs);
        const before = oldReals.get(rkey);
        oldReals.delete(rkey);
        if (before && sameInherited && sameOwnCheckInputs(before.rs, rs)) {
          if (counts) counts.rsKept++;
          reals.push({ key: rkey, rs, slots: before.slots, info: before.info });
          built.push(before.slots.map((s) => s.c));
          starts.push(before.slots.map((s) => s.fileUp ?? s.c.machine.up));
          fresh.push(false);
          rebuilt.push(false);
          continue;
        }
        if (before) {
          this.stopSlots(before.slots);
          if (counts) counts.rsRebuilt++;
        } else if (counts) counts.rsAdded++;
        const list = buildCheckers(ctx, vs, before ? this.carryState(rs, before) : rs);
        for (const c of list) {
          if (!c.file) continue;
          const v = (await readTrackFile(c.file.path)) ?? 0;
          fileInit.set(c, { ...fileStatus(v, c.file.weight, c.file.reverse), value: v });
        }
        reals.push({ key: rkey, rs, slots: [], info: before?.info ?? { lastCheck: null, transitions: 0 } });
        built.push(list);
        starts.push(list.map((c) => fileInit.get(c)?.up ?? c.machine.up));
        fresh.push(true);
        rebuilt.push(before !== undefined);
      }
      for (const r of oldReals.values()) {
        if (counts) counts.rsRemoved++;
        this.stopSlots(r.slots);
      }
      const policy = new VirtualServerPolicy(policyConfig(vs, model, (i) => built[i].map((c, k) => ({ id: c.id, startsUp: starts[i][k] }))));
      const rt: VsRuntime = {
        key, vs, policy, reals,
        haSuspend: vs.ha_suspend === true,
        addressPresent: old?.addressPresent ?? this.present(vs),
        keys: policy.cfg.services.map((svc) => serviceKey(svc)),
      };
      out.push(rt);
      for (const k of rt.keys) this.pendingKeys.add(k);
      if (old) for (const k of old.keys) this.pendingKeys.add(k);
      if (old) {
        // checkers kept running keep their weight contributions (a kept server keeps all its checkers)
        const kept = new Set(policy.cfg.reals.flatMap((r, i) => (fresh[i] ? [] : [r.name])));
        this.emit(rt, undefined, policy.adopt(old.policy, (n) => kept.has(n)));
      } else this.emit(rt, undefined, policy.start());
      built.forEach((list, rsIndex) => {
        const r = reals[rsIndex];
        if (!fresh[rsIndex]) {
          for (const s of r.slots) {
            s.rt = rt;
            s.rsIndex = rsIndex;
            this.syncSuspend(s);
          }
          return;
        }
        for (const c of list) {
          const slot: Slot = { c, rt, rsIndex, carried: rebuilt[rsIndex], stopped: false, t0: 0.5 };
          r.slots.push(slot);
          const init = fileInit.get(c);
          if (init && c.file) {
            slot.fileUp = init.up;
            if (init.up && init.delta) this.emit(rt, rsIndex, policy.checkerWeight(rsIndex, c.id, init.delta));
            const known = init.value;
            pending.push(() => this.watchFile(slot, known));
          } else if (c.bfd) pending.push(() => this.followBfd(slot));
          else if (c.probe) pending.push(() => this.schedule(slot));
        }
      });
    }
    return out;
  }

  /**
   * A real server whose checkers must be rebuilt starts them in the state they had (alpha when
   * it was down), so a reload never brings a failed server back by itself.
   */
  private carryState(rs: RealServer, before: RsRuntime): RealServer {
    const down = new Set(before.slots.filter((s) => !(s.fileUp ?? s.c.machine.up)).map((s) => s.c.id));
    const copy: Record<string, unknown> = { ...rs };
    for (const [k, v] of Object.entries(rs)) {
      if (!Array.isArray(v) || !k.endsWith('_CHECK') && k !== 'HTTP_GET' && k !== 'SSL_GET') continue;
      copy[k] = v.map((c: unknown, i: number) => (typeof c === 'object' && c !== null ? { ...c, alpha: down.has(`${k}#${i}`) } : c));
    }
    return copy as RealServer;
  }

  private stopSlots(slots: Slot[]): void {
    for (const s of slots) {
      if (s.timedId !== undefined && !s.stopped) this.drainQuietSlot(s); // its last quiet successes (metrics)
      s.stopped = true;
      if (s.schedId !== undefined) this.scheduler.remove(s.schedId);
      if (s.timedId !== undefined) {
        this.timedEngine?.unregister(s.timedId);
        s.timedId = undefined;
        this.timedCount--;
      }
      s.watcher?.stop();
      s.unfollow?.();
    }
  }

  private present(vs: VirtualServer): boolean {
    if (vs.kind !== 'ip') return true;
    return this.opts.addressPresent?.(vs.addr) ?? false;
  }

  /** ha_suspend: checks of virtual server `index` run only while its address is present. */
  setAddressPresent(index: number, present: boolean): void {
    const rt = this.runtimes[index];
    if (!rt) return;
    rt.addressPresent = present;
    this.syncSuspendAll(rt);
  }

  /** ha_suspend: asks `present` again for every virtual server's address (after an address change). */
  refreshAddresses(present: (addr: string) => boolean): void {
    for (const rt of this.runtimes) {
      if (rt.vs.kind !== 'ip') continue;
      rt.addressPresent = present(rt.vs.addr);
      this.syncSuspendAll(rt);
    }
  }

  /** ha_suspend for the timed engine: its checks are skipped while the address is absent */
  private syncSuspendAll(rt: VsRuntime): void {
    if (this.timedCount === 0) return;
    for (const r of rt.reals) for (const s of r.slots) this.syncSuspend(s);
  }

  private syncSuspend(s: Slot): void {
    if (s.timedId !== undefined) this.timedEngine?.suspend(s.timedId, s.rt.haSuspend && !s.rt.addressPresent);
  }

  /** Stops every check; returns omega's shutdown actions. */
  stop(): LvsAction[] {
    this.scheduler.stop();
    if (this.timedCount > 0) for (const rt of this.runtimes) for (const r of rt.reals) this.stopSlots(r.slots);
    // held probes never start (their attempts end with the scheduler)
    this.held = undefined;
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    for (const rt of this.runtimes) for (const r of rt.reals) for (const s of r.slots) { s.watcher?.stop(); s.unfollow?.(); }
    const out = this.runtimes.flatMap((r) => r.policy.shutdown());
    for (const a of out) this.opts.onAction?.(a);
    return out;
  }

  /**
   * Resolves when an apply that includes every change made so far has finished (later changes
   * do not hold it up, unlike settled() under a steady stream of check results).
   */
  applied(): Promise<void> {
    const gen = this.gen;
    if (this.appliedGen >= gen) return Promise.resolve();
    return new Promise((res) => this.genWaiters.push({ gen, res }));
  }

  /** Resolves when no apply is running or pending. */
  settled(): Promise<void> {
    if (!this.applying && !this.dirty) return Promise.resolve();
    return new Promise((res) => this.idle.push(res));
  }

  /** Per virtual server and real server, what the engine knows; `table` adds the kernel's view. */
  status(table?: readonly IpvsVirtualEntry[]): VirtualServerStatus[] {
    this.drainQuiet();
    // copies: the engine rewrites its last-check records in place
    const copy = (i: RsInfo): RsInfo => (i.lastCheck ? { ...i, lastCheck: { ...i.lastCheck } } : i);
    return this.runtimes.map((rt) => virtualServerStatus(rt.vs, rt.policy, rt.reals.map((r) => copy(r.info)), table));
  }

  private emit(rt: VsRuntime, rsIndex: number | undefined, actions: LvsAction[]): void {
    if (actions.length === 0) return;
    for (const a of actions) {
      if (rsIndex !== undefined && (a.kind === 'rs-up' || a.kind === 'rs-down')) rt.reals[rsIndex].info.transitions++;
      this.opts.onAction?.(a);
    }
  }

  /** the timed engine, made on first use (null when the addon cannot load it: the scheduler runs all) */
  private timed(): TimedChecks | null {
    if (this.timedEngine === undefined) {
      try {
        this.timedEngine = timedChecks();
      } catch (e) {
        this.opts.onError?.(e);
        this.timedEngine = null;
      }
    }
    return this.timedEngine;
  }

  /** Registers a TCP_CHECK or plain HTTP_GET with the timed engine; false: the scheduler runs it. */
  private scheduleTimed(slot: Slot): boolean {
    const probe = slot.c.probe;
    if (!probe?.timedTarget || !probe.timedRecord) return false;
    const timed = this.timed();
    if (timed === null) return false;
    let target;
    try {
      target = probe.timedTarget();
    } catch {
      return false; // an address the engine cannot take: the probe's own start() reports it per attempt
    }
    if (target === null) return false;
    const owner = new TimedRun(this, slot, probe as Required<Pick<typeof probe, 'timedRecord'>>);
    const c = slot.c;
    slot.timedId = timed.register(owner, target, firstDue(0, c.timing.warmupUs, Math.random), c.timing.delayLoopUs);
    this.timedCount++;
    this.syncSuspend(slot);
    return true;
  }

  /** successes of steady checks are settled in C (an onQuiet hook takes them) */
  get quietOn(): boolean {
    return this.opts.onQuiet !== undefined;
  }

  /**
   * The successes the timed engine settled quietly for a slot (steady checks): its last check
   * and the quiet hook (metrics). Asked by status(), drainQuiet() and before a slot's next record.
   */
  drainQuietSlot(slot: Slot): void {
    const t = this.timedEngine;
    if (!t || slot.timedId === undefined) return;
    const q = t.quiet(slot.timedId);
    if (q.count === 0) return;
    const { rt, rsIndex } = slot;
    const at = this.opts.now ? this.opts.now() : q.lastWallMs;
    const latencyMs = q.lastLatencyUs / 1000;
    const last = slot.last;
    if (last === undefined) slot.last = { checker: slot.c.id, ok: true, reason: 'connected', at, latencyMs };
    else {
      last.ok = true;
      last.reason = 'connected';
      last.at = at;
      last.latencyMs = latencyMs;
    }
    rt.reals[rsIndex].info.lastCheck = slot.last ?? null;
    this.opts.onQuiet?.(rt.policy.cfg.name, rt.policy.cfg.reals[rsIndex].name, slot.c.id, q);
  }

  /** drainQuietSlot for every timed check (status, metrics scrapes, dumps) */
  drainQuiet(): void {
    if (!this.timedEngine) return;
    for (const rt of this.runtimes) for (const r of rt.reals) for (const s of r.slots) if (s.timedId !== undefined && !s.stopped) this.drainQuietSlot(s);
  }

  /** A timed attempt's result (from TimedRun, below): through the machine and the policy; the next delay (-1: stopped). */
  timedEnded(slot: Slot, result: CheckResult, latencyMs: number): number {
    if (slot.stopped) return -1;
    try {
      return this.checkEnded(slot, result, latencyMs, false, this.opts.now ? this.opts.now() : (this.timedEngine as TimedChecks).wallMs());
    } catch (e) {
      this.opts.onError?.(e);
      return 1_000_000;
    }
  }

  private schedule(slot: Slot): void {
    const { c } = slot;
    const probe = c.probe;
    if (!probe || slot.stopped) return;
    if (this.scheduleTimed(slot)) return;
    // per check, made once: an attempt allocates no closure of its own
    let signal: AbortSignal | null = null;
    let done: ((delayUs: number) => void) | null = null;
    const ended = (result: CheckResult): void => {
      const d = done;
      done = null;
      if (d === null || signal === null) return;
      let delay: number;
      try {
        delay = this.checkEnded(slot, result, turnNowMs() - slot.t0, signal.aborted, this.now());
      } catch (e) {
        this.opts.onError?.(e);
        delay = 1_000_000;
      }
      d(delay);
    };
    let failFn: ((err: unknown) => void) | null = null;
    const begin = (): void => {
      const sig = signal;
      if (sig === null || done === null) return;
      if (sig.aborted || slot.stopped) {
        // removed while held: the attempt ends without a probe
        const d = done;
        done = null;
        d(c.timing.delayLoopUs);
        return;
      }
      slot.t0 = turnNowMs();
      try {
        if (probe.start) probe.start(c.machine.step, sig, ended);
        else probe.run(c.machine.step, sig).then(ended, failFn ?? undefined);
      } catch (e) {
        // a bug in a probe: the scheduler's fail ends the attempt (also when it was held)
        done = null;
        if (failFn) failFn(e);
        else throw e;
      }
    };
    slot.begin = begin;
    slot.schedId = this.scheduler.addStart((sig, doneFn, fail) => {
      const rt = slot.rt;
      if (rt.haSuspend && !rt.addressPresent) {
        doneFn(c.timing.delayLoopUs);
        return;
      }
      signal = sig;
      done = doneFn;
      failFn = fail;
      if (this.held) this.held.push(slot);
      else begin();
    }, c.timing.warmupUs);
  }

  /**
   * Reload: probes that fall due wait (held) until the reload's IPVS apply is done, so the
   * checks that piled up while the new file was parsed do not run ahead of the kernel's
   * answers to that apply. Held at most `HOLD_MAX_MS`, whatever happens to the apply.
   */
  holdChecks(): void {
    if (this.held) return;
    this.held = [];
    if (this.timedCount > 0) this.timedEngine?.pause();
    // one timer for every hold, re-armed (refresh) rather than made again: a Timeout and its
    // async resource per reload cost a reload ~1 ms under emulation. A release leaves it armed;
    // it then finds nothing held. The start-up rehearsal's reloads make it.
    if (this.holdTimer) this.holdTimer.refresh();
    else {
      this.holdTimer = setTimeout(() => this.releaseChecks(), HOLD_MAX_MS);
      this.holdTimer.unref();
    }
  }

  /** Starts the held probes (in the order they fell due). */
  releaseChecks(): void {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    this.heldTotal += held.length;
    if (this.timedEngine) this.heldTotal += this.timedEngine.resume();
    for (const s of held) {
      try {
        s.begin?.();
      } catch (e) {
        this.opts.onError?.(e);
      }
    }
  }

  /** One attempt's result through the counting machine and the policy; returns the delay to the next. */
  private checkEnded(slot: Slot, result: CheckResult, latencyMs: number, aborted: boolean, atMs: number): number {
    const { c } = slot;
    if (aborted || slot.stopped) return c.timing.delayLoopUs;
    // the slot may have moved to a new policy while the probe ran (reload)
    const { rt: cur, rsIndex } = slot;
    const decision = c.machine.onResult(result.ok);
    const rsName = cur.policy.cfg.reals[rsIndex].name;
    // one record per checker, rewritten in place: a new one per attempt outlived the young
    // generation (each lives a delay_loop) and filled the old one at 10,000 checks/s
    const last = slot.last;
    if (last === undefined) slot.last = { checker: c.id, ok: result.ok, reason: result.reason, at: atMs, latencyMs };
    else {
      last.ok = result.ok;
      last.reason = result.reason;
      last.at = atMs;
      last.latencyMs = latencyMs;
    }
    cur.reals[rsIndex].info.lastCheck = slot.last ?? null;
    this.opts.onCheck?.({ vs: cur.policy.cfg.name, rs: rsName, checker: c.id, result, decision, latencyMs });
    const before = cur.policy.version;
    if (c.dynamic && result.ok && result.weight !== undefined) this.emit(cur, rsIndex, cur.policy.checkerDynamicWeight(rsIndex, c.id, result.weight));
    if (decision.event === 'up') this.emit(cur, rsIndex, cur.policy.checkerState(rsIndex, c.id, true));
    else if (decision.event === 'down') this.emit(cur, rsIndex, cur.policy.checkerState(rsIndex, c.id, false));
    else if (decision.event === 'down-initial' && !slot.carried) this.emit(cur, rsIndex, cur.policy.checkerInitialDown(rsIndex));
    slot.carried = false;
    // applied at once, not at the end of the loop's turn: the timed engine starts the quantum's
    // steady connects when this returns (tens of ms under emulation), and a real server that
    // went down must leave the table first; results of the same batch join the next apply
    if (cur.policy.version !== before) this.changed(cur, true);
    return decision.delayUs;
  }

  private followBfd(slot: Slot): void {
    const b = slot.c.bfd;
    if (!b || slot.stopped || !this.opts.bfd) return;
    slot.unfollow = followBfd(this.opts.bfd, b.name, (up) => {
      if (slot.stopped || up === (slot.fileUp ?? slot.c.machine.up)) return;
      slot.fileUp = up;
      const { rt, rsIndex } = slot;
      const before = rt.policy.version;
      this.emit(rt, rsIndex, rt.policy.checkerState(rsIndex, slot.c.id, up));
      if (rt.policy.version !== before) this.changed(rt);
    });
  }

  /** `known`: the value the slot's state was built from (a change since then is reported) */
  private watchFile(slot: Slot, known: number): void {
    const f = slot.c.file;
    if (!f || slot.stopped) return;
    const w = new TrackFileWatcher(f.path, (value) => {
      if (slot.stopped) return;
      const { rt, rsIndex } = slot;
      const st = fileStatus(value, f.weight, f.reverse);
      const before = rt.policy.version;
      if (st.up !== slot.fileUp) {
        slot.fileUp = st.up;
        this.emit(rt, rsIndex, rt.policy.checkerState(rsIndex, slot.c.id, st.up));
      }
      if (st.up) this.emit(rt, rsIndex, rt.policy.checkerWeight(rsIndex, slot.c.id, st.delta));
      if (rt.policy.version !== before) this.changed(rt);
    });
    slot.watcher = w;
    w.start(known).catch((e: unknown) => this.opts.onError?.(e));
  }

  /**
   * Something changed: `rt`'s rows (or, without it, those already noted in pendingKeys; `all`:
   * anything). `now`: apply at once (check results, start, reload); otherwise at the end of this
   * event-loop turn, so that the changes of one turn share one apply. Changes made while an
   * apply runs join the next one.
   */
  private changed(rt?: VsRuntime, now = false, all = rt === undefined && !now): void {
    if (rt) for (const k of rt.keys) this.pendingKeys.add(k);
    if (all) this.pendingAll = true;
    this.gen++;
    this.dirty = true;
    if (this.applying) return;
    if (now) {
      if (this.flushTimer) clearImmediate(this.flushTimer);
      this.flushTimer = undefined;
      void this.flush();
    } else this.flushTimer ??= setImmediate(() => {
      this.flushTimer = undefined;
      if (!this.applying) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.applying = true;
    try {
      while (this.dirty) {
        this.dirty = false;
        this.applies++;
        const gen = this.gen;
        const changed = this.pendingAll ? undefined : this.pendingKeys;
        this.pendingKeys = new Set();
        this.pendingAll = false;
        try {
          await this.opts.apply(this.desired(), changed);
        } catch (e) {
          this.opts.onError?.(e);
        }
        this.appliedGen = gen;
        const done = this.genWaiters.filter((w) => w.gen <= gen);
        this.genWaiters = this.genWaiters.filter((w) => w.gen > gen);
        for (const w of done) w.res();
      }
    } finally {
      this.applying = false;
      const waiters = this.idle;
      this.idle = [];
      for (const w of waiters) w();
    }
  }
}

/**
 * A check on the timed engine: its records through the probe, a finished attempt through the
 * engine's machine and policy. One per check, made when it registers: nothing per attempt.
 */
class TimedRun implements TimedOwner {
  /** the url of the next attempt (the machine's step after the last result) */
  nextStep: number;
  /** told the engine it was steady: successes may have been settled quietly since */
  steady = false;

  constructor(
    private readonly engine: LvsEngine,
    private readonly slot: Slot,
    private readonly probe: { timedRecord(kind: number, a: number, b: number, data: Buffer, step: number): CheckResult | null },
  ) {
    this.nextStep = slot.c.machine.step;
  }

  timedRecord(kind: number, a: number, b: number, latencyUs: number, data: Buffer): number {
    const r = this.probe.timedRecord(kind, a, b, data, this.nextStep);
    if (r === null) return -1;
    // the successes settled quietly came before this record
    if (this.steady) this.engine.drainQuietSlot(this.slot);
    const d = this.engine.timedEnded(this.slot, r, latencyUs / 1000);
    this.nextStep = this.slot.c.machine.step;
    const c = this.slot.c;
    this.steady = this.engine.quietOn && d >= 0 && !c.dynamic && c.machine.settled === true && d === c.timing.delayLoopUs;
    return d;
  }
}
