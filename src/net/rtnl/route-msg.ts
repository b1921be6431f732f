// RTM_NEWROUTE / RTM_DELROUTE bodies for keepalived's virtual_routes, attribute for attribute
// as `ip route add|del ... proto 18` sends them (golden bytes in rtnl-iproute2.json).
import { attr, attrU32, body } from './attrs.js';
import {
  AF_INET, AF_INET6, NLM_F_CREATE, NLM_F_EXCL, RTA_DST, RTA_GATEWAY, RTA_OIF, RTA_PREFSRC, RTA_PRIORITY, RTA_TABLE,
  RTM_DELROUTE, RTM_NEWROUTE, RT_SCOPE_NOWHERE, RT_TABLE_UNSPEC,
} from './constants.js';
import type { RtnlRequest } from './address-msg.js';
import type { Family } from '../ip.js';

export interface ResolvedRoute {
  family: Family;
  dst: Buffer;
  dstLength: number;
  gateway?: Buffer;
  oif?: number;
  prefsrc?: Buffer;
  metric?: number;
  table: number;
  protocol: number;
  scope: number;
  type: number;
}

function rtmsg(r: ResolvedRoute, scope: number, type: number): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt8(r.family === 4 ? AF_INET : AF_INET6, 0);
  h.writeUInt8(r.dstLength, 1);
  h.writeUInt8(r.table < 256 ? r.table : RT_TABLE_UNSPEC, 4);
  h.writeUInt8(r.protocol, 5);
  h.writeUInt8(scope, 6);
  h.writeUInt8(type, 7);
  return h;
}

function attrs(r: ResolvedRoute): Buffer[] {
  const a = [attr(RTA_DST, r.dst)];
  if (r.prefsrc) a.push(attr(RTA_PREFSRC, r.prefsrc));
  if (r.gateway) a.push(attr(RTA_GATEWAY, r.gateway));
  if (r.metric !== undefined) a.push(attrU32(RTA_PRIORITY, r.metric));
  if (r.table >= 256) a.push(attrU32(RTA_TABLE, r.table));
  if (r.oif !== undefined) a.push(attrU32(RTA_OIF, r.oif));
  return a;
}

export function newRouteRequest(r: ResolvedRoute): RtnlRequest {
  return { type: RTM_NEWROUTE, flags: NLM_F_CREATE | NLM_F_EXCL, body: body(rtmsg(r, r.scope, r.type), attrs(r)) };
}

/** A delete names the route by the same attributes; scope NOWHERE and type 0 match any. */
export function delRouteRequest(r: ResolvedRoute): RtnlRequest {
  return { type: RTM_DELROUTE, flags: 0, body: body(rtmsg(r, RT_SCOPE_NOWHERE, 0), attrs(r)) };
}

