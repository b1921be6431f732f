// An empty array whose elements are of V8's general kind (any value) from the start. A `[]`
// literal starts with small integers and moves to the general kind at the first push of an
// object or string; its allocation site learns that and, after some loads (when depends on the
// GC), makes its arrays general from birth. Code optimised on the earlier arrays expects the
// transition and deoptimises ('wrong map') when it meets one of the later: in the host harness
// of a first SIGHUP after the start-up rehearsal, BlockCacheBuilder.srcIndex's push did. Arrays
// made here never change kind, so every load meets the same maps.

// (A slice takes its source's kind and uses no allocation site. Shortening a literal's array to
// empty does not do: its site then made holey arrays, another map again.)
const TEMPLATE: readonly unknown[] = [Object.freeze({})];

/** `[]` in the general elements kind (see above) */
export function generalArray<T>(): T[] {
  return TEMPLATE.slice(0, 0) as T[];
}
