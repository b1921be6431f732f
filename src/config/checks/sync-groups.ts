// vrrp_sync_group members, as keepalived links them after parsing (vrrp_sync_set_group): an
// empty group block, unknown members, members of two groups, a group left with one member.
import { ErrClass } from '../../../grammar/diagnostics.js';
import type { RawObject } from '../../../grammar/parser.js';
import type { CheckContext } from '../validate.js';
import { label, names, objs, root, vrrpInstances, written } from './model-access.js';
import { vrrpStoppedByMissingInterface } from './interfaces.js';

export function checkSyncGroups(ctx: CheckContext): void {
  const groups = objs(root(ctx), 'vrrp_sync_group');
  const report = (sg: RawObject, message: string, field?: string) =>
    ctx.report({ cls: ErrClass.General, level: 'error', keyword: field, block: label('vrrp_sync_group', sg), message }, sg, field);
  // parse time: an empty `group { }`
  for (const sg of groups) {
    if (written(ctx, sg, 'group', ["vrrp_sync_group"]) && names(sg, 'group').length === 0) report(sg, `Warning - sync group ${String(sg.name)} has empty group block`, 'group');
  }
  if (vrrpStoppedByMissingInterface(ctx)) return;
  const instances = new Set(vrrpInstances(ctx).map((vi) => String(vi.name)));
  const owner = new Map<string, string>();
  for (const sg of groups) {
    const gname = String(sg.name);
    const members = names(sg, 'group');
    if (members.length === 0) {
      report(sg, `Sync group ${gname} has no virtual router(s). removing`);
      continue;
    }
    const kept: string[] = [];
    for (const m of members) {
      if (!instances.has(m)) {
        report(sg, `Virtual router ${m} specified in sync group ${gname} doesn't exist - ignoring`, 'group');
        continue;
      }
      if (owner.has(m)) {
        report(sg, `Virtual router ${m} cannot exist in more than one sync group; ignoring ${gname}`, 'group');
        continue;
      }
      owner.set(m, gname);
      kept.push(m);
    }
    sg.group = kept;
    if (kept.length === 0) report(sg, `Sync group ${gname}, no matching virtual router found in group declaration - removing`);
    else if (kept.length === 1) report(sg, `Sync group ${gname} has only 1 virtual router(s) - this probably isn't what you want`, 'group');
  }
}
