// A virtual server's status as daemon/state.ts shapes it: the policy's view of each real server
// (up/down, configured weight), what the engine recorded (last check, transitions) and, when a
// kernel dump is at hand, the weight and counters IPVS holds for it.
import type { VirtualServer } from '../config/model.js';
import { destKey, serviceKey } from '../ipvs/model.js';
import type { IpvsDestEntry, IpvsVirtualEntry } from '../ipvs/types.js';
import type { IpvsCounters, LastCheck, RealServerStatus, VirtualServerStatus } from '../daemon/state.js';
import { toDest, fitsService, type ServerSpec } from './dest.js';
import { vsName } from './from-model.js';
import type { VirtualServerPolicy } from './policy.js';

/** What the engine remembers per real server across reloads. */
export interface RsInfo {
  lastCheck: LastCheck | null;
  transitions: number;
}

const FWD_NAME: Record<string, string> = { masq: 'NAT', route: 'DR', tunnel: 'TUN', local: 'LOCAL', bypass: 'BYPASS' };

function addCounters(into: IpvsCounters, d: IpvsDestEntry): void {
  into.conns += Number(d.stats.conns);
  into.inPkts += Number(d.stats.inpkts);
  into.outPkts += Number(d.stats.outpkts);
  into.inBytes += Number(d.stats.inbytes);
  into.outBytes += Number(d.stats.outbytes);
  into.activeConns += d.activeConns;
  into.inactiveConns += d.inactConns;
}

/** Kernel weight and counters of a server, summed over the services of its virtual server. */
function kernelView(policy: VirtualServerPolicy, s: ServerSpec, rows: Map<string, IpvsVirtualEntry> | undefined): { weight: number | null; counters: IpvsCounters | null } {
  if (!rows) return { weight: null, counters: null };
  let weight: number | null = null;
  let counters: IpvsCounters | null = null;
  for (const svc of policy.cfg.services) {
    if (!fitsService(s, svc)) continue;
    const row = rows.get(serviceKey(svc));
    const want = destKey(toDest(s, svc, 0));
    const d = row?.dests.find((x) => destKey(x) === want);
    if (!d) continue;
    if (weight === null) weight = d.weight;
    counters ??= { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0, activeConns: 0, inactiveConns: 0 };
    addCounters(counters, d);
  }
  return { weight, counters };
}

export function virtualServerStatus(
  vs: VirtualServer,
  policy: VirtualServerPolicy,
  infos: readonly RsInfo[],
  table?: readonly IpvsVirtualEntry[],
): VirtualServerStatus {
  const rows = table ? new Map(table.map((r) => [serviceKey(r.service), r])) : undefined;
  const realServers: RealServerStatus[] = policy.cfg.reals.map((r, i) => {
    const k = kernelView(policy, r.server, rows);
    return {
      name: r.name,
      address: r.server.addr,
      port: r.server.port ?? 0,
      state: policy.isAlive(i) ? 'up' : 'down',
      weight: r.weight,
      kernelWeight: k.weight,
      forwarding: FWD_NAME[r.server.fwd] ?? r.server.fwd,
      lastCheck: infos[i]?.lastCheck ?? null,
      transitions: infos[i]?.transitions ?? 0,
      counters: k.counters,
      inhibitOnFailure: r.inhibit,
    };
  });
  const out: VirtualServerStatus = {
    name: vsName(vs),
    protocol: typeof vs.protocol === 'string' ? vs.protocol : 'TCP',
    scheduler: policy.cfg.services[0]?.sched ?? (typeof vs.lvs_sched === 'string' ? vs.lvs_sched : ''),
    quorumUp: policy.quorumUp,
    sorryActive: policy.sorryActive,
    realServers,
    delayLoopMs: vs.delay_loop / 1000,
    quorum: policy.quorum,
    hysteresis: policy.hysteresis,
  };
  const m = vs.lvs_method?.method;
  if (m) out.forwarding = m;
  if (typeof vs.persistence_timeout === 'number') out.persistenceTimeout = vs.persistence_timeout;
  const sorry = policy.cfg.sorry;
  if (sorry) {
    const k = kernelView(policy, sorry.server, rows);
    const a = sorry.server.af === 10 ? `[${sorry.server.addr}]` : sorry.server.addr;
    out.sorryServer = {
      name: `${a}:${sorry.server.port ?? 0}`,
      address: sorry.server.addr,
      port: sorry.server.port ?? 0,
      state: policy.sorryActive ? 'up' : 'down',
      weight: 1,
      kernelWeight: k.weight,
      forwarding: FWD_NAME[sorry.server.fwd] ?? sorry.server.fwd,
      lastCheck: null,
      transitions: 0,
      counters: k.counters,
    };
  }
  return out;
}
