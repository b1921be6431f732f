// keepalived's virtual_routes and virtual_rules: held by a MASTER like its VIPs, over
// rtnetlink. Add/remove are idempotent (EEXIST, and ESRCH/ENOENT on remove, mean done);
// other refusals keep errno. Routes carry proto 18 (RTPROT_KEEPALIVED) unless told otherwise.
import { constants } from 'node:os';
import { RtnlSocket } from './rtnl/socket.js';
import { newRouteRequest, delRouteRequest, type ResolvedRoute } from './rtnl/route-msg.js';
import { newRuleRequest, delRuleRequest, type ResolvedRule, type RuleSelectors } from './rtnl/rule-msg.js';
import { ROUTE_TYPES, RULE_ACTIONS, RTPROT_KEEPALIVED, RT_TABLE_MAIN } from './rtnl/constants.js';
import { familyOf, ipToBytes, type Family } from './ip.js';

const { EEXIST, ESRCH, ENOENT } = constants.errno;

export interface Route {
  to: string;
  /** Default: the whole address (/32, /128). */
  prefixLength?: number;
  via?: string;
  ifindex?: number;
  /** keepalived's `src`: the preferred source address. */
  src?: string;
  metric?: number;
  /** Default 254 (main). */
  table?: number;
  /** Default 18 (keepalived). */
  protocol?: number;
  /** rt_scope; default 0 (global) as keepalived. */
  scope?: number;
  /** unicast (default), blackhole, unreachable, prohibit, throw, local, ... */
  type?: string;
}

export interface Rule extends RuleSelectors {
  /** Needed when neither from nor to says it. */
  family?: Family;
  /** "addr" or "addr/len". */
  from?: string;
  to?: string;
  /** The table for the `table` action (the default action); ignored by the others. */
  table: number;
  /** keepalived's `not`. */
  not?: boolean;
  /** table (default), goto, nop, blackhole, unreachable, prohibit. */
  action?: string;
  /** Target preference of `goto`. */
  goto?: number;
}

export interface RouteTable {
  addRoute(r: Route): Promise<'added' | 'present'>;
  removeRoute(r: Route): Promise<'removed' | 'absent'>;
  addRule(r: Rule): Promise<'added' | 'present'>;
  removeRule(r: Rule): Promise<'removed' | 'absent'>;
  close(): void;
}

export function openRouteTable(): RouteTable {
  return new RtnlRouteTable(new RtnlSocket());
}

export function resolveRoute(r: Route): ResolvedRoute {
  const family = familyOf(r.to);
  const dstLength = prefixLength(family, r.prefixLength, `/${r.prefixLength} for ${r.to}`);
  const type = ROUTE_TYPES[r.type ?? 'unicast'];
  if (type === undefined) throw new Error(`unknown route type ${r.type}`);
  const out: ResolvedRoute = {
    family, dst: ipToBytes(r.to), dstLength, table: r.table ?? RT_TABLE_MAIN,
    protocol: r.protocol ?? RTPROT_KEEPALIVED, scope: r.scope ?? 0, type,
  };
  for (const [key, value] of [['via', r.via], ['src', r.src]] as const) {
    if (value !== undefined && familyOf(value) !== family) throw new Error(`${key} ${value} is not IPv${family} like ${r.to}`);
  }
  if (r.via !== undefined) out.gateway = ipToBytes(r.via);
  if (r.src !== undefined) out.prefsrc = ipToBytes(r.src);
  if (r.ifindex !== undefined) out.oif = r.ifindex;
  if (r.metric !== undefined) out.metric = r.metric;
  return out;
}

/** A prefix length for `family`, the whole address when not given; else `invalid prefix <what>`. */
function prefixLength(family: Family, length: number | undefined, what: string): number {
  const max = family === 4 ? 32 : 128;
  const l = length ?? max;
  if (!Number.isInteger(l) || l < 0 || l > max) throw new Error(`invalid prefix ${what}`);
  return l;
}

function prefix(text: string): { family: Family; address: Buffer; length: number } {
  const [addr, len] = text.split('/');
  const family = familyOf(addr);
  return { family, address: ipToBytes(addr), length: prefixLength(family, len === undefined ? undefined : Number(len), text) };
}

export function resolveRule(r: Rule): ResolvedRule {
  const src = r.from !== undefined ? prefix(r.from) : undefined;
  const dst = r.to !== undefined ? prefix(r.to) : undefined;
  const family = src?.family ?? dst?.family ?? r.family;
  if (!family) throw new Error('a rule without from/to needs a family');
  if ((src && src.family !== family) || (dst && dst.family !== family)) throw new Error('rule mixes IPv4 and IPv6');
  const action = RULE_ACTIONS[r.action ?? 'table'];
  if (action === undefined) throw new Error(`unknown rule action ${r.action}`);
  if (r.action === 'goto' && r.goto === undefined) throw new Error('a goto rule needs a target');
  const out: ResolvedRule = { family, table: r.action === undefined || r.action === 'table' ? r.table : 0, invert: r.not ?? false };
  if (action !== RULE_ACTIONS.table) out.action = action;
  if (r.action === 'goto') out.goto = r.goto;
  if (src) out.src = { address: src.address, length: src.length };
  if (dst) out.dst = { address: dst.address, length: dst.length };
  for (const k of ['fwmark', 'fwmask', 'priority'] as const) if (r[k] !== undefined) out[k] = r[k];
  for (const k of ['iif', 'oif'] as const) if (r[k] !== undefined) out[k] = r[k];
  return out;
}

class RtnlRouteTable implements RouteTable {
  constructor(private readonly rtnl: RtnlSocket) {}

  async addRoute(r: Route): Promise<'added' | 'present'> {
    return (await this.rtnl.settle(newRouteRequest(resolveRoute(r)), `add route ${r.to}/${r.prefixLength ?? ''}`, [EEXIST])) ? 'added' : 'present';
  }

  async removeRoute(r: Route): Promise<'removed' | 'absent'> {
    return (await this.rtnl.settle(delRouteRequest(resolveRoute(r)), `remove route ${r.to}/${r.prefixLength ?? ''}`, [ESRCH])) ? 'removed' : 'absent';
  }

  async addRule(r: Rule): Promise<'added' | 'present'> {
    return (await this.rtnl.settle(newRuleRequest(resolveRule(r)), `add rule to table ${r.table}`, [EEXIST])) ? 'added' : 'present';
  }

  async removeRule(r: Rule): Promise<'removed' | 'absent'> {
    return (await this.rtnl.settle(delRuleRequest(resolveRule(r)), `remove rule to table ${r.table}`, [ENOENT])) ? 'removed' : 'absent';
  }

  close(): void {
    this.rtnl.close();
  }
}
