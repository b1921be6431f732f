// Whether a real server's checkers can keep running across a reload: everything they are built
// from (check/build.ts, check/timing.ts) must be unchanged: the real server's own fields, the
// virtual-server fields checkers inherit, and the global settings they read. Fields that only
// steer the IPVS entry (weight, inhibit, thresholds, forwarding, notify scripts) are left out,
// so changing them never restarts a check. Compared in three steps so a reload of 10,000 real
// servers does the global and per-virtual-server parts once, not per server.
import { deepEqual } from '../config/diff.js';
import type { Model, RealServer, VirtualServer } from '../config/model.js';
import { compareExcept, sameExcept } from './same-value.js';

/** Real-server fields that shape the IPVS destination or notifications, never a probe. */
const RS_POLICY_ONLY = new Set(['weight', 'inhibit_on_failure', 'uthreshold', 'lthreshold', 'lvs_method', 'notify_up', 'notify_down']);

/** Virtual-server fields checkers inherit. */
const VS_INHERITED = ['kind', 'port', 'delay_loop', 'retry', 'delay_before_retry', 'connect_timeout', 'warmup', 'alpha', 'virtualhost'] as const;

/** Global settings checkers read: script user, failure logging (global_defs), the SSL block, track files. */
const GLOBAL_INPUTS = ['script_user', 'enable_script_security', 'checker_log_all_failures'] as const;

export function sameGlobalCheckInputs(a: Model, b: Model): boolean {
  // compared where they are (no array of them built per side: each reload runs this)
  const ga = (a.global_defs ?? {}) as Record<string, unknown>;
  const gb = (b.global_defs ?? {}) as Record<string, unknown>;
  // (deepEqual, not same-value.ts: its sameValue is the changed real servers' compare, and
  // other callers' types cost it its optimised code before a first SIGHUP: see realServerPolicy)
  for (const k of GLOBAL_INPUTS) if (!deepEqual(ga[k], gb[k])) return false;
  return deepEqual(a.SSL, b.SSL) && deepEqual(a.track_file, b.track_file);
}

export function sameInheritedCheckInputs(a: VirtualServer, b: VirtualServer): boolean {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return VS_INHERITED.every((k) => deepEqual(ra[k], rb[k]));
}

/** The real server's own check inputs (the caller has compared the global and inherited ones). */
export function sameOwnCheckInputs(a: RealServer, b: RealServer): boolean {
  return a === b || sameExcept(a as Record<string, unknown>, b as Record<string, unknown>, RS_POLICY_ONLY);
}

/**
 * How a real server changed across a reload, in one pass: 0 not at all (equal, or the very
 * object), 1 only in fields that steer its IPVS entry or notifications (its checks keep
 * running), 2 in its own check inputs (address and port included).
 */
export function realServerChange(a: RealServer, b: RealServer): 0 | 1 | 2 {
  return a === b ? 0 : compareExcept(a as Record<string, unknown>, b as Record<string, unknown>, RS_POLICY_ONLY);
}
