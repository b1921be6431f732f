// /proc/net/netlink rows and the descriptor lookup by inode (on a fake fd directory).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fdOfInode, parseProcNetlink } from '../../../src/net/netlink-fd.js';

const TABLE = `sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode
00000000ccbcbfce 0   0          00000000 0        0        0     2        0        4
00000000d40fcaef 0   134233746  00000001 0        0        0     2        17       6666197
00000000d40fcaf0 16  99         00000000 0        0        0     2        0        1499
`;

describe('netlink-fd', () => {
  it('parses protocol, port id, drops and inode of each socket', () => {
    expect(parseProcNetlink(TABLE)).toEqual([
      { protocol: 0, portid: 0, drops: 0, inode: 4 },
      { protocol: 0, portid: 134233746, drops: 17, inode: 6666197 },
      { protocol: 16, portid: 99, drops: 0, inode: 1499 },
    ]);
    expect(parseProcNetlink('header only\n')).toEqual([]);
  });

  it('finds the descriptor linked to socket:[inode]', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-fd-'));
    try {
      symlinkSync('pipe:[5]', join(dir, '3'));
      symlinkSync('socket:[6666197]', join(dir, '7'));
      expect(fdOfInode(6666197, dir)).toBe(7);
      expect(fdOfInode(1, dir)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
