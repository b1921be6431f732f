// track_file blocks need a file (keepalived's track_file_end_handler drops them otherwise,
// and every later reference to them fails).
import { ErrClass } from '../../../grammar/diagnostics.js';
import type { CheckContext } from '../validate.js';
import { label, objs, root } from './model-access.js';
import { REMOVED } from './script-users.js';

export function checkTrackFiles(ctx: CheckContext): void {
  for (const t of objs(root(ctx), 'track_file')) {
    if (t.file === undefined) {
      ctx.report({ cls: ErrClass.General, level: 'error', block: label('track_file', t), message: `No file set for track_file ${String(t.name)} - ignoring` }, t);
      t[REMOVED] = true;
    }
  }
}
