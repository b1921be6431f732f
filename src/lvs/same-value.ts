// Equality of configuration values (plain objects, arrays, primitives) as config/diff.ts's
// deepEqual decides it, shaped for a reload that compares 10,000 real servers once, in code
// the JIT has not warmed up: primitives are compared in the caller's loop (no call per field),
// keys are counted instead of checked with hasOwnProperty, and identical values (the parser
// hands back unchanged objects as they were) cost one comparison.

type Obj = Record<string, unknown>;

function sameArray(x: readonly unknown[], y: readonly unknown[]): boolean {
  const n = x.length;
  if (n !== y.length) return false;
  for (let i = 0; i < n; i++) {
    const a = x[i];
    const b = y[i];
    if (a !== b && (typeof a !== 'object' || typeof b !== 'object' || !sameValue(a, b))) return false;
  }
  return true;
}

/**
 * Objects with the same own keys and equal values under them. Model values are plain: made by
 * the parser from object literals, so for...in sees exactly their own keys (an enumerable key
 * on Object.prototype would show up on both sides alike).
 */
function sameObject(x: Obj, y: Obj): boolean {
  let n = 0;
  for (const k in x) {
    const a = x[k];
    const b = y[k];
    if (a !== b && (typeof a !== 'object' || typeof b !== 'object' || !sameValue(a, b))) return false;
    if (b === undefined && !(k in y)) return false;
    n++;
  }
  for (const _ in y) if (--n < 0) return false;
  return n === 0;
}

/** Structural equality of two configuration values. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const arr = Array.isArray(a);
  if (arr !== Array.isArray(b)) return false;
  return arr ? sameArray(a as unknown[], b as unknown[]) : sameObject(a as Obj, b as Obj);
}

/**
 * Same keys and values, the keys in `skip` aside (those may differ or be absent on one side).
 * For a real server's or virtual server's fields without a copy of either object.
 */
export function sameExcept(x: Obj, y: Obj, skip: ReadonlySet<string>): boolean {
  let n = 0;
  for (const k in x) {
    if (skip.has(k)) continue;
    const a = x[k];
    const b = y[k];
    if (a !== b && (typeof a !== 'object' || typeof b !== 'object' || !sameValue(a, b))) return false;
    if (b === undefined && !(k in y)) return false;
    n++;
  }
  for (const k in y) if (!skip.has(k) && --n < 0) return false;
  return n === 0;
}

/**
 * sameValue and sameExcept in one pass: 0 when `x` and `y` are equal, 1 when they differ only
 * under keys in `skip` (a key there may also be absent on one side), 2 otherwise.
 */
export function compareExcept(x: Obj, y: Obj, skip: ReadonlySet<string>): 0 | 1 | 2 {
  let n = 0;
  let skipped = false;
  for (const k in x) {
    const a = x[k];
    const b = y[k];
    const differs = (a !== b && (typeof a !== 'object' || typeof b !== 'object' || !sameValue(a, b))) || (b === undefined && !(k in y));
    if (skip.has(k)) {
      if (differs) skipped = true;
      continue;
    }
    if (differs) return 2;
    n++;
  }
  for (const k in y) {
    if (skip.has(k)) {
      if (!(k in x)) skipped = true;
    } else if (--n < 0) return 2;
  }
  if (n !== 0) return 2;
  return skipped ? 1 : 0;
}

/**
 * A copy of a configuration value with no object or array shared with it (same keys in the same
 * order, primitives as they are): compared with the original, every nested value is compared by
 * value, as a reload compares a parser's fresh object with the running one.
 */
export function copyValue<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(copyValue) as T;
  const out: Obj = {};
  for (const k in v) out[k] = copyValue((v as Obj)[k]);
  return out as T;
}
