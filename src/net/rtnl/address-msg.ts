// RTM_NEWADDR / RTM_DELADDR bodies for a VIP, attribute for attribute as `ip addr add|del`
// sends them (golden bytes in test/fixtures/net/rtnl-iproute2.json). IPv6 VIPs carry
// IFA_F_NODAD, as keepalived adds them: VRRP is the duplicate detection, and DAD would
// leave a VIP unusable (tentative, or dadfailed forever after a split brain).
import { attr, attrCString, body } from './attrs.js';
import {
  AF_INET, AF_INET6, IFA_ADDRESS, IFA_BROADCAST, IFA_F_NODAD, IFA_LABEL, IFA_LOCAL,
  NLM_F_CREATE, NLM_F_EXCL, RTM_DELADDR, RTM_NEWADDR,
} from './constants.js';
import type { ResolvedVip } from '../vip.js';

export interface RtnlRequest {
  type: number;
  /** Flags beyond REQUEST|ACK, which every request carries. */
  flags: number;
  body: Buffer;
}

function ifaddrmsg(v: ResolvedVip, flags: number, scope: number): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt8(v.family === 4 ? AF_INET : AF_INET6, 0);
  h.writeUInt8(v.prefixLength, 1);
  h.writeUInt8(flags, 2);
  h.writeUInt8(scope, 3);
  h.writeUInt32LE(v.ifindex, 4);
  return h;
}

/** Add with CREATE|EXCL: an address already present answers EEXIST, which the table treats as done. */
export function newAddressRequest(v: ResolvedVip): RtnlRequest {
  const attrs = [attr(IFA_LOCAL, v.address)];
  if (v.label !== undefined && v.family === 4) attrs.push(attrCString(IFA_LABEL, v.label));
  attrs.push(attr(IFA_ADDRESS, v.address));
  if (v.broadcast) attrs.push(attr(IFA_BROADCAST, v.broadcast));
  const flags = v.family === 6 ? IFA_F_NODAD : 0;
  return { type: RTM_NEWADDR, flags: NLM_F_CREATE | NLM_F_EXCL, body: body(ifaddrmsg(v, flags, v.scope), attrs) };
}

/** The kernel matches a delete on address and prefix length only; label and scope need not match. */
export function delAddressRequest(v: ResolvedVip): RtnlRequest {
  return { type: RTM_DELADDR, flags: 0, body: body(ifaddrmsg(v, 0, 0), [attr(IFA_LOCAL, v.address), attr(IFA_ADDRESS, v.address)]) };
}
