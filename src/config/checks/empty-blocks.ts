// Value blocks keepalived refuses to find empty while parsing ("Warning - empty ... block",
// an error for `keepalived -t`): notification_email, garp_group interfaces, track_group group.
// (The sync group `group` block is checked with the sync groups.)
import { ErrClass } from '../../../grammar/diagnostics.js';
import type { RawObject } from '../../../grammar/parser.js';
import type { CheckContext } from '../validate.js';
import { globalDefs, items, label, lineSpecOf, objs, root } from './model-access.js';

function emptyList(o: RawObject | undefined, field: string): boolean {
  return o !== undefined && Array.isArray(o[field]) && items(o, field).length === 0;
}

export function checkEmptyBlocks(ctx: CheckContext): void {
  // a schema whose value block declares its emptyMessage has the parser report it instead
  const report = (o: RawObject, field: string, block: string | undefined, message: string, path: readonly string[]) => {
    if (lineSpecOf(path)?.emptyMessage) return;
    ctx.report({ cls: ErrClass.General, level: 'error', keyword: field, block, message }, o, field);
  };
  const g = globalDefs(ctx);
  if (g && emptyList(g, 'notification_email')) report(g, 'notification_email', 'global_defs', 'Warning - empty notification_email block', ['global_defs', 'notification_email']);
  for (const gg of objs(root(ctx), 'garp_group')) {
    if (emptyList(gg, 'interfaces')) report(gg, 'interfaces', 'garp_group', 'Warning - empty garp_group interfaces block', ['garp_group', 'interfaces']);
  }
  for (const tg of objs(root(ctx), 'track_group')) {
    if (emptyList(tg, 'group')) report(tg, 'group', label('track_group', tg), `Warning - track group ${String(tg.name)} has empty group block`, ['track_group', 'group']);
  }
}
