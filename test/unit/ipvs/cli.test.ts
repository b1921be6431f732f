// `lvsd ipvs restore` over a recording kernel: which lines travel together in one runOps call.
import { describe, expect, it } from 'vitest';
import { restoreText } from '../../../src/ipvs/cli.js';
import type { IpvsKernel, IpvsOpBatch } from '../../../src/ipvs/kernel.js';
import { destKey, serviceKey } from '../../../src/ipvs/model.js';
import type { IpvsOp } from '../../../src/ipvs/reconcile.js';
import { recordingTable } from './recording-table.js';

/** The recording table plus runOps: each call's operations are one batch. */
function batchingTable(failOn?: (call: string) => number | undefined) {
  const t = recordingTable(failOn);
  const batches: string[][] = [];
  const k = t.k as IpvsKernel & IpvsOpBatch;
  k.runOps = async (ops: readonly IpvsOp[], failed: (op: IpvsOp, e: Error) => void) => {
    batches.push(ops.map((o) => `${o.op} ${serviceKey(o.service)} ${'dest' in o ? destKey(o.dest) : ''}`));
    for (const o of ops) {
      try {
        if (o.op === 'addDest') await k.addDest(o.service, o.dest);
        else if (o.op === 'editDest') await k.editDest(o.service, o.dest);
        else if (o.op === 'deleteDest') await k.deleteDest(o.service, o.dest);
      } catch (e) {
        failed(o, e as Error);
      }
    }
  };
  return { ...t, k, batches };
}

describe('lvsd ipvs restore batches', () => {
  it('sends consecutive destination lines together until a destination comes back, per service', async () => {
    const t = batchingTable();
    const text = [
      '-A -t 10.0.0.1:80 -s rr', '-A -t 10.0.0.2:80 -s rr',
      '-a -t 10.0.0.1:80 -r 10.1.0.1:80 -m -w 1', '-a -t 10.0.0.1:80 -r 10.1.0.2:80 -m -w 1',
      // the same real server under another service: still one batch
      '-a -t 10.0.0.2:80 -r 10.1.0.1:80 -m -w 1',
      // back to the first service, a new destination, then one seen in this batch: a new batch
      '-a -t 10.0.0.1:80 -r 10.1.0.3:80 -m -w 1', '-e -t 10.0.0.1:80 -r 10.1.0.2:80 -m -w 5',
      '-d -t 10.0.0.2:80 -r 10.1.0.1:80',
      '-A -t 10.0.0.3:80 -s rr', '-a -t 10.0.0.3:80 -r 10.1.0.1:80 -m -w 1',
    ].join('\n');
    expect(await restoreText(t.k, text)).toBe(10);
    expect(t.batches).toEqual([
      ['addDest 2/6/10.0.0.1/80 10.1.0.1/80', 'addDest 2/6/10.0.0.1/80 10.1.0.2/80', 'addDest 2/6/10.0.0.2/80 10.1.0.1/80', 'addDest 2/6/10.0.0.1/80 10.1.0.3/80'],
      ['editDest 2/6/10.0.0.1/80 10.1.0.2/80', 'deleteDest 2/6/10.0.0.2/80 10.1.0.1/80'],
    ]);
    expect(t.calls.filter((c) => c.startsWith('addService'))).toHaveLength(3);
    expect([...t.rows.get('2/6/10.0.0.1/80')!.dests.values()].map((d) => [d.addr, d.weight])).toEqual([['10.1.0.1', 1], ['10.1.0.2', 5], ['10.1.0.3', 1]]);
    expect([...t.rows.get('2/6/10.0.0.2/80')!.dests.keys()]).toEqual([]);
  });
  it('stops at the first failed line of a batch, naming it', async () => {
    const t = batchingTable((c) => (c === 'addDest 10.1.0.2/80' ? 17 : undefined));
    const text = ['-A -t 10.0.0.1:80 -s rr', '-a -t 10.0.0.1:80 -r 10.1.0.1:80 -m', '-a -t 10.0.0.1:80 -r 10.1.0.2:80 -m',
      '-a -t 10.0.0.1:80 -r 10.1.0.3:80 -m', '-a -t 10.0.0.1:80 -r 10.1.0.1:80 -m', '-A -t 10.0.0.9:80'].join('\n');
    await expect(restoreText(t.k, text)).rejects.toThrow(/^line 3: .*: -a -t 10.0.0.1:80 -r 10.1.0.2:80 -m$/);
    expect(t.batches).toHaveLength(1);
    expect(t.calls.some((c) => c.includes('10.0.0.9'))).toBe(false);
  });
});
