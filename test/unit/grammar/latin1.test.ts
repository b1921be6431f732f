// A config's latin1 text decoded through a read buffer's room (an external string, no heap copy).
import { describe, expect, it } from 'vitest';
import { getHeapSpaceStatistics } from 'node:v8';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXTERN_APEX, latin1Of, roomFor } from '../../../grammar/latin1.js';
import { readFileSync, readOnce, recordInputs, inputsUnchanged } from '../../../grammar/observed-fs.js';

/** n bytes of config-like ASCII in a buffer of `alloc` bytes, the rest junk (0xff) */
function text(n: number, alloc = n): Buffer {
  const b = Buffer.alloc(alloc, 0xff);
  const line = Buffer.from('  real_server 10.0.0.1 80 {\n    weight 1\n  }\n');
  for (let i = 0; i < n; i += line.length) line.copy(b, i, 0, Math.min(line.length, n - i));
  return b.subarray(0, n);
}

// (old and young large objects: where V8 puts a new one depends on the flags it runs with)
const largeObjects = (): number => getHeapSpaceStatistics().filter((s) => s.space_name.endsWith('large_object_space')).reduce((a, s) => a + s.space_used_size, 0);

describe('latin1Of', () => {
  it('gives the buffer\'s own characters, with room or without, at the limits', () => {
    for (const n of [0, 100, 128 * 1024, 128 * 1024 + 1, 973_870, EXTERN_APEX, EXTERN_APEX + 1]) {
      const roomy = text(n, roomFor(n));
      const s = latin1Of(roomy);
      expect(s.length).toBe(n);
      expect(s === roomy.toString('latin1')).toBe(true);
      const tight = Buffer.from(roomy); // (a copy: no room after it)
      expect(latin1Of(tight) === s).toBe(true);
    }
  });

  it('asks room only where the heap copy would be a large object', () => {
    expect(roomFor(1000)).toBe(1000);
    expect(roomFor(973_871)).toBe(EXTERN_APEX + 1);
    expect(roomFor(EXTERN_APEX + 5)).toBe(EXTERN_APEX + 5);
  });

  it('makes no copy of 1 MB in the heap when the buffer has room (a tight one does)', () => {
    const n = 973_870;
    const roomy = text(n, roomFor(n));
    const tight = Buffer.from(roomy);
    const grew = (b: Buffer): number => {
      const before = largeObjects();
      const s = latin1Of(b);
      const d = largeObjects() - before;
      expect(s.length).toBe(n);
      return d;
    };
    // (a GC in the middle can only shrink the growth seen: the tight copy's best of three)
    expect(Math.max(grew(tight), grew(tight), grew(tight))).toBeGreaterThanOrEqual(n); // (what the measure can see)
    expect(grew(roomy)).toBeLessThan(n / 2);
  });
});

describe('a changed file read once (readOnce)', () => {
  it('hands the load the bytes with room after them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-latin1-'));
    try {
      const f = join(dir, 'big.conf');
      writeFileSync(f, text(500_000));
      const { inputs } = recordInputs(() => readFileSync(f));
      const changed = Buffer.from(text(500_000));
      changed.write('9', 30);
      writeFileSync(f, changed);
      readOnce(() => {
        expect(inputsUnchanged(inputs)).toBe(false);
        const b = readFileSync(f);
        expect(b.equals(changed)).toBe(true);
        expect(b.buffer.byteLength - b.byteOffset).toBeGreaterThan(EXTERN_APEX);
        expect(latin1Of(b) === changed.toString('latin1')).toBe(true);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
