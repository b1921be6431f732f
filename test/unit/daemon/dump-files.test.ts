import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dumpsFor, writeNoFollow } from '../../../src/daemon/dump-files.js';
import type { DaemonStatus } from '../../../src/daemon/state.js';

const base: DaemonStatus = {
  pid: 1, version: '0', configFile: '/x', startedAt: 0, reloads: 0, lastReload: null,
  vrrpEnabled: true, checkersEnabled: true, vrrp: [], virtualServers: [],
};

describe('dump files per signal', () => {
  it('SIGUSR1 writes the data dump of each running part, SIGUSR2 the stats, the JSON signal the JSON', () => {
    expect(dumpsFor('data', base).map((d) => d.file)).toEqual(['data', 'checkData']);
    expect(dumpsFor('data', { ...base, checkersEnabled: false }).map((d) => d.file)).toEqual(['data']);
    expect(dumpsFor('data', { ...base, vrrpEnabled: false }).map((d) => d.file)).toEqual(['checkData']);
    expect(dumpsFor('stats', base).map((d) => d.file)).toEqual(['stats']);
    const [json] = dumpsFor('json', base);
    expect(json.file).toBe('json');
    expect(() => JSON.parse(json.text) as unknown).not.toThrow();
  });

  it('a symlink planted at the dump path is not followed; a plain file is written 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-dumpfiles-'));
    try {
      const victim = join(dir, 'victim');
      writeFileSync(victim, 'keep me');
      symlinkSync(victim, join(dir, 'keepalived.stats'));
      await expect(writeNoFollow(join(dir, 'keepalived.stats'), 'dump')).rejects.toMatchObject({ code: 'ELOOP' });
      expect(readFileSync(victim, 'utf8')).toBe('keep me');
      await writeNoFollow(join(dir, 'keepalived.data'), 'dump');
      expect(readFileSync(join(dir, 'keepalived.data'), 'utf8')).toBe('dump');
      expect(statSync(join(dir, 'keepalived.data')).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
