// One running VRRP instance: the pure machine driven by real edges. Received adverts come
// through a shared per-interface socket (demux by VRID) and AdvertIo; actions go out to the
// socket (adverts), net/ (VIPs through rtnetlink, gratuitous ARP / NA through AF_PACKET),
// the notifier and the log. Events reach the machine through `route`, so a sync group can
// stand in between (see runtime.ts).
import { AdvertIo } from './advert-io.js';
import { canonicalAddress } from './addr.js';
import { VrrpMachine, type Action, type MachineEvent } from './machine.js';
import type { VridDemux } from './demux.js';
import type { TransportOptions, VrrpTransport } from './transport.js';
import type { VrrpState, WireParams } from './types.js';
import type { InstanceSpec, VipSpec } from './from-model.js';
import type { Notifier, NotifyState } from './notify.js';
import type { AddressTable } from '../net/vips.js';
import type { Route, RouteTable, Rule } from '../net/routes.js';
import { readRtTables } from '../net/rt-tables.js';
import { routeSpec, ruleSpec } from './route-plan.js';
import type { Vip } from '../net/vip.js';
import type { FrameSender } from '../net/packet-socket.js';
import type { VmacLinks } from '../net/vmac.js';
import { vrrpMac } from '../net/vmac.js';
import { Announcer, type AnnounceVip } from '../net/announce/announcer.js';
import { forwardsIpv6 } from '../net/announce/router-flag.js';
import { ipToBytes } from '../net/ip.js';
import { EV, type Logger } from '../daemon/log.js';
import type { VrrpEvent } from './events.js';

export interface SharedSocket {
  transport: VrrpTransport;
  demux: VridDemux;
}

/** What an instance needs from the process around it; runtime.ts supplies the real ones. */
export interface InstanceEnv {
  now(): number;
  /** The shared socket for these options (opened on first use, counted). */
  acquireSocket(o: TransportOptions): SharedSocket;
  releaseSocket(o: TransportOptions): void;
  addresses: AddressTable;
  /** virtual_routes / virtual_rules. */
  routes: RouteTable;
  frameSender(ifindex: number): FrameSender;
  /** MAC and operational state of an interface by name (LinkMonitor). */
  link(name: string): { ifindex: number; mac?: Buffer; up: boolean; running: boolean } | undefined;
  vmacs: VmacLinks;
  notifier: Notifier;
  log: Logger;
  /** Progress reports (transitions, adverts, drops, VIP changes) for the runtime's listeners. */
  observe?: (ev: VrrpEvent) => void;
}

/** Counters of one instance since it started (status and metrics read them). */
export interface InstanceStats {
  /** Entries into MASTER, BACKUP or FAULT. */
  transitions: number;
  becameMaster: number;
  /** ms since the epoch */
  lastTransitionAt: number | null;
  advertsSent: number;
  /** Accepted adverts (drops are counted by reason in io.drops). */
  advertsReceived: number;
  priorityZeroSent: number;
  priorityZeroReceived: number;
}

const NOTIFY_STATE: Record<VrrpState, NotifyState> = { MASTER: 'MASTER', BACKUP: 'BACKUP', FAULT: 'FAULT', INIT: 'STOP' };

/** What a stop reports: STOP, or for an instance a reload removed, DELETED (notify_deleted) or FAULT (keepalived's default; nothing when already FAULT). */
function stopNotice(deleting: boolean, notifyDeleted: boolean, from: VrrpState): NotifyState | null {
  if (!deleting) return 'STOP';
  if (notifyDeleted) return 'DELETED';
  return from === 'FAULT' ? null : 'FAULT';
}

export class Instance {
  machine!: VrrpMachine;
  io!: AdvertIo;
  /** The machine's input; runtime.ts replaces it for sync group members. */
  route: (inst: Instance, ev: MachineEvent, now: number) => void = (inst, ev, now) => inst.applyAll(inst.machine.handle(ev, now));
  /** Called after this master heard a lower priority advert (runtime.ts: the sync group's other members re-announce too). */
  onLowerAdvert: (() => void) | undefined;
  /** The interface adverts and VIPs use: the vmac with use_vmac, else the configured one. */
  ifname: string;
  private timer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<Promise<unknown>>();
  /** VIP and GARP work in order: GARP only after the addresses are in place. */
  private netQueue: Promise<void> = Promise.resolve();
  private sockOpts: TransportOptions | undefined;
  private sock: SharedSocket | undefined;
  private announcer: Announcer | undefined;
  private vips: Vip[] = [];
  private routes: Array<Route & { text: string }> = [];
  private rules: Array<Rule & { text: string }> = [];
  private vmacCreated = false;
  private started = false;
  readonly stats: InstanceStats = {
    transitions: 0, becameMaster: 0, lastTransitionAt: null, advertsSent: 0, advertsReceived: 0, priorityZeroSent: 0, priorityZeroReceived: 0,
  };
  /** Whether the VIPs are in the kernel now (after the last add/remove finished). */
  vipsInstalled = false;
  /** Set by the runtime before a reload removes this instance: the stop is reported as keepalived reports a deletion. */
  deleting = false;
  /** Source and priority of the last accepted advert with a priority above 0. */
  lastAdvertSource: string | null = null;
  lastAdvertPriority = 0;
  /** Times MASTER was left (keepalived's release_master). */
  releasedMaster = 0;

  constructor(public spec: InstanceSpec, readonly env: InstanceEnv) {
    this.ifname = spec.interfaceName;
  }

  get name(): string {
    return this.spec.name;
  }

  get state(): VrrpState {
    return this.machine.state;
  }

  /** Sets up edges (vmac, socket, VIP resolution); the caller then routes {type:'start'}. */
  async prepare(): Promise<void> {
    const s = this.spec;
    const base = this.env.link(s.interfaceName);
    if (!base) throw new Error(`(${s.name}) interface ${s.interfaceName} does not exist`);
    if (s.vmac) {
      const r = await this.env.vmacs.create({ parentIfindex: base.ifindex, vrid: s.wire.vrid, family: s.wire.family, name: s.vmac.name });
      this.vmacCreated = r.created;
      this.ifname = s.vmac.name;
    }
    const source = s.wire.sourceAddress ?? await this.primaryAddress(base.ifindex);
    this.machine = new VrrpMachine({ ...s.machine, primaryAddress: source });
    const wire: WireParams = { ...s.wire, sourceAddress: source, interfaceName: this.ifname };
    this.io = new AdvertIo(wire, s.machine.advertIntervalMs);
    const sendIf = s.vmac && !s.vmac.xmitBase ? this.ifname : s.interfaceName;
    this.sockOpts = {
      family: s.wire.family, interfaceName: sendIf, sourceAddress: source, multicast: s.wire.unicastPeers.length === 0,
      ah: s.wire.auth.type === 'ah',
      ...(s.wire.unicastPeers.length === 0 && s.wire.multicastGroup !== undefined ? { group: s.wire.multicastGroup } : {}),
    };
    const sock = this.env.acquireSocket(this.sockOpts);
    this.sock = sock;
    sock.demux.register(s.wire.vrid, (rx) => this.onPacket(rx));
    this.vips = await Promise.all([...s.vips, ...s.excludedVips].map((v) => this.resolveVip(v)));
    this.announcer = this.makeAnnouncer([...s.vips, ...s.excludedVips]);
    ({ routes: this.routes, rules: this.rules } = await this.planRoutes(s));
    // Interface and tracked state before start: the machine records them in INIT.
    const link = this.env.link(s.interfaceName);
    this.event({ type: 'interface', up: Boolean(link?.up && link.running) });
    this.started = true;
  }

  private async primaryAddress(ifindex: number): Promise<string> {
    const fam = this.spec.wire.family;
    const canon = (a: string): string => canonicalAddress(fam, a);
    const vipSet = new Set([...this.spec.vips, ...this.spec.excludedVips].filter((v) => v.family === fam).map((v) => canon(v.address))); // left by a kill -9
    const list = (await this.env.addresses.list(ifindex)).filter((a) => a.family === fam && !vipSet.has(canon(a.address)));
    const pick = fam === 6 ? list.find((a) => a.scope === 253) ?? list[0] : list[0];
    if (!pick) throw new Error(`(${this.spec.name}) no IPv${fam} address on ${this.spec.interfaceName} to send adverts from`);
    return pick.address;
  }

  private async resolveVip(v: VipSpec): Promise<Vip> {
    const dev = v.dev ?? this.ifname;
    const ifindex = this.env.link(dev)?.ifindex ?? await this.env.addresses.ifindex(dev);
    const out: Vip = { address: v.address, prefixLength: v.prefixLength, ifindex };
    if (v.scope !== undefined) out.scope = v.scope;
    if (v.label !== undefined) out.label = v.label;
    if (v.broadcast !== undefined) out.broadcast = v.broadcast;
    return out;
  }

  /** virtual_routes / virtual_rules to install with the VIPs; a line lvsd cannot install is logged and left out. */
  private async planRoutes(s: InstanceSpec): Promise<{ routes: Array<Route & { text: string }>; rules: Array<Rule & { text: string }> }> {
    const out: { routes: Array<Route & { text: string }>; rules: Array<Rule & { text: string }> } = { routes: [], rules: [] };
    if (s.routes.length === 0 && s.rules.length === 0) return out;
    const tables = readRtTables();
    const bad = (error: string): void => { this.env.log.error({ event: 'vrrp.route-config', instance: this.name, err: error }, `(${this.name}) ${error}`); };
    for (const l of s.routes) {
      const p = routeSpec(l, tables);
      if (!p.ok) { bad(p.error); continue; }
      const { dev, ...r } = p.value;
      const route: Route & { text: string } = r;
      if (dev) route.ifindex = this.env.link(dev)?.ifindex ?? await this.env.addresses.ifindex(dev);
      out.routes.push(route);
    }
    for (const l of s.rules) {
      const p = ruleSpec(l, s.wire.family, tables);
      if (p.ok) out.rules.push(p.value);
      else bad(p.error);
    }
    return out;
  }

  private makeAnnouncer(specs: VipSpec[]): Announcer {
    const a = this.spec.announce;
    const targets: AnnounceVip[] = [];
    const extraDevs = new Set<string>();
    specs.forEach((v, i) => {
      const dev = v.dev ?? this.ifname;
      const vip = this.vips[i];
      const mac = this.spec.vmac && dev === this.ifname ? vrrpMac(this.spec.wire.vrid, v.family) : this.env.link(dev)?.mac;
      if (!mac) return; // no MAC known (no Ethernet): nothing to announce on this interface
      // garp_extra_if: the first VIP of each interface whose neighbours hear no adverts from
      // us: another interface (with `all`), or our VMAC when adverts go out on the base.
      const extraIf = dev === this.ifname ? Boolean(this.spec.vmac?.xmitBase) : a.extraAll;
      const extra = extraIf && !extraDevs.has(dev);
      if (extra) extraDevs.add(dev);
      targets.push({
        key: `${dev}/${v.address}`, ifindex: vip.ifindex, family: v.family, address: ipToBytes(v.address), mac,
        ...(v.family === 6 ? { router: forwardsIpv6(dev) } : {}), ...(extra ? { extra } : {}),
      });
    });
    return new Announcer(targets, (ifindex) => this.env.frameSender(ifindex), {
      params: {
        delayMs: a.delayMs, repeat: a.repeat, refreshMs: a.refreshMs, refreshRepeat: a.refreshRepeat, lowerPrioRepeat: a.lowerPrioRepeat,
        lowerPrioDelayMs: a.lowerPrioDelayMs, extraIntervalMs: a.extraIntervalMs,
      },
      pacing: () => ({ garpIntervalMs: a.garpIntervalMs, gnaIntervalMs: a.gnaIntervalMs }),
      onError: (vip, err) => this.env.log.warn({ event: 'vrrp.garp-error', instance: this.name, vip: vip.key, err: err.message }, 'gratuitous ARP/NA failed'),
    });
  }

  /**
   * Reload: takes a changed configuration in place when only the priority, notifications, GARP
   * pacing, VIPs (and excluded ones), virtual routes or rules differ; keepalived keeps such an
   * instance's state (no priority 0, no election). A master then removes what left the
   * configuration, adds what came, and announces. Anything else returns false and the caller
   * restarts the instance.
   */
  async updateSpec(next: InstanceSpec): Promise<boolean> {
    const cur = this.spec;
    if (!this.machine || !this.io || cur.machine.priority === 255 || next.machine.priority === 255) return false;
    const hard = (s: InstanceSpec): string => JSON.stringify({
      ...s, machine: { ...s.machine, priority: 0 }, notify: null, announce: null, notifyPriorityChanges: null, notifyDeleted: null,
      vips: null, excludedVips: null, wire: { ...s.wire, addresses: null }, routes: null, rules: null,
    });
    if (hard(cur) !== hard(next)) return false;
    const addressesChanged = JSON.stringify([cur.vips, cur.excludedVips, cur.routes, cur.rules]) !== JSON.stringify([next.vips, next.excludedVips, next.routes, next.rules]);
    let vips = this.vips;
    let planned = { routes: this.routes, rules: this.rules };
    if (addressesChanged) {
      vips = await Promise.all([...next.vips, ...next.excludedVips].map((v) => this.resolveVip(v)));
      planned = await this.planRoutes(next);
    }
    this.spec = next;
    if (addressesChanged) {
      const key = (x: unknown): string => JSON.stringify(x);
      const keep = <T>(list: T[], now: T[]): T[] => list.filter((x) => !now.some((y) => key(y) === key(x)));
      const gone = { vips: keep(this.vips, vips), routes: keep(this.routes, planned.routes), rules: keep(this.rules, planned.rules) };
      this.vips = vips;
      this.routes = planned.routes;
      this.rules = planned.rules;
      this.io.setAddresses(next.wire.addresses);
      // Only a master holds them (as keepalived, a backup touches nothing: the addresses may be another instance's).
      if (this.machine.state === 'MASTER') {
        this.queueNet(() => this.delVips(gone));
        this.queueNet(() => this.addVips());
      }
    }
    if (addressesChanged || JSON.stringify(cur.announce) !== JSON.stringify(next.announce)) {
      this.announcer?.stop();
      this.announcer = this.makeAnnouncer([...next.vips, ...next.excludedVips]);
      if (addressesChanged) this.apply({ type: 'send-garp' });
    }
    if (cur.machine.priority !== next.machine.priority) this.applyAll(this.machine.setBasePriority(next.machine.priority));
    return true;
  }

  event(ev: MachineEvent): void {
    this.route(this, ev, this.env.now());
  }

  private onPacket(rx: Parameters<AdvertIo['receive']>[0]): void {
    const r = this.io.receive(rx);
    if (!r.ok) {
      this.env.log.info({ event: EV.vrrpDrop, instance: this.name, reason: r.reason, detail: r.detail }, `(${this.name}) advert dropped`);
      this.env.observe?.({ name: 'drop', data: { instance: this.name, reason: r.reason } });
      return;
    }
    this.stats.advertsReceived++;
    if (r.event.priority === 0) this.stats.priorityZeroReceived++;
    else {
      this.lastAdvertSource = r.event.src;
      this.lastAdvertPriority = r.event.priority;
    }
    this.env.observe?.({ name: 'advert', data: { instance: this.name, dir: 'received' } });
    // keepalived: a master hearing a lower priority advert refreshes the neighbours' caches
    // (garp_lower_prio_repeat rounds), since the other router may have claimed the VIPs.
    const prio = this.machine.effectivePriority;
    const lower = this.machine.state === 'MASTER' && r.event.priority > 0 &&
      (r.event.priority < prio || (r.event.priority === prio && this.machine.compareSender(r.event.src) < 0));
    this.event(r.event);
    if (lower && this.machine.state === 'MASTER') {
      this.announceLowerPriority();
      this.env.notifier.masterRxLowerPri(this.spec.notify, this.name, this.machine.effectivePriority);
      this.onLowerAdvert?.();
    }
  }

  /** garp_lower_prio_repeat rounds (and the delayed ones) while MASTER. */
  announceLowerPriority(): void {
    if (this.machine.state === 'MASTER') this.announcer?.lowerPriorityAdvert();
  }

  applyAll(actions: Action[]): void {
    for (const a of actions) this.apply(a);
  }

  apply(a: Action): void {
    switch (a.type) {
      case 'send-advert':
        this.sendAdvert(a.priority);
        break;
      case 'set-timer':
        this.setTimer(a.at);
        break;
      case 'become':
        this.env.log.info({ event: EV.vrrpTransition, instance: this.name, from: a.from, to: a.state, priority: this.machine.effectivePriority },
          `(${this.name}) Entering ${a.state === 'INIT' ? 'STOP' : a.state} STATE`);
        // After the log line: listeners that log too come second (log readers key on the first).
        this.noteTransition(a.from, a.state);
        {
          // Forking a script costs milliseconds: after this turn's adverts and VIP requests are out.
          const state = a.state === 'INIT' ? stopNotice(this.deleting, this.spec.notifyDeleted, a.from) : NOTIFY_STATE[a.state];
          const prio = this.machine.effectivePriority;
          if (state) setImmediate(() => this.env.notifier.notify(this.spec.notify, 'INSTANCE', this.name, state, prio));
        }
        break;
      case 'add-vips':
        this.queueNet(() => this.addVips());
        break;
      case 'del-vips':
        this.announcer?.stop();
        this.queueNet(() => this.delVips());
        break;
      case 'send-garp':
        this.queueNet(async () => { if (this.machine.state === 'MASTER') this.announcer?.master(); });
        break;
      case 'priority':
        this.env.log.debug({ event: 'vrrp.priority', instance: this.name, priority: a.priority }, `(${this.name}) effective priority ${a.priority}`);
        // Not before start: the tracked items' first reports are not changes.
        if (this.spec.notifyPriorityChanges && this.machine.state !== 'INIT') {
          this.env.notifier.priorityChange(this.name, this.machine.state === 'MASTER' ? 'MASTER_PRIORITY' : 'BACKUP_PRIORITY', a.priority);
        }
        break;
    }
  }

  private noteTransition(from: VrrpState, to: VrrpState): void {
    const at = Date.now();
    if (to !== 'INIT') this.stats.transitions++;
    if (to === 'MASTER') this.stats.becameMaster++;
    if (from === 'MASTER') this.releasedMaster++;
    this.stats.lastTransitionAt = at;
    this.env.observe?.({ name: 'transition', data: { instance: this.name, from, to, at } });
  }

  /** VIPs as "addr/prefix", plus " dev X" off the instance's interface: virtual_ipaddress, the excluded ones, or both. */
  vipTexts(which: 'vips' | 'excluded' | 'all' = 'all'): string[] {
    const list = which === 'vips' ? this.spec.vips : which === 'excluded' ? this.spec.excludedVips : [...this.spec.vips, ...this.spec.excludedVips];
    return list.map((v) => `${v.address}/${v.prefixLength}${v.dev && v.dev !== this.ifname ? ` dev ${v.dev}` : ''}`);
  }

  private sendAdvert(priority: number): void {
    const sock = this.sock;
    if (!sock) return;
    this.stats.advertsSent++;
    if (priority === 0) this.stats.priorityZeroSent++;
    this.env.observe?.({ name: 'advert', data: { instance: this.name, dir: 'sent' } });
    for (const { dst, pkt } of this.io.build(priority)) {
      const p = sock.transport.send(pkt, dst).catch((e: unknown) => {
        this.env.log.warn({ event: 'vrrp.send-error', instance: this.name, err: String(e) }, `(${this.name}) advert send failed`);
      });
      this.track(p);
    }
  }

  private setTimer(at: number | null): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (at === null) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Node's timer clock may run up to 1 ms behind ours: never report a time before `at`.
      this.route(this, { type: 'timer' }, Math.max(this.env.now(), at));
    }, Math.max(0, at - this.env.now()));
  }

  private track(p: Promise<unknown>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private queueNet(job: () => Promise<void>): void {
    const p = this.netQueue.then(job).catch((e: unknown) => {
      this.env.log.error({ event: 'vrrp.net-error', instance: this.name, err: e instanceof Error ? e.message : String(e) }, `(${this.name}) VIP update failed`);
    });
    this.netQueue = p;
    this.track(p);
  }

  private async addVips(): Promise<void> {
    for (const v of this.vips) {
      const r = await this.env.addresses.add(v);
      this.env.log.info({ event: EV.vipAdd, instance: this.name, vip: `${v.address}/${v.prefixLength ?? ''}`, ifindex: v.ifindex, result: r }, `(${this.name}) VIP ${v.address} added`);
    }
    this.setVipsInstalled(true);
    for (const r of this.routes) await this.routeOp('add', r.text, () => this.env.routes.addRoute(r));
    for (const r of this.rules) await this.routeOp('add', r.text, () => this.env.routes.addRule(r));
  }

  /** One route or rule in or out; a refusal is logged and the rest go on (keepalived does the same). */
  private async routeOp(op: 'add' | 'del', text: string, job: () => Promise<string>): Promise<void> {
    try {
      const result = await job();
      this.env.log.info({ event: `vrrp.route-${op}`, instance: this.name, route: text, result }, `(${this.name}) ${op === 'add' ? 'added' : 'removed'} ${text}`);
    } catch (e) {
      this.env.log.error({ event: 'vrrp.route-error', instance: this.name, route: text, op, err: e instanceof Error ? e.message : String(e) },
        `(${this.name}) ${op} ${text} failed`);
    }
  }

  private setVipsInstalled(installed: boolean): void {
    this.vipsInstalled = installed;
    this.env.observe?.({ name: 'vips', data: { instance: this.name, installed, addresses: this.vipTexts() } });
  }

  /** Rules, routes, then addresses out: all of them (leaving MASTER), or those a reload dropped. */
  private async delVips(only?: { vips: Vip[]; routes: Array<Route & { text: string }>; rules: Array<Rule & { text: string }> }): Promise<void> {
    const which = only ?? { vips: this.vips, routes: this.routes, rules: this.rules };
    for (const r of which.rules) await this.routeOp('del', r.text, () => this.env.routes.removeRule(r));
    for (const r of which.routes) await this.routeOp('del', r.text, () => this.env.routes.removeRoute(r));
    for (const v of which.vips) {
      const r = await this.env.addresses.remove(v);
      this.env.log.info({ event: EV.vipDel, instance: this.name, vip: `${v.address}/${v.prefixLength ?? ''}`, ifindex: v.ifindex, result: r }, `(${this.name}) VIP ${v.address} removed`);
    }
    if (!only) this.setVipsInstalled(false);
  }

  /** Waits for adverts and VIP work in flight (bounded by the caller). */
  async drain(): Promise<void> {
    for (let i = 0; i < 5 && this.pending.size > 0; i++) await Promise.all([...this.pending]);
  }

  /** After the shutdown event went through `route`: release everything this instance holds. */
  async close(): Promise<void> {
    await this.drain();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.announcer?.stop();
    if (this.sock && this.sockOpts) {
      this.sock.demux.unregister(this.spec.wire.vrid);
      this.env.releaseSocket(this.sockOpts);
      this.sock = undefined;
    }
    this.started = false;
    if (this.spec.vmac && this.vmacCreated) {
      try {
        await this.env.vmacs.remove(this.spec.vmac.name);
      } catch (e) {
        this.env.log.warn({ event: 'vrrp.vmac-error', instance: this.name, err: String(e) }, `(${this.name}) removing ${this.spec.vmac.name} failed`);
      }
    }
  }
}
