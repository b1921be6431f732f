// BlockCacheBuilder's objects: blocks read anew and runs of an older cache's, in the order added,
// joined once at build() (in chunks of pieces: a reload alternating runs and fresh blocks over
// tens of thousands of them must not overflow the stack).
import { describe, expect, it } from 'vitest';
import { BlockCacheBuilder, type ReusePolicy } from '../../../grammar/reuse.js';
import type { KeywordSpec } from '../../../grammar/schema/types.js';
import type { RawObject } from '../../../grammar/parser.js';

const policy: ReusePolicy = { keywords: new Set(['real_server']), deny: new Set(), eligible: () => true, parentSignature: () => 'p' };
const kw = { name: 'real_server' } as KeywordSpec;
const block = '  real_server 10.0.0.1 80 {\n  }\n';

/** a cache of n blocks, one text, one segment; objects { n: index } */
function oldCache(n: number) {
  const b = new BlockCacheBuilder(policy, n);
  const src = block.repeat(n);
  const p = b.parent({});
  b.setSignature(p, 'p');
  for (let i = 0; i < n; i++) b.add(src, i * block.length, (i + 1) * block.length, 2, block.indexOf('\n') + 1, p, { n: i }, kw);
  return { cache: b.build(), src };
}

describe('BlockCacheBuilder objects', () => {
  it('keeps the order of fresh blocks and runs', () => {
    const { cache, src } = oldCache(10);
    const b = new BlockCacheBuilder(policy, 10);
    const p = b.parent({});
    const fresh = (k: number): RawObject => ({ fresh: k });
    b.add(src, 0, block.length, 2, 28, p, fresh(0), kw);
    b.add(src, block.length, 2 * block.length, 2, 28, p, fresh(1), kw);
    b.addRun(cache, 2, 6, src, 0, p);
    b.add(src, 6 * block.length, 7 * block.length, 2, 28, p, fresh(6), kw);
    b.addRun(cache, 7, 10, src, 0, p);
    const built = b.build();
    expect(built.length).toBe(10);
    expect(built.objs).toEqual([fresh(0), fresh(1), { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }, fresh(6), { n: 7 }, { n: 8 }, { n: 9 }]);
    // the old cache's objects themselves, not copies
    expect(built.objs[2]).toBe(cache.objs[2]);
  });

  it('joins more pieces than one spread may take', () => {
    const n = 400_000;
    const { cache, src } = oldCache(n);
    const b = new BlockCacheBuilder(policy, n);
    const p = b.parent({});
    const want: RawObject[] = [];
    // a run of one block, then one read anew: 400,000 pieces
    for (let i = 0; i < n; i += 2) {
      b.addRun(cache, i, i + 1, src, 0, p);
      want.push(cache.objs[i]);
      const o = { fresh: i + 1 };
      b.add(src, (i + 1) * block.length, (i + 2) * block.length, 2, 28, p, o, kw);
      want.push(o);
    }
    const built = b.build();
    expect(built.length).toBe(n);
    expect(built.objs.every((o, k) => o === want[k])).toBe(true);
  });

  it('builds an empty cache', () => {
    expect(new BlockCacheBuilder(policy).build().length).toBe(0);
  });
});
