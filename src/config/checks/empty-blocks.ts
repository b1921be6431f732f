// Value blocks keepalived refuses to find empty while parsing ("Warning - empty ... block",
// an error for `keepalived -t`): notification_email, garp_group interfaces, track_group group.
// (The sync group `group` block is checked with the sync groups.)
import { ErrClass } from '../../../grammar/diagnostics.js';
import type { RawObject } from '../../../grammar/parser.js';
import type { CheckContext } from '../validate.js';
import { globalDefs, items, label, objs, root } from './model-access.js';

function emptyList(o: RawObject | undefined, field: string): boolean {
  return o !== undefined && Array.isArray(o[field]) && items(o, field).length === 0;
}

export function checkEmptyBlocks(ctx: CheckContext): void {
  const report = (o: RawObject, field: string, block: string | undefined, message: string) =>
    ctx.report({ cls: ErrClass.General, level: 'error', keyword: field, block, message }, o, field);
  const g = globalDefs(ctx);
  if (g && emptyList(g, 'notification_email')) report(g, 'notification_email', 'global_defs', 'Warning - empty notification_email block');
  for (const gg of objs(root(ctx), 'garp_group')) {
    if (emptyList(gg, 'interfaces')) report(gg, 'interfaces', 'garp_group', 'Warning - empty garp_group interfaces block');
  }
  for (const tg of objs(root(ctx), 'track_group')) {
    if (emptyList(tg, 'group')) report(tg, 'group', label('track_group', tg), `Warning - track group ${String(tg.name)} has empty group block`);
  }
}
