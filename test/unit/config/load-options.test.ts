// loadOptions: every load's options of one map (objects spread from others had a map per set of
// fields, which a GC could drop: a first SIGHUP's load then deoptimised on its options), and a
// load made with them is the load the same options as a plain object make.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { loadConfig, loadOptions, type LoadStep } from '../../../src/config/load.js';

setFlagsFromString('--allow-natives-syntax');
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

const rs = (h: number, w: number): string => `  real_server 10.0.0.${h} 80 {\n    weight ${w}\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }\n`;
const conf = (w: number): string => `virtual_server 10.0.0.1 80 {\n  protocol TCP\n  lvs_sched rr\n  lvs_method NAT\n${rs(2, 1)}${rs(3, w)}}\n`;

describe('loadOptions', () => {
  it('gives options of one map whatever is set or not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-opts-'));
    try {
      const f = join(dir, 'k.conf');
      writeFileSync(f, conf(1));
      const blocks = loadConfig(f, { keepBlocks: true }).blocks;
      expect(blocks).toBeDefined();
      const all = [
        loadOptions({}, undefined, true, undefined),
        loadOptions({ configId: 'lb1', allConfig: true }, blocks, true, () => {}),
        loadOptions({ system: { interfaces: () => [] } as never }, blocks, false, undefined),
      ];
      for (const o of all) expect(sameMap(o, all[0])).toBe(true);
      // (what a spread gives is another map: the thing this avoids)
      expect(sameMap({ ...{}, keepBlocks: true }, all[0])).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads as the plain options do: base fields kept, reuse, blocks kept, marks called', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-opts-'));
    try {
      const f = join(dir, 'k.conf');
      writeFileSync(f, conf(1));
      const first = loadConfig(f, loadOptions({ configId: 'lb1' }, undefined, true, undefined));
      expect(first.ok).toBe(true);
      expect(first.blocks).toBeDefined();
      expect(loadConfig(f, loadOptions({}, undefined, false, undefined)).blocks).toBeUndefined();
      writeFileSync(f, conf(7));
      const marks: LoadStep[] = [];
      const again = loadConfig(f, loadOptions({ configId: 'lb1' }, first.blocks, true, (s) => marks.push(s)));
      const plain = loadConfig(f, { configId: 'lb1', reuse: first.blocks, keepBlocks: true });
      expect(again.reused).toBe(1);
      expect(again.reused).toBe(plain.reused);
      expect(again.model).toEqual(plain.model);
      expect(again.model.virtual_server?.[0]?.real_server?.[0]).toBe(first.model.virtual_server?.[0]?.real_server?.[0]);
      expect(marks).toEqual(['read', 'parse', 'model', 'checks']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
