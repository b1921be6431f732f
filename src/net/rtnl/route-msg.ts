// RTM_NEWROUTE / RTM_DELROUTE bodies for keepalived's virtual_routes, attribute for attribute
// as `ip route add|del ... proto 18` sends them (golden bytes in rtnl-iproute2.json).
import { attr, attrU32, body } from './attrs.js';
import { RTA_DST, RTA_GATEWAY, RTA_OIF, RTA_PREFSRC, RTA_PRIORITY, RTA_TABLE, RTM_DELROUTE, RTM_NEWROUTE, RT_SCOPE_NOWHERE } from './constants.js';
import { addressFamily, createRequest, header, plainRequest, tableAttrs, tableByte, type RtnlRequest } from './request.js';
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

/** struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags */
function rtmsg(r: ResolvedRoute, scope: number, type: number): Buffer {
  return header(12, { 0: addressFamily(r.family), 1: r.dstLength, 4: tableByte(r.table), 5: r.protocol, 6: scope, 7: type });
}

function attrs(r: ResolvedRoute): Buffer[] {
  const a = [attr(RTA_DST, r.dst)];
  if (r.prefsrc) a.push(attr(RTA_PREFSRC, r.prefsrc));
  if (r.gateway) a.push(attr(RTA_GATEWAY, r.gateway));
  if (r.metric !== undefined) a.push(attrU32(RTA_PRIORITY, r.metric));
  a.push(...tableAttrs(RTA_TABLE, r.table));
  if (r.oif !== undefined) a.push(attrU32(RTA_OIF, r.oif));
  return a;
}

export function newRouteRequest(r: ResolvedRoute): RtnlRequest {
  return createRequest(RTM_NEWROUTE, body(rtmsg(r, r.scope, r.type), attrs(r)));
}

/** A delete names the route by the same attributes; scope NOWHERE and type 0 match any. */
export function delRouteRequest(r: ResolvedRoute): RtnlRequest {
  return plainRequest(RTM_DELROUTE, body(rtmsg(r, RT_SCOPE_NOWHERE, 0), attrs(r)));
}
