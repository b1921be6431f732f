// Real and sorry servers as IPVS destinations: forwarding method (lvs_method / lb_kind, with
// the TUN encapsulation), thresholds and the port rules keepalived applies.
import { AF_INET, AF_INET6 } from '../ipvs/constants.js';
import type { Family } from '../ipvs/addr.js';
import { normalizeAddr } from '../ipvs/addr.js';
import type { Fwd, IpvsDest, IpvsService, TunFlags, TunType } from '../ipvs/types.js';

export interface ServerSpec {
  addr: string;
  af: Family;
  /** configured port; undefined when the config gave none */
  port: number | undefined;
  fwd: Fwd;
  tunType: TunType;
  tunPort: number;
  tunFlags: TunFlags;
  uThreshold: number;
  lThreshold: number;
}

export interface MethodConfig {
  method: 'NAT' | 'DR' | 'TUN';
  tunnel?: { type?: TunType; port?: number; csum?: TunFlags };
  [field: string]: unknown;
}

// A reload rebuilds every policy; the same few thousand addresses are normalised again and
// again, so the canonical form is remembered (bounded: cleared when it grows past the limit).
const canonical = new Map<string, string>();
const CANONICAL_MAX = 200_000;

/** Dotted quad with no leading zeros: already what inet_ntop prints. */
function plainV4(a: string): boolean {
  let parts = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= a.length; i++) {
    const c = i < a.length ? a.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255) return false;
      parts++;
      digits = 0;
      value = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 1 && value === 0) return false; // leading zero
      value = value * 10 + (c - 48);
      digits++;
    } else return false;
  }
  return parts === 4;
}

function canonicalAddr(addr: string): string {
  if (plainV4(addr)) return addr;
  let c = canonical.get(addr);
  if (c === undefined) {
    c = normalizeAddr(addr);
    if (canonical.size >= CANONICAL_MAX) canonical.clear();
    canonical.set(addr, c);
  }
  return c;
}

export function fwdOf(method: MethodConfig['method']): Fwd {
  return method === 'NAT' ? 'masq' : method === 'DR' ? 'route' : 'tunnel';
}

export function serverSpec(
  addr: { addr: string; family: 4 | 6 },
  port: number | undefined,
  method: MethodConfig,
  thresholds: { u?: unknown; l?: unknown } = {},
): ServerSpec {
  const t = method.tunnel ?? {};
  return {
    addr: canonicalAddr(addr.addr),
    af: addr.family === 6 ? AF_INET6 : AF_INET,
    port,
    fwd: fwdOf(method.method),
    tunType: t.type ?? 'ipip',
    tunPort: t.port ?? 0,
    tunFlags: t.csum ?? 'nocsum',
    uThreshold: typeof thresholds.u === 'number' ? thresholds.u : 0,
    lThreshold: typeof thresholds.l === 'number' ? thresholds.l : 0,
  };
}

/**
 * Destination port in `svc` (keepalived check_data.c): NAT keeps the configured port (the
 * service's when none); DR/TUN use the service's port (0 for fwmark services).
 */
export function destPort(s: ServerSpec, svc: IpvsService): number {
  if (s.fwd === 'masq') return s.port ?? svc.port;
  return svc.fwmark ? 0 : svc.port;
}

/** Whether `s` can be a destination of `svc` (tunnels may cross families, nothing else). */
export function fitsService(s: ServerSpec, svc: IpvsService): boolean {
  return s.af === svc.af || s.fwd === 'tunnel';
}

export function toDest(s: ServerSpec, svc: IpvsService, weight: number): IpvsDest {
  // s.addr is canonical already (serverSpec): no second normalisation per destination
  return {
    af: s.af,
    addr: s.addr,
    port: destPort(s, svc),
    fwd: s.fwd,
    weight,
    uThreshold: s.uThreshold,
    lThreshold: s.lThreshold,
    tunType: s.tunType,
    tunPort: s.tunPort,
    tunFlags: s.tunFlags,
  };
}
