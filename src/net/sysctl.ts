// Per-interface IPv4 sysctls under /proc/sys/net/ipv4/conf/<if>/ of this process's netns.
import { readFileSync, writeFileSync } from 'node:fs';

function path(procRoot: string, ifname: string, key: string): string {
  if (!/^[^/\s]{1,15}$/.test(ifname) || ifname === '.' || ifname === '..') throw new Error(`bad interface name ${ifname}`);
  if (!/^[a-z_]+$/.test(key)) throw new Error(`bad sysctl ${key}`);
  return `${procRoot}/sys/net/ipv4/conf/${ifname}/${key}`;
}

export function readIpv4Conf(ifname: string, key: string, procRoot = '/proc'): number {
  return Number(readFileSync(path(procRoot, ifname, key), 'utf8').trim());
}

export function writeIpv4Conf(ifname: string, key: string, value: number, procRoot = '/proc'): void {
  writeFileSync(path(procRoot, ifname, key), `${value}\n`);
}
