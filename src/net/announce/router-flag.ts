// keepalived sets the NA router flag when the interface forwards IPv6 (RFC 4861 7.2.4: the
// flag tells neighbours whether the sender is a router). Read from this process's namespace.
import { readConf } from '../sysctl.js';

export function forwardsIpv6(ifname: string, procRoot = '/proc'): boolean {
  let value: number;
  try {
    value = readConf('ipv6', ifname, 'forwarding', procRoot);
  } catch (e) {
    if (e instanceof Error && /bad interface name/.test(e.message)) throw e;
    return false; // no IPv6 on this interface: not a router for it
  }
  return value !== 0;
}
