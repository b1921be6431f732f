// Interface name -> index, from sysfs (the index libc's if_nametoindex would give).
import { readFileSync } from 'node:fs';

export function interfaceIndexOf(name: string): number {
  const n = Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim());
  if (!Number.isInteger(n) || n <= 0) throw new Error(`no interface ${name}`);
  return n;
}
