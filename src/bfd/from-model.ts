// Config model (bfd_instance blocks, intervals already in microseconds) -> what the BFD
// runtime runs. Pure. Instances the config checks refused are no longer in the model.
import type { Model } from '../config/model.js';
import type { Family } from './udp-socket.js';

export interface BfdInstanceSpec {
  name: string;
  family: Family;
  neighbor: string;
  source?: string;
  minRxUs: number;
  minTxUs: number;
  idleTxUs: number;
  multiplier: number;
  passive: boolean;
  /** TTL (IPv4) or hop limit (IPv6) of sent packets. */
  ttl: number;
  /** Configured limit on the received TTL reduction (255: none); not enforced, see udp-socket.ts. */
  maxHops: number;
  /** Default track_bfd weight and reverse. */
  weight: number;
  reverse: boolean;
  /** `vrrp` / `checker`: events go only to that process (both when neither or both are set). */
  toVrrp: boolean;
  toChecker: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown, d: number): number => (typeof v === 'number' ? v : d);

export function bfdSpecsFromModel(model: Model): BfdInstanceSpec[] {
  const list: unknown = (model as Obj).bfd_instance;
  if (!Array.isArray(list)) return [];
  const out: BfdInstanceSpec[] = [];
  for (const b of list as unknown[]) {
    if (!isObj(b) || !isObj(b.neighbor_ip) || typeof b.neighbor_ip.addr !== 'string') continue;
    const family: Family = b.neighbor_ip.family === 6 ? 6 : 4;
    const src = isObj(b.source_ip) && typeof b.source_ip.addr === 'string' ? b.source_ip.addr : undefined;
    const w = isObj(b.weight) ? b.weight : {};
    const onlyVrrp = b.vrrp === true, onlyChecker = b.checker === true;
    const both = onlyVrrp === onlyChecker;
    out.push({
      name: String(b.name),
      family,
      neighbor: b.neighbor_ip.addr,
      ...(src ? { source: src } : {}),
      minRxUs: num(b.min_rx, 10_000),
      minTxUs: num(b.min_tx, 10_000),
      idleTxUs: num(b.idle_tx, 1_000_000),
      multiplier: num(b.multiplier, 5),
      passive: b.passive === true,
      ttl: family === 6 ? num(b.hoplimit, 64) : num(b.ttl, 255),
      maxHops: num(b.max_hops, 0),
      weight: num(w.weight, 0),
      reverse: w.reverse === true,
      toVrrp: both || onlyVrrp,
      toChecker: both || onlyChecker,
    });
  }
  return out;
}
