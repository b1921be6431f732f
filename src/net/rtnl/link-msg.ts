// RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK bodies: the macvlan a use_vmac instance sends from,
// as `ip link add link <parent> name <n> address <mac> type macvlan mode private` sends it
// (golden bytes in test/fixtures/net/rtnl-iproute2.json).
import { attr, attrCString, attrString, attrU32, body, nested } from './attrs.js';
import {
  AF_INET6, IFLA_AF_SPEC, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE, IFF_UP, IFLA_ADDRESS, IFLA_IFNAME, IFLA_INFO_DATA, IFLA_INFO_KIND, IFLA_LINK, IFLA_LINKINFO,
  IFLA_MACVLAN_MODE, MACVLAN_MODE_PRIVATE, RTM_DELLINK, RTM_GETLINK, RTM_NEWLINK,
} from './constants.js';
import { createRequest, header, plainRequest, type RtnlRequest } from './request.js';

/** struct ifinfomsg: family, pad, u16 type (all zero here); index, flags, change */
function ifinfomsg(ifindex: number, flags = 0, change = 0): Buffer {
  return header(16, {}, { 4: ifindex, 8: flags, 12: change });
}

export interface MacvlanSpec {
  parentIfindex: number;
  name: string;
  mac: Buffer;
}

export function newMacvlanRequest(m: MacvlanSpec): RtnlRequest {
  if (m.mac.length !== 6) throw new Error('macvlan address must be 6 bytes');
  const attrs = [
    attr(IFLA_ADDRESS, m.mac),
    attrU32(IFLA_LINK, m.parentIfindex),
    attrCString(IFLA_IFNAME, m.name),
    nested(IFLA_LINKINFO, [
      attrString(IFLA_INFO_KIND, 'macvlan'),
      nested(IFLA_INFO_DATA, [attrU32(IFLA_MACVLAN_MODE, MACVLAN_MODE_PRIVATE)]),
    ]),
  ];
  return createRequest(RTM_NEWLINK, body(ifinfomsg(0), attrs));
}

/** No automatic IPv6 link-local on this link (`ip link set dev X addrgenmode none`). */
export function addrGenModeNoneRequest(ifindex: number): RtnlRequest {
  const mode = nested(IFLA_AF_SPEC, [nested(AF_INET6, [attr(IFLA_INET6_ADDR_GEN_MODE, Buffer.from([IN6_ADDR_GEN_MODE_NONE]))])]);
  return plainRequest(RTM_NEWLINK, body(ifinfomsg(ifindex), [mode]));
}

export function delLinkRequest(ifindex: number): RtnlRequest {
  return plainRequest(RTM_DELLINK, ifinfomsg(ifindex));
}

export function setLinkUpRequest(ifindex: number, up: boolean): RtnlRequest {
  return plainRequest(RTM_NEWLINK, ifinfomsg(ifindex, up ? IFF_UP : 0, IFF_UP));
}

/** One link by index (ENODEV when there is none). */
export function getLinkByIndexRequest(ifindex: number): RtnlRequest {
  return plainRequest(RTM_GETLINK, ifinfomsg(ifindex));
}

/** One link by name (ENODEV when there is none). */
export function getLinkByNameRequest(name: string): RtnlRequest {
  return plainRequest(RTM_GETLINK, body(ifinfomsg(0), [attrCString(IFLA_IFNAME, name)]));
}
