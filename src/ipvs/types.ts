// Typed view of the kernel's IPVS objects.
import type { Family } from './addr.js';

export type Fwd = 'masq' | 'route' | 'tunnel' | 'local' | 'bypass';
export type TunType = 'ipip' | 'gue' | 'gre';
export type TunFlags = 'nocsum' | 'csum' | 'remcsum';

/** A virtual service. A fwmark service has fwmark > 0, protocol 0, addr '0.0.0.0'/'::', port 0. */
export interface IpvsService {
  af: Family;
  protocol: number;
  addr: string;
  port: number;
  fwmark: number;
  sched: string;
  /** IP_VS_SVC_F_* without HASHED (persistent, one-packet, scheduler flags). */
  flags: number;
  /** persistence timeout in seconds (meaningful with the persistent flag) */
  timeout: number;
  /** IPv4: mask as a 32-bit number (0xffffffff = /32); IPv6: prefix length. */
  netmask: number;
  /** persistence engine name, e.g. 'sip' */
  pe?: string;
}

export interface IpvsDest {
  af: Family;
  addr: string;
  port: number;
  fwd: Fwd;
  weight: number;
  uThreshold: number;
  lThreshold: number;
  tunType: TunType;
  tunPort: number;
  tunFlags: TunFlags;
}

export interface IpvsStats {
  conns: bigint;
  inpkts: bigint;
  outpkts: bigint;
  inbytes: bigint;
  outbytes: bigint;
  cps: bigint;
  inpps: bigint;
  outpps: bigint;
  inbps: bigint;
  outbps: bigint;
}

export interface IpvsServiceEntry extends IpvsService {
  stats: IpvsStats;
  /** true when the kernel sent 64-bit counters (IPVS_SVC_ATTR_STATS64) */
  stats64: boolean;
}

export interface IpvsDestEntry extends IpvsDest {
  activeConns: number;
  inactConns: number;
  persistConns: number;
  stats: IpvsStats;
  stats64: boolean;
}

export interface IpvsTimeouts {
  tcp: number;
  tcpFin: number;
  udp: number;
}

export interface IpvsDaemon {
  state: 'master' | 'backup';
  mcastIfn: string;
  syncId: number;
  syncMaxlen?: number;
  mcastGroup?: string;
  mcastPort?: number;
  mcastTtl?: number;
}

export interface IpvsInfo {
  version: number;
  connTabSize: number;
}

/** One virtual service with its destinations (a desired or observed table row). */
export interface IpvsVirtual {
  service: IpvsService;
  dests: IpvsDest[];
}
export interface IpvsVirtualEntry {
  service: IpvsServiceEntry;
  dests: IpvsDestEntry[];
}

export const zeroStats = (): IpvsStats => ({
  conns: 0n, inpkts: 0n, outpkts: 0n, inbytes: 0n, outbytes: 0n,
  cps: 0n, inpps: 0n, outpps: 0n, inbps: 0n, outbps: 0n,
});
