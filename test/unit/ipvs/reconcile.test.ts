import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { reconcile, type TableRow, type IpvsOp } from '../../../src/ipvs/reconcile.js';
import { makeDest, makeService, serviceKey, destKey } from '../../../src/ipvs/model.js';
import { SVC_F_PERSISTENT } from '../../../src/ipvs/constants.js';

const web = makeService({ addr: '10.0.0.1', port: 80, sched: 'wrr' });
const dns = makeService({ protocol: 17, addr: '10.0.0.1', port: 53 });
const foreign = makeService({ addr: '10.9.9.9', port: 22 });
const d = (last: number, weight = 1) => makeDest({ addr: `192.168.1.${last}`, port: 80, fwd: 'masq', weight });
const summary = (ops: IpvsOp[]) => ops.map((o) => `${o.op} ${serviceKey(o.service)}${'dest' in o ? ` ${destKey(o.dest)} w${o.dest.weight}` : ''}`);

describe('reconcile', () => {
  it('creates everything from an empty table', () => {
    expect(summary(reconcile([{ service: web, dests: [d(1), d(2)] }], []))).toEqual([
      'addService 2/6/10.0.0.1/80', 'addDest 2/6/10.0.0.1/80 192.168.1.1/80 w1', 'addDest 2/6/10.0.0.1/80 192.168.1.2/80 w1',
    ]);
  });
  it('does nothing when the kernel already matches', () => {
    const t = [{ service: web, dests: [d(1), d(2)] }];
    expect(reconcile(t, structuredClone(t))).toEqual([]);
  });
  it('turns a weight change into one edit, never delete+add', () => {
    const ops = reconcile([{ service: web, dests: [d(1, 5), d(2)] }], [{ service: web, dests: [d(1, 1), d(2)] }]);
    expect(summary(ops)).toEqual(['editDest 2/6/10.0.0.1/80 192.168.1.1/80 w5']);
  });
  it('edits thresholds and forwarding method in place, adds before it removes', () => {
    const want = [{ service: web, dests: [{ ...d(1), uThreshold: 10 }, { ...d(2), fwd: 'route' as const }, d(4)] }];
    const have = [{ service: web, dests: [d(1), d(2), d(3)] }];
    expect(summary(reconcile(want, have))).toEqual([
      'addDest 2/6/10.0.0.1/80 192.168.1.4/80 w1', 'editDest 2/6/10.0.0.1/80 192.168.1.1/80 w1',
      'editDest 2/6/10.0.0.1/80 192.168.1.2/80 w1', 'deleteDest 2/6/10.0.0.1/80 192.168.1.3/80 w1',
    ]);
  });
  it('edits a service whose scheduler or persistence changed', () => {
    const want = [{ service: { ...web, sched: 'lc', flags: SVC_F_PERSISTENT, timeout: 300 }, dests: [] }];
    expect(summary(reconcile(want, [{ service: web, dests: [] }]))).toEqual(['editService 2/6/10.0.0.1/80']);
  });
  it('leaves foreign services alone and deletes owned ones no longer wanted', () => {
    const have: TableRow[] = [{ service: foreign, dests: [d(9)] }, { service: dns, dests: [d(5)] }, { service: web, dests: [] }];
    const owned = new Set([serviceKey(dns), serviceKey(web)]);
    expect(summary(reconcile([{ service: web, dests: [] }], have, owned))).toEqual(['deleteService 2/17/10.0.0.1/53']);
    expect(reconcile([{ service: web, dests: [] }], have)).toEqual([]);
  });
  it('walks the table for deletions only when an owned service is not wanted', () => {
    const have = new Map<string, TableRow>([[serviceKey(foreign), { service: foreign, dests: [] }], [serviceKey(dns), { service: dns, dests: [] }], [serviceKey(web), { service: web, dests: [] }]]);
    let walks = 0;
    const counted = new Map(have);
    const iterate = counted[Symbol.iterator].bind(counted);
    counted[Symbol.iterator] = () => { walks++; return iterate(); };
    // every owned service wanted (the foreign one is not owned): no walk, no deletion
    expect(reconcile([{ service: web, dests: [d(1)] }, { service: dns, dests: [] }], counted, new Set([serviceKey(web), serviceKey(dns)]))).toHaveLength(1);
    expect(walks).toBe(0);
    // one owned service left out: deleted, in the table's order, foreign services left alone
    const ops = reconcile([{ service: web, dests: [] }], counted, new Set([serviceKey(web), serviceKey(dns), serviceKey(foreign)]));
    expect(walks).toBe(1);
    expect(summary(ops)).toEqual(['deleteService 2/6/10.9.9.9/22', 'deleteService 2/17/10.0.0.1/53']);
    // an ownership function is asked for each service not wanted
    const asked: string[] = [];
    expect(summary(reconcile([{ service: web, dests: [] }], have, (s) => { asked.push(serviceKey(s)); return s === dns; }))).toEqual(['deleteService 2/17/10.0.0.1/53']);
    expect(asked).toEqual([serviceKey(foreign), serviceKey(dns)]);
  });
  it('ignores tunnel settings of non-tunnel destinations, compares them for tunnels', () => {
    const have = [{ service: web, dests: [{ ...d(1), tunPort: 7 }] }];
    expect(reconcile([{ service: web, dests: [d(1)] }], have)).toEqual([]);
    const tun = { ...d(1), fwd: 'tunnel' as const, tunType: 'gue' as const, tunPort: 6080 };
    expect(summary(reconcile([{ service: web, dests: [tun] }], [{ service: web, dests: [{ ...tun, tunPort: 6081 }] }])))
      .toEqual(['editDest 2/6/10.0.0.1/80 192.168.1.1/80 w1']);
  });
  it('rejects a duplicate desired destination', () => {
    expect(() => reconcile([{ service: web, dests: [d(1), d(1)] }], [])).toThrow(/desired twice/);
  });
  it('applying its ops to the actual table yields the desired table (property)', () => {
    const destArb = fc.record({ last: fc.integer({ min: 1, max: 8 }), weight: fc.integer({ min: 0, max: 3 }) });
    const tableArb = fc.array(fc.record({ port: fc.integer({ min: 1, max: 4 }), dests: fc.uniqueArray(destArb, { selector: (x) => x.last, maxLength: 5 }) }), { maxLength: 4 })
      .map((rows) => {
        const seen = new Set<number>();
        return rows.filter((r) => !seen.has(r.port) && seen.add(r.port))
          .map((r) => ({ service: makeService({ addr: '10.0.0.1', port: r.port }), dests: r.dests.map((x) => d(x.last, x.weight)) }));
      });
    fc.assert(fc.property(tableArb, tableArb, (want, have) => {
      const owned = new Set([...want, ...have].map((r) => serviceKey(r.service)));
      const ops = reconcile(want, have, owned);
      // simulate the kernel
      const sim = new Map(have.map((r) => [serviceKey(r.service), new Map(r.dests.map((x) => [destKey(x), x]))]));
      for (const o of ops) {
        const k = serviceKey(o.service);
        if (o.op === 'addService') { expect(sim.has(k)).toBe(false); sim.set(k, new Map()); }
        else if (o.op === 'deleteService') { expect(sim.delete(k)).toBe(true); }
        else if (o.op === 'addDest') { expect(sim.get(k)!.has(destKey(o.dest))).toBe(false); sim.get(k)!.set(destKey(o.dest), o.dest); }
        else if (o.op === 'editDest') { expect(sim.get(k)!.has(destKey(o.dest))).toBe(true); sim.get(k)!.set(destKey(o.dest), o.dest); }
        else if (o.op === 'deleteDest') { expect(sim.get(k)!.delete(destKey(o.dest))).toBe(true); }
      }
      const after = [...sim].map(([k, m]) => [k, [...m.values()].map((x) => `${destKey(x)}:${x.weight}`).sort()]);
      const wantT = want.map((r) => [serviceKey(r.service), r.dests.map((x) => `${destKey(x)}:${x.weight}`).sort()]);
      expect(new Map(after as [string, string[]][])).toEqual(new Map(wantT as [string, string[]][]));
      expect(ops.some((o) => o.op === 'deleteDest' && ops.some((p) => p.op === 'addDest' && destKey(p.dest) === destKey(o.dest) && serviceKey(p.service) === serviceKey(o.service)))).toBe(false);
      // the actual rows keyed by service (as the daemon's cache keeps them) give the very same operations
      expect(reconcile(want, new Map(have.map((r) => [serviceKey(r.service), r])), owned)).toEqual(ops);
      const some = new Set([...owned].filter((_, i) => i % 2 === 0));
      expect(reconcile(want, new Map(have.map((r) => [serviceKey(r.service), r])), some)).toEqual(reconcile(want, have, some));
    }));
  });

  describe('rows built on the actual array (TableRow.base)', () => {
    /** destinations whose address reads are counted, to show which entries reconcile looks at */
    const counted = (n: number, reads: number[]) => Array.from({ length: n }, (_, i) => {
      const x = d(i + 1);
      return Object.defineProperty({ ...x }, 'addr', { get: () => (reads[i]++, x.addr), enumerable: true });
    });
    it('looks only at the replaced entries when the actual row is the base array', () => {
      const reads = new Array<number>(100).fill(0);
      const have = counted(100, reads);
      const dests = have.slice();
      dests[7] = d(8, 5);
      dests[42] = d(43, 2);
      const ops = reconcile([{ service: web, dests, base: { dests: have, at: [7, 42] } }], [{ service: web, dests: have }]);
      expect(summary(ops)).toEqual(['editDest 2/6/10.0.0.1/80 192.168.1.8/80 w5', 'editDest 2/6/10.0.0.1/80 192.168.1.43/80 w2']);
      expect(reads.filter((r) => r > 0).length).toBe(2);
      // the same array as the actual row: nothing to read at all
      reads.fill(0);
      expect(reconcile([{ service: web, dests: have }], [{ service: web, dests: have }])).toEqual([]);
      expect(reads.every((r) => r === 0)).toBe(true);
    });
    it('diffs every entry when the actual row is another array (e.g. read back from the kernel)', () => {
      const reads = new Array<number>(10).fill(0);
      const base = counted(10, reads);
      const dests = base.slice();
      dests[3] = d(4, 9);
      const ops = reconcile([{ service: web, dests, base: { dests: base, at: [3] } }], [{ service: web, dests: base.map((x) => d(Number(x.addr.split('.')[3]), 1)) }]);
      expect(summary(ops)).toEqual(['editDest 2/6/10.0.0.1/80 192.168.1.4/80 w9']);
      expect(reads.every((r) => r > 0)).toBe(true);
    });
    it('a replaced entry with another address is an add and a delete, not an edit', () => {
      const base = [d(1), d(2), d(3)];
      const dests = [d(1), d(9), d(3)];
      expect(summary(reconcile([{ service: web, dests, base: { dests: base, at: [1] } }], [{ service: web, dests: base }]))).toEqual([
        'addDest 2/6/10.0.0.1/80 192.168.1.9/80 w1', 'deleteDest 2/6/10.0.0.1/80 192.168.1.2/80 w1',
      ]);
    });
    it('gives the same operations as without the hint (property)', () => {
      fc.assert(fc.property(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.record({ at: fc.nat(11), weight: fc.integer({ min: 0, max: 3 }), fwd: fc.constantFrom('masq' as const, 'route' as const) }), { maxLength: 6 }),
        (weights, edits) => {
          const base = weights.map((w, i) => d(i + 1, w));
          const dests = base.slice();
          const at: number[] = [];
          for (const e of edits) {
            if (e.at >= base.length) continue;
            dests[e.at] = { ...base[e.at], weight: e.weight, fwd: e.fwd };
            if (!at.includes(e.at)) at.push(e.at);
          }
          const hinted = reconcile([{ service: web, dests, base: { dests: base, at } }], [{ service: web, dests: base }]);
          // the same operations (the hint lists them in its own order; they are independent)
          expect(summary(hinted).sort()).toEqual(summary(reconcile([{ service: web, dests }], [{ service: web, dests: base }])).sort());
          expect(hinted.length).toBe(at.filter((i) => dests[i] !== base[i] && (dests[i].weight !== base[i].weight || dests[i].fwd !== base[i].fwd)).length);
        },
      ));
    });
  });
});
