// A virtual_server of the model as the policy's configuration: its services, its real
// servers (weights, inhibit, forwarding, notify scripts), sorry server and quorum settings.
import type { Model, RealServer, VirtualServer } from '../config/model.js';
import { serverSpec, type MethodConfig } from './dest.js';
import type { RealServerPolicy, ScriptSpec, VirtualServerPolicyConfig } from './policy.js';
import { servicesOf } from './service.js';

export function rsName(rs: { addr: { addr: string; family: number }; port?: number }): string {
  const a = rs.addr.family === 6 ? `[${rs.addr.addr}]` : rs.addr.addr;
  return `${a}:${rs.port ?? 0}`;
}

export function vsName(vs: VirtualServer): string {
  if (vs.kind === 'fwmark') return `FWM ${vs.fwmark}`;
  if (vs.kind === 'group') return `GROUP ${vs.group}`;
  return `${vs.family === 6 ? `[${vs.addr}]` : vs.addr}:${vs.port}`;
}

const script = (v: unknown): ScriptSpec | undefined =>
  typeof v === 'object' && v !== null && typeof (v as { cmd?: unknown }).cmd === 'string' ? (v as ScriptSpec) : undefined;

const method = (v: unknown): MethodConfig | undefined =>
  typeof v === 'object' && v !== null && typeof (v as { method?: unknown }).method === 'string' ? (v as MethodConfig) : undefined;

/**
 * What serverSpec reads of a real server's own method, the same. Its own compare, not
 * same-value.ts's sameValue: that one is the changed servers' deep compare, and a caller passing
 * it other types (undefined here) cost it its optimised code before a first SIGHUP (host
 * --trace-opt: sameValue recompiled during the SIGHUP, 37 ms of compile on the host).
 */
function sameMethod(a: MethodConfig | undefined, b: MethodConfig | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.method !== b.method) return false;
  const x = a.tunnel, y = b.tunnel;
  return x === y || (x !== undefined && y !== undefined && x.type === y.type && x.port === y.port && x.csum === y.csum);
}

/**
 * `running`: the entry running for a real server with the same address and port whose settings
 * changed (a reload's update in place), with the model object it was made from and its virtual
 * server's settings unchanged. Its name is taken (the very string: updateReal's check of it is
 * one comparison, not a new string's flattening and a compare per changed server), and its
 * destination spec when the forwarding method and thresholds are the same (the usual weight edit
 * makes no new spec: no address parsed again).
 */
export function realServerPolicy(
  vs: VirtualServer,
  rs: RealServer,
  checkers: ReadonlyArray<{ id: string; startsUp: boolean }>,
  running?: { entry: RealServerPolicy; rs: RealServer },
): RealServerPolicy {
  const same = running !== undefined && rs.uthreshold === running.rs.uthreshold && rs.lthreshold === running.rs.lthreshold
    && sameMethod(method(rs.lvs_method), method(running.rs.lvs_method));
  const r: RealServerPolicy = {
    name: running ? running.entry.name : rsName(rs),
    server: same ? running.entry.server : serverSpec(rs.addr, rs.port, method(rs.lvs_method) ?? method(vs.lvs_method) ?? { method: 'NAT' }, { u: rs.uthreshold, l: rs.lthreshold }),
    weight: typeof rs.weight === "number" ? rs.weight : typeof vs.weight === "number" ? vs.weight : 1,
    inhibit: (rs.inhibit_on_failure ?? vs.inhibit_on_failure) === true,
    checkers,
  };
  const up = script(rs.notify_up);
  const down = script(rs.notify_down);
  if (up) r.notifyUp = up;
  if (down) r.notifyDown = down;
  return r;
}

export function policyConfig(
  vs: VirtualServer,
  model: Model,
  checkersOf: (rsIndex: number) => ReadonlyArray<{ id: string; startsUp: boolean }>,
): VirtualServerPolicyConfig {
  const reals = (vs.real_server ?? []).map((rs, i) => realServerPolicy(vs, rs, checkersOf(i)));
  const cfg: VirtualServerPolicyConfig = {
    name: vsName(vs),
    services: servicesOf(vs, model),
    reals,
    quorum: vs.quorum,
    hysteresis: vs.hysteresis,
    omega: vs.omega === true,
  };
  if (vs.sorry_server) {
    const m = method(vs.sorry_server_lvs_method) ?? method(vs.lvs_method) ?? { method: 'NAT' };
    const s = vs.sorry_server;
    cfg.sorry = { server: serverSpec({ addr: s.addr, family: s.family }, s.port || undefined, m), inhibit: vs.sorry_server_inhibit === true };
  }
  const qu = script(vs.quorum_up);
  const qd = script(vs.quorum_down);
  if (qu) cfg.quorumUp = qu;
  if (qd) cfg.quorumDown = qd;
  return cfg;
}
