// virtual_server blocks as keepalived validates them after parsing (validate_check_config):
// real servers present and not duplicated, protocol / scheduler / forwarding method set (with
// keepalived's defaults applied after the complaint), quorum reachable, hysteresis below quorum,
// ports consistent between virtual, real and sorry servers.
import { ErrClass } from '../../../grammar/diagnostics.js';
import type { RawObject } from '../../../grammar/parser.js';
import type { CheckContext } from '../validate.js';
import { isObj, itemObjs, obj, objs, realServers, root, schemaDefault, written, REAL_SERVER, VIRTUAL_SERVER } from './model-access.js';
import { REMOVED } from './script-users.js';
import { ServerKeys } from './server-keys.js';

const PERSISTENT_TIMEOUT = 360;
const RS_METHOD_DEFAULT = schemaDefault(REAL_SERVER, 'lvs_method');

/** The address of a real server: `real_server IP [PORT]` keeps the IP nested. */
function rsAddr(rs: RawObject): string {
  const a = rs.addr;
  return isObj(a) ? String(a.addr) : String(a);
}
const portOf = (o: RawObject | undefined): number => (typeof o?.port === 'number' ? o.port : 0);
const methodOf = (o: RawObject | undefined): string | undefined => {
  const m = obj(o, 'lvs_method');
  return typeof m?.method === 'string' ? m.method : undefined;
};

function vsName(vs: RawObject): string {
  if (vs.kind === 'fwmark') return `FWM ${String(vs.fwmark)}`;
  if (vs.kind === 'group') return `GROUP ${String(vs.group)}`;
  const addr = vs.family === 6 ? `[${String(vs.addr)}]` : String(vs.addr);
  return `${addr}:${String(vs.protocol ?? 'none').toLowerCase()}:${portOf(vs)}`;
}

interface GroupView { ranges: RawObject[]; fwmarks: RawObject[]; /** entries of this group only */ named: boolean }

/** The virtual_server_group entries a `virtual_server group NAME` uses (undefined: no such group). */
function groupOf(ctx: CheckContext, vs: RawObject): GroupView | undefined {
  const blocks = itemObjs(root(ctx), 'virtual_server_group');
  let entries: RawObject[];
  if (blocks.some((b) => Array.isArray(b.items))) {
    // one object per block: { name, items }
    const g = blocks.find((b) => b.name === vs.group);
    if (!g) return undefined;
    entries = itemObjs(g, 'items');
    if (entries.length === 0) return undefined; // keepalived removed the empty group
    return { ranges: entries.filter((e) => e.kind === 'range'), fwmarks: entries.filter((e) => e.kind === 'fwmark'), named: true };
  }
  // older parser output: the entries of every group in one list, without names
  entries = blocks;
  if (entries.length === 0) return undefined;
  return { ranges: entries.filter((e) => e.kind === 'range'), fwmarks: entries.filter((e) => e.kind === 'fwmark'), named: false };
}

/**
 * What the real-server pass below found for a virtual server it let through without a word:
 * kept for the next reload's check of the same virtual server (see reloadPass), as the parse's
 * note of the virtual server (ParseResult.note: it lives as long as the blocks it is about, no
 * WeakMap entry per virtual server and reload). Never changed (a later load may share it).
 */
class Aggregate {
  constructor(
    /** address and port -> the index in `list` of the real server with them (no two have both) */
    readonly keys: ServerKeys,
    /** the real servers, as checked (a later load's list shares the map: see reloadPass) */
    readonly list: readonly RawObject[],
    readonly weightSum: number,
  ) {}
}
/** a real server's address as the keys have it */
const keyAddr = (rs: RawObject): string => {
  const a = rs.addr;
  const av = typeof a === 'object' && a !== null && !Array.isArray(a) ? (a as RawObject).addr : a;
  return typeof av === 'string' ? av : String(av);
};
const keyPort = (rs: RawObject): number => (typeof rs.port === 'number' ? rs.port : 0);
/** two fresh ones with one address and port (few, usually: compared in pairs, no key strings) */
function freshDuplicate(fresh: readonly RawObject[]): boolean {
  if (fresh.length > MAX_PAIRED) {
    const seen = new Set<string>();
    for (const rs of fresh) {
      const k = `${keyPort(rs)} ${keyAddr(rs)}`;
      if (seen.has(k)) return true;
      seen.add(k);
    }
    return false;
  }
  for (let i = 1; i < fresh.length; i++) {
    const a = keyAddr(fresh[i]);
    const p = keyPort(fresh[i]);
    for (let j = 0; j < i; j++) if (keyPort(fresh[j]) === p && keyAddr(fresh[j]) === a) return true;
  }
  return false;
}
const MAX_PAIRED = 32;
const weightOf = (rs: RawObject): number => (typeof rs.weight === 'number' ? rs.weight : 1);

/**
 * The real-server pass of a reload's first pass (no positions) for a virtual server whose real
 * servers the parse handed back, but for `fresh` ones (ParseResult.reuseOf): a handed-back one was
 * checked by the previous load without a word under a virtual server with the same settings
 * (reuse-policy.ts: address, family, port, fwmark, forwarding method), so it has its port and
 * lvs_method and no duplicate among the others handed back; only the fresh ones are looked at,
 * against the previous load's aggregate: duplicates, weight sum. Returns the weight sum and the
 * fresh ones, or undefined when the full pass must run (a duplicate to report, a real server removed or moved,
 * no aggregate): the full pass gives the same result then, and its messages.
 */
function reloadPass(ctx: CheckContext, vs: RawObject, reals: RawObject[], fill: (rs: RawObject) => void): { weightSum: number; fresh: readonly RawObject[] } | undefined {
  if (reals !== vs.real_server) return undefined;
  const info = ctx.parsed.reuseOf(vs);
  const prev = info?.note;
  if (info === undefined || !(prev instanceof Aggregate)) return undefined;
  const fresh = info.fresh;
  let weightSum = prev.weightSum;
  let replaced = 0;
  let added = false; // a fresh one has a key the previous ones had not
  // (two fresh ones with one key: a duplicate)
  if (freshDuplicate(fresh)) return undefined;
  for (let i = 0; i < fresh.length; i++) {
    const rs = fresh[i];
    const addr = keyAddr(rs);
    const port = keyPort(rs);
    const at = prev.keys.find(addr, port);
    if (at === undefined) {
      added = true;
      continue;
    }
    // the previous one with this key (the keys may be ones a later list shares: its index is checked)
    const had = prev.list[at];
    if (had === undefined || keyPort(had) !== port || keyAddr(had) !== addr) return undefined;
    if (reals.includes(had)) return undefined; // a handed-back one has it: a duplicate
    replaced++;
    weightSum -= weightOf(had);
  }
  // every real server of the previous load is handed back or replaced by a fresh one with its
  // address and port (else one was removed: its key would stay in the map)
  if (reals.length - fresh.length + replaced !== prev.list.length) return undefined;
  for (let i = 0; i < fresh.length; i++) weightSum += weightOf(fresh[i]);
  let keys = prev.keys; // the same keys: shared (an index that moved is caught above)
  if (added) {
    // new keys: this list's own, as the full pass makes them
    keys = new ServerKeys();
    for (let i = 0; i < reals.length; i++) keys.add(keyAddr(reals[i]), keyPort(reals[i]), i);
  }
  for (let i = 0; i < fresh.length; i++) fill(fresh[i]);
  ctx.parsed.note(vs, new Aggregate(keys, reals, weightSum));
  return { weightSum, fresh };
}

function checkOne(ctx: CheckContext, vs: RawObject, group: GroupView | undefined): void {
  const report = (message: string, field?: string, at: RawObject = vs) =>
    ctx.report({ cls: ErrClass.General, level: 'error', keyword: field, block: `virtual_server ${vsName(vs)}`, message }, at, field);
  // (its name, vsName, is made only for a message: it changes with the protocol)
  const reals = realServers(ctx, vs);
  if (reals.length === 0) {
    report(`Virtual server ${vsName(vs)} has no real servers - ignoring`);
    vs[REMOVED] = true;
    return;
  }
  const isFwmark = vs.kind === 'fwmark';
  const fwmarkOnly = isFwmark || (group !== undefined && group.ranges.length === 0 && group.fwmarks.length > 0);
  if (vs.ha_suspend === true && (isFwmark || (group !== undefined && group.fwmarks.length > 0))) {
    report(`Virtual server ${vsName(vs)}: cannot use ha_suspend with fwmarks - clearing ha_suspend`, 'ha_suspend');
    delete vs.ha_suspend;
  }
  if ((group !== undefined && group.ranges.length > 0) || (group === undefined && !isFwmark)) {
    if (!written(ctx, vs, 'protocol', VIRTUAL_SERVER)) {
      report(`Virtual server ${vsName(vs)}: no protocol set - defaulting to UDP`);
      vs.protocol = 'UDP';
    }
    if (vs.ops === true && vs.protocol !== 'UDP') {
      report(`Virtual server ${vsName(vs)}: one packet scheduling requires UDP - resetting`, 'ops');
      delete vs.ops;
    }
    if (vs.persistence_timeout === undefined && group === undefined && !isFwmark && portOf(vs) === 0) {
      report(`Virtual server ${vsName(vs)}: zero port only valid for persistent services - setting persistence_timeout ${PERSISTENT_TIMEOUT}`);
      vs.persistence_timeout = PERSISTENT_TIMEOUT;
    }
  }
  if (vs.persistence_timeout === undefined && group !== undefined && group.ranges.some((r) => portOf(r) === 0)) {
    report(`Virtual server ${vsName(vs)}: zero port only valid for persistent services - setting persistence_timeout ${PERSISTENT_TIMEOUT}`);
    vs.persistence_timeout = PERSISTENT_TIMEOUT;
  }
  if (written(ctx, vs, 'protocol', VIRTUAL_SERVER) && fwmarkOnly) {
    report(`Warning: Virtual server ${vsName(vs)}: protocol specified for fwmark - protocol will be ignored`, 'protocol');
    delete vs.protocol;
  }
  if (!written(ctx, vs, 'lvs_sched', VIRTUAL_SERVER)) {
    report(`Virtual server ${vsName(vs)}: no scheduler set, setting default 'wlc'`);
    vs.lvs_sched = 'wlc';
  }

  // real servers: duplicates, forwarding method, weights
  let vsMethodSet = written(ctx, vs, 'lvs_method', VIRTUAL_SERVER);
  const needMethod = () => {
    if (!vsMethodSet) {
      report(`Virtual server ${vsName(vs)}: no forwarding method set, setting default NAT`);
      vs.lvs_method = { method: 'NAT' };
      vsMethodSet = true;
    }
  };
  let kept: RawObject[] | null = null; // the real servers left, once one is dropped
  const positioned = RS_METHOD_DEFAULT !== undefined || ctx.parsed.at(vs) !== undefined;
  const fillMethod = (rs: RawObject) => {
    if (rs.lvs_method === undefined) {
      if (!vsMethodSet) needMethod();
      rs.lvs_method = vs.lvs_method;
    }
  };
  const fromReload = positioned || group !== undefined ? undefined : reloadPass(ctx, vs, reals, fillMethod);
  // address -> port(s) seen: no key string built per real server
  const seen = new Map<string, number | Set<number>>();
  const keys = fromReload === undefined && !positioned && group === undefined ? new ServerKeys() : null;
  let weightSum = fromReload?.weightSum ?? 0;
  for (let i = 0; fromReload === undefined && i < reals.length; i++) {
    // This runs once per real server, mostly before V8 optimises it, where every call costs:
    // indexed loop, rsAddr / portOf / needMethod spelled out.
    const rs = reals[i];
    const a = rs.addr;
    const av = typeof a === 'object' && a !== null && !Array.isArray(a) ? (a as RawObject).addr : a;
    const addr = typeof av === 'string' ? av : String(av);
    const port = typeof rs.port === 'number' ? rs.port : 0;
    const had = seen.get(addr);
    let dup = false;
    if (had === undefined) seen.set(addr, port);
    else if (typeof had === 'number') {
      dup = had === port;
      if (!dup) seen.set(addr, new Set([had, port]));
    } else {
      dup = had.has(port);
      had.add(port);
    }
    if (dup) {
      report(`VS ${vsName(vs)}: real server ${rsAddr(rs)}:${portOf(rs)} is duplicated - removing second rs`, undefined, rs);
      kept ??= reals.slice(0, i);
      continue;
    }
    // (rs.lvs_method absent: not written, as written() would find; present without positions:
    // written, as written() finds for a keyword without a default - a reloaded real server has it)
    if (rs.lvs_method === undefined || (positioned && !written(ctx, rs, 'lvs_method', REAL_SERVER))) {
      if (!vsMethodSet) needMethod();
      rs.lvs_method = vs.lvs_method;
    }
    weightSum += typeof rs.weight === 'number' ? rs.weight : 1;
    if (kept !== null) kept.push(rs);
    keys?.add(addr, port, i);
  }
  if (keys !== null && kept === null && reals === vs.real_server) ctx.parsed.note(vs, new Aggregate(keys, reals, weightSum));
  if (kept === null) kept = reals === vs.real_server ? reals : reals.slice();
  vs.real_server = kept;
  const sorry = obj(vs, 'sorry_server');
  if (sorry && !written(ctx, vs, 'sorry_server_lvs_method', VIRTUAL_SERVER)) {
    needMethod();
    vs.sorry_server_lvs_method = vs.lvs_method;
  }

  const quorum = typeof vs.quorum === 'number' ? vs.quorum : 1;
  let q = quorum;
  if (quorum > weightSum) {
    report(`Warning - quorum ${quorum} for ${vsName(vs)} exceeds total weight of real servers ${weightSum}, reducing quorum to ${weightSum}`, written(ctx, vs, 'quorum', VIRTUAL_SERVER) ? 'quorum' : undefined);
    q = weightSum;
    vs.quorum = q;
  }
  const hysteresis = typeof vs.hysteresis === 'number' ? vs.hysteresis : 0;
  if (hysteresis >= q) {
    report(`Virtual server ${vsName(vs)}: hysteresis ${hysteresis} >= quorum ${q}; setting hysteresis to ${Math.max(q - 1, 0)}`, written(ctx, vs, 'hysteresis', VIRTUAL_SERVER) ? 'hysteresis' : undefined);
    vs.hysteresis = Math.max(q - 1, 0);
  }

  // (a reload's handed-back real servers have their ports: only the fresh ones are looked at)
  checkPorts(vs, fromReload === undefined ? kept : fromReload.fresh, sorry, group, report);
}

/** Unless NAT, real servers answer on the virtual server's port (fwmark services: no port). */
function checkPorts(vs: RawObject, reals: readonly RawObject[], sorry: RawObject | undefined, group: GroupView | undefined,
  report: (m: string, field?: string, at?: RawObject) => void): void {
  const sorryMethod = methodOf(vs) === undefined ? undefined : (obj(vs, 'sorry_server_lvs_method') ?? obj(vs, 'lvs_method'))?.method;
  if (group) {
    if (group.fwmarks.length > 0) {
      for (const rs of reals) {
        if (methodOf(rs) !== 'NAT' && portOf(rs)) report(`WARNING - fwmark virtual server ${vsName(vs)}, real server ${rsAddr(rs)} has port specified - port will be ignored`, undefined, rs);
      }
      if (sorry && sorryMethod !== 'NAT' && portOf(sorry)) report(`WARNING - fwmark virtual server ${vsName(vs)}, sorry server has port specified - port will be ignored`, 'sorry_server');
    }
    // Port agreement with each address range needs this group's own entries (older parser
    // output mixed the entries of all groups, so the check needs named groups).
    if (!group.named) return;
    for (const range of group.ranges) {
      for (const rs of reals) {
        if (methodOf(rs) !== 'NAT' && portOf(rs) && portOf(rs) !== portOf(range)) {
          report(`virtual server ${vsName(vs)}:[${String(range.addr)}]:${portOf(range)} and real server ${rsAddr(rs)}:${portOf(rs)} ports don't match`, undefined, rs);
        }
      }
      if (sorry && sorryMethod !== 'NAT' && portOf(sorry) && portOf(sorry) !== portOf(range)) {
        report(`WARNING - virtual server ${vsName(vs)}, sorry server has port specified - port will be ignored`, 'sorry_server');
      }
    }
    return;
  }
  const isFwmark = vs.kind === 'fwmark';
  const vsPort = portOf(vs);
  for (let i = 0; i < reals.length; i++) {
    // (methodOf and portOf spelled out, indexed loop: this runs once per real server, mostly
    // before V8 optimises it)
    const rs = reals[i];
    const m = rs.lvs_method;
    const rsPort = typeof rs.port === 'number' ? rs.port : 0;
    if (typeof m === 'object' && m !== null && (m as RawObject).method === 'NAT') {
      if (!isFwmark && !rsPort) rs.port = vsPort;
      continue;
    }
    if (isFwmark) {
      if (rsPort) {
        report(`WARNING - fwmark virtual server ${vsName(vs)}, real server ${rsAddr(rs)}:${rsPort} has port specified - clearing`, undefined, rs);
        rs.port = 0;
      }
    } else if (!rsPort) rs.port = vsPort;
    else if (rsPort !== vsPort) {
      report(`WARNING - virtual server ${vsName(vs)} and real server ${rsAddr(rs)}:${rsPort} ports don't match - resetting`, undefined, rs);
      rs.port = vsPort;
    }
  }
  if (sorry && sorryMethod !== 'NAT') {
    if (isFwmark) {
      if (portOf(sorry)) {
        report(`WARNING - virtual server ${vsName(vs)}, sorry server has port specified - clearing`, 'sorry_server');
        sorry.port = 0;
      }
    } else if (!portOf(sorry)) sorry.port = portOf(vs);
    else if (portOf(sorry) !== portOf(vs)) {
      report(`WARNING - virtual server ${vsName(vs)} and sorry server ports don't match - resetting`, 'sorry_server');
      sorry.port = portOf(vs);
    }
  }
}

export function checkVirtualServers(ctx: CheckContext): void {
  for (const vs of objs(root(ctx), 'virtual_server')) {
    let group: GroupView | undefined;
    if (vs.kind === 'group') {
      group = groupOf(ctx, vs);
      // keepalived only logs "virtual server group ... specified but not configured" and drops the service
      if (!group) { vs[REMOVED] = true; continue; }
    }
    checkOne(ctx, vs, group);
  }
}
