// RTM_NEWADDR / RTM_DELADDR bodies for a VIP, attribute for attribute as `ip addr add|del`
// sends them (golden bytes in test/fixtures/net/rtnl-iproute2.json). IPv6 VIPs carry
// IFA_F_NODAD, as keepalived adds them: VRRP is the duplicate detection, and DAD would
// leave a VIP unusable (tentative, or dadfailed forever after a split brain).
import { attr, attrCString, body } from './attrs.js';
import { IFA_ADDRESS, IFA_BROADCAST, IFA_F_NODAD, IFA_LABEL, IFA_LOCAL, RTM_DELADDR, RTM_NEWADDR } from './constants.js';
import { addressFamily, createRequest, header, plainRequest, type RtnlRequest } from './request.js';
import type { ResolvedVip } from '../vip.js';

/** struct ifaddrmsg: family, prefixlen, flags, scope; u32 index */
function ifaddrmsg(v: ResolvedVip, flags: number, scope: number): Buffer {
  return header(8, { 0: addressFamily(v.family), 1: v.prefixLength, 2: flags, 3: scope }, { 4: v.ifindex });
}

/** Add with CREATE|EXCL: an address already present answers EEXIST, which the table treats as done. */
export function newAddressRequest(v: ResolvedVip): RtnlRequest {
  const attrs = [attr(IFA_LOCAL, v.address)];
  if (v.label !== undefined && v.family === 4) attrs.push(attrCString(IFA_LABEL, v.label));
  attrs.push(attr(IFA_ADDRESS, v.address));
  if (v.broadcast) attrs.push(attr(IFA_BROADCAST, v.broadcast));
  const flags = v.family === 6 ? IFA_F_NODAD : 0;
  return createRequest(RTM_NEWADDR, body(ifaddrmsg(v, flags, v.scope), attrs));
}

/** The kernel matches a delete on address and prefix length only; label and scope need not match. */
export function delAddressRequest(v: ResolvedVip): RtnlRequest {
  return plainRequest(RTM_DELADDR, body(ifaddrmsg(v, 0, 0), [attr(IFA_LOCAL, v.address), attr(IFA_ADDRESS, v.address)]));
}
