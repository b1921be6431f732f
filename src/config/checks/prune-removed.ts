// Last step: what the checks refused leaves the model, as keepalived frees it: removed
// vrrp_scripts (and the tracking lines naming them), track_files, virtual servers and MISC_CHECKs.
import type { RawObject } from '../../../grammar/parser.js';
import type { CheckContext } from '../validate.js';
import { isObj, objs, root, vrrpInstances } from './model-access.js';
import { isRemoved } from './script-users.js';

function pruneList(parent: RawObject, field: string): void {
  const v = parent[field];
  if (Array.isArray(v) && v.some((x) => isObj(x) && isRemoved(x))) parent[field] = v.filter((x) => !(isObj(x) && isRemoved(x)));
}

function pruneTracking(owner: RawObject, field: string, alive: Set<string>): void {
  const v = owner[field];
  if (Array.isArray(v)) owner[field] = v.filter((x) => isObj(x) && typeof x.name === 'string' && alive.has(x.name));
}

export function pruneRemoved(ctx: CheckContext): void {
  const r = root(ctx);
  for (const field of ['vrrp_script', 'track_file', 'bfd_instance', 'virtual_server']) pruneList(r, field);
  // (a reload's parse knows when no real server has a MISC_CHECK: no walk then)
  const services = ctx.parsed.mayHold('MISC_CHECK') ? objs(r, 'virtual_server') : [];
  for (let i = 0; i < services.length; i++) {
    const reals = objs(services[i], 'real_server');
    for (let j = 0; j < reals.length; j++) if (reals[j].MISC_CHECK !== undefined) pruneList(reals[j], 'MISC_CHECK');
  }
  const scripts = new Set(objs(r, 'vrrp_script').map((s) => String(s.name)));
  const files = new Set(objs(r, 'track_file').map((s) => String(s.name)));
  for (const owner of [...vrrpInstances(ctx), ...objs(r, 'vrrp_sync_group')]) {
    pruneTracking(owner, 'track_script', scripts);
    pruneTracking(owner, 'track_file', files);
  }
}
