// Identity, defaults and human-readable names of services and destinations.
import { AF_INET, AF_INET6, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, DEFAULT_SCHED } from './constants.js';
import { familyOf, normalizeAddr, type Family } from './addr.js';
import type { IpvsDest, IpvsService } from './types.js';

export function protocolName(p: number): string {
  return p === IPPROTO_TCP ? 'TCP' : p === IPPROTO_UDP ? 'UDP' : p === IPPROTO_SCTP ? 'SCTP' : '?';
}

/**
 * Key of a service within the kernel table (what the kernel matches on). Addresses are
 * expected in canonical (inet_ntop) form, as makeService/makeDest, the restore parser and
 * the decoder produce them.
 */
export function serviceKey(s: Pick<IpvsService, 'af' | 'fwmark' | 'protocol' | 'addr' | 'port'>): string {
  if (s.fwmark) return `fwm/${s.af}/${s.fwmark}`;
  return `${s.af}/${s.protocol}/${s.addr}/${s.port}`;
}

export function destKey(d: Pick<IpvsDest, 'addr' | 'port'>): string {
  return `${d.addr}/${d.port}`;
}

export function describeService(s: Pick<IpvsService, 'af' | 'fwmark' | 'protocol' | 'addr' | 'port'>): string {
  if (s.fwmark) return `FWM ${s.fwmark}${s.af === AF_INET6 ? ' IPv6' : ''}`;
  const a = s.af === AF_INET6 ? `[${s.addr}]` : s.addr;
  return `${protocolName(s.protocol)} ${a}:${s.port}`;
}

export function describeDest(d: Pick<IpvsDest, 'af' | 'addr' | 'port'>): string {
  return d.af === AF_INET6 ? `[${d.addr}]:${d.port}` : `${d.addr}:${d.port}`;
}

/** ipvsadm's default persistence granularity: /32 or /128. */
export function defaultNetmask(af: Family): number {
  return af === AF_INET6 ? 128 : 0xffffffff;
}

export interface ServiceInit {
  protocol?: number;
  addr?: string;
  port?: number;
  fwmark?: number;
  af?: Family;
  sched?: string;
  flags?: number;
  timeout?: number;
  netmask?: number;
  pe?: string;
}

/** A service with ipvsadm's defaults for whatever is not given. */
export function makeService(init: ServiceInit): IpvsService {
  const fwmark = init.fwmark ?? 0;
  const af: Family = init.af ?? (init.addr ? familyOf(init.addr) : AF_INET);
  const s: IpvsService = {
    af,
    protocol: fwmark ? 0 : init.protocol ?? IPPROTO_TCP,
    addr: fwmark ? (af === AF_INET6 ? '::' : '0.0.0.0') : normalizeAddr(init.addr ?? '0.0.0.0'),
    port: fwmark ? 0 : init.port ?? 0,
    fwmark,
    sched: init.sched ?? DEFAULT_SCHED,
    flags: init.flags ?? 0,
    timeout: init.timeout ?? 0,
    netmask: init.netmask ?? defaultNetmask(af),
  };
  if (init.pe) s.pe = init.pe;
  return s;
}

export type DestInit = Partial<IpvsDest> & { addr: string };

export function makeDest(init: DestInit): IpvsDest {
  return {
    af: init.af ?? familyOf(init.addr),
    addr: normalizeAddr(init.addr),
    port: init.port ?? 0,
    fwd: init.fwd ?? 'route',
    weight: init.weight ?? 1,
    uThreshold: init.uThreshold ?? 0,
    lThreshold: init.lThreshold ?? 0,
    tunType: init.tunType ?? 'ipip',
    tunPort: init.tunPort ?? 0,
    tunFlags: init.tunFlags ?? 'nocsum',
  };
}

/**
 * The service as named in a destination command: only its key matters to the
 * kernel; the other fields carry ipvsadm's neutral values so the bytes match.
 */
export function serviceRef(s: IpvsService): IpvsService {
  return {
    af: s.af, protocol: s.protocol, addr: s.addr, port: s.port, fwmark: s.fwmark,
    sched: '', flags: 0, timeout: 0, netmask: defaultNetmask(s.af),
  };
}

export const isV6 = (af: number): boolean => af === AF_INET6;
export const isV4 = (af: number): boolean => af === AF_INET;
