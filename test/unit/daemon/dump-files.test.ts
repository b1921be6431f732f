import { describe, expect, it } from 'vitest';
import { dumpsFor } from '../../../src/daemon/dump-files.js';
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
});
