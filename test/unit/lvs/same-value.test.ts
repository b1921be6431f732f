// sameValue / sameExcept (the engine's reload comparison) decide as config/diff.ts's deepEqual
// does, on model-like values and on near-equal pairs (one leaf changed, a key added or dropped).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deepEqual } from '../../../src/config/diff.js';
import { compareExcept, copyValue, sameExcept, sameValue } from '../../../src/lvs/same-value.js';

const leaf = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom('a', 'b', ''), fc.boolean(), fc.constant(null), fc.constant(undefined));
const keys = fc.constantFrom('addr', 'port', 'weight', 'TCP_CHECK', 'lvs_method', 'x');
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('arr'), tie('obj')),
  arr: fc.array(tie('value'), { maxLength: 3 }),
  obj: fc.dictionary(keys, tie('value'), { maxKeys: 4 }),
}));

type Path = Array<string | number>;

/** A structural copy (no shared objects) with at most one change at a random place. */
function copyWith(v: unknown, change: { path: Path; kind: 'leaf' | 'drop' | 'add' } | undefined, at: Path = []): unknown {
  const here = change && change.path.length === at.length && change.path.every((p, i) => p === at[i]);
  if (here && change.kind === 'leaf') return typeof v === 'number' ? v + 1 : 7;
  if (Array.isArray(v)) {
    const out = v.map((x, i) => copyWith(x, change, [...at, i]));
    if (here && change.kind === 'drop') out.pop();
    if (here && change.kind === 'add') out.push(0);
    return out;
  }
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = copyWith(x, change, [...at, k]);
    const ks = Object.keys(out);
    if (here && change.kind === 'drop' && ks.length) delete out[ks[ks.length - 1]];
    if (here && change.kind === 'add') out.added = 1;
    return out;
  }
  return v;
}

/** Every path of `v` (the root included). */
function paths(v: unknown, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

const nearPair = value.chain((v) => fc.tuple(
  fc.constant(v),
  fc.option(fc.record({ path: fc.constantFrom(...paths(v)), kind: fc.constantFrom('leaf' as const, 'drop' as const, 'add' as const) }), { nil: undefined }),
)).map(([v, change]) => [v, copyWith(v, change)] as const);

describe('sameValue', () => {
  it('agrees with deepEqual on unrelated values', () => {
    fc.assert(fc.property(value, value, (a, b) => {
      expect(sameValue(a, b)).toBe(deepEqual(a, b));
    }), { numRuns: 500 });
  });

  it('agrees with deepEqual on copies with at most one change', () => {
    let differing = 0;
    fc.assert(fc.property(nearPair, ([a, b]) => {
      const want = deepEqual(a, b);
      if (!want) differing++;
      expect(sameValue(a, b)).toBe(want);
      expect(sameValue(b, a)).toBe(want);
    }), { numRuns: 1000 });
    expect(differing).toBeGreaterThan(100); // the generator does produce changes
  });

  it('an undefined value is not the same as an absent key (as deepEqual)', () => {
    expect(sameValue({ a: undefined }, {})).toBe(false);
    expect(sameValue({}, { a: undefined })).toBe(false);
    expect(sameValue([undefined], [])).toBe(false);
    expect(sameValue({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(sameValue(null, {})).toBe(false);
    expect(sameValue([], {})).toBe(false);
  });
});

// sameExcept and compareExcept skip these keys; pairs: an object and a copy with at most one change
const skip = new Set(['weight', 'x']);
const omit = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([k]) => !skip.has(k)));
const changedPair = fc.dictionary(keys, value, { maxKeys: 5 }).chain((o) => fc.tuple(
  fc.constant(o),
  fc.option(fc.record({ path: fc.constantFrom(...paths(o)), kind: fc.constantFrom('leaf' as const, 'drop' as const, 'add' as const) }), { nil: undefined }),
)).map(([o, change]) => [o, copyWith(o, change) as Record<string, unknown>] as const);

describe('sameExcept', () => {
  it('agrees with deepEqual of the objects without the skipped keys', () => {
    fc.assert(fc.property(changedPair, ([a, b]) => {
      fc.pre(typeof b === 'object' && b !== null && !Array.isArray(b)); // a changed root is no object
      const want = deepEqual(omit(a), omit(b));
      expect(sameExcept(a, b, skip)).toBe(want);
      expect(sameExcept(b, a, skip)).toBe(want);
    }), { numRuns: 1000 });
  });

  it('ignores a skipped key present on one side only', () => {
    expect(sameExcept({ a: 1, weight: 2 }, { a: 1 }, skip)).toBe(true);
    expect(sameExcept({ a: 1 }, { a: 1, x: [1] }, skip)).toBe(true);
    expect(sameExcept({ a: 1 }, { a: 1, b: 1 }, skip)).toBe(false);
  });
});

describe('compareExcept', () => {
  it('is 0 when deepEqual, 1 when only skipped keys differ, 2 otherwise', () => {
    const seen = [0, 0, 0];
    fc.assert(fc.property(changedPair, ([a, b]) => {
      fc.pre(typeof b === 'object' && b !== null && !Array.isArray(b));
      const want = deepEqual(a, b) ? 0 : deepEqual(omit(a), omit(b)) ? 1 : 2;
      seen[want]++;
      expect(compareExcept(a, b, skip)).toBe(want);
      expect(compareExcept(b, a, skip)).toBe(want);
    }), { numRuns: 1500 });
    // the generator reaches every answer
    expect(Math.min(...seen)).toBeGreaterThan(20);
  });

  it('a skipped key added, dropped or changed is 1; anything else with it is 2', () => {
    expect(compareExcept({ a: 1 }, { a: 1, weight: 2 }, skip)).toBe(1);
    expect(compareExcept({ a: 1, weight: 2 }, { a: 1 }, skip)).toBe(1);
    expect(compareExcept({ a: 1, weight: 2 }, { a: 1, weight: 3 }, skip)).toBe(1);
    expect(compareExcept({ a: 1, weight: 2 }, { a: 2, weight: 3 }, skip)).toBe(2);
    expect(compareExcept({ a: 1 }, { a: 1, b: undefined }, skip)).toBe(2);
    expect(compareExcept({ a: { b: [1] }, x: 1 }, { a: { b: [1] }, x: 1 }, skip)).toBe(0);
  });
});

/** Every object or array inside `v` (itself included). */
function objectsOf(v: unknown, out: object[] = []): object[] {
  if (typeof v !== 'object' || v === null) return out;
  out.push(v);
  for (const x of Array.isArray(v) ? v : Object.values(v)) objectsOf(x, out);
  return out;
}

describe('copyValue', () => {
  it('is deepEqual to the value, keys in the same order, and shares no object or array with it', () => {
    fc.assert(fc.property(value, (v) => {
      const c = copyValue(v);
      expect(deepEqual(c, v)).toBe(true);
      expect(JSON.stringify(c)).toBe(JSON.stringify(v));
      const mine = new Set(objectsOf(v));
      for (const o of objectsOf(c)) expect(mine.has(o)).toBe(false);
    }), { numRuns: 500 });
  });
});
