// Tracked objects of VRRP instances and sync groups, resolved as keepalived resolves them while
// parsing: a tracked vrrp_script / track_file / bfd_instance / vrrp_track_process must be
// declared (and usable) EARLIER in the file; unknown and duplicate entries are errors and are
// dropped from the model, as keepalived ignores them.
import { ErrClass } from '../../../grammar/diagnostics.js';
import type { RawObject } from '../../../grammar/parser.js';
import type { CheckContext } from '../validate.js';
import { isObj, items, label, objs, order, root, vrrpInstances } from './model-access.js';
import { isRemoved } from './script-users.js';

interface Kind {
  /** the tracking keyword inside vrrp_instance / vrrp_sync_group */
  field: string;
  /** the root block declaring the tracked objects */
  declared: string;
  /** how keepalived names it in messages */
  what: string;
}

const KINDS: Kind[] = [
  { field: 'track_script', declared: 'vrrp_script', what: 'track script' },
  { field: 'track_file', declared: 'track_file', what: 'track file' },
  { field: 'track_bfd', declared: 'bfd_instance', what: 'track bfd' },
  { field: 'track_process', declared: 'vrrp_track_process', what: 'track process' },
];

function nameOf(item: unknown): string | undefined {
  return isObj(item) && typeof item.name === 'string' ? item.name : undefined;
}

function resolveIn(ctx: CheckContext, owner: RawObject, ownerName: string, block: string): void {
  for (const k of KINDS) {
    const list = items(owner, k.field);
    if (list.length === 0) continue;
    const at = order(ctx, owner, k.field);
    const decl = objs(root(ctx), k.declared).filter((d) => !isRemoved(d) && order(ctx, d) < at);
    const declared = new Set(decl.map((d) => String(d.name)));
    const seen = new Set<string>();
    const kept: unknown[] = [];
    for (const item of list) {
      const n = nameOf(item);
      if (n === undefined) continue;
      if (!declared.has(n)) {
        const later = objs(root(ctx), k.declared).some((d) => d.name === n && !isRemoved(d));
        ctx.report({
          cls: ErrClass.General, level: 'error', keyword: k.field, block,
          message: `(${ownerName}) ${k.what} ${n} not found, ignoring...${later ? ` (${k.declared} ${n} must come before its first use)` : ''}`,
        }, owner, k.field);
        continue;
      }
      if (seen.has(n)) {
        ctx.report({ cls: ErrClass.General, level: 'error', keyword: k.field, block, message: `(${ownerName}) duplicate ${k.field} ${n} - ignoring` }, owner, k.field);
        continue;
      }
      seen.add(n);
      kept.push(item);
    }
    owner[k.field] = kept;
  }
  // track_interface: the same interface twice
  const ifs = items(owner, 'track_interface');
  if (ifs.length > 1) {
    const seen = new Set<string>();
    const kept: unknown[] = [];
    for (const item of ifs) {
      const n = nameOf(item);
      if (n !== undefined && seen.has(n)) {
        ctx.report({ cls: ErrClass.General, level: 'error', keyword: 'track_interface', block, message: `(${ownerName}) duplicate track_interface ${n} - ignoring` }, owner, 'track_interface');
        continue;
      }
      if (n !== undefined) seen.add(n);
      kept.push(item);
    }
    owner.track_interface = kept;
  }
}

export function checkVrrpTracking(ctx: CheckContext): void {
  for (const sg of objs(root(ctx), 'vrrp_sync_group')) resolveIn(ctx, sg, String(sg.name), label('vrrp_sync_group', sg));
  for (const vi of vrrpInstances(ctx)) resolveIn(ctx, vi, String(vi.name), label('vrrp_instance', vi));
}
