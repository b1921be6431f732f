// Every VRRP instance and sync group of a config, running: the shared edges (link monitor,
// rtnetlink address table, vmac links, AF_PACKET senders, one raw socket per interface and
// protocol), the trackers feeding the machines, notifications, graceful stop (priority 0
// adverts, VIPs released) and reload by diff (unchanged instances are not touched).
import { EventEmitter } from 'node:events';
import { Instance, type InstanceEnv, type SharedSocket } from './instance.js';
import { instanceStatus } from './status.js';
import type { VrrpEvent, VrrpEventMap, VrrpEventName } from './events.js';
import type { VrrpInstanceStatus } from '../daemon/state.js';
import { planFromModel, type InstanceSpec, type VrrpPlan } from './from-model.js';
import { SyncGroup } from './sync-group.js';
import { VridDemux } from './demux.js';
import { openTransport, type TransportOptions } from './transport.js';
import { Notifier, type NotifyState } from './notify.js';
import { Limiter } from './trackers/limiter.js';
import { ScriptTracker } from './trackers/script.js';
import { TrackFile, trackFileOffset } from './trackers/file.js';
import { ProcessScanner } from './trackers/process.js';
import type { MachineEvent } from './machine.js';
import type { VrrpState } from './types.js';
import { LinkMonitor, type LinkState } from '../net/links.js';
import { openAddressTable, type AddressTable } from '../net/vips.js';
import { openRouteTable, type RouteTable } from '../net/routes.js';
import { openVmacLinks, type VmacLinks } from '../net/vmac.js';
import { openFrameSender, type FrameSender } from '../net/packet-socket.js';
import type { Model } from '../config/model.js';
import type { ModelDiff } from '../config/diff.js';
import type { Logger } from '../daemon/log.js';

export interface RuntimeOptions {
  log: Logger;
  /** vrrp_script runs at once (default 8). */
  scriptConcurrency?: number;
  /** How often vrrp_track_process reads /proc (default 500 ms). */
  processPollMs?: number;
  /** How long stop() waits for notify_stop scripts (default 5 s). */
  notifyGraceMs?: number;
  /** Sees every event, from the first transitions inside start() on (listeners added after start() miss those). */
  onEvent?: (ev: VrrpEvent) => void;
}

interface Group {
  sg: SyncGroup;
  spec: VrrpPlan['groups'][number];
}

const GROUP_NOTIFY: Record<VrrpState, NotifyState> = { MASTER: 'MASTER', BACKUP: 'BACKUP', FAULT: 'FAULT', INIT: 'STOP' };

function sockKey(o: TransportOptions): string {
  return `${o.interfaceName}|${o.family}|${o.ah ? 'ah' : 'vrrp'}|${o.multicast ? `m:${o.group ?? ''}` : 'u'}|${o.sourceAddress}`;
}

type EmitterMap = { [K in VrrpEventName]: [VrrpEventMap[K]] };

/** What a reload's VRRP step reports when nothing VRRP reads changed (applyDiff's answer then). */
export function noVrrpChange(): { started: string[]; stopped: string[]; updated: string[] } {
  return { started: [], stopped: [], updated: [] };
}

/** Emits 'transition', 'advert', 'drop' and 'vips' (payloads in events.ts). */
export class VrrpRuntime extends EventEmitter<EmitterMap> {
  readonly instances = new Map<string, Instance>();
  readonly groups = new Map<string, Group>();
  readonly scripts = new Map<string, ScriptTracker>();
  readonly files = new Map<string, TrackFile>();
  private plan: VrrpPlan = { instances: [], scripts: [], files: [], groups: [], processes: [], fifos: [] };
  private processes: ProcessScanner | undefined;
  private processKey = '';
  private readonly sockets = new Map<string, SharedSocket & { refs: number }>();
  /** unknown-VRID counts of sockets closed since (kept so the total only grows). */
  private closedSocketsUnknown = 0;
  private readonly senders = new Map<number, FrameSender>();
  private readonly limiter: Limiter;
  private readonly t0 = performance.now();
  private notifier!: Notifier;
  private env!: InstanceEnv;

  private constructor(
    private readonly o: RuntimeOptions,
    private readonly links: LinkMonitor,
    private readonly addresses: AddressTable,
    private readonly vmacs: VmacLinks,
    private readonly routes: RouteTable,
  ) {
    super();
    this.limiter = new Limiter(o.scriptConcurrency ?? 8);
  }

  /** A status snapshot of every instance, in the order they started (a reload appends restarted ones). */
  status(): VrrpInstanceStatus[] {
    return [...this.instances.values()].map(instanceStatus);
  }

  /** Packets for VRIDs no instance here serves (or too short to name one), over every socket since start. */
  unknownVridPackets(): number {
    let n = this.closedSocketsUnknown;
    for (const s of this.sockets.values()) n += s.demux.unknown;
    return n;
  }

  /** Hands an instance's report to the listeners; a throwing listener must not break VRRP. */
  private observe(ev: VrrpEvent): void {
    try {
      this.o.onEvent?.(ev);
      // The union keeps name and payload paired; emit's overloads want them one name at a time.
      (this.emit as (n: string, d: unknown) => boolean)(ev.name, ev.data);
    } catch (e) {
      this.o.log.error({ event: 'vrrp.listener-error', name: ev.name, err: e instanceof Error ? e.message : String(e) }, 'VRRP event listener failed');
    }
  }

  static async start(model: Model, o: RuntimeOptions): Promise<VrrpRuntime> {
    const links = await LinkMonitor.open();
    const rt = new VrrpRuntime(o, links, openAddressTable(), openVmacLinks(), openRouteTable());
    try {
      await rt.boot(model);
    } catch (e) {
      await rt.stop();
      throw e;
    }
    return rt;
  }

  now(): number {
    return performance.now() - this.t0;
  }

  private async boot(model: Model): Promise<void> {
    this.plan = planFromModel(model);
    this.notifier = new Notifier(this.plan.fifos, (cmd, r) => {
      if (r.kind !== 'exit' || r.code !== 0) this.o.log.warn({ event: 'vrrp.notify-failed', cmd, result: r }, `notify script ${cmd} failed`);
    });
    const log = this.o.log;
    this.env = {
      now: () => this.now(),
      acquireSocket: (so) => this.acquireSocket(so),
      releaseSocket: (so) => this.releaseSocket(so),
      addresses: this.addresses,
      routes: this.routes,
      frameSender: (ifindex) => this.frameSender(ifindex),
      link: (name) => this.links.byName(name),
      vmacs: this.vmacs,
      notifier: this.notifier,
      log,
      observe: (ev) => this.observe(ev),
    };
    this.links.on('change', (l) => this.onLink(l, Boolean(l.up && l.running)));
    this.links.on('removed', (l) => this.onLink(l, false));
    this.links.on('error', (e) => log.error({ event: 'vrrp.link-error', err: e.message }, 'link monitor error'));
    if (!this.links.noEnobufs) {
      log.warn({ event: 'vrrp.link-monitor-fragile' }, 'link monitor: NETLINK_NO_ENOBUFS not set (addon missing?): a flood of link events may abort the process');
    }
    await this.startInstances(this.plan.instances);
  }

  /** Starts trackers the specs need, prepares the instances, forms their groups, sends start. */
  private async startInstances(specs: InstanceSpec[]): Promise<void> {
    this.ensureTrackers(specs);
    const fresh: Instance[] = [];
    for (const spec of specs) {
      const inst = new Instance(spec, this.env);
      this.instances.set(spec.name, inst);
      await inst.prepare();
      fresh.push(inst);
      this.sendInitialTrackState(inst);
    }
    const now = this.now();
    for (const g of this.plan.groups) {
      if (this.groups.has(g.name)) continue;
      const members = g.members.map((m) => this.instances.get(m)).filter((x): x is Instance => x !== undefined && fresh.includes(x));
      if (members.length === 0 || members.length !== g.members.filter((m) => this.instances.has(m)).length) continue;
      const group: Group = { sg: new SyncGroup(g.name, members.map((m) => m.machine)), spec: g };
      this.groups.set(g.name, group);
      for (const m of members) {
        m.route = (_inst, ev, t) => this.groupRoute(group, _inst.name, ev, t);
        // keepalived: a member hearing a lower priority advert makes the others re-announce as well.
        m.onLowerAdvert = () => { for (const o of members) if (o !== m) o.announceLowerPriority(); };
      }
      this.groupRun(group, () => group.sg.handleAll({ type: 'start' }, now));
    }
    for (const inst of fresh) if (inst.machine.state === 'INIT' && !this.groupOf(inst)) inst.event({ type: 'start' });
  }

  private groupOf(inst: Instance): Group | undefined {
    const name = inst.spec.syncGroup;
    const g = name ? this.groups.get(name) : undefined;
    return g && g.sg.members.includes(inst.machine) ? g : undefined;
  }

  private groupRoute(g: Group, name: string, ev: MachineEvent, now: number): void {
    this.groupRun(g, () => g.sg.handle(name, ev, now));
  }

  private groupRun(g: Group, step: () => ReturnType<SyncGroup['handle']>): void {
    const before = g.sg.state;
    for (const ma of step()) this.instances.get(ma.instance)?.apply(ma.action);
    if (g.sg.state !== before) {
      this.o.log.info({ event: 'vrrp.group-transition', group: g.spec.name, from: before, to: g.sg.state }, `(${g.spec.name}) Sync group entering ${g.sg.state}`);
      this.notifier.notify(g.spec.notify, 'GROUP', g.spec.name, GROUP_NOTIFY[g.sg.state], 0);
    }
  }

  private ensureTrackers(specs: InstanceSpec[]): void {
    const wantScripts = new Set(specs.flatMap((s) => s.trackScripts.map((t) => t.script)));
    for (const def of this.plan.scripts) {
      if (!wantScripts.has(def.name) || this.scripts.has(def.name)) continue;
      const tr = new ScriptTracker(def, this.limiter);
      tr.on('change', (up: boolean) => {
        this.o.log.info({ event: 'vrrp.script', script: def.name, up }, `VRRP_Script(${def.name}) ${up ? 'succeeded' : 'failed'}`);
        this.fanOut((s) => s.trackScripts.filter((t) => t.script === def.name).map((t) => ({ type: 'track', id: t.id, up })));
      });
      this.scripts.set(def.name, tr);
      tr.start();
    }
    const wantFiles = new Set(specs.flatMap((s) => s.trackFiles.map((t) => t.file)));
    for (const def of this.plan.files) {
      if (!wantFiles.has(def.name) || this.files.has(def.name)) continue;
      const tf = new TrackFile(def);
      tf.on('change', (value: number) => {
        this.o.log.info({ event: 'vrrp.track-file', file: def.name, value }, `tracked file ${def.name} now ${value}`);
        this.fanOut((s) => s.trackFiles.filter((t) => t.file === def.name)
          .map((t) => ({ type: 'track-offset', id: t.id, offset: trackFileOffset(value, t.weight, t.reverse) })));
      });
      this.files.set(def.name, tf);
      tf.start();
    }
    this.ensureProcessScanner(specs);
  }

  /** One /proc scanner for every vrrp_track_process of the plan, once some instance tracks one. */
  private ensureProcessScanner(specs: InstanceSpec[]): void {
    const key = JSON.stringify(this.plan.processes);
    if (this.processes && this.processKey === key) return;
    const wanted = specs.some((s) => s.trackProcesses.length > 0) || [...this.instances.values()].some((i) => i.spec.trackProcesses.length > 0);
    if (!wanted) return;
    const old = this.processes;
    old?.stop();
    const sc = new ProcessScanner(this.plan.processes, this.o.processPollMs !== undefined ? { intervalMs: this.o.processPollMs } : {});
    sc.on('change', (name: string, up: boolean) => {
      this.o.log.info({ event: 'vrrp.track-process', process: name, up, count: sc.count(name) }, `Track process ${name} ${up ? 'now has quorum' : 'lost quorum'}`);
      this.fanOut((s) => s.trackProcesses.filter((t) => t.process === name).map((t) => ({ type: 'track', id: t.id, up })));
    });
    sc.start();
    this.processes = sc;
    this.processKey = key;
    // Instances already running hear the new scanner's view (the new ones get it at start).
    if (old) this.fanOut((s) => s.trackProcesses.map((t) => ({ type: 'track', id: t.id, up: sc.up(t.process) })));
  }

  private sendInitialTrackState(inst: Instance): void {
    for (const t of inst.spec.trackInterfaces) {
      const l = this.links.byName(t.ifname);
      inst.event({ type: 'track', id: t.id, up: Boolean(l?.up && l.running) });
    }
    for (const t of inst.spec.trackScripts) {
      const s = this.scripts.get(t.script);
      if (s) inst.event({ type: 'track', id: t.id, up: s.up });
    }
    for (const t of inst.spec.trackProcesses) {
      if (this.processes) inst.event({ type: 'track', id: t.id, up: this.processes.up(t.process) });
    }
    for (const t of inst.spec.trackFiles) {
      const f = this.files.get(t.file);
      if (f) inst.event({ type: 'track-offset', id: t.id, offset: trackFileOffset(f.value, t.weight, t.reverse) });
    }
  }

  private fanOut(events: (s: InstanceSpec) => MachineEvent[]): void {
    for (const inst of this.instances.values()) for (const ev of events(inst.spec)) inst.event(ev);
  }

  private onLink(l: LinkState, up: boolean): void {
    for (const inst of this.instances.values()) {
      if (inst.spec.interfaceName === l.name) inst.event({ type: 'interface', up });
      for (const t of inst.spec.trackInterfaces) if (t.ifname === l.name) inst.event({ type: 'track', id: t.id, up });
    }
  }

  private acquireSocket(so: TransportOptions): SharedSocket {
    const key = sockKey(so);
    let s = this.sockets.get(key);
    if (!s) {
      const transport = openTransport(so);
      const demux = new VridDemux();
      transport.onPacket((rx) => demux.dispatch(rx));
      transport.onError((e) => this.o.log.warn({ event: 'vrrp.socket-error', interface: so.interfaceName, err: e.message }, 'VRRP socket error'));
      s = { transport, demux, refs: 0 };
      this.sockets.set(key, s);
    }
    s.refs++;
    return s;
  }

  private releaseSocket(so: TransportOptions): void {
    const key = sockKey(so);
    const s = this.sockets.get(key);
    if (!s || --s.refs > 0) return;
    this.closedSocketsUnknown += s.demux.unknown;
    s.transport.close();
    this.sockets.delete(key);
  }

  private frameSender(ifindex: number): FrameSender {
    let f = this.senders.get(ifindex);
    if (!f) {
      f = openFrameSender(ifindex);
      this.senders.set(ifindex, f);
    }
    return f;
  }

  /** Shutdown of some instances: priority 0 adverts from masters, VIPs released, STOP notified. */
  private async stopInstances(list: Instance[]): Promise<void> {
    const now = this.now();
    const doneGroups = new Set<Group>();
    for (const inst of list) {
      if (!inst.machine) continue;
      const g = this.groupOf(inst);
      if (g) {
        if (doneGroups.has(g)) continue;
        doneGroups.add(g);
        this.groupRun(g, () => g.sg.handleAll({ type: 'shutdown' }, now));
      } else {
        inst.event({ type: 'shutdown' });
      }
    }
    await Promise.all(list.map((i) => i.close()));
    for (const inst of list) {
      this.instances.delete(inst.name);
      const g = this.groupOf(inst);
      if (g) this.groups.delete(g.spec.name);
    }
    for (const g of doneGroups) this.groups.delete(g.spec.name);
  }

  /** SIGTERM: every instance stops as keepalived does; then every edge is closed. */
  async stop(): Promise<void> {
    await this.stopInstances([...this.instances.values()]);
    for (const s of this.scripts.values()) s.stop();
    for (const f of this.files.values()) f.stop();
    this.processes?.stop();
    this.processes = undefined;
    this.scripts.clear();
    this.files.clear();
    await new Promise((r) => setImmediate(r)); // notifications of the last transitions start (instance.ts defers them)
    await this.notifier?.settle(this.o.notifyGraceMs ?? 5000);
    this.notifier?.close();
    for (const s of this.sockets.values()) s.transport.close();
    this.sockets.clear();
    for (const f of this.senders.values()) f.close();
    this.senders.clear();
    this.links.close();
    this.addresses.close();
    this.routes.close();
    this.vmacs.close();
  }

  /**
   * Reload: removed and changed instances stop (VIPs released, priority 0 if master), added and
   * changed ones start from the new model; unchanged instances keep running untouched, and so
   * do changed ones outside sync groups whose change Instance.updateSpec() can take in place.
   */
  async applyDiff(diff: ModelDiff, next: Model): Promise<{ started: string[]; stopped: string[]; updated: string[] }> {
    // Nothing VRRP reads changed (diff.empty covers every section but the virtual servers the
    // daemon's VRRP diff leaves out): the running plan is the new one by value, and rebuilding it
    // cost a reload 10-25 ms under emulation (bench/daemon.sh, session 9).
    if (diff.empty) return noVrrpChange();
    const plan = planFromModel(next);
    const names = (objs: Array<Record<string, unknown>>): string[] => objs.map((o) => String(o.name));
    const groupsChanged = diff.otherChanged.includes('vrrp_sync_group');
    // Changed instances outside sync groups whose change is only priority/notify/GARP pacing keep running.
    const updated: string[] = [];
    for (const c of diff.vrrpInstances.changed) {
      const name = String(c.after.name);
      const inst = this.instances.get(name);
      const spec = plan.instances.find((s) => s.name === name);
      if (!inst || !spec || groupsChanged || inst.spec.syncGroup || spec.syncGroup || String(c.before.name) !== name) continue;
      if (await inst.updateSpec(spec)) updated.push(name);
    }
    const changed = diff.vrrpInstances.changed.filter((c) => !updated.includes(String(c.after.name)));
    const stopSet = new Set([...names(diff.vrrpInstances.removed), ...names(changed.map((c) => c.before))]);
    const startNames = new Set([...names(diff.vrrpInstances.added), ...names(changed.map((c) => c.after))]);
    // A sync group moves as one: touching a member (or the groups themselves) restarts the whole group.
    const inPlan = new Set(plan.instances.map((s) => s.name));
    const restart = (n: string): void => {
      stopSet.add(n);
      if (inPlan.has(n)) startNames.add(n);
    };
    for (const g of this.groups.values()) {
      const names2 = g.spec.members;
      if (groupsChanged || names2.some((n) => stopSet.has(n))) for (const n of names2) if (this.instances.has(n)) restart(n);
    }
    for (const spec of plan.instances) {
      const g = spec.syncGroup ? plan.groups.find((x) => x.name === spec.syncGroup) : undefined;
      if (g && (groupsChanged || g.members.some((n) => startNames.has(n)))) for (const n of g.members) if (this.instances.has(n) || inPlan.has(n)) restart(n);
    }
    const stopNames = [...stopSet].filter((n) => this.instances.has(n));
    // Gone from the configuration (not restarted): reported as keepalived reports a deletion.
    for (const n of stopNames) if (!startNames.has(n)) { const i = this.instances.get(n); if (i) i.deleting = true; }
    await this.stopInstances(stopNames.map((n) => this.instances.get(n)).filter((x): x is Instance => x !== undefined));
    this.plan = { ...plan, fifos: this.plan.fifos };
    const specs = plan.instances.filter((s) => startNames.has(s.name));
    await this.startInstances(specs);
    // Trackers nobody uses any more stop.
    const usedScripts = new Set([...this.instances.values()].flatMap((i) => i.spec.trackScripts.map((t) => t.script)));
    for (const [n, s] of this.scripts) if (!usedScripts.has(n)) { s.stop(); this.scripts.delete(n); }
    const usedFiles = new Set([...this.instances.values()].flatMap((i) => i.spec.trackFiles.map((t) => t.file)));
    for (const [n, f] of this.files) if (!usedFiles.has(n)) { f.stop(); this.files.delete(n); }
    return { started: specs.map((s) => s.name), stopped: stopNames, updated };
  }
}
