import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AlreadyRunning, DEFAULT_CHECKERS_PID_FILE, DEFAULT_PID_FILE, DEFAULT_VRRP_PID_FILE, pidFilePaths, readPid, removePidFiles, writePidFiles,
} from '../../../src/daemon/pidfiles.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-pid-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pid files', () => {
  it('defaults carry lvsd names; subsystems not running get none', () => {
    expect(pidFilePaths({}, true, true)).toEqual([DEFAULT_PID_FILE, DEFAULT_VRRP_PID_FILE, DEFAULT_CHECKERS_PID_FILE]);
    expect(DEFAULT_PID_FILE).toBe('/run/lvsd.pid');
    expect(pidFilePaths({ pidFile: '/x/a.pid', vrrpPidFile: '/x/v.pid' }, true, false)).toEqual(['/x/a.pid', '/x/v.pid']);
    expect(pidFilePaths({ pidFile: '/x/a.pid', checkersPidFile: '/x/a.pid' }, false, true)).toEqual(['/x/a.pid']);
  });

  it('writes our pid everywhere and removes only files that still name us', () => {
    const a = join(dir, 'a.pid');
    const b = join(dir, 'b.pid');
    writePidFiles([a, b], 4242, () => false);
    expect(readFileSync(a, 'utf8')).toBe('4242\n');
    expect(readPid(b)).toBe(4242);
    writeFileSync(b, '999\n');
    removePidFiles([a, b], 4242);
    expect(existsSync(a)).toBe(false);
    expect(existsSync(b)).toBe(true);
  });

  it('refuses when a pid file names another live process, ignores a stale one', () => {
    const a = join(dir, 'c.pid');
    writeFileSync(a, '777\n');
    expect(() => writePidFiles([a], 4242, (p) => p === 777)).toThrow(AlreadyRunning);
    expect(readPid(a)).toBe(777);
    writePidFiles([a], 4242, () => false);
    expect(readPid(a)).toBe(4242);
    writeFileSync(a, 'garbage');
    expect(readPid(a)).toBeUndefined();
  });
});
