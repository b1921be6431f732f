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

/**
 * Sort keys in flat typed arrays (the address union's four words, port, and for services
 * fwmark/af/protocol), indexed by position: no key object per item.
 */
export class Keys {
  readonly w: Uint32Array;
  readonly af: Uint16Array;
  readonly port: Uint32Array;
  readonly fwmark: Uint32Array;
  readonly protocol: Uint16Array;
  constructor(readonly n: number, services: boolean) {
    this.w = new Uint32Array(n * 4);
    this.af = new Uint16Array(n);
    this.port = new Uint32Array(n);
    this.fwmark = new Uint32Array(services ? n : 0);
    this.protocol = new Uint16Array(services ? n : 0);
  }
  set(i: number, af: number, addr: string, port: number): void {
    this.af[i] = af;
    this.port[i] = port;
    const v4 = v4Word(addr);
    if (v4 !== undefined) {
      this.w[i * 4] = v4;
      return;
    }
    const b = addrToUnion(addr);
    for (let k = 0; k < 4; k++) this.w[i * 4 + k] = b.readUInt32BE(k * 4);
  }
  /** Keys of item i from its address union's words (already in host order), as set() makes them. */
  setWords(i: number, af: number, w0: number, w1: number, w2: number, w3: number, port: number): void {
    this.af[i] = af;
    this.port[i] = port;
    const w = this.w;
    w[i * 4] = w0;
    w[i * 4 + 1] = w1;
    w[i * 4 + 2] = w2;
    w[i * 4 + 3] = w3;
  }
  /** ipvsadm's address comparison: the first item's family decides how many words count. */
  cmpAddr(i: number, j: number): number {
    const a = i * 4;
    const b = j * 4;
    const w = this.w;
    const r = wrap(w[a], w[b]);
    if (r || this.af[i] !== AF_INET6) return r;
    return wrap(w[a + 1], w[b + 1]) || wrap(w[a + 2], w[b + 2]) || wrap(w[a + 3], w[b + 3]);
  }
  cmpDest(i: number, j: number): number {
    return this.cmpAddr(i, j) || this.port[i] - this.port[j];
  }
  cmpService(i: number, j: number): number {
    return wrap(this.fwmark[i], this.fwmark[j]) || this.af[i] - this.af[j] || this.protocol[i] - this.protocol[j]
      || this.cmpAddr(i, j) || this.port[i] - this.port[j];
  }
  /** Every word (and fwmark) spans less than 2^31: wrapping comparisons then agree with plain ones. */
  spanSafe(): boolean {
    const LIMIT = 0x80000000;
    const span = (a: Uint32Array, step: number, from: number): boolean => {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = from; i < a.length; i += step) {
        const v = a[i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      return !(hi - lo >= LIMIT);
    };
    return span(this.w, 4, 0) && span(this.w, 4, 1) && span(this.w, 4, 2) && span(this.w, 4, 3) && span(this.fwmark, 1, 0);
  }
}

/** Sorts by a comparator over precomputed keys (addresses parsed once per item, not per comparison). */
export function sortServices<T extends { service: IpvsService }>(items: readonly T[]): T[] {
  const keys = new Keys(items.length, true);
  for (let i = 0; i < items.length; i++) {
    const s = items[i].service;
    keys.set(i, s.af, s.addr, s.port);
    keys.fwmark[i] = s.fwmark;
    keys.protocol[i] = s.protocol;
  }
  return sortedItems(items, keys, (i, j) => keys.cmpService(i, j));
}
export function sortDests<T extends IpvsDest>(items: readonly T[]): T[] {
  const keys = new Keys(items.length, false);
  for (let i = 0; i < items.length; i++) keys.set(i, items[i].af, items[i].addr, items[i].port);
  return sortedItems(items, keys, (i, j) => keys.cmpDest(i, j));
}

/** Destination positions in ipvsadm's order, from keys filled with set() or setWords(). */
export function destOrder(keys: Keys): readonly number[] {
  return sortedOrder(keys, (i, j) => keys.cmpDest(i, j));
}

function sortedItems<T>(items: readonly T[], keys: Keys, cmp: (i: number, j: number) => number): T[] {
  const order = sortedOrder(keys, cmp);
  const out = new Array<T>(order.length);
  for (let i = 0; i < out.length; i++) out[i] = items[order[i]];
  return out;
}

/**
 * A stable sort leaves an ordered list as it is and reverses a strictly descending one, so
 * the common cases (entries added in ascending order; the kernel lists them newest first)
 * cost one pass. That holds only for a true order, hence the span check.
 */
function sortedOrder(keys: Keys, cmp: (i: number, j: number) => number): number[] {
  const n = keys.n;
  const idx = new Array<number>(n);
  if (n > 1 && keys.spanSafe()) {
    let up = true;
    let down = true;
    for (let i = 1; (up || down) && i < n; i++) {
      const c = cmp(i - 1, i);
      if (c > 0) up = false;
      // strictly descending only: equal items keep their order under a stable sort
      if (c <= 0) down = false;
    }
    // the kernel lists a service's destinations newest first
    if (up || down) {
      for (let i = 0; i < n; i++) idx[i] = up ? i : n - 1 - i;
      return idx;
    }
  }
  for (let i = 0; i < n; i++) idx[i] = i;
  return mergeSort(idx, cmp);
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
