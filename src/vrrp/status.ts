// One instance's status snapshot (daemon/state.ts VrrpInstanceStatus) from its live parts:
// the machine (state, priorities), AdvertIo (drops, our source address) and the instance's
// own counters. Pure read; a copy, so callers may keep or serialise it.
import { newDropCounts } from './drop-reasons.js';
import type { Instance } from './instance.js';
import type { VrrpInstanceStatus } from '../daemon/state.js';

export function instanceStatus(inst: Instance): VrrpInstanceStatus {
  const s = inst.spec;
  // Before prepare() finished (or after it failed) there is no machine yet: report INIT.
  const m = inst.machine as Instance['machine'] | undefined;
  const io = inst.io as Instance['io'] | undefined;
  const state = m?.state ?? 'INIT';
  const masterAddress = state === 'MASTER' ? io?.w.sourceAddress ?? null : state === 'BACKUP' ? inst.lastAdvertSource : null;
  const out: VrrpInstanceStatus = {
    name: s.name,
    interface: inst.ifname,
    vrid: s.wire.vrid,
    family: s.wire.family,
    version: s.wire.version,
    state,
    basePriority: m?.basePriority ?? s.machine.priority,
    priority: m?.effectivePriority ?? s.machine.priority,
    masterAddress,
    vips: inst.vipTexts('vips'),
    vipsInstalled: inst.vipsInstalled,
    ...inst.stats,
    drops: { ...(io?.drops ?? newDropCounts()) },
  };
  if (s.syncGroup) out.syncGroup = s.syncGroup;
  return out;
}
