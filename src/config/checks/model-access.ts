// Reading the raw model the parser built (keyword names as fields) without `any`: small typed
// accessors shared by the checks.
import type { RawObject } from '../../../grammar/parser.js';
import type { CheckContext } from '../validate.js';
import { ErrClass } from '../../../grammar/diagnostics.js';
import { findKeyword, rootSchema } from '../../../grammar/schema/index.js';
import type { BlockSpec, LineSpec } from '../../../grammar/schema/types.js';

export function isObj(v: unknown): v is RawObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The objects of a repeatable block keyword (or the one object of a single block). */
export function objs(parent: RawObject | undefined, field: string): RawObject[] {
  const v = parent?.[field];
  if (Array.isArray(v)) {
    // the parser's arrays hold only objects: hand them back without copying
    for (let i = 0; i < v.length; i++) if (!isObj(v[i])) return v.filter(isObj);
    return v as RawObject[];
  }
  return isObj(v) ? [v] : NONE;
}
const NONE: RawObject[] = [];

/**
 * objs(vs, 'real_server') without the walk over each one where the parse says what the list is: a
 * virtual server that got real servers back (ParseResult.reuseOf) has the parser's own list,
 * objects only (handed back, and blocks read anew), or one a check made of them.
 */
export function realServers(ctx: CheckContext, vs: RawObject): RawObject[] {
  const v = vs.real_server;
  return Array.isArray(v) && ctx.parsed.reuseOf(vs) !== undefined ? (v as RawObject[]) : objs(vs, 'real_server');
}

export function obj(parent: RawObject | undefined, field: string): RawObject | undefined {
  const v = parent?.[field];
  return isObj(v) ? v : undefined;
}

export function str(parent: RawObject | undefined, field: string): string | undefined {
  const v = parent?.[field];
  return typeof v === 'string' ? v : undefined;
}

export function num(parent: RawObject | undefined, field: string): number | undefined {
  const v = parent?.[field];
  return typeof v === 'number' ? v : undefined;
}

/** Items of a value block (virtual_ipaddress, track_interface, group...). */
export function items(parent: RawObject | undefined, field: string): unknown[] {
  const v = parent?.[field];
  return Array.isArray(v) ? v : [];
}

/** The items of a value block that are objects (address lines, track lines...). */
export function itemObjs(parent: RawObject | undefined, field: string): RawObject[] {
  return items(parent, field).filter(isObj);
}

/** The names of a value block of names (sync group members, garp_group interfaces). */
export function names(parent: RawObject | undefined, field: string): string[] {
  return items(parent, field).filter((x): x is string => typeof x === 'string');
}

/**
 * True when the keyword was written in the block, not only filled in from the schema default
 * (keepalived complains about some keywords left out, and derives others from the rest).
 * The loader's first pass keeps no positions: then a value different from the default was
 * written for sure; for one equal to it the check asks for the positioned pass (any report
 * makes the loader parse again with positions, and that pass's diagnostics are the ones shown).
 */
export function written(ctx: CheckContext, o: RawObject, field: string, blockPath: readonly string[]): boolean {
  const at = ctx.parsed.at(o);
  if (at) return at[field] !== undefined;
  if (o[field] === undefined) return false;
  const def = schemaDefault(blockPath, field);
  if (def === undefined || !sameValue(o[field], def)) return true;
  askForPositions(ctx);
  return false;
}

const asked = new WeakSet<object>();
export function askForPositions(ctx: CheckContext): void {
  if (asked.has(ctx.parsed)) return;
  asked.add(ctx.parsed);
  ctx.report({ cls: ErrClass.Ok, level: 'warning', message: 'keyword presence needs the positioned parse' });
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b));
}

// block path (the constant arrays below, by identity) -> field -> default (no key string built per
// call: written() runs once per real server)
const defaultCache = new WeakMap<readonly string[], Map<string, unknown>>();

/** The schema default of `field` in the block at `blockPath` (keywords from the root). */
export function schemaDefault(blockPath: readonly string[], field: string): unknown {
  let byField = defaultCache.get(blockPath);
  if (byField === undefined) defaultCache.set(blockPath, (byField = new Map()));
  if (byField.has(field)) return byField.get(field);
  let block: BlockSpec | undefined = rootSchema;
  for (const name of blockPath) block = block && findKeyword(block, name)?.block;
  const kw = block?.keywords.find((k) => (k.field ?? k.name) === field);
  byField.set(field, kw?.default);
  return kw?.default;
}

/** The LineSpec of a value-block keyword at `path` (keywords from the root). */
export function lineSpecOf(path: readonly string[]): LineSpec | undefined {
  let block: BlockSpec | undefined = rootSchema;
  for (const name of path.slice(0, -1)) block = block && findKeyword(block, name)?.block;
  return block ? findKeyword(block, path[path.length - 1])?.lines : undefined;
}

export const VRRP_INSTANCE = ['vrrp_instance'] as const;
export const VIRTUAL_SERVER = ['virtual_server'] as const;
export const REAL_SERVER = ['virtual_server', 'real_server'] as const;

/** Packed position of a keyword (or of the block keyword): orders objects as the file reads them. */
export function order(ctx: CheckContext, o: object, field?: string): number {
  const at = ctx.parsed.at(o);
  if (!at) return Number.MAX_SAFE_INTEGER;
  return (field !== undefined ? at[field] : undefined) ?? at.$ ?? Number.MAX_SAFE_INTEGER;
}

export const root = (ctx: CheckContext): RawObject => ctx.model as RawObject;
export const globalDefs = (ctx: CheckContext): RawObject | undefined => obj(root(ctx), 'global_defs');
export const vrrpInstances = (ctx: CheckContext): RawObject[] => objs(root(ctx), 'vrrp_instance');
export const virtualServers = (ctx: CheckContext): RawObject[] => objs(root(ctx), 'virtual_server');

/** `vrrp_instance NAME` block label for messages. */
export const label = (kw: string, o: RawObject): string => (typeof o.name === 'string' ? `${kw} ${o.name}` : kw);
