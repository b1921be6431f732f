// Two VRRP instances must not share a VRID on the same interface, family and multicast group
// (or, unicasting, the same source address and a common peer): keepalived's
// check_vrid_conflicts, run once all instances are complete.
import { ErrClass } from '../../../grammar/diagnostics.js';
import type { RawObject } from '../../../grammar/parser.js';
import type { CheckContext } from '../validate.js';
import { globalDefs, itemObjs, label, obj, str, vrrpInstances } from './model-access.js';
import { vrrpStoppedByMissingInterface } from './interfaces.js';

const familyOf = (vi: RawObject): 4 | 6 => (itemObjs(vi, 'virtual_ipaddress')[0]?.family === 6 ? 6 : 4);
const peersOf = (vi: RawObject): string[] => itemObjs(vi, 'unicast_peer').map((p) => String(p.addr));
const srcOf = (vi: RawObject): string | undefined => {
  const s = obj(vi, 'unicast_src_ip') ?? obj(vi, 'mcast_src_ip');
  return typeof s?.addr === 'string' ? s.addr : undefined;
};

function mcastGroup(ctx: CheckContext, vi: RawObject, family: 4 | 6): string {
  const own = obj(vi, 'mcast_dst_ip');
  if (typeof own?.addr === 'string') return own.addr;
  const g = globalDefs(ctx);
  const def = obj(g, family === 4 ? 'vrrp_mcast_group4' : 'vrrp_mcast_group6');
  return typeof def?.addr === 'string' ? def.addr : family === 4 ? '224.0.0.18' : 'ff02::12';
}

export function checkVridConflicts(ctx: CheckContext): void {
  if (vrrpStoppedByMissingInterface(ctx)) return;
  const list = vrrpInstances(ctx).filter((vi) => typeof vi.virtual_router_id === 'number');
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const a = list[i];
      const b = list[j];
      const fam = familyOf(a);
      if (fam !== familyOf(b) || a.virtual_router_id !== b.virtual_router_id) continue;
      const ua = peersOf(a).length > 0;
      if (ua !== peersOf(b).length > 0) continue; // unicast and multicast are separate VRID spaces
      const ia = str(a, 'interface');
      const ib = str(b, 'interface');
      let message: string | undefined;
      if (ua) {
        if (ia !== undefined && ib !== undefined && ia !== ib) continue;
        const sa = srcOf(a);
        const sb = srcOf(b);
        // keepalived compares source addresses it knows now; interface addresses are not config
        if (sa === undefined || sb === undefined || sa !== sb) continue;
        const pb = new Set(peersOf(b));
        if (!peersOf(a).some((p) => pb.has(p))) continue;
        message = `(${String(a.name)}) duplicate VRID conflict with ${String(b.name)} VRID ${String(a.virtual_router_id)}`;
      } else {
        if (ia === undefined || ia !== ib) continue;
        if (mcastGroup(ctx, a, fam) !== mcastGroup(ctx, b, fam)) continue;
        message = `${String(a.name)} and ${String(b.name)} both use VRID ${String(a.virtual_router_id)} with IPv${fam} on interface ${ia}`;
      }
      ctx.report({ cls: ErrClass.General, level: 'error', keyword: 'virtual_router_id', block: label('vrrp_instance', b), message }, b, 'virtual_router_id');
    }
  }
}
