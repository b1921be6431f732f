// Config model (keepalived.conf keywords, timers in microseconds) -> what the VRRP runtime
// runs: machine and wire parameters (milliseconds), VIPs, announce pacing, trackers, notify
// scripts and sync groups. Pure: no I/O; the interface's own address is resolved later.
import { authKey, NO_AUTH, VRRP_MCAST4, VRRP_MCAST6, type Auth, type Family, type VrrpVersion } from './packet.js';
import type { MachineParams, TrackedItem, WireParams } from './types.js';
import type { UnicastChecksumMode } from './validate.js';
import type { Model, VrrpInstance, VirtualIp } from '../config/model.js';
import type { RouteLineModel, RuleLineModel } from './route-plan.js';
import { processMatch } from './trackers/process-match.js';
import type { ProcessTrackSpec } from './trackers/process.js';
import { bfdTrackedItem } from './trackers/bfd.js';

type Obj = Record<string, unknown>;

export interface VipSpec {
  address: string;
  family: Family;
  prefixLength: number;
  /** Interface name: the line's `dev`, else the instance's interface (its vmac with use_vmac). */
  dev: string | null;
  scope?: number;
  label?: string;
  broadcast?: string;
}

export interface CommandSpec {
  cmd: string;
  user?: string;
  group?: string;
}

export interface NotifySpec {
  /** `notify`: called with TYPE NAME STATE PRIORITY appended. */
  any?: CommandSpec;
  master?: CommandSpec;
  backup?: CommandSpec;
  fault?: CommandSpec;
  stop?: CommandSpec;
  /** notify_deleted SCRIPT: run when a reload removes the instance. */
  deleted?: CommandSpec;
  /** notify_master_rx_lower_pri: run when a master hears a lower priority advert. */
  masterRxLowerPri?: CommandSpec;
}

export interface AnnounceSpec {
  delayMs: number;
  repeat: number;
  refreshMs: number;
  refreshRepeat: number;
  lowerPrioRepeat: number;
  /** garp_lower_prio_delay: the lower-priority rounds again this much later (0: not again). */
  lowerPrioDelayMs: number;
  /** garp_extra_if: interval (0: off) and whether every other VIP interface counts (`all`), not only our VMAC. */
  extraIntervalMs: number;
  extraAll: boolean;
  garpIntervalMs: number;
  gnaIntervalMs: number;
}

export interface InstanceSpec {
  name: string;
  /** The configured interface (the vmac's parent with use_vmac). */
  interfaceName: string;
  machine: MachineParams;
  /** Source address null: the interface's primary address, found at start. */
  wire: Omit<WireParams, 'sourceAddress' | 'interfaceName'> & { sourceAddress: string | null };
  vips: VipSpec[];
  excludedVips: VipSpec[];
  announce: AnnounceSpec;
  vmac: { name: string; xmitBase: boolean } | null;
  trackInterfaces: Array<{ id: string; ifname: string }>;
  trackScripts: Array<{ id: string; script: string }>;
  trackFiles: Array<{ id: string; file: string; weight: number; reverse: boolean }>;
  trackProcesses: Array<{ id: string; process: string }>;
  /** track_bfd: bfd_instance names (states fed by trackers/bfd.ts). */
  trackBfds: Array<{ id: string; bfd: string }>;
  notify: NotifySpec;
  syncGroup: string | null;
  /** accept / no_accept as configured (undefined: keepalived's default). */
  accept?: boolean;
  promoteSecondaries: boolean;
  /** notify_deleted: a reload that removes the instance reports DELETED (else FAULT, as keepalived). */
  notifyDeleted: boolean;
  /** notify_priority_changes: instance, else its sync group, else global. */
  notifyPriorityChanges: boolean;
  /** virtual_routes / virtual_rules lines, installed with the VIPs (converted by route-plan.ts at start). */
  routes: RouteLineModel[];
  rules: RuleLineModel[];
}

export interface ScriptSpec extends CommandSpec {
  name: string;
  intervalMs: number;
  timeoutMs: number;
  rise: number;
  fall: number;
  initFail: boolean;
}

export interface TrackFileSpec {
  name: string;
  path: string;
  init?: { value: number; overwrite: boolean };
}

export interface SyncGroupSpec {
  name: string;
  members: string[];
  notify: NotifySpec;
}

export interface VrrpPlan {
  instances: InstanceSpec[];
  scripts: ScriptSpec[];
  files: TrackFileSpec[];
  groups: SyncGroupSpec[];
  /** vrrp_track_process definitions. */
  processes: ProcessTrackSpec[];
  /** notify_fifo and vrrp_notify_fifo paths. */
  fifos: string[];
}

export const trackId = {
  iface: (name: string): string => `if:${name}`,
  script: (name: string): string => `script:${name}`,
  file: (name: string): string => `file:${name}`,
  process: (name: string): string => `process:${name}`,
  bfd: (name: string): string => `bfd:${name}`,
  /** unicast_fault_no_peer without peers: never up. */
  noPeer: 'config:unicast-no-peer',
};

const usToMs = (us: number): number => us / 1000;

function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}
function arr(v: unknown): Obj[] {
  return Array.isArray(v) ? v.map(obj) : [];
}
function num(v: unknown, dflt: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : dflt;
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function addr(v: unknown): string | undefined {
  return str(obj(v).addr) ?? str(v);
}
function bool(v: unknown, dflt: boolean): boolean {
  return typeof v === 'boolean' ? v : dflt;
}

/** The grammar's option record of a route/rule line: values are words or `true` (flags). */
function lineOptions(v: unknown): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (const [k, x] of Object.entries(obj(v))) if (typeof x === 'string' || x === true) out[k] = x;
  return out;
}

function routeLines(v: unknown): RouteLineModel[] {
  return arr(v).filter((r) => typeof r.dst === 'string').map((r) => {
    const l: RouteLineModel = { dst: String(r.dst), options: lineOptions(r.options) };
    if (typeof r.type === 'string') l.type = r.type;
    if (r.family === 4 || r.family === 6) l.family = r.family;
    if (Array.isArray(r.nexthops)) l.nexthops = r.nexthops.map(lineOptions);
    if (Array.isArray(r.encap)) l.encap = r.encap.map(String);
    return l;
  });
}

function command(v: unknown): CommandSpec | undefined {
  const o = obj(v);
  const cmd = str(o.cmd);
  if (!cmd) return undefined;
  const c: CommandSpec = { cmd };
  const user = str(o.user);
  const group = str(o.group);
  if (user) c.user = user;
  if (group) c.group = group;
  return c;
}

function notifyOf(o: Obj): NotifySpec {
  const n: NotifySpec = {};
  const pairs: Array<[keyof NotifySpec, string]> = [
    ['any', 'notify'], ['master', 'notify_master'], ['backup', 'notify_backup'], ['fault', 'notify_fault'], ['stop', 'notify_stop'],
    ['deleted', 'notify_deleted'], ['masterRxLowerPri', 'notify_master_rx_lower_pri'],
  ];
  for (const [k, kw] of pairs) {
    const c = command(o[kw]);
    if (c) n[k] = c;
  }
  return n;
}

function vipOf(v: VirtualIp | Obj): VipSpec {
  const address = String(v.addr);
  const family: Family = v.family === 6 || address.includes(':') ? 6 : 4;
  const s: VipSpec = { address, family, prefixLength: num(v.prefix, family === 4 ? 32 : 128), dev: str(v.dev) ?? null };
  if (typeof v.scope === 'number') s.scope = v.scope;
  const label = str(v.label);
  if (label) s.label = label;
  const brd = str(v.brd);
  if (brd) s.broadcast = brd;
  return s;
}

/** mcast_dst_ip, else the global vrrp_mcast_group4/6; absent when it is the RFC group. */
function multicastGroup(i: VrrpInstance, g: Obj, family: Family): { multicastGroup?: string } {
  if ((i.unicast_peer ?? []).length > 0) return {};
  const group = addr(i.mcast_dst_ip) ?? addr(family === 4 ? g.vrrp_mcast_group4 : g.vrrp_mcast_group6);
  if (!group || group === (family === 4 ? VRRP_MCAST4 : VRRP_MCAST6) || (family === 6) !== group.includes(':')) return {};
  return { multicastGroup: group };
}

function authOf(i: Obj, version: VrrpVersion): Auth {
  const a = obj(i.authentication);
  if (version === 3 || !a.auth_type) return NO_AUTH;
  const key = authKey(str(a.auth_pass) ?? '');
  return { type: a.auth_type === 'AH' ? 'ah' : 'pass', key };
}

function checksumMode(v: unknown): UnicastChecksumMode {
  if (v === 'always') return 'old';
  if (v === 'never') return 'never';
  return 'auto';
}

function instanceFamily(i: VrrpInstance): Family {
  const first = i.virtual_ipaddress?.[0] ?? i.unicast_peer?.[0] ?? i.unicast_src_ip;
  if (first && (first.family === 6 || String(first.addr).includes(':'))) return 6;
  return 4;
}

/** The instance's own track lines plus its sync group's (keepalived applies those to every member). */
function trackLines(i: VrrpInstance, group: Obj | undefined, kw: string): Obj[] {
  const own = arr(i[kw]);
  const names = new Set(own.map((t) => String(t.name)));
  return [...own, ...arr(group?.[kw]).filter((t) => !names.has(String(t.name)))];
}

/**
 * track_script/file/process lines whose object is declared (the config checks already reported
 * unknown names), with the weight and reverse that apply: the line's own when it gives a weight,
 * else the declaration's `weight` block, else `dflt` (not reversed).
 */
interface WeightedTrack {
  name: string;
  def: Obj;
  weight: number;
  reverse: boolean;
}
function weightedTracks(lines: Obj[], defs: Map<string, Obj>, dflt: number): WeightedTrack[] {
  const out: WeightedTrack[] = [];
  for (const t of lines) {
    const name = String(t.name);
    const def = defs.get(name);
    if (!def) continue;
    const w = typeof t.weight === 'number' ? t : obj(def.weight);
    out.push({ name, def, weight: num(w.weight, dflt), reverse: bool(w.reverse, false) });
  }
  return out;
}

function instanceSpec(
  i: VrrpInstance, g: Obj, scripts: Map<string, Obj>, files: Map<string, Obj>, groupOf: Map<string, string>, groupDefs: Map<string, Obj>,
  processes: Map<string, Obj>, bfds: Map<string, Obj> = new Map(),
): InstanceSpec {
  const group = groupDefs.get(groupOf.get(i.name) ?? '');
  const version: VrrpVersion = num(i.version, num(g.vrrp_version, 2)) === 3 ? 3 : 2;
  const family = instanceFamily(i);
  const vrid = num(i.virtual_router_id, 0);
  const interfaceName = i.interface ?? str(g.default_interface) ?? 'eth0';
  const sourceAddress = addr(i.unicast_src_ip) ?? addr(i.mcast_src_ip) ?? null;
  const unicastPeers = (i.unicast_peer ?? []).map((p) => String(p.addr));
  const vipList = (i.virtual_ipaddress ?? []).map(vipOf);
  const tracked: TrackedItem[] = [];
  const trackInterfaces: InstanceSpec['trackInterfaces'] = [];
  for (const t of trackLines(i, group, 'track_interface')) {
    const ifname = String(t.name);
    const id = trackId.iface(ifname);
    trackInterfaces.push({ id, ifname });
    tracked.push({ id, weight: num(t.weight, 0), reverse: bool(t.reverse, false) });
  }
  const trackScripts: InstanceSpec['trackScripts'] = [];
  for (const t of weightedTracks(trackLines(i, group, 'track_script'), scripts, 0)) {
    const id = trackId.script(t.name);
    trackScripts.push({ id, script: t.name });
    tracked.push({ id, weight: t.weight, reverse: t.reverse, initiallyUp: t.def.init_fail !== true });
  }
  const trackFiles: InstanceSpec['trackFiles'] = [];
  for (const t of weightedTracks(trackLines(i, group, 'track_file'), files, 1)) {
    const id = trackId.file(t.name);
    trackFiles.push({ id, file: t.name, weight: t.weight, reverse: t.reverse });
    tracked.push({ id, weight: 0, mode: 'offset' });
  }
  const trackProcesses: InstanceSpec['trackProcesses'] = [];
  for (const t of weightedTracks(trackLines(i, group, 'track_process'), processes, 1)) {
    const id = trackId.process(t.name);
    trackProcesses.push({ id, process: t.name });
    tracked.push({ id, weight: t.weight, reverse: t.reverse });
  }
  const trackBfds: InstanceSpec['trackBfds'] = [];
  for (const t of weightedTracks(trackLines(i, group, 'track_bfd'), bfds, 0)) {
    trackBfds.push({ id: trackId.bfd(t.name), bfd: t.name });
    tracked.push(bfdTrackedItem(trackId.bfd(t.name), t.weight, t.reverse));
  }
  if (i.unicast_fault_no_peer === true && unicastPeers.length === 0) {
    // keepalived: unicast without peers is a configuration fault, not a fall back to multicast.
    tracked.push({ id: trackId.noPeer, weight: 0, initiallyUp: false });
  }
  const machine: MachineParams = {
    name: i.name, version, vrid, priority: num(i.priority, 100), advertIntervalMs: usToMs(num(i.advert_int, 1_000_000)),
    preempt: i.nopreempt !== true, preemptDelayMs: usToMs(num(i.preempt_delay, 0)),
    primaryAddress: sourceAddress ?? (family === 4 ? '0.0.0.0' : '::'), family,
    dontTrackPrimary: i.dont_track_primary === true, tracked,
    lowerPrioNoAdvert: bool(i.lower_prio_no_advert, bool(g.vrrp_lower_prio_no_advert, false)),
    higherPrioSendAdvert: bool(i.higher_prio_send_advert, bool(g.vrrp_higher_prio_send_advert, false)),
    downTimerAdverts: num(i.down_timer_adverts, num(g.vrrp_down_timer_adverts, 3)),
  };
  const repeat = num(i.garp_master_repeat, num(g.vrrp_garp_master_repeat, 5));
  const strict = bool(i.strict_mode, g.vrrp_strict === true);
  const extraIf = obj(i.garp_extra_if ?? g.vrrp_garp_extra_if);
  const announce: AnnounceSpec = {
    delayMs: usToMs(num(i.garp_master_delay, num(g.vrrp_garp_master_delay, 5_000_000))),
    repeat,
    refreshMs: usToMs(num(i.garp_master_refresh, num(g.vrrp_garp_master_refresh, 0))),
    refreshRepeat: num(i.garp_master_refresh_repeat, num(g.vrrp_garp_master_refresh_repeat, 1)),
    // keepalived: unset instance values take the global ones (defaulting to the global
    // garp_master_* values, not the instance's), and strict mode turns them off.
    lowerPrioRepeat: num(i.garp_lower_prio_repeat, strict ? 0 : num(g.vrrp_garp_lower_prio_repeat, num(g.vrrp_garp_master_repeat, 5))),
    lowerPrioDelayMs: usToMs(num(i.garp_lower_prio_delay, strict ? 0 : num(g.vrrp_garp_lower_prio_delay, num(g.vrrp_garp_master_delay, 5_000_000)))),
    extraIntervalMs: num(extraIf.interval, 0) * 1000,
    extraAll: extraIf.all === true,
    garpIntervalMs: usToMs(num(g.vrrp_garp_interval, 0)),
    gnaIntervalMs: usToMs(num(g.vrrp_gna_interval, 0)),
  };
  const vm = i.use_vmac === undefined ? null : obj(i.use_vmac);
  return {
    name: i.name,
    interfaceName,
    machine,
    wire: {
      family, version, vrid, auth: authOf(i, version), addresses: vipList.map((v) => v.address), sourceAddress, unicastPeers,
      checkUnicastSrc: i.check_unicast_src === true || g.vrrp_check_unicast_src === true,
      unicastChecksum: checksumMode(i.old_unicast_checksum),
      skipCheckAdvAddr: bool(i.skip_check_adv_addr, g.vrrp_skip_check_adv_addr === true),
      ...multicastGroup(i, g, family),
    },
    vips: vipList,
    excludedVips: (i.virtual_ipaddress_excluded ?? []).map(vipOf),
    announce,
    vmac: vm ? { name: str(vm.ifname) ?? `${str(g.vmac_prefix) ?? 'vrrp'}.${vrid}`, xmitBase: i.vmac_xmit_base === true } : null,
    trackInterfaces, trackScripts, trackFiles, trackProcesses, trackBfds,
    notify: notifyOf(i),
    syncGroup: groupOf.get(i.name) ?? null,
    ...(i.accept === true ? { accept: true } : i.no_accept === true ? { accept: false } : {}),
    promoteSecondaries: i.promote_secondaries === true,
    notifyDeleted: i.notify_deleted !== undefined && i.notify_deleted !== false,
    notifyPriorityChanges: bool(i.notify_priority_changes, bool(group?.notify_priority_changes, g.vrrp_notify_priority_changes === true)),
    routes: routeLines(i.virtual_routes),
    rules: arr(i.virtual_rules).map((r) => ({ ...(r.family === 4 || r.family === 6 ? { family: r.family } : {}), options: lineOptions(r.options) })),
  };
}

function scriptSpec(s: Obj): ScriptSpec | null {
  const c = command(s.script);
  if (!c) return null;
  const intervalMs = usToMs(num(s.interval, 1_000_000));
  const u = obj(s.user);
  const out: ScriptSpec = {
    name: String(s.name), cmd: c.cmd, intervalMs, timeoutMs: typeof s.timeout === 'number' ? usToMs(s.timeout) : intervalMs,
    rise: num(s.rise, 1), fall: num(s.fall, 1), initFail: s.init_fail === true,
  };
  const user = str(u.user);
  const group = str(u.group);
  if (user) out.user = user;
  if (group) out.group = group;
  return out;
}

export function planFromModel(model: Model): VrrpPlan {
  const g = obj(model.global_defs);
  const scriptDefs = arr(model.vrrp_script);
  const fileDefs = arr(model.track_file ?? model.vrrp_track_file);
  const scripts = new Map(scriptDefs.map((s) => [String(s.name), s]));
  const files = new Map(fileDefs.map((f) => [String(f.name), f]));
  const groups: SyncGroupSpec[] = arr(model.vrrp_sync_group).map((sg) => ({
    name: String(sg.name), members: Array.isArray(sg.group) ? sg.group.map(String) : [], notify: notifyOf(sg),
  }));
  const groupOf = new Map<string, string>();
  for (const sg of groups) for (const m of sg.members) groupOf.set(m, sg.name);
  const groupDefs = new Map(arr(model.vrrp_sync_group).map((sg) => [String(sg.name), sg]));
  const processDefs = arr(model.vrrp_track_process).filter((p) => typeof obj(p.process).name === 'string');
  const processes = new Map(processDefs.map((p) => [String(p.name), p]));
  // bfd_instance ... checker: its events go to the checkers only (keepalived).
  const bfds = new Map(arr(model.bfd_instance).filter((b) => b.checker !== true || b.vrrp === true).map((b) => [String(b.name), b]));
  const instances = (model.vrrp_instance ?? []).map((i) => instanceSpec(i, g, scripts, files, groupOf, groupDefs, processes, bfds));
  const fifos = ['notify_fifo', 'vrrp_notify_fifo'].map((k) => str(obj(g[k]).fifo)).filter((x): x is string => x !== undefined);
  return {
    instances,
    scripts: scriptDefs.map(scriptSpec).filter((s): s is ScriptSpec => s !== null),
    files: fileDefs.map((f) => {
      const t: TrackFileSpec = { name: String(f.name), path: String(f.file) };
      const init = obj(f.init_file);
      if (f.init_file !== undefined) t.init = { value: num(init.value, 0), overwrite: init.overwrite === true };
      return t;
    }),
    groups,
    processes: processDefs.map(processSpec),
    fifos,
  };
}

function processSpec(p: Obj): ProcessTrackSpec {
  const proc = obj(p.process);
  const pm = p.param_match;
  const quorumMax = num(p.quorum_max, 0xffffffff);
  const delayMs = typeof p.delay === 'number' ? usToMs(p.delay) : 0;
  return {
    name: String(p.name),
    match: processMatch({
      name: String(proc.name), params: Array.isArray(proc.params) ? proc.params.map(String) : [],
      ...(pm === 'exact' || pm === 'partial' || pm === 'initial' ? { paramMatch: pm } : {}), fullCommand: p.full_command === true,
    }),
    quorum: {
      // keepalived: quorum_max 0 means "up while none runs".
      quorum: quorumMax === 0 ? 0 : num(p.quorum, 1), quorumMax,
      forkDelayMs: typeof p.fork_delay === 'number' ? usToMs(p.fork_delay) : delayMs,
      terminateDelayMs: typeof p.terminate_delay === 'number' ? usToMs(p.terminate_delay) : delayMs,
    },
  };
}
