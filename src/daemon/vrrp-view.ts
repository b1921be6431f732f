// The daemon's read side of the VRRP runtime: instance status for snapshots and a hook for
// VIP changes (ha_suspend). It uses VrrpRuntime.status() and its 'vips'/'transition' events
// where the runtime offers them, else builds what it can from the instances it holds.
import { newDropCounts } from '../vrrp/drop-reasons.js';
import type { VrrpRuntime } from '../vrrp/runtime.js';
import type { VrrpInstanceStatus } from './state.js';

interface Observable {
  status?: () => VrrpInstanceStatus[];
  on?: (event: string, fn: (data: unknown) => void) => unknown;
}

export function vrrpStatus(rt: VrrpRuntime): VrrpInstanceStatus[] {
  const o = rt as unknown as Observable;
  if (typeof o.status === 'function') return o.status();
  return [...rt.instances.values()].map((inst) => {
    const s = inst.spec;
    const m = inst.machine as typeof inst.machine | undefined;
    const state = m?.state ?? 'INIT';
    return {
      name: s.name,
      interface: inst.ifname,
      vrid: s.wire.vrid,
      family: s.wire.family,
      version: s.wire.version,
      state,
      basePriority: s.machine.priority,
      priority: m?.effectivePriority ?? s.machine.priority,
      masterAddress: null,
      vips: s.vips.map((v) => `${v.address}/${v.prefixLength}`),
      vipsInstalled: state === 'MASTER',
      ...(s.syncGroup ? { syncGroup: s.syncGroup } : {}),
      transitions: 0,
      becameMaster: 0,
      lastTransitionAt: null,
      advertsSent: 0,
      advertsReceived: 0,
      priorityZeroSent: 0,
      priorityZeroReceived: 0,
      drops: newDropCounts(),
    };
  });
}

/** Calls `fn` for the runtime's event `name` when the runtime emits events; returns whether it does. */
export function onVrrpEvent(rt: VrrpRuntime, name: 'vips' | 'transition' | 'advert' | 'drop', fn: (data: unknown) => void): boolean {
  const o = rt as unknown as Observable;
  if (typeof o.on !== 'function') return false;
  o.on.call(rt, name, fn);
  return true;
}
