// The IPVS services of one virtual_server: its address, its fwmark, or every entry of its
// virtual_server_group (ranges expanded), with scheduler, flags and persistence.
import { AF_INET, AF_INET6, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP } from '../ipvs/constants.js';
import { maskToNumber, type Family } from '../ipvs/addr.js';
import { makeService } from '../ipvs/model.js';
import type { IpvsService } from '../ipvs/types.js';
import type { Model, VirtualServer } from '../config/model.js';
import { expandRange } from './addr-range.js';

// IP_VS_SVC_F_* of /usr/include/linux/ip_vs.h
const F_PERSISTENT = 0x1;
const F_ONEPACKET = 0x4;
const F_SCHED1 = 0x8;
const F_SCHED2 = 0x10;
const F_SCHED3 = 0x20;

export function protocolNumber(p: unknown): number {
  const s = typeof p === 'string' ? p.toUpperCase() : 'UDP'; // keepalived's default when absent
  return s === 'TCP' ? IPPROTO_TCP : s === 'SCTP' ? IPPROTO_SCTP : IPPROTO_UDP;
}

export function serviceFlags(vs: VirtualServer): number {
  let f = 0;
  if (typeof vs.persistence_timeout === 'number' && vs.persistence_timeout > 0) f |= F_PERSISTENT;
  if (vs.ops === true) f |= F_ONEPACKET;
  if (vs['flag-1'] === true || vs['sh-fallback'] === true || vs['mh-fallback'] === true) f |= F_SCHED1;
  if (vs['flag-2'] === true || vs['sh-port'] === true || vs['mh-port'] === true) f |= F_SCHED2;
  if (vs['flag-3'] === true) f |= F_SCHED3;
  return f;
}

function netmaskFor(vs: VirtualServer, af: Family): number | undefined {
  const g = vs.persistence_granularity;
  if (typeof g === 'string' && af === AF_INET) return maskToNumber(g);
  if (typeof g === 'number' && af === AF_INET6) return g;
  return undefined;
}

/** One entry of a virtual_server_group. */
export type GroupEntry =
  | { kind: 'range'; addr: string; last?: string; port?: number; family?: 4 | 6 }
  | { kind: 'fwmark'; fwmark: number; family?: 4 | 6 | string };

/**
 * Entries of the group `name` (the parser gives each group as `{name, items}`). A flat list
 * of entries, as older models held, is taken as the group's.
 */
export function groupEntries(model: Model, name: string): GroupEntry[] {
  const raw = model.virtual_server_group;
  if (!Array.isArray(raw)) return [];
  const named = raw.filter((g) => typeof g === 'object' && g !== null && 'name' in g && Array.isArray((g as { items?: unknown }).items));
  if (named.length > 0) {
    const g = named.find((x) => x.name === name) as { items: unknown[] } | undefined;
    return (g?.items ?? []) as GroupEntry[];
  }
  return raw as unknown as GroupEntry[];
}

/** Address family of a fwmark service: ip_family, else that of the first real server. */
function fwmarkFamily(vs: VirtualServer, hint?: unknown): Family {
  if (hint === 'inet6' || hint === 6) return AF_INET6;
  if (hint === 'inet' || hint === 4) return AF_INET;
  if (vs.ip_family === 'inet6') return AF_INET6;
  if (vs.ip_family === 'inet') return AF_INET;
  const rs = vs.real_server?.[0];
  return rs?.addr.family === 6 ? AF_INET6 : AF_INET;
}

export function servicesOf(vs: VirtualServer, model: Model): IpvsService[] {
  const sched = typeof vs.lvs_sched === 'string' ? vs.lvs_sched : 'wlc';
  const flags = serviceFlags(vs);
  const timeout = flags & F_PERSISTENT ? Number(vs.persistence_timeout) : 0;
  const pe = typeof vs.persistence_engine === 'string' ? vs.persistence_engine : undefined;
  const make = (init: { addr?: string; port?: number; fwmark?: number; af: Family; protocol?: number }): IpvsService => {
    const nm = netmaskFor(vs, init.af);
    return makeService({ ...init, sched, flags, timeout, ...(nm !== undefined ? { netmask: nm } : {}), ...(pe ? { pe } : {}) });
  };
  const protocol = protocolNumber(vs.protocol);
  if (vs.kind === 'ip') return [make({ addr: vs.addr, port: vs.port, af: vs.family === 6 ? AF_INET6 : AF_INET, protocol })];
  if (vs.kind === 'fwmark') return [make({ fwmark: vs.fwmark, af: fwmarkFamily(vs) })];
  const out: IpvsService[] = [];
  for (const e of groupEntries(model, vs.group)) {
    if (e.kind === 'fwmark') out.push(make({ fwmark: e.fwmark, af: fwmarkFamily(vs, e.family) }));
    else {
      for (const a of expandRange(e.addr, e.last ?? e.addr)) {
        out.push(make({ addr: a, port: e.port ?? 0, af: a.includes(':') ? AF_INET6 : AF_INET, protocol }));
      }
    }
  }
  return out;
}
