// Script security (keepalived check_script_secure and its callers): running any script as root
// without `enable_script_security` fails `keepalived -t` with exit 6; with it, scripts on an
// unsafe path are disabled. A vrrp_script that cannot be found, or is disabled, is an error.
import { ErrClass } from '../../../grammar/diagnostics.js';
import type { RawObject } from '../../../grammar/parser.js';
import type { CheckContext } from '../validate.js';
import { globalDefs, isObj, label, objs, root, vrrpInstances } from './model-access.js';
import { isRemoved, REMOVED } from './script-users.js';
import { vrrpStoppedByMissingInterface } from './interfaces.js';
import { scriptFacts } from './script-file.js';

interface ScriptRef { owner: RawObject; field: string; block: string; cmd: string; track?: RawObject }

function ref(owner: RawObject, field: string, block: string, track?: RawObject): ScriptRef[] {
  const v = owner[field];
  return isObj(v) && typeof v.cmd === 'string' ? [{ owner, field, block, cmd: v.cmd, track }] : NO_REFS;
}
const NO_REFS: ScriptRef[] = [];

const NOTIFY_VRRP = ['notify_backup', 'notify_master', 'notify_fault', 'notify_stop', 'notify_deleted', 'notify', 'notify_master_rx_lower_pri'];
const NOTIFY_GROUP = ['notify_backup', 'notify_master', 'notify_fault', 'notify_stop', 'notify'];

function vrrpScripts(ctx: CheckContext): ScriptRef[] {
  const r = root(ctx);
  const out: ScriptRef[] = [];
  for (const s of objs(r, 'vrrp_script')) if (!isRemoved(s)) out.push(...ref(s, 'script', label('vrrp_script', s), s));
  for (const vi of vrrpInstances(ctx)) for (const f of NOTIFY_VRRP) out.push(...ref(vi, f, label('vrrp_instance', vi)));
  for (const sg of objs(r, 'vrrp_sync_group')) for (const f of NOTIFY_GROUP) out.push(...ref(sg, f, label('vrrp_sync_group', sg)));
  const g = globalDefs(ctx);
  if (g) for (const f of ['notify_fifo_script', 'vrrp_notify_fifo_script']) out.push(...ref(g, f, 'global_defs'));
  return out;
}

function checkerScripts(ctx: CheckContext): ScriptRef[] {
  const out: ScriptRef[] = [];
  const services = objs(root(ctx), 'virtual_server').filter((vs) => !isRemoved(vs));
  if (services.length === 0) return out;
  // (indexed loops over the real servers: they run once each, mostly before V8 optimises them,
  // where for-of allocates an iterator result per step)
  // (a reload's parse knows when no real server has a MISC_CHECK or notify script: no walk then)
  if (ctx.parsed.mayHold('MISC_CHECK')) for (let i = 0; i < services.length; i++) {
    const reals = objs(services[i], 'real_server');
    for (let j = 0; j < reals.length; j++) {
      if (reals[j].MISC_CHECK === undefined) continue;
      for (const mc of objs(reals[j], 'MISC_CHECK')) if (!isRemoved(mc)) out.push(...ref(mc, 'misc_path', 'MISC_CHECK'));
    }
  }
  const notify = ctx.parsed.mayHold('notify_up') || ctx.parsed.mayHold('notify_down');
  for (let i = 0; i < services.length; i++) {
    const vs = services[i];
    out.push(...ref(vs, 'quorum_up', 'virtual_server'), ...ref(vs, 'quorum_down', 'virtual_server'));
    if (!notify) continue;
    const reals = objs(vs, 'real_server');
    for (let j = 0; j < reals.length; j++) {
      const rs = reals[j];
      if (rs.notify_up !== undefined) out.push(...ref(rs, 'notify_up', 'real_server'));
      if (rs.notify_down !== undefined) out.push(...ref(rs, 'notify_down', 'real_server'));
    }
  }
  const g = globalDefs(ctx);
  if (g) for (const f of ['notify_fifo_script', 'lvs_notify_fifo_script']) out.push(...ref(g, f, 'global_defs'));
  return out;
}

/** Checks one set of scripts the way one keepalived process does; returns nothing, reports. */
function checkSet(ctx: CheckContext, scripts: ScriptRef[], what: string): void {
  const security = globalDefs(ctx)?.enable_script_security === true;
  let firstScript: ScriptRef | undefined;
  let insecure = false;
  for (const s of scripts) {
    const f = scriptFacts(s.cmd);
    if (f.kind === 'script') {
      firstScript ??= s;
      insecure ||= f.insecure;
    }
    if (!s.track) continue;
    // a vrrp_script keepalived cannot run is removed, with an error
    if (f.kind === 'missing') {
      ctx.report({ cls: ErrClass.General, level: 'error', keyword: s.field, block: s.block, message: `Disabling track script ${String(s.track.name)} since not found/accessible` }, s.owner, s.field);
      s.track[REMOVED] = true;
    } else if (f.kind === 'script' && f.insecure && security) {
      ctx.report({ cls: ErrClass.General, level: 'error', keyword: s.field, block: s.block, message: `Disabling track script ${String(s.track.name)} due to insecure path ${f.path ?? s.cmd}` }, s.owner, s.field);
      s.track[REMOVED] = true;
    }
  }
  if (!security && firstScript) {
    ctx.report({
      cls: ErrClass.Security, level: 'error', keyword: firstScript.field, block: firstScript.block,
      message: `SECURITY VIOLATION - ${what} scripts are being executed but script_security not enabled (add enable_script_security to global_defs).${insecure ? ' There are insecure scripts.' : ''}`,
    }, firstScript.owner, firstScript.field);
  }
}

export function checkCheckerScriptSecurity(ctx: CheckContext): void {
  checkSet(ctx, checkerScripts(ctx), 'check');
}

export function checkVrrpScriptSecurity(ctx: CheckContext): void {
  if (vrrpInstances(ctx).length === 0 || vrrpStoppedByMissingInterface(ctx)) return;
  checkSet(ctx, vrrpScripts(ctx), 'vrrp');
}

export function checkStartupScriptSecurity(ctx: CheckContext): void {
  const g = globalDefs(ctx);
  if (!g) return;
  checkSet(ctx, [...ref(g, 'startup_script', 'global_defs'), ...ref(g, 'shutdown_script', 'global_defs')], 'start/shutdown');
}
