// One running lvsd: VRRP (unless -C) and checkers + policy + IPVS (unless -P) in this process,
// with reload by difference, graceful stop and a status snapshot. Edges are opened here and
// nowhere else; failures of checks, packets, scripts or netlink are logged and retried, never
// fatal once running.
import { EventEmitter } from 'node:events';
import type { LoadOptions, LoadResult } from '../config/load.js';
import type { ModelDiff } from '../config/diff.js';
import type { Model } from '../config/model.js';
import { NetlinkIpvs } from '../ipvs/client.js';
import { LvsEngine, type CheckEvent, type ReloadCounts } from '../lvs/engine.js';
import type { LvsAction } from '../lvs/policy.js';
import { noVrrpChange, VrrpRuntime } from '../vrrp/runtime.js';
import { BfdTracker } from '../vrrp/trackers/bfd.js';
import { BfdService } from '../bfd/service.js';
import { logDiagnostics } from './config-log.js';
import { IpvsEdge, type FlushOnStop } from './ipvs-edge.js';
import { IpvsSettings } from './ipvs-settings.js';
import { syncDaemonConfig, timeoutsConfig, type SyncDaemonConfig, type SyncRole } from './ipvs-sync-plan.js';
import { LocalAddresses } from './local-addresses.js';
import { EV, type Logger } from './log.js';
import { LvsScripts } from './lvs-scripts.js';
import { ConfigHolder, diffWithoutVirtualServers } from './reload.js';
import { rehearseChangedReload } from '../config/rehearse-reload.js';
import type { DaemonStatus } from './state.js';
import { VERSION } from './version.js';
import { vrrpEventSink } from './vrrp-view.js';
import { Metrics } from './metrics.js';
import { metricsListen } from './metrics-listen.js';
import { fullGc, keepBytecode } from './full-gc.js';
import { ConfigWatch, watchSet } from './config-watch.js';
import { HeldChanges } from './held-changes.js';
import { inputPaths, type InputLog } from '../../grammar/observed-fs.js';
import { YoungRoom } from './young-room.js';

export interface DaemonOptions {
  file: string;
  load: LoadOptions;
  log: Logger;
  /** run VRRP instances (keepalived without -C) */
  vrrp: boolean;
  /** run checkers and IPVS (keepalived without -P) */
  checkers: boolean;
  /** run bfd_instance sessions (default; keepalived's -B/--no_bfd turns them off) */
  bfd?: boolean;
  /** -I/--dont-release-ipvs: leave lvsd's services in the kernel at stop */
  keepIpvs: boolean;
  /** how often ha_suspend re-reads local addresses (ms) */
  addressPollMs?: number;
  /** --metrics-listen, over global_defs lvsd_metrics_listen */
  metricsListen?: string;
  /**
   * ms after the first IPVS apply (or start, without checkers) to rehearse a reload
   * (REHEARSALS times, see rehearse); default REHEARSE_AFTER_MS, negative: never
   */
  rehearseAfterMs?: number;
  /**
   * prepare the next reload when the config's files change on disk (ConfigHolder.prepare);
   * default true
   */
  prepareOnChange?: boolean;
}

/** When the start-up reload rehearsal runs: after the first probes' burst, before a likely first SIGHUP. */
export const REHEARSE_AFTER_MS = 1500;
/**
 * How many times, 100 ms apart: the second run finds the code compiled and runs it in the tiers
 * V8 moves it to with use (measured in the test VM: bench/daemon.sh, session 6).
 */
export const REHEARSALS = 2;
/**
 * Each rehearsal then loads the running file with a made-up 1% edit (ConfigHolder.rehearseChange)
 * up to this many times, while the rehearsal's edited loads took less than EDIT_REHEARSAL_BUDGET_MS:
 * a SIGHUP after an edit that came too soon to be prepared then runs the parse and checks warm
 * (TCG VM, 10,000 real servers: the first changed load's parse 170-400 ms cold, 50-110 after).
 */
export const EDIT_REHEARSALS = 3;
/**
 * Each rehearsal then has the engine plan this many reloads of made-up copies of the running
 * model with 1% of the real servers at another weight (LvsEngine.rehearsePlans: planned, never
 * applied): the lvs step of a SIGHUP after an edit then meets those branches warm.
 */
export const PLAN_REHEARSALS = 2;
export const EDIT_REHEARSAL_BUDGET_MS = 4000;

/**
 * reload.applied's `at`: ms from the signal reaching the event loop to the end of each step, in
 * this order. start: the reload job began (queued signals wait here); read: main file read (with
 * a prepared load: all its inputs read again, and parse to diff absent); parse; model: Model
 * built; checks: validation; diff: VRRP's difference; vrrp: VRRP, BFD and IPVS settings applied; lvs: the engine matched the new virtual servers (its IPVS requests are
 * queued); sent: the last datagram of requests was sent (the kernel holds the change); acked:
 * its answer was read; applied: the engine saw the apply end. Steps that did not run are absent.
 */
export const RELOAD_STEPS = ['start', 'read', 'parse', 'model', 'checks', 'diff', 'vrrp', 'lvs', 'sent', 'acked', 'applied'] as const;

export interface ReloadReport {
  ok: boolean;
  ms: number;
  vrrp?: { started: string[]; stopped: string[]; updated: string[] };
  lvs?: ReloadCounts;
}

const hasHaSuspend = (m: Model): boolean => (m.virtual_server ?? []).some((vs) => vs.ha_suspend === true);

const flushOnStop = (m: Model): FlushOnStop => {
  const v = m.global_defs?.lvs_flush_on_stop;
  return v === 'full' || v === 'VS' ? v : undefined;
};

/**
 * Events for observers (metrics): 'check' (CheckEvent), 'action' (LvsAction),
 * 'reload' (ReloadReport).
 */
export class Daemon extends EventEmitter {
  private readonly holder: ConfigHolder;
  private vrrp: VrrpRuntime | undefined;
  /** bfd_instance sessions (idle without any), feeding track_bfd and BFD_CHECK */
  private readonly bfd: BfdService;
  private bfdTracker: BfdTracker | undefined;
  private engine: LvsEngine | undefined;
  private edge: IpvsEdge | undefined;
  private scripts: LvsScripts;
  private addrs: LocalAddresses | undefined;
  /** lvs_sync_daemon and lvs_timeouts in the kernel */
  private readonly settings: IpvsSettings;
  private sync: SyncDaemonConfig | undefined;
  private readonly startedAt = Date.now();
  private reloads = 0;
  private lastReload: DaemonStatus['lastReload'] = null;
  private stopped = false;
  /** the last BFD apply failed (a reload retries it) */
  private bfdFailed = false;
  /** the start-up reload rehearsal while it runs (see rehearse) */
  private rehearsing: Promise<void> | undefined;
  /** a reload waits for the rehearsal: its edited loads stop at the next one */
  private reloadWaiting = false;
  /** edited loads rehearsed so far (each re-spaces other real servers) */
  private editRounds = 0;
  /** LvsEngine.rehearsePlans runs so far (each changes other real servers) */
  private planRounds = 0;
  /** scavenges run ahead while a prepared reload waits for its SIGHUP */
  private readonly youngRoom = new YoungRoom();
  /** the config inputs the watch follows now (see watchInputs) */
  private watchedInputs: InputLog | undefined;
  /** event counters for the Prometheus endpoint (states come from snapshot()) */
  readonly metrics = new Metrics();
  /** the config's inputs on disk: a change prepares the next reload */
  private readonly watch: ConfigWatch | undefined;
  /** what the watch saw, handled now or, during a SIGHUP's reload, after it */
  private readonly inputsChanged = new HeldChanges(() => this.onInputsChanged());

  private constructor(private readonly o: DaemonOptions, initial: LoadResult, initialInputs?: InputLog) {
    super();
    this.holder = new ConfigHolder(o.file, o.load, initial, undefined, diffWithoutVirtualServers, initialInputs);
    this.scripts = new LvsScripts(o.log);
    this.bfd = new BfdService({ log: o.log });
    this.settings = new IpvsSettings({ log: o.log, open: () => NetlinkIpvs.open() });
    if (o.prepareOnChange !== false) {
      // (a change the running model or the prepared load already read needs no load)
      this.watch = new ConfigWatch(() => this.inputsChanged.changed());
      this.watch.set(watchSet(initial.files.map((path) => ({ path, listing: false }))));
    }
  }

  /** The config's inputs changed on disk: the next reload's load is made now, unless current. */
  private onInputsChanged(): void {
    if (this.stopped || this.holder.upToDate()) return;
    const ok = this.prepare();
    // the load's garbage (and the dropped prepared load) collected now, not in the reload;
    // then room kept in the young generation for the SIGHUP that likely follows
    setImmediate(() => {
      if (this.stopped) return;
      fullGc();
      if (ok) this.youngRoom.start();
    });
  }

  /** `initialInputs`: what the load of `initial` read (recordInputs), when it was recorded */
  static async start(o: DaemonOptions, initial: LoadResult, initialInputs?: InputLog): Promise<Daemon> {
    const d = new Daemon(o, initial, initialInputs);
    await d.boot();
    return d;
  }

  get model(): Model {
    return this.holder.current;
  }

  private async boot(): Promise<void> {
    const log = this.o.log;
    const model = this.model;
    await this.applyBfd(model);
    if (this.o.vrrp) {
      const sink = vrrpEventSink(this.metrics, () => this.addressesMayHaveChanged());
      this.vrrp = await VrrpRuntime.start(model, {
        log,
        onEvent: (ev) => {
          sink(ev);
          if (ev.name === 'transition' && ev.data.instance === this.sync?.instance) void this.settings.setSync(this.sync, this.syncRole());
        },
      });
      this.bfdTracker = new BfdTracker(this.vrrp, this.bfd.vrrp);
      this.bfdTracker.start();
    }
    if (this.o.checkers) {
      this.edge = new IpvsEdge({ log, open: () => NetlinkIpvs.open() });
      if (model.global_defs?.lvs_flush === true) await this.edge.flushAll();
      await this.ensureAddressWatch(model);
      const edge = this.edge;
      this.engine = new LvsEngine({
        model,
        apply: (rows, changed) => edge.apply(rows, changed),
        onAction: (a) => this.onAction(a),
        onCheck: (e) => this.onCheck(e),
        // the quiet path: a steady TCP_CHECK's successes come drained, counted in the metrics
        onQuiet: (vs, rs, checker, q) => this.metrics.checkQuiet(vs, rs, checker, q),
        onError: (e) => log.error({ event: 'lvs.error', err: e instanceof Error ? e.message : String(e) }, 'health check engine error'),
        addressPresent: (a) => this.addrs?.has(a) ?? false,
        bfd: this.bfd.checker,
      });
      await this.engine.start();
    }
    await this.applySettings(model);
    const after = this.o.rehearseAfterMs ?? REHEARSE_AFTER_MS;
    if (after >= 0) {
      keepBytecode();
      const engine = this.engine;
      const again = (left: number): void => {
        this.rehearsing = this.rehearse().finally(() => {
          this.rehearsing = undefined;
          if (left > 1) setTimeout(() => again(left - 1), 100).unref();
        });
      };
      void (engine ? engine.applied() : Promise.resolve()).then(() => setTimeout(() => again(REHEARSALS), after).unref());
    }
    log.info({
      event: EV.daemonStart, version: VERSION, config: this.o.file, vrrp: this.o.vrrp, checkers: this.o.checkers,
      instances: this.vrrp?.instances.size ?? 0, virtualServers: this.engine?.policies.length ?? 0,
    }, `lvsd ${VERSION} started`);
  }

  /** Starts, keeps or restarts the bfd_instance sessions; a failure is logged, not fatal (retried at reload). */
  private async applyBfd(model: Model): Promise<void> {
    if (this.o.bfd === false) return;
    this.bfdFailed = false;
    try {
      await this.bfd.apply(model);
    } catch (e) {
      this.bfdFailed = true;
      this.o.log.error({ event: 'bfd.error', err: e instanceof Error ? e.message : String(e) }, 'BFD could not start');
    }
  }

  /**
   * A reload's VRRP step has nothing to do: nothing outside the virtual servers changed (VRRP
   * instances, BFD instances, global_defs with the IPVS settings: the difference is empty), and
   * what the last run of each part set up holds (BFD started, the IPVS settings in the kernel,
   * none waiting for a retry). Each part would find nothing to change; skipped, the SIGHUP does
   * not run their async calls (under emulation several ms of the step).
   */
  private vrrpStepIdle(diff: ModelDiff): boolean {
    return diff.empty && !this.bfdFailed && this.settings.current;
  }

  /**
   * ha_suspend needs the machine's addresses: read once, then kept fresh. Undefined when there
   * is nothing to start (a reload then has nothing to await: under emulation an await is ms).
   */
  private ensureAddressWatch(model: Model): Promise<void> | undefined {
    if (this.addrs || !hasHaSuspend(model)) return undefined;
    const addrs = (this.addrs = new LocalAddresses());
    return addrs.refresh().then(() => addrs.watch(this.o.addressPollMs ?? 1000, () => this.refreshPresence()));
  }

  /**
   * keepalived's split: a sync daemon tied to a VRRP instance follows that instance (VRRP side),
   * one without runs as master and backup (checker side); timeouts are the checker side's.
   */
  private async applySettings(model: Model, quiet = false): Promise<void> {
    const found = syncDaemonConfig(model);
    if (!found.ok && !quiet) this.o.log.warn({ event: 'ipvs.syncd' }, found.message);
    this.sync = found.ok ? found.config : undefined;
    await Promise.all([
      this.settings.setSync(this.sync, this.syncRole()),
      this.settings.setTimeouts(this.o.checkers ? timeoutsConfig(model) : undefined),
    ]);
  }

  private syncRole(): SyncRole {
    const c = this.sync;
    if (!c) return 'none';
    if (c.instance === undefined) return this.o.checkers ? 'both' : 'none';
    const inst = this.vrrp?.instances.get(c.instance);
    if (!inst) return 'none';
    return inst.state === 'MASTER' ? 'master' : 'backup';
  }

  private addressesMayHaveChanged(): void {
    void this.addrs?.refresh().then((changed) => { if (changed) this.refreshPresence(); });
  }

  private refreshPresence(): void {
    const a = this.addrs;
    if (a) this.engine?.refreshAddresses((addr) => a.has(addr));
  }

  private onCheck(e: CheckEvent): void {
    const ev = e.decision.event;
    if (ev === 'up' || ev === 'down') {
      const rec = { event: ev === 'up' ? EV.checkUp : EV.checkDown, vs: e.vs, rs: e.rs, checker: e.checker, reason: e.result.reason, latencyMs: Math.round(e.latencyMs * 10) / 10 };
      if (ev === 'up') this.o.log.info(rec, `${e.checker} on ${e.rs} of ${e.vs}: up`);
      else this.o.log.warn(rec, `${e.checker} on ${e.rs} of ${e.vs}: down (${e.result.reason})`);
    } else if (!e.result.ok && !e.decision.quietFailure) {
      this.o.log.info({ event: 'check.failed', vs: e.vs, rs: e.rs, checker: e.checker, reason: e.result.reason }, `${e.checker} on ${e.rs} failed: ${e.result.reason}`);
    }
    this.metrics.check(e.vs, e.rs, e.checker, e.result.ok, e.latencyMs);
    this.emit('check', e);
  }

  private onAction(a: LvsAction): void {
    const rec: Record<string, unknown> = { event: `lvs.${a.kind}`, vs: a.vs };
    if ('rs' in a) rec.rs = a.rs;
    if ('weight' in a) {
      rec.weight = a.weight;
      rec.threshold = a.threshold;
    }
    this.o.log.info(rec, `${a.kind} ${'rs' in a ? `${a.rs} ` : ''}in ${a.vs}`);
    this.scripts.run(a);
    this.emit('action', a);
  }

  /**
   * The reload rehearsal, REHEARSALS times while idle after start, unless a reload came first:
   * the file read, checked and diffed as a reload would (ConfigHolder.prepare: kept for a SIGHUP
   * that finds the file as it was), then VRRP and the LVS engine reloaded with the running model
   * itself (an empty difference: nothing stops, starts or reaches the kernel). A reload waits for
   * it. Never fatal.
   */
  private async rehearse(): Promise<void> {
    if (this.stopped || this.reloads > 0) return;
    const t0 = performance.now();
    try {
      const ok = this.prepare();
      // and the check a SIGHUP makes of the prepared load's inputs (its first run is cold code)
      this.holder.upToDate();
      // the reload paths only a change runs (a run of kept blocks ending early, checks of fresh real servers)
      rehearseChangedReload();
      const model = this.holder.current;
      if (this.vrrp) await this.vrrp.applyDiff(diffWithoutVirtualServers(model, model), model);
      if (this.engine && !this.stopped) {
        // the way a SIGHUP right after an edit goes (no comparisons made ahead), then the way a
        // prepared reload goes: the engine's comparisons made ahead, then carried out
        await this.engine.reload(model);
        await this.engine.applied();
        this.engine.prepareReload(model);
        await this.engine.reload(model);
        await this.engine.applied();
        this.engine.rehearseChanges();
        // and the comparisons of a reload where real servers changed, on made-up copies (dropped)
        for (let i = 0; i < PLAN_REHEARSALS; i++) this.engine.rehearsePlans(this.planRounds++);
      }
      // the SIGHUP path itself (the prepared load taken, its difference applied: an unchanged
      // file changes nothing), unlogged; its code then runs warm at the first SIGHUP. That took
      // the prepared load: the file is prepared again for a SIGHUP that finds it as it was.
      let sighupPath = false;
      if (!this.stopped && this.reloads === 0) {
        sighupPath = (await this.reload(undefined, true)).ok;
        this.prepare();
      }
      // a SIGHUP's load after an edit (the running file's own text, 1% re-spaced), never applied
      let edits = 0;
      const te = performance.now();
      for (let i = 0; i < EDIT_REHEARSALS && performance.now() - te < EDIT_REHEARSAL_BUDGET_MS; i++) {
        // the event loop runs between loads; a reload waiting, a stop or a reload done ends it
        await new Promise<void>((res) => setImmediate(res));
        if (this.stopped || this.reloads > 0 || this.reloadWaiting) break;
        if (this.holder.rehearseChange(this.editRounds++) >= 0) edits++;
      }
      const ms = Math.round((performance.now() - t0) * 10) / 10;
      const t1 = performance.now();
      const gc = fullGc();
      this.o.log.debug({ event: 'reload.rehearsal', ok, sighupPath, edits, ms, gcMs: gc ? Math.round((performance.now() - t1) * 10) / 10 : null }, 'reload rehearsed');
    } catch (e) {
      this.o.log.debug({ event: 'reload.rehearsal', err: e instanceof Error ? e.message : String(e) }, 'reload rehearsal failed');
    }
  }

  /**
   * The next reload's load made now (ConfigHolder.prepare): at start-up's rehearsal and when the
   * config's inputs change on disk. Never fatal; the watch follows what the load read.
   */
  private prepare(): boolean {
    if (this.stopped) return false;
    const t0 = performance.now();
    let ok = false;
    try {
      ok = this.holder.prepare();
      // and the engine's comparisons of it with what runs (LvsEngine.prepareReload)
      const next = this.holder.preparedModel;
      if (next) this.engine?.prepareReload(next);
      this.o.log.debug({ event: 'reload.prepared', ok, ms: Math.round((performance.now() - t0) * 10) / 10 }, 'next reload prepared');
    } catch (e) {
      this.o.log.debug({ event: 'reload.prepared', err: e instanceof Error ? e.message : String(e) }, 'reload preparation failed');
    }
    this.watchInputs();
    return ok;
  }

  private watchInputs(): void {
    const inputs = this.holder.inputs;
    // a prepared reload read what its preparation read: the folders watched are those already
    if (!this.watch || !inputs || inputs === this.watchedInputs) return;
    this.watch.set(watchSet(inputPaths(inputs)));
    this.watchedInputs = inputs;
  }

  /**
   * SIGHUP: a broken file keeps the running configuration; a good one is applied by difference.
   * `signal`: when the signal reached the event loop, as performance.now() (the timings' zero)
   * and Date.now(). `rehearsal`: the start-up rehearsal's run of this path (on the file it has
   * just prepared): nothing logged, counted or reported, and it does not wait for the rehearsal.
   */
  async reload(signal?: { at: number; wall: number }, rehearsal = false): Promise<ReloadReport> {
    // a change on disk meanwhile is looked at after the reload, not between its requests and their acks
    return rehearsal ? this.reloadNow(signal, true) : this.inputsChanged.during(() => this.reloadNow(signal, false));
  }

  private async reloadNow(signal: { at: number; wall: number } | undefined, rehearsal: boolean): Promise<ReloadReport> {
    if (this.stopped) return { ok: false, ms: 0 };
    if (this.rehearsing && !rehearsal) {
      this.reloadWaiting = true;
      await this.rehearsing;
      this.reloadWaiting = false;
    }
    const log = this.o.log;
    const t0 = performance.now();
    const zero = signal?.at ?? t0;
    if (!rehearsal) this.youngRoom.stop();
    // when each step ended (last pass), in ms since the signal: reload.applied's `at`
    const at: Record<string, number> = { start: t0 - zero };
    const r = this.holder.reload((step) => { at[step] = performance.now() - zero; }, rehearsal);
    if (!rehearsal) this.reloads++;
    if (!r.applied || !r.diff) {
      this.watchInputs();
      if (rehearsal) return { ok: false, ms: performance.now() - t0 };
      logDiagnostics(log, r.diagnostics);
      const errors = r.diagnostics.filter((d) => d.level === 'error').length;
      log.warn({ event: EV.reloadRefused, errors, prepared: r.prepared }, `reload refused: ${errors} error(s) in ${this.o.file}; the running configuration stays`);
      this.lastReload = { at: Date.now(), ok: false, message: `${errors} configuration error(s)` };
      const rep = { ok: false, ms: performance.now() - t0 };
      this.metrics.reload(false);
      this.emit('reload', rep);
      return rep;
    }
    if (!rehearsal) logDiagnostics(log, r.diagnostics);
    // checks that fell due while the file was read start after the reload's IPVS apply
    const held0 = this.engine?.heldTotal ?? 0;
    this.engine?.holdChecks();
    const model = this.holder.current;
    const rep: ReloadReport = { ok: true, ms: 0 };
    const t1 = performance.now();
    if (this.vrrpStepIdle(r.diff)) {
      if (this.vrrp) rep.vrrp = noVrrpChange();
    } else {
      try {
        if (this.vrrp) rep.vrrp = await this.vrrp.applyDiff(r.diff, model);
      } catch (e) {
        log.error({ event: 'vrrp.reload-error', err: e instanceof Error ? e.message : String(e) }, 'VRRP reload failed');
      }
      await this.applyBfd(model);
      this.bfdTracker?.sync();
      await this.applySettings(model, rehearsal);
    }
    const t2 = performance.now();
    at.vrrp = t2 - zero;
    let t3 = t2;
    if (this.engine) {
      const watching = this.ensureAddressWatch(model);
      if (watching) await watching;
      this.refreshPresence();
      rep.lvs = await this.engine.reload(model);
      t3 = performance.now();
      at.lvs = t3 - zero;
      await this.engine.applied();
      at.applied = performance.now() - zero;
      // the IPVS requests of this reload (none when nothing changed in the kernel)
      const io = this.edge?.io;
      if (io && io.sentAt > t2) at.sent = io.sentAt - zero;
      if (io && io.answeredAt > t2) at.acked = io.answeredAt - zero;
    }
    const round = (x: number): number => Math.round(x * 10) / 10;
    for (const k of Object.keys(at)) at[k] = round(at[k]);
    // parsePasses: a config with warnings is parsed twice (the second time with keyword positions);
    // prepared: the load made when the file changed on disk was taken (parseMs: reading it all again)
    const phases = {
      parseMs: round(r.ms), parsePasses: r.passes, prepared: r.prepared, vrrpMs: round(t2 - t1), lvsMs: round(t3 - t2), ipvsMs: round(performance.now() - t3),
      // probes that fell due meanwhile and waited for the apply (LvsEngine.holdChecks)
      checksHeld: (this.engine?.heldTotal ?? 0) - held0,
      // wall clock of the signal (epoch ms) and when each step ended, in ms after it (RELOAD_STEPS)
      signalAt: signal?.wall ?? Date.now() - (t0 - zero), at,
    };
    rep.ms = performance.now() - t0;
    // (after the apply: the watch follows what this load read, nothing on the kernel's path waits for it)
    this.watchInputs();
    if (rehearsal) return rep;
    const v = rep.vrrp;
    log.info({
      event: EV.reloadApplied, ms: round(rep.ms), ...phases,
      vrrpStarted: v?.started.length ?? 0, vrrpStopped: v?.stopped.length ?? 0, vrrpUpdated: v?.updated.length ?? 0,
      ...(v ?? {}),
      ...(rep.lvs ?? {}),
    }, `reload applied in ${rep.ms.toFixed(1)} ms`);
    this.lastReload = { at: Date.now(), ok: true, message: 'applied' };
    this.metrics.reload(true);
    this.emit('reload', rep);
    // the old model's garbage, collected now rather than in the next reload (see full-gc.ts)
    setImmediate(() => { if (!this.stopped) fullGc(); });
    return rep;
  }

  /**
   * SIGTERM: checkers stop (omega scripts run), VRRP masters send priority 0 and release their
   * VIPs, lvsd's IPVS services leave the kernel unless kept.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.watch?.close();
    this.youngRoom.stop();
    const log = this.o.log;
    this.engine?.stop();
    this.bfdTracker?.stop();
    const jobs: Array<Promise<void>> = [this.bfd.stop()];
    if (this.vrrp) {
      jobs.push(this.vrrp.stop().catch((e: unknown) => log.error({ event: 'vrrp.stop-error', err: String(e) }, 'VRRP stop failed')));
    }
    if (this.edge) jobs.push(this.edge.close({ keep: this.o.keepIpvs, flush: flushOnStop(this.model) }));
    jobs.push(this.settings.stop());
    await Promise.all(jobs);
    await this.scripts.settle(5000);
    this.addrs?.close();
    log.info({ event: EV.daemonStop }, 'lvsd stopped');
  }

  /** What `lvsd status`, the metrics and the dumps render. Reads IPVS counters now. */
  async snapshot(): Promise<DaemonStatus> {
    const table = this.edge ? await this.edge.dump() : undefined;
    const bfd = this.bfd.status();
    const bfdRefused = this.bfd.refused();
    return {
      pid: process.pid,
      version: VERSION,
      configFile: this.o.file,
      startedAt: this.startedAt,
      reloads: this.reloads,
      lastReload: this.lastReload,
      vrrpEnabled: this.vrrp !== undefined,
      checkersEnabled: this.engine !== undefined,
      vrrp: this.vrrp ? this.vrrp.status() : [],
      virtualServers: this.engine ? this.engine.status(table) : [],
      ...(typeof this.model.global_defs?.router_id === 'string' ? { routerId: this.model.global_defs.router_id } : {}),
      metricsListen: this.metricsAt() ?? null,
      ...(bfd.length > 0 ? { bfd, ...(bfdRefused ? { bfdRefused } : {}) } : {}),
    };
  }

  /** Where the Prometheus endpoint listens, if it is on. */
  metricsAt(): { host: string; port: number } | undefined {
    return metricsListen(this.o.metricsListen, this.model.global_defs);
  }
}
