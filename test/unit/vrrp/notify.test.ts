import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, openSync, readSync, closeSync, constants, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Notifier, fifoLine, notifyCommands } from '../../../src/vrrp/notify.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-notify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('notify', () => {
  it('FIFO lines are keepalived\'s: TYPE "NAME" STATE PRIORITY', () => {
    expect(fifoLine('INSTANCE', 'VI_1', 'MASTER', 150)).toBe('INSTANCE "VI_1" MASTER 150\n');
    expect(fifoLine('GROUP', 'G', 'FAULT', 0)).toBe('GROUP "G" FAULT 0\n');
  });

  it('a change runs the state\'s own script without arguments, then `notify` with TYPE NAME STATE PRIORITY', () => {
    const spec = { any: { cmd: '/bin/n' }, master: { cmd: '/bin/m x' }, backup: { cmd: '/bin/b' } };
    expect(notifyCommands(spec, 'INSTANCE', 'VI_1', 'MASTER', 120)).toEqual([
      { cmd: { cmd: '/bin/m x' }, args: [] },
      { cmd: { cmd: '/bin/n' }, args: ['INSTANCE', 'VI_1', 'MASTER', '120'] },
    ]);
    expect(notifyCommands(spec, 'GROUP', 'G', 'STOP', 0)).toEqual([{ cmd: { cmd: '/bin/n' }, args: ['GROUP', 'G', 'STOP', '0'] }]);
    expect(notifyCommands({}, 'INSTANCE', 'X', 'FAULT', 1)).toEqual([]);
  });

  it('DELETED runs notify_deleted\'s script and `notify`; the event lines keep keepalived\'s names', () => {
    const spec = { any: { cmd: '/bin/n' }, deleted: { cmd: '/bin/d' } };
    expect(notifyCommands(spec, 'INSTANCE', 'VI_2', 'DELETED', 100)).toEqual([
      { cmd: { cmd: '/bin/d' }, args: [] },
      { cmd: { cmd: '/bin/n' }, args: ['INSTANCE', 'VI_2', 'DELETED', '100'] },
    ]);
    expect(fifoLine('INSTANCE', 'VI_1', 'MASTER_RX_LOWER_PRI', 150)).toBe('INSTANCE "VI_1" MASTER_RX_LOWER_PRI 150\n');
    expect(fifoLine('INSTANCE', 'VI_1', 'BACKUP_PRIORITY', 90)).toBe('INSTANCE "VI_1" BACKUP_PRIORITY 90\n');
  });

  it('runs the scripts and writes every FIFO (created when missing)', async () => {
    const fifo = join(dir, 'fifo');
    const log = join(dir, 'calls');
    const script = join(dir, 'rec.sh');
    writeFileSync(script, `#!/bin/sh\necho "$0 $*" >> ${log}\n`, { mode: 0o755 });
    const n = new Notifier([fifo]);
    try {
      expect(statSync(fifo).isFIFO()).toBe(true);
      n.notify({ any: { cmd: script }, master: { cmd: `${script} own` } }, 'INSTANCE', 'VI_1', 'MASTER', 150);
      n.notify({ any: { cmd: script } }, 'GROUP', 'G1', 'MASTER', 150);
      await n.settle(5000);
      const calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => l.replace(`${script} `, '')).sort();
      expect(calls).toEqual(['GROUP G1 MASTER 150', 'INSTANCE VI_1 MASTER 150', 'own']);
      const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      const buf = Buffer.alloc(200);
      const got = buf.subarray(0, readSync(fd, buf)).toString();
      closeSync(fd);
      expect(got).toBe('INSTANCE "VI_1" MASTER 150\nGROUP "G1" MASTER 0\n');
      expect(n.failures).toBe(0);
    } finally {
      n.close();
    }
    expect(existsSync(fifo)).toBe(true);
  });
});
