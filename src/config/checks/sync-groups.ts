// vrrp_sync_group members, as keepalived links them after parsing (vrrp_sync_set_group): an
// empty group block, unknown members, members of two groups, a group left with one member.
import { ErrClass } from '../../../grammar/diagnostics.js';
import type { RawObject } from '../../../grammar/parser.js';
import type { CheckContext } from '../validate.js';
import { isObj, itemObjs, label, lineSpecOf, names, objs, root, vrrpInstances, written } from './model-access.js';
import { vrrpStoppedByMissingInterface } from './interfaces.js';

export function checkSyncGroups(ctx: CheckContext): void {
  const groups = objs(root(ctx), 'vrrp_sync_group');
  const report = (sg: RawObject, message: string, field?: string) =>
    ctx.report({ cls: ErrClass.General, level: 'error', keyword: field, block: label('vrrp_sync_group', sg), message }, sg, field);
  // parse time: an empty `group { }`
  for (const sg of groups) {
    if (!lineSpecOf(['vrrp_sync_group', 'group'])?.emptyMessage && written(ctx, sg, 'group', ['vrrp_sync_group']) && names(sg, 'group').length === 0) report(sg, `Warning - sync group ${String(sg.name)} has empty group block`, 'group');
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

/**
 * After the instances are complete (priorities known): a sync group with an address owner
 * (priority 255) among its members cannot track with weights (keepalived
 * sync_group_tracking_init clears them, with an error each).
 */
export function checkSyncGroupTracking(ctx: CheckContext): void {
  if (vrrpStoppedByMissingInterface(ctx)) return;
  const byName = new Map(vrrpInstances(ctx).map((vi) => [String(vi.name), vi]));
  const scripts = new Map(objs(root(ctx), 'vrrp_script').map((s) => [String(s.name), s]));
  const files = new Map(objs(root(ctx), 'track_file').map((f) => [String(f.name), f]));
  const declaredWeight = (o: RawObject | undefined, dflt: number): number => {
    const w = o?.weight;
    return isObj(w) && typeof w.weight === 'number' ? w.weight : dflt;
  };
  for (const sg of objs(root(ctx), 'vrrp_sync_group')) {
    const members = names(sg, 'group').map((n) => byName.get(n)).filter((vi): vi is RawObject => vi !== undefined);
    // an interface tracked by the group and by a member (its own interface, or its track_interface)
    for (const t of itemObjs(sg, 'track_interface')) {
      for (const vi of members) {
        const own = vi.interface === t.name && vi.dont_track_primary !== true;
        if (own || itemObjs(vi, 'track_interface').some((x) => x.name === t.name)) {
          ctx.report({
            cls: ErrClass.General, level: 'error', keyword: 'track_interface', block: label('vrrp_sync_group', sg),
            message: `(${String(vi.name)}) track_interface ${String(t.name)} is configured on VRRP instance and sync group. Remove vrrp instance or sync group config`,
          }, sg, 'track_interface');
        }
      }
    }
    if (!members.some((vi) => vi.priority === 255)) continue;
    const kinds: Array<[string, string, (item: RawObject) => number]> = [
      ['track_script', 'script', (i) => (typeof i.weight === 'number' ? i.weight : declaredWeight(scripts.get(String(i.name)), 0))],
      ['track_file', 'file', (i) => (typeof i.weight === 'number' ? i.weight : declaredWeight(files.get(String(i.name)), 1))],
      ['track_interface', 'interface', (i) => (typeof i.weight === 'number' ? i.weight : 0)],
      ['track_bfd', 'bfd', (i) => (typeof i.weight === 'number' ? i.weight : 0)],
      ['track_process', 'process', (i) => (typeof i.weight === 'number' ? i.weight : 1)],
    ];
    for (const [field, what, weightOf] of kinds) {
      for (const item of itemObjs(sg, field)) {
        if (weightOf(item) === 0) continue;
        ctx.report({
          cls: ErrClass.General, level: 'error', keyword: field, block: label('vrrp_sync_group', sg),
          message: `(${String(sg.name)}) Cannot have weighted track ${what} '${String(item.name)}' with member having priority 255 - clearing weight`,
        }, sg, field);
        item.weight = 0;
      }
    }
  }
}
