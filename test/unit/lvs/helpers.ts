import { serverSpec } from '../../../src/lvs/dest.js';
import type { RealServerPolicy, VirtualServerPolicyConfig } from '../../../src/lvs/policy.js';
import { makeService } from '../../../src/ipvs/model.js';

export function rs(i: number, opts: Omit<Partial<RealServerPolicy>, 'checkers'> & { checkers?: number; alpha?: boolean } = {}): RealServerPolicy {
  const n = opts.checkers ?? 1;
  return {
    name: `10.0.0.${i}:80`,
    server: serverSpec({ addr: `10.0.0.${i}`, family: 4 }, 80, { method: 'NAT' }),
    weight: opts.weight ?? 1,
    inhibit: opts.inhibit ?? false,
    checkers: Array.from({ length: n }, (_, k) => ({ id: `c${k}`, startsUp: !opts.alpha })),
    ...(opts.notifyUp ? { notifyUp: opts.notifyUp } : {}),
    ...(opts.notifyDown ? { notifyDown: opts.notifyDown } : {}),
  };
}

export function vsConfig(reals: RealServerPolicy[], extra: Partial<VirtualServerPolicyConfig> = {}): VirtualServerPolicyConfig {
  return {
    name: '10.1.0.1:80',
    services: [makeService({ addr: '10.1.0.1', port: 80, protocol: 6, sched: 'wlc' })],
    reals,
    quorum: 1,
    hysteresis: 0,
    omega: false,
    ...extra,
  };
}

export const sorry = (inhibit = false) => ({ server: serverSpec({ addr: '10.9.9.9', family: 4 }, 80, { method: 'DR' }), inhibit });
