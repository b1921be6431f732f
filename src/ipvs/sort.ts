// ipvsadm's listing order: its comparators (C int subtraction, so differences wrap at
// 2^31) applied by a top-down merge sort, which is what glibc's qsort runs.
import { addrToUnion } from './addr.js';
import { AF_INET6 } from './constants.js';
import type { IpvsDest, IpvsService } from './types.js';

const wrap = (a: number, b: number): number => (a - b) | 0;

/** Dotted quad as a 32-bit number, or undefined for anything else. */
function v4Word(addr: string): number | undefined {
  let w = 0;
  let val = 0;
  let parts = 0;
  let digits = 0;
  for (let i = 0; i < addr.length; i++) {
    const c = addr.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      val = val * 10 + c - 48;
      digits++;
    } else if (c === 46 && digits) {
      w = w * 256 + val;
      val = 0;
      digits = 0;
      parts++;
    } else return undefined;
  }
  if (parts !== 3 || !digits || val > 255) return undefined;
  return w * 256 + val;
}

/** The four 32-bit words of the address as stored in ipvsadm's 16-byte union. */
function addrWords(addr: string): number[] {
  const v4 = v4Word(addr);
  if (v4 !== undefined) return [v4, 0, 0, 0];
  const b = addrToUnion(addr);
  return [b.readUInt32BE(0), b.readUInt32BE(4), b.readUInt32BE(8), b.readUInt32BE(12)];
}

function cmpAddr(af: number, a: string, b: string): number {
  const wa = addrWords(a);
  const wb = addrWords(b);
  const n = af === AF_INET6 ? 4 : 1;
  let r = 0;
  for (let i = 0; r === 0 && i < n; i++) r = wrap(wa[i], wb[i]);
  return r;
}

export function cmpServices(s1: IpvsService, s2: IpvsService): number {
  let r = wrap(s1.fwmark, s2.fwmark);
  if (r) return r;
  r = s1.af - s2.af;
  if (r) return r;
  r = s1.protocol - s2.protocol;
  if (r) return r;
  // A fwmark service carries the zero address of its family.
  r = cmpAddr(s1.af, s1.addr, s2.addr);
  if (r) return r;
  return s1.port - s2.port;
}

/** Compares with the first destination's family, as ipvsadm does. */
export function cmpDests(d1: IpvsDest, d2: IpvsDest): number {
  const r = cmpAddr(d1.af, d1.addr, d2.addr);
  if (r) return r;
  return d1.port - d2.port;
}

/** Sorts by a comparator over precomputed keys (addresses parsed once per item, not per comparison). */
export function sortServices<T extends { service: IpvsService }>(items: readonly T[]): T[] {
  const keyed = items.map((item) => ({ item, k: serviceSortKey(item.service) }));
  return mergeSort(keyed, (a, b) => cmpServiceKeys(a.k, b.k)).map((x) => x.item);
}
export function sortDests<T extends IpvsDest>(items: readonly T[]): T[] {
  const keyed = items.map((item) => ({ item, k: destSortKey(item) }));
  return mergeSort(keyed, (a, b) => cmpDestKeys(a.k, b.k)).map((x) => x.item);
}

interface ServiceSortKey { fwmark: number; af: number; protocol: number; words: number[]; port: number }
interface DestSortKey { af: number; words: number[]; port: number }

const serviceSortKey = (s: IpvsService): ServiceSortKey =>
  ({ fwmark: s.fwmark, af: s.af, protocol: s.protocol, words: addrWords(s.addr), port: s.port });
const destSortKey = (d: IpvsDest): DestSortKey => ({ af: d.af, words: addrWords(d.addr), port: d.port });

function cmpWords(af: number, a: number[], b: number[]): number {
  const n = af === AF_INET6 ? 4 : 1;
  let r = 0;
  for (let i = 0; r === 0 && i < n; i++) r = wrap(a[i], b[i]);
  return r;
}
function cmpServiceKeys(a: ServiceSortKey, b: ServiceSortKey): number {
  return wrap(a.fwmark, b.fwmark) || a.af - b.af || a.protocol - b.protocol || cmpWords(a.af, a.words, b.words) || a.port - b.port;
}
function cmpDestKeys(a: DestSortKey, b: DestSortKey): number {
  return cmpWords(a.af, a.words, b.words) || a.port - b.port;
}

/** glibc msort: stable top-down merge, left element first when cmp <= 0. */
export function mergeSort<T>(items: readonly T[], cmp: (a: T, b: T) => number): T[] {
  const a = items.slice();
  const tmp = new Array<T>(a.length);
  const sort = (lo: number, n: number): void => {
    if (n <= 1) return;
    const n1 = n >>> 1;
    const n2 = n - n1;
    sort(lo, n1);
    sort(lo + n1, n2);
    let i = lo;
    let j = lo + n1;
    const iEnd = lo + n1;
    const jEnd = lo + n;
    let k = 0;
    while (i < iEnd && j < jEnd) tmp[k++] = cmp(a[i], a[j]) <= 0 ? a[i++] : a[j++];
    while (i < iEnd) tmp[k++] = a[i++];
    for (let t = 0; t < k; t++) a[lo + t] = tmp[t];
  };
  sort(0, a.length);
  return a;
}
