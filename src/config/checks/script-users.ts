// Script users, as keepalived settles them while parsing: a `user` that does not exist removes
// the vrrp_script / MISC_CHECK; with enable_script_security and no script_user, the default
// user keepalived_script must exist, or every script relying on it is removed.
import { ErrClass } from '../../../grammar/diagnostics.js';
import type { RawObject } from '../../../grammar/parser.js';
import type { CheckContext } from '../validate.js';
import { DEFAULT_SCRIPT_USER, groupExists, userExists } from './host-users.js';
import { globalDefs, isObj, label, obj, objs, root } from './model-access.js';

/** Fields set on removed objects so later checks skip them. */
export const REMOVED = '$removed';

export const isRemoved = (o: RawObject): boolean => o[REMOVED] === true;

/** The user/group of a `user` keyword, if the machine lacks one of them. */
function unknownUser(o: RawObject): string | undefined {
  const u = obj(o, 'user');
  if (!u) return undefined;
  if (typeof u.user === 'string' && !userExists(u.user)) return u.user;
  if (typeof u.group === 'string' && !groupExists(u.group)) return u.group;
  return undefined;
}

export function checkScriptUsers(ctx: CheckContext): void {
  const g = globalDefs(ctx);
  const security = g?.enable_script_security === true;
  const defaultUser = obj(g, 'script_user');
  if (defaultUser && typeof defaultUser.user === 'string' && !userExists(defaultUser.user)) {
    ctx.report({ cls: ErrClass.General, level: 'error', keyword: 'script_user', block: 'global_defs', message: `Unable to set default script user ${defaultUser.user}` }, g, 'script_user');
  }
  const defaultFails = security && !defaultUser && !userExists(DEFAULT_SCRIPT_USER);
  let reportedDefault = false;
  const needsDefault = (o: RawObject, keyword: string, block: string, what: string) => {
    if (!reportedDefault) {
      reportedDefault = true;
      ctx.report({ cls: ErrClass.General, level: 'error', keyword, block, message: `Unable to set default user ${DEFAULT_SCRIPT_USER} for script (enable_script_security is set and script_user is not)` }, o, keyword);
    }
    ctx.report({ cls: ErrClass.General, level: 'error', keyword, block, message: `Unable to set default user for ${what} - removing` }, o, keyword);
    o[REMOVED] = true;
  };

  for (const s of objs(root(ctx), 'vrrp_script')) {
    const block = label('vrrp_script', s);
    if (s.script === undefined) {
      ctx.report({ cls: ErrClass.General, level: 'error', block, message: `No script set for vrrp_script ${String(s.name)} - removing` }, s);
      s[REMOVED] = true;
      continue;
    }
    const bad = unknownUser(s);
    if (bad !== undefined) {
      ctx.report({ cls: ErrClass.General, level: 'error', keyword: 'user', block, message: `Unable to set uid/gid for script: no user or group '${bad}' - removing` }, s, 'user');
      s[REMOVED] = true;
    } else if (s.user === undefined && defaultFails) needsDefault(s, 'script', block, `vrrp script ${String(s.name)}`);
  }

  // (a reload's parse knows when no real server has a MISC_CHECK: no walk then)
  const services = ctx.parsed.mayHold('MISC_CHECK') ? objs(root(ctx), 'virtual_server') : [];
  for (let i = 0; i < services.length; i++) {
    const reals = objs(services[i], 'real_server');
    for (let j = 0; j < reals.length; j++) {
      // (indexed: once per real server, mostly unoptimised, where for-of allocates per step)
      if (reals[j].MISC_CHECK === undefined) continue;
      for (const mc of objs(reals[j], 'MISC_CHECK')) {
        if (!isObj(mc.misc_path)) continue;
        const block = 'MISC_CHECK';
        const bad = unknownUser(mc);
        if (bad !== undefined) {
          ctx.report({ cls: ErrClass.General, level: 'error', keyword: 'user', block, message: `Unable to set uid/gid for MISC_CHECK script: no user or group '${bad}' - removing` }, mc, 'user');
          mc[REMOVED] = true;
        } else if (mc.user === undefined && defaultFails) needsDefault(mc, 'misc_path', block, `misc script ${String(mc.misc_path.cmd)}`);
      }
    }
  }
}
