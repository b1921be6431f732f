// Desired vs actual IPVS table -> the minimal list of operations. Pure.
// Services lvsd does not own are never touched; a changed weight (or threshold, or
// forwarding method) is an edit, never delete+add, so established connections survive.
import { destKey, serviceKey } from './model.js';
import type { IpvsDest, IpvsService } from './types.js';

export type IpvsOp =
  | { op: 'addService' | 'editService' | 'deleteService'; service: IpvsService }
  | { op: 'addDest' | 'editDest' | 'deleteDest'; service: IpvsService; dest: IpvsDest };

export interface TableRow {
  service: IpvsService;
  dests: readonly IpvsDest[];
  /**
   * A hint from whoever built the row: `dests` is `base.dests` with only the entries at
   * positions `base.at` replaced. When the actual row is that very array, reconcile looks at
   * those entries only, so a change costs what changed, not the whole service.
   */
  base?: { dests: readonly IpvsDest[]; at: readonly number[] };
}

/** `owned`: keys (model.serviceKey) of services lvsd manages, e.g. those of the old and new config. */
export type Ownership = ReadonlySet<string> | ((s: IpvsService) => boolean);

export function serviceDiffers(want: IpvsService, have: IpvsService): boolean {
  return want.sched !== have.sched
    || (want.flags >>> 0) !== (have.flags >>> 0)
    || want.timeout !== have.timeout
    || (want.netmask >>> 0) !== (have.netmask >>> 0)
    || (want.pe ?? '') !== (have.pe ?? '');
}

export function destDiffers(want: IpvsDest, have: IpvsDest): boolean {
  if (want.fwd !== have.fwd || want.weight !== have.weight
    || want.uThreshold !== have.uThreshold || want.lThreshold !== have.lThreshold) return true;
  // Encapsulation settings only mean something for tunnel destinations.
  if (want.fwd !== 'tunnel') return false;
  return want.tunType !== have.tunType || want.tunPort !== have.tunPort || want.tunFlags !== have.tunFlags;
}

/**
 * Same destinations at the same positions. Actual rows never hold a destination twice, so
 * neither does a desired row that matches one position by position.
 */
function sameDestOrder(want: readonly IpvsDest[], have: readonly IpvsDest[]): boolean {
  if (want.length !== have.length) return false;
  for (let i = 0; i < want.length; i++) {
    if (want[i].port !== have[i].port || want[i].addr !== have[i].addr) return false;
  }
  return true;
}

/**
 * Positions where `row` may differ from `cur` when both are known, without a pass over every
 * destination, to hold the same destinations in the same order; undefined otherwise.
 */
function knownChanges(row: TableRow, cur: TableRow): readonly number[] | undefined {
  if (row.dests === cur.dests) return [];
  const b = row.base;
  if (!b || b.dests !== cur.dests || row.dests.length !== b.dests.length) return undefined;
  for (const i of b.at) {
    const want = row.dests[i];
    const have = b.dests[i];
    if (!want || !have || want.port !== have.port || want.addr !== have.addr) return undefined;
  }
  return b.at;
}

/**
 * `actual`: the kernel's rows, or the same keyed by serviceKey (a caller that keeps them so
 * saves building every key again on each call; the map's order stands for the rows' order).
 */
export function reconcile(
  desired: readonly TableRow[],
  actual: readonly TableRow[] | ReadonlyMap<string, TableRow>,
  owned: Ownership = new Set(),
  /** serviceKey, or the same remembered per service object (a caller whose services are never changed) */
  keyOf: (s: IpvsService) => string = serviceKey,
): IpvsOp[] {
  let have: ReadonlyMap<string, TableRow>;
  if (isRowList(actual)) {
    const m = new Map<string, TableRow>();
    for (const row of actual) m.set(keyOf(row.service), row);
    have = m;
  } else have = actual;
  const wanted = new Set<string>();
  const ops: IpvsOp[] = [];
  const ownedSet = typeof owned === 'function' ? undefined : owned;
  /** owned services that are wanted: when that is all of them, none can be deleted */
  let ownedWanted = 0;

  for (const row of desired) {
    const key = keyOf(row.service);
    if (wanted.has(key)) throw new Error(`service ${key} is desired twice`);
    wanted.add(key);
    if (ownedSet?.has(key)) ownedWanted++;
    const cur = have.get(key);
    const service = row.service;
    const known = cur && knownChanges(row, cur);
    if (cur && known) {
      if (service !== cur.service && serviceDiffers(service, cur.service)) ops.push({ op: 'editService', service });
      for (const i of known) {
        const dest = row.dests[i];
        if (dest !== cur.dests[i] && destDiffers(dest, cur.dests[i])) ops.push({ op: 'editDest', service, dest });
      }
      continue;
    }
    if (cur && sameDestOrder(row.dests, cur.dests)) {
      // The common steady state (the daemon's cached rows): no key maps needed.
      if (serviceDiffers(service, cur.service)) ops.push({ op: 'editService', service });
      for (let i = 0; i < row.dests.length; i++) {
        const dest = row.dests[i];
        if (dest !== cur.dests[i] && destDiffers(dest, cur.dests[i])) ops.push({ op: 'editDest', service, dest });
      }
      continue;
    }
    const wantDests = new Set<string>();
    for (const dest of row.dests) {
      const dk = destKey(dest);
      if (wantDests.has(dk)) throw new Error(`destination ${dk} of service ${key} is desired twice`);
      wantDests.add(dk);
    }
    if (!cur) {
      ops.push({ op: 'addService', service });
      for (const dest of row.dests) ops.push({ op: 'addDest', service, dest });
      continue;
    }
    if (serviceDiffers(service, cur.service)) ops.push({ op: 'editService', service });
    const curDests = new Map<string, IpvsDest>();
    for (const d of cur.dests) curDests.set(destKey(d), d);
    const edits: IpvsOp[] = [];
    for (const dest of row.dests) {
      const c = curDests.get(destKey(dest));
      if (!c) ops.push({ op: 'addDest', service, dest });
      else if (destDiffers(dest, c)) edits.push({ op: 'editDest', service, dest });
    }
    ops.push(...edits);
    // Removals last, so a service never drops below its new set of servers in between.
    for (const [dk, d] of curDests) if (!wantDests.has(dk)) ops.push({ op: 'deleteDest', service, dest: d });
  }
  // (a walk over the whole table only when an owned service may have been left out: a change
  // of a few services of many costs those few)
  if (ownedSet === undefined || ownedWanted < ownedSet.size) {
    const isOwned = typeof owned === 'function' ? owned : (_s: IpvsService, key: string) => owned.has(key);
    for (const [key, row] of have) {
      if (!wanted.has(key) && isOwned(row.service, key)) ops.push({ op: 'deleteService', service: row.service });
    }
  }
  return ops;
}

function isRowList(a: readonly TableRow[] | ReadonlyMap<string, TableRow>): a is readonly TableRow[] {
  return Array.isArray(a);
}
