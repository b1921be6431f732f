// What the kernel's IPVS settings outside the table should be, from global_defs (pure):
// - lvs_sync_daemon: the connection-sync daemons. Tied to a VRRP instance, the master daemon
//   runs while that instance is MASTER and the backup daemon otherwise (keepalived's VRRP
//   process does this); with no instance both run all the time (keepalived's checker process).
//   Without `id` the sync id is the instance's virtual_router_id (0 with no instance).
// - lvs_timeouts: tcp / tcpfin / udp; a value not given keeps the kernel's value from before
//   lvsd changed any, and those values come back when the keyword goes or lvsd stops.
import type { Model } from '../config/model.js';
import type { IpvsDaemon, IpvsTimeouts } from '../ipvs/types.js';

export interface SyncDaemonConfig {
  ifname: string;
  /** the VRRP instance whose state picks master or backup; absent: both run */
  instance?: string;
  syncId: number;
  maxlen?: number;
  port?: number;
  ttl?: number;
  group?: string;
}

/** Which daemons run: decided by the instance's state, or both without an instance. */
export type SyncRole = 'master' | 'backup' | 'both' | 'none';

export type TimeoutsConfig = Partial<Record<'tcp' | 'tcpfin' | 'udp', number>>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export type SyncDaemonLookup =
  | { ok: true; config: SyncDaemonConfig | undefined }
  | { ok: false; message: string };

/** The sync daemon settings of a model; a named instance that does not exist clears them, as keepalived does. */
export function syncDaemonConfig(model: Model): SyncDaemonLookup {
  const k = model.global_defs?.lvs_sync_daemon;
  if (!isRecord(k) || typeof k.ifname !== 'string') return { ok: true, config: undefined };
  const inst = typeof k.inst === 'string' ? k.inst : undefined;
  let syncId = num(k.id);
  if (inst !== undefined) {
    const vi = (model.vrrp_instance ?? []).find((v) => v.name === inst);
    if (!vi) return { ok: false, message: `Unable to find vrrp instance ${inst} for lvs_syncd - clearing lvs_syncd config` };
    syncId ??= vi.virtual_router_id ?? 0;
  }
  const c: SyncDaemonConfig = { ifname: k.ifname, syncId: syncId ?? 0 };
  if (inst !== undefined) c.instance = inst;
  const maxlen = num(k.maxlen), port = num(k.port), ttl = num(k.ttl);
  if (maxlen !== undefined) c.maxlen = maxlen;
  if (port !== undefined) c.port = port;
  if (ttl !== undefined) c.ttl = ttl;
  if (typeof k.group === 'string') c.group = k.group;
  return { ok: true, config: c };
}

/** The daemons that should run for a role. */
export function wantedDaemons(c: SyncDaemonConfig | undefined, role: SyncRole): IpvsDaemon[] {
  if (!c || role === 'none') return [];
  const states: Array<IpvsDaemon['state']> = role === 'both' ? ['master', 'backup'] : [role];
  return states.map((state) => {
    const d: IpvsDaemon = { state, mcastIfn: c.ifname, syncId: c.syncId };
    if (c.maxlen !== undefined) d.syncMaxlen = c.maxlen;
    if (c.group !== undefined) d.mcastGroup = c.group;
    if (c.port !== undefined) d.mcastPort = c.port;
    if (c.ttl !== undefined) d.mcastTtl = c.ttl;
    return d;
  });
}

const OPTIONAL = ['syncMaxlen', 'mcastGroup', 'mcastPort', 'mcastTtl'] as const;

/**
 * Whether a running daemon serves as the wanted one. `exact`: both were started by lvsd, every
 * field counts; otherwise (a daemon found in the kernel) the kernel fills in defaults, so only
 * the fields the configuration sets are compared.
 */
export function sameDaemon(running: IpvsDaemon, wanted: IpvsDaemon, exact: boolean): boolean {
  if (running.state !== wanted.state || running.mcastIfn !== wanted.mcastIfn || running.syncId !== wanted.syncId) return false;
  return OPTIONAL.every((f) => (wanted[f] === undefined && !exact) || running[f] === wanted[f]);
}

/** Stops before starts: the kernel runs one master and one backup daemon at most. */
export function syncDaemonSteps(running: readonly IpvsDaemon[], wanted: readonly IpvsDaemon[], exact: boolean): { stop: IpvsDaemon[]; start: IpvsDaemon[] } {
  const stop: IpvsDaemon[] = [];
  const start: IpvsDaemon[] = [];
  for (const state of ['master', 'backup'] as const) {
    const r = running.find((d) => d.state === state);
    const w = wanted.find((d) => d.state === state);
    if (r && w && sameDaemon(r, w, exact)) continue;
    if (r) stop.push(r);
    if (w) start.push(w);
  }
  return { stop, start };
}

/** The timeouts of a model's lvs_timeouts, undefined without the keyword (or with no value set). */
export function timeoutsConfig(model: Model): TimeoutsConfig | undefined {
  const k = model.global_defs?.lvs_timeouts;
  if (!isRecord(k)) return undefined;
  const out: TimeoutsConfig = {};
  for (const f of ['tcp', 'tcpfin', 'udp'] as const) {
    const v = num(k[f]);
    if (v) out[f] = v; // 0 means "leave it", as in keepalived
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** What to write: the configured values over the kernel's values from before lvsd changed any. */
export function timeoutsToWrite(t: TimeoutsConfig | undefined, original: IpvsTimeouts): IpvsTimeouts {
  return { tcp: t?.tcp ?? original.tcp, tcpFin: t?.tcpfin ?? original.tcpFin, udp: t?.udp ?? original.udp };
}
