// Per-interface sysctls under /proc/sys/net/{ipv4,ipv6}/conf/<if>/ of this process's netns.
import { readFileSync, writeFileSync } from 'node:fs';

export type ConfFamily = 'ipv4' | 'ipv6';

function path(procRoot: string, family: ConfFamily, ifname: string, key: string): string {
  if (!/^[^/\s]{1,15}$/.test(ifname) || ifname === '.' || ifname === '..') throw new Error(`bad interface name ${ifname}`);
  if (!/^[a-z_]+$/.test(key)) throw new Error(`bad sysctl ${key}`);
  return `${procRoot}/sys/net/${family}/conf/${ifname}/${key}`;
}

export function readConf(family: ConfFamily, ifname: string, key: string, procRoot = '/proc'): number {
  return Number(readFileSync(path(procRoot, family, ifname, key), 'utf8').trim());
}

export function writeConf(family: ConfFamily, ifname: string, key: string, value: number, procRoot = '/proc'): void {
  writeFileSync(path(procRoot, family, ifname, key), `${value}\n`);
}
