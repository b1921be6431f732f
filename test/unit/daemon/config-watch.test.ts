// The watch that prepares a reload: it fires for the files a load read (also when an editor
// replaces one by a rename) and for any entry of a listed folder, once per burst, not for others.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigWatch, watchSet } from '../../../src/daemon/config-watch.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-watch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('watchSet', () => {
  it('groups paths by folder, a listed folder taking every entry', () => {
    const s = watchSet([
      { path: '/etc/k/a.conf', listing: false },
      { path: '/etc/k/b.conf', listing: false },
      { path: '/etc/k/inc', listing: true },
      { path: '/etc/k/inc/x.conf', listing: false },
    ]);
    expect([...s.keys()].sort()).toEqual(['/etc/k', '/etc/k/inc']);
    expect(s.get('/etc/k')).toEqual(new Set(['a.conf', 'b.conf']));
    expect(s.get('/etc/k/inc')).toBe('all');
  });
});

describe('ConfigWatch', () => {
  it('calls back once per burst of writes to a watched file, after it settles', async () => {
    const f = join(dir, 'k.conf');
    writeFileSync(f, 'a');
    let n = 0;
    const w = new ConfigWatch(() => n++, 50);
    try {
      w.set(watchSet([{ path: f, listing: false }]));
      for (let i = 0; i < 5; i++) writeFileSync(f, `b${i}`);
      await settle(400);
      expect(n).toBe(1);
      // other files of the folder are not the config's
      writeFileSync(join(dir, '.k.conf.swp'), 'x');
      await settle(400);
      expect(n).toBe(1);
      // an editor's save by rename
      writeFileSync(join(dir, 'k.conf.new'), 'c');
      renameSync(join(dir, 'k.conf.new'), f);
      await settle(400);
      expect(n).toBe(2);
    } finally {
      w.close();
    }
    writeFileSync(f, 'after close');
    await settle(300);
    expect(n).toBe(2);
  });

  it('fires for a new entry of a listed folder and lets go of folders no longer listed', async () => {
    const inc = mkdtempSync(join(dir, 'inc-'));
    const other = mkdtempSync(join(dir, 'other-'));
    let n = 0;
    const w = new ConfigWatch(() => n++, 20);
    try {
      w.set(watchSet([{ path: inc, listing: true }, { path: join(other, 'x.conf'), listing: false }]));
      expect(w.folders.sort()).toEqual([inc, other].sort());
      writeFileSync(join(inc, 'new.conf'), '');
      await settle(300);
      expect(n).toBe(1);
      w.set(watchSet([{ path: inc, listing: true }]));
      expect(w.folders).toEqual([inc]);
      writeFileSync(join(other, 'x.conf'), '');
      await settle(300);
      expect(n).toBe(1);
    } finally {
      w.close();
    }
  });
});
