// The listing order shortcut (an ordered list is left as it is) must give exactly what
// ipvsadm's comparator under glibc's merge sort gives, wrap-around cases included.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cmpDests, cmpServices, mergeSort, sortDests, sortServices } from '../../../src/ipvs/sort.js';
import { makeDest, makeService } from '../../../src/ipvs/model.js';

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));
const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((w) => w.map((x) => x.toString(16)).join(':'));
const port = fc.nat(65535);

describe('sortDests / sortServices', () => {
  it('equal the plain merge sort with ipvsadm comparators, ordered, reversed or not', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.oneof(v4, v6), port), { maxLength: 40 }), fc.boolean(), fc.boolean(), (raw, presort, reverse) => {
      let ds = raw.map(([addr, p]) => makeDest({ addr, port: p }));
      if (presort) ds = mergeSort(ds, cmpDests);
      if (reverse) ds.reverse();
      expect(sortDests(ds)).toEqual(mergeSort(ds, cmpDests));
    }), { numRuns: 400 });
  });
  it('keep equal entries in their order when the rest is descending (stable, not reversed)', () => {
    const ds = ['10.0.0.3', '10.0.0.2', '10.0.0.2', '10.0.0.1'].map((addr, i) => ({ ...makeDest({ addr, port: 80 }), weight: i }));
    expect(sortDests(ds).map((d) => d.weight)).toEqual([3, 1, 2, 0]);
  });
  it('keep ipvsadm order for ordered-looking lists whose addresses are more than 2^31 apart', () => {
    // adjacent pairs compare <= 0, but 1.0.0.0 vs 200.0.0.1 wraps: a true sort must not be skipped
    const ds = ['1.0.0.0', '100.0.0.0', '200.0.0.1'].map((addr) => makeDest({ addr, port: 80 }));
    expect(sortDests(ds)).toEqual(mergeSort(ds, cmpDests));
    fc.assert(fc.property(fc.array(fc.tuple(v4, port, fc.nat(3)), { maxLength: 30 }), fc.boolean(), fc.boolean(), (raw, presort, reverse) => {
      let ss = raw.map(([addr, p, m]) => ({ service: makeService(m ? { fwmark: m * 0x50000000 } : { addr, port: p }) }));
      if (presort) ss = mergeSort(ss, (a, b) => cmpServices(a.service, b.service));
      if (reverse) ss.reverse();
      expect(sortServices(ss)).toEqual(mergeSort(ss, (a, b) => cmpServices(a.service, b.service)));
    }), { numRuns: 400 });
  });
});
