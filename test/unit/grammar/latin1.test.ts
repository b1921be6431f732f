// A changed config's bytes and text from one read (lvsd's text addon, grammar/native/file-text.c):
// the text is an external string over the bytes, not a copy in V8's heap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { knownLatin1 } from '../../../grammar/latin1.js';
import { readFileSync, readOnce, recordInputs, inputsUnchanged, useFileReader, withFileBytes } from '../../../grammar/observed-fs.js';
import { useTextAddon } from '../../../src/daemon/text-reader.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** n bytes of config-like ASCII; `digit` changes one of them */
function text(n: number, digit = '1'): Buffer {
  const b = Buffer.alloc(n);
  const line = Buffer.from(`  real_server 10.0.0.${digit} 80 {\n    weight 1\n  }\n`);
  for (let i = 0; i < n; i += line.length) line.copy(b, i, 0, Math.min(line.length, n - i));
  return b;
}

// (old and young large objects: where V8 puts a new one depends on the flags it runs with)
const largeObjects = (): number => getHeapSpaceStatistics().filter((s) => s.space_name.endsWith('large_object_space')).reduce((a, s) => a + s.space_used_size, 0);

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-latin1-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** inside readOnce: the file at f compared with what `inputs` recorded, then read as the load reads it */
function readChanged(f: string, inputs: ReturnType<typeof recordInputs>['inputs']): { same: boolean; bytes: Buffer; heapGrowth: number; text: string } {
  return readOnce(() => {
    const same = inputsUnchanged(inputs);
    const bytes = readFileSync(f);
    const before = largeObjects();
    const t = knownLatin1(bytes) ?? bytes.toString('latin1');
    return { same, bytes, heapGrowth: largeObjects() - before, text: t };
  });
}

describe('knownLatin1', () => {
  it('knows no text for a buffer no reader made', () => {
    expect(knownLatin1(Buffer.from([0x61, 0x62, 0x0a]))).toBeUndefined();
    expect(knownLatin1(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('a changed file read once (readOnce), through the text addon', () => {
  beforeAll(() => useTextAddon());
  afterAll(() => useFileReader(undefined));

  it('hands the load the bytes and their text, made from one read: no heap copy of 1 MB', () => {
    withDir((dir) => {
      const n = 973_870;
      const f = join(dir, 'big.conf');
      writeFileSync(f, text(n));
      const { inputs } = recordInputs(() => readFileSync(f));
      const changed = text(n, '2');
      writeFileSync(f, changed);
      const r = readChanged(f, inputs);
      expect(r.same).toBe(false);
      expect(r.bytes.equals(changed)).toBe(true);
      expect(r.text === changed.toString('latin1')).toBe(true);
      expect(r.heapGrowth).toBeLessThan(n / 2);
      // what the measure sees for the usual decode (best of three: a GC can only shrink it)
      const grew = (): number => {
        const b = Buffer.from(changed);
        const at = largeObjects();
        const s = b.toString('latin1');
        expect(s.length).toBe(n);
        return largeObjects() - at;
      };
      expect(Math.max(grew(), grew(), grew())).toBeGreaterThanOrEqual(n);
    });
  });

  it('gives no text for a file with non-ASCII bytes (the reader decodes UTF-8 itself)', () => {
    withDir((dir) => {
      const f = join(dir, 'u.conf');
      writeFileSync(f, 'global_defs {\n  router_id a\n}\n');
      const { inputs } = recordInputs(() => readFileSync(f));
      const changed = Buffer.from('global_defs {\n  router_id é\n}\n');
      writeFileSync(f, changed);
      const r = readChanged(f, inputs);
      expect(r.same).toBe(false);
      expect(r.bytes.equals(changed)).toBe(true);
      expect(knownLatin1(r.bytes)).toBeUndefined();
    });
  });

  it('a file gone: the comparison says changed and the load gets the error fs gives', () => {
    withDir((dir) => {
      const f = join(dir, 'gone.conf');
      writeFileSync(f, 'x\n');
      const { inputs } = recordInputs(() => readFileSync(f));
      rmSync(f);
      readOnce(() => {
        expect(inputsUnchanged(inputs)).toBe(false);
        expect(() => readFileSync(f)).toThrow(expect.objectContaining({ code: 'ENOENT' }) as Error);
      });
    });
  });

  it('a text outlives its Buffer: its memory is not reused for the next read until both are gone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-latin1-'));
    try {
      const n = 300_000;
      const f = join(dir, 'c.conf');
      writeFileSync(f, text(n));
      const { inputs } = recordInputs(() => readFileSync(f));
      writeFileSync(f, text(n, '3'));
      const kept = readChanged(f, inputs).text; // (its Buffer dropped here)
      const want = text(n, '3').toString('latin1');
      for (let round = 0; round < 5; round++) {
        // (a collected Buffer's memory is handed back on a later turn of the loop)
        gc();
        for (let t = 0; t < 3; t++) await new Promise((r) => setImmediate(r));
        writeFileSync(f, text(n, String(4 + round)));
        const r = readChanged(f, inputs);
        expect(r.text === text(n, String(4 + round)).toString('latin1')).toBe(true);
        expect(kept === want).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a stand-in file (the rehearsal\'s made-up edit) comes as a read would give it: bytes and their text', () => {
    const bytes = text(200_000, '5');
    const r = withFileBytes('/nowhere/keepalived.conf', bytes, () => readFileSync('/nowhere/keepalived.conf'));
    expect(r.equals(bytes)).toBe(true);
    expect(r === bytes).toBe(false);
    expect(knownLatin1(r) === bytes.toString('latin1')).toBe(true);
  });

  it('its Buffer has the map of every Buffer (node\'s C++ Buffer would be a map of its own: optimised code deoptimised on it)', () => {
    withDir((dir) => {
      const f = join(dir, 'm.conf');
      writeFileSync(f, 'global_defs {\n}\n');
      const probe = `
        const { useTextAddon } = require(${JSON.stringify(join(process.cwd(), 'dist/src/daemon/text-reader.js'))});
        const o = require(${JSON.stringify(join(process.cwd(), 'dist/grammar/observed-fs.js'))});
        useTextAddon();
        let b;
        const rec = o.recordInputs(() => o.readFileSync(${JSON.stringify(f)}));
        (await import('node:fs')).writeFileSync(${JSON.stringify(f)}, 'global_defs {\\n  router_id b\\n}\\n');
        o.readOnce(() => { o.inputsUnchanged(rec.inputs); b = o.readFileSync(${JSON.stringify(f)}); });
        process.stdout.write(String(o.readFileSync !== undefined && b.toString().includes('router_id b') && %HaveSameMap(b, Buffer.from('abc'))));`;
      const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', probe.replace(/require\(/g, 'await import(')], { encoding: 'utf8' });
      expect(out).toBe('true');
    });
  });

  it('a file that never ends (a device) is refused, not read into memory without bound', () => {
    const addon = createRequire(import.meta.url)(join(process.cwd(), 'build/Release/lvsd_text.node')) as { read(p: string): unknown };
    expect(() => addon.read('/dev/zero')).toThrow(expect.objectContaining({ code: 'EFBIG' }) as Error);
  });
});
