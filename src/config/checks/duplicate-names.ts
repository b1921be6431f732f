// keepalived skips the block of a second vrrp_instance or vrrp_sync_group with a name
// already used (reporting it while parsing); so does the model.
import { ErrClass } from '../../../grammar/diagnostics.js';
import type { CheckContext } from '../validate.js';
import { label, objs, root } from './model-access.js';

/** Parse-time: a second vrrp_instance / vrrp_sync_group of the same name is skipped. */
function dropDuplicateNames(ctx: CheckContext, field: string, what: string): void {
  const list = objs(root(ctx), field);
  const seen = new Set<string>();
  const kept = list.filter((o) => {
    const n = String(o.name);
    if (!seen.has(n)) {
      seen.add(n);
      return true;
    }
    ctx.report({ cls: ErrClass.General, level: 'error', block: label(field, o), message: `${what} ${n} already defined` }, o);
    return false;
  });
  if (kept.length !== list.length) root(ctx)[field] = kept;
}

export function checkDuplicateNames(ctx: CheckContext): void {
  dropDuplicateNames(ctx, 'vrrp_instance', 'vrrp instance');
  dropDuplicateNames(ctx, 'vrrp_sync_group', 'vrrp sync group');
}
