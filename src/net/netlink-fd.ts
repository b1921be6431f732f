// netlink@0.3.0 keeps its socket's file descriptor to itself. The kernel lists every netlink
// socket of the namespace in /proc/self/net/netlink (port id, drop counter, inode), and
// /proc/self/fd links each descriptor to "socket:[inode]": together they find the descriptor of
// a socket by its port id, so the addon can set options the package cannot (NETLINK_NO_ENOBUFS,
// SO_RCVBUFFORCE), and the drop counter tells when events were lost.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface NetlinkSockInfo {
  protocol: number;
  portid: number;
  drops: number;
  inode: number;
}

/** Rows of /proc/net/netlink: sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode. */
export function parseProcNetlink(text: string): NetlinkSockInfo[] {
  const out: NetlinkSockInfo[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [protocol, portid, drops, inode] = [Number(f[1]), Number(f[2]), Number(f[8]), Number(f[9])];
    if ([protocol, portid, drops, inode].every(Number.isFinite)) out.push({ protocol, portid, drops, inode });
  }
  return out;
}

export function netlinkSocket(protocol: number, portid: number, table = '/proc/self/net/netlink'): NetlinkSockInfo | undefined {
  return parseProcNetlink(readFileSync(table, 'utf8')).find((s) => s.protocol === protocol && s.portid === portid);
}

/** The descriptor of this process linked to socket:[inode], or undefined. */
export function fdOfInode(inode: number, fdDir = '/proc/self/fd'): number | undefined {
  const want = `socket:[${inode}]`;
  for (const name of readdirSync(fdDir)) {
    try {
      if (readlinkSync(`${fdDir}/${name}`) === want) return Number(name);
    } catch {
      // closed meanwhile
    }
  }
  return undefined;
}
