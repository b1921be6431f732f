// diffModels(old, new): what a reload must change. Objects are matched by identity keys
// (instance name, virtual server address/port/protocol or fwmark or group, real server
// address/port), so an unchanged instance or real server keeps its state across a reload.
import type { Model } from './model.js';


type Obj = Record<string, unknown>;

export interface CollectionDiff<T = Obj> {
  added: T[];
  removed: T[];
  /** same key, different content */
  changed: Array<{ before: T; after: T }>;
  unchanged: T[];
}

export interface VirtualServerChange {
  before: Obj;
  after: Obj;
  /** the service itself changed (scheduler, persistence, ...), not only its real servers */
  serviceChanged: boolean;
  realServers: CollectionDiff;
}

export interface ModelDiff {
  /** anything outside VRRP instances and virtual servers changed (global_defs, scripts, ...) */
  otherChanged: string[];
  vrrpInstances: CollectionDiff;
  virtualServers: Omit<CollectionDiff, 'changed'> & { changed: VirtualServerChange[] };
  /** true when nothing at all changed */
  empty: boolean;
}

/**
 * Structural equality of model values (plain objects, arrays, primitives). Walks keys with
 * for...in rather than Object.keys: a reload compares every real server, and the arrays
 * Object.keys allocates per object made that the larger part of the cost.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const arr = Array.isArray(a);
  if (arr !== Array.isArray(b)) return false;
  if (arr) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!deepEqual(x[i], y[i])) return false;
    return true;
  }
  const x = a as Obj;
  const y = b as Obj;
  let n = 0;
  for (const k in x) {
    if (!Object.prototype.hasOwnProperty.call(x, k)) continue;
    if (!Object.prototype.hasOwnProperty.call(y, k) || !deepEqual(x[k], y[k])) return false;
    n++;
  }
  for (const k in y) if (Object.prototype.hasOwnProperty.call(y, k) && --n < 0) return false;
  return n === 0;
}

function keyText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') {
    const o = v as Obj;
    if (typeof o.addr === 'string') return o.addr;
    return JSON.stringify(v);
  }
  return String(v);
}

export function vrrpKey(i: Obj): string {
  return keyText(i.name);
}

/** ip+port+protocol, or fwmark, or group name: as keepalived identifies a virtual server. */
export function virtualServerKey(v: Obj): string {
  const proto = keyText(v.protocol) || 'TCP';
  if (v.kind === 'group') return `group:${keyText(v.group)}`;
  if (v.kind === 'fwmark') return `fwmark:${keyText(v.fwmark)}`;
  return `${keyText(v.addr)}:${keyText(v.port)}:${proto}`;
}

export function realServerKey(r: Obj): string {
  return `${keyText(r.addr)}:${keyText(r.port)}`;
}

export function diffCollection(before: readonly Obj[], after: readonly Obj[], key: (o: Obj) => string): CollectionDiff {
  const old = new Map<string, Obj>();
  for (const o of before) old.set(key(o), o);
  const d: CollectionDiff = { added: [], removed: [], changed: [], unchanged: [] };
  const seen = new Set<string>();
  for (const n of after) {
    const k = key(n);
    seen.add(k);
    const o = old.get(k);
    if (!o) d.added.push(n);
    else if (deepEqual(o, n)) d.unchanged.push(n);
    else d.changed.push({ before: o, after: n });
  }
  for (const [k, o] of old) if (!seen.has(k)) d.removed.push(o);
  return d;
}

const VS = 'virtual_server';
const RS = 'real_server';
const VI = 'vrrp_instance';

function list(m: Model, field: string): Obj[] {
  const v = m[field];
  return Array.isArray(v) ? (v as Obj[]) : [];
}

function withoutRealServers(v: Obj): Obj {
  const { [RS]: _rs, ...rest } = v;
  return rest;
}

export function diffModels(before: Model, after: Model): ModelDiff {
  const otherChanged: string[] = [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const k of keys) {
    if (k === VS || k === VI) continue;
    if (!deepEqual(before[k], after[k])) otherChanged.push(k);
  }
  const vrrpInstances = diffCollection(list(before, VI), list(after, VI), vrrpKey);
  const vsBase = diffCollection(list(before, VS), list(after, VS), virtualServerKey);
  const changed: VirtualServerChange[] = vsBase.changed.map(({ before: b, after: a }) => ({
    before: b,
    after: a,
    serviceChanged: !deepEqual(withoutRealServers(b), withoutRealServers(a)),
    realServers: diffCollection(list(b as Model, RS), list(a as Model, RS), realServerKey),
  }));
  const virtualServers = { added: vsBase.added, removed: vsBase.removed, unchanged: vsBase.unchanged, changed };
  const empty = otherChanged.length === 0 && vrrpInstances.added.length + vrrpInstances.removed.length + vrrpInstances.changed.length === 0
    && vsBase.added.length + vsBase.removed.length + changed.length === 0;
  return { otherChanged, vrrpInstances, virtualServers, empty };
}
