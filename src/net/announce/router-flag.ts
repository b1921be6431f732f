// keepalived sets the NA router flag when the interface forwards IPv6 (RFC 4861 7.2.4: the
// flag tells neighbours whether the sender is a router). Read from this process's namespace.
import { readFileSync } from 'node:fs';

export function forwardsIpv6(ifname: string, procRoot = '/proc'): boolean {
  if (!/^[^/\s]{1,15}$/.test(ifname) || ifname === '.' || ifname === '..') throw new Error(`bad interface name ${ifname}`);
  try {
    return readFileSync(`${procRoot}/sys/net/ipv6/conf/${ifname}/forwarding`, 'utf8').trim() !== '0';
  } catch {
    return false; // no IPv6 on this interface: not a router for it
  }
}
