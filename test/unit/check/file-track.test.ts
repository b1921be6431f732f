import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileStatus, parseTrackValue, readTrackFile, TrackFileWatcher } from '../../../src/check/file-track.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FILE_CHECK', () => {
  it('reads numbers like strtol(.., 0)', () => {
    expect(parseTrackValue('  42\n')).toBe(42);
    expect(parseTrackValue('-7x')).toBe(-7);
    expect(parseTrackValue('0x10')).toBe(16);
    expect(parseTrackValue('010')).toBe(8);
    expect(parseTrackValue('junk')).toBe(0);
    expect(parseTrackValue('99999999999')).toBe(undefined);
  });

  it('weight 0: non-zero is a failure (reverse: zero is)', () => {
    expect(fileStatus(0, 0, false)).toEqual({ up: true, delta: 0 });
    expect(fileStatus(3, 0, false)).toEqual({ up: false, delta: 0 });
    expect(fileStatus(0, 0, true)).toEqual({ up: false, delta: 0 });
  });

  it('weight w: value x w is added (negated with reverse); the lowest int is a failure', () => {
    expect(fileStatus(5, 3, false)).toEqual({ up: true, delta: 15 });
    expect(fileStatus(5, 3, true)).toEqual({ up: true, delta: -15 });
    expect(fileStatus(-2147483648, 1, false)).toEqual({ up: false, delta: 0 });
  });

  it('missing file reads 0; the watcher reports changes, also by rename', async () => {
    const f = join(dir, 'state');
    expect(await readTrackFile(f)).toBe(0);
    writeFileSync(f, '1\n');
    const seen: number[] = [];
    const w = new TrackFileWatcher(f, (v) => seen.push(v));
    expect(await w.start()).toBe(1);
    try {
      writeFileSync(f, '7\n');
      for (let i = 0; i < 50 && !seen.includes(7); i++) await new Promise((r) => setTimeout(r, 20));
      writeFileSync(join(dir, 'tmp'), '9\n');
      renameSync(join(dir, 'tmp'), f);
      for (let i = 0; i < 50 && !seen.includes(9); i++) await new Promise((r) => setTimeout(r, 20));
      expect(seen).toEqual([7, 9]);
    } finally {
      w.stop();
    }
  });
});
