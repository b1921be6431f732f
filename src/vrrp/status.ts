// One instance's status snapshot (daemon/state.ts VrrpInstanceStatus) from its live parts:
// the machine (state, priorities), AdvertIo (drops, our source address) and the instance's
// own counters. Pure read; a copy, so callers may keep or serialise it.
import { newDropCounts } from './drop-reasons.js';
import type { Instance } from './instance.js';
import type { VrrpInstanceStatus } from '../daemon/state.js';

const AUTH_NAME = { none: 'none', pass: 'PASS', ah: 'AH' } as const;

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
  // Detail for the keepalived-format dumps.
  const a = s.announce;
  Object.assign(out, {
    advertIntervalMs: s.machine.advertIntervalMs,
    masterAdvertIntervalMs: m?.masterAdverIntMs ?? s.machine.advertIntervalMs,
    masterPriority: state === 'BACKUP' ? inst.lastAdvertPriority : 0,
    wantState: m?.wantMaster ? 'MASTER' : state,
    releasedMaster: inst.releasedMaster,
    preempt: s.machine.preempt,
    preemptDelayMs: s.machine.preemptDelayMs,
    authType: AUTH_NAME[s.wire.auth.type],
    sourceAddress: io?.w.sourceAddress ?? s.wire.sourceAddress,
    unicastPeers: [...s.wire.unicastPeers],
    excludedVips: inst.vipTexts('excluded'),
    trackInterfaces: s.trackInterfaces.map((t) => t.ifname),
    trackScripts: s.trackScripts.map((t) => t.script),
    garp: {
      delayS: a.delayMs / 1000, repeat: a.repeat, refreshS: a.refreshMs / 1000, refreshRepeat: a.refreshRepeat,
      lowerPrioDelayS: a.lowerPrioDelayMs / 1000, lowerPrioRepeat: a.lowerPrioRepeat,
    },
    promoteSecondaries: s.promoteSecondaries,
  } satisfies Partial<VrrpInstanceStatus>);
  if (s.accept !== undefined) out.accept = s.accept;
  return out;
}
