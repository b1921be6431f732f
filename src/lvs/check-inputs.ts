// What a real server's checkers are built from, as one comparable value: when it is the same
// before and after a reload, the running checkers are kept as they are (their state, retry
// counters and schedule survive). Fields that only steer the IPVS entry (weight, inhibit,
// thresholds, forwarding, notify scripts) are left out, so changing them never restarts a check.
import type { Model, RealServer, VirtualServer } from '../config/model.js';

/** Real-server fields that shape the IPVS destination or notifications, never a probe. */
const RS_POLICY_ONLY = new Set(['weight', 'inhibit_on_failure', 'uthreshold', 'lthreshold', 'lvs_method', 'notify_up', 'notify_down']);

/** Virtual-server fields checkers inherit (check/build.ts and check/timing.ts read these). */
const VS_INHERITED = ['kind', 'port', 'delay_loop', 'retry', 'delay_before_retry', 'connect_timeout', 'warmup', 'alpha', 'virtualhost'] as const;

/** Global settings checkers read: script user, failure logging, the SSL block, track files. */
function globalInputs(model: Model): Record<string, unknown> {
  const g = (model.global_defs ?? {}) as Record<string, unknown>;
  return {
    script_user: g.script_user,
    enable_script_security: g.enable_script_security,
    checker_log_all_failures: g.checker_log_all_failures,
    SSL: model.SSL,
    track_file: model.track_file,
  };
}

export function checkInputs(model: Model, vs: VirtualServer, rs: RealServer): Record<string, unknown> {
  const own: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rs)) if (!RS_POLICY_ONLY.has(k)) own[k] = v;
  const inherited: Record<string, unknown> = {};
  for (const k of VS_INHERITED) inherited[k] = (vs as Record<string, unknown>)[k];
  return { rs: own, vs: inherited, global: globalInputs(model) };
}
