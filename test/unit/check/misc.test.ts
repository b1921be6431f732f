import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { interpretExit, runMisc } from '../../../src/check/misc.js';
import { splitScriptArgs } from '../../../src/check/script-args.js';
import { resolveIds } from '../../../src/check/users.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-misc-'));
chmodSync(dir, 0o777);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sig = () => new AbortController().signal;
const sh = (script: string, over: { timeoutUs?: number; dynamic?: boolean } = {}) =>
  runMisc({ args: ['/bin/sh', '-c', script], timeoutUs: over.timeoutUs ?? 5_000_000, dynamic: over.dynamic ?? false, killGraceMs: 300 }, sig());

/** Running (not dead); a killed orphan may wait as a zombie for init, which is not ours to reap. */
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
};

describe('MISC_CHECK', () => {
  it('splits the script line like keepalived', () => {
    expect(splitScriptArgs(`/bin/sh -c 'exit 3'`)).toEqual(['/bin/sh', '-c', 'exit 3']);
    expect(splitScriptArgs(`/usr/bin/check  "a b" c\\ d`)).toEqual(['/usr/bin/check', 'a b', 'c d']);
  });

  it('exit codes without misc_dynamic: 0 up, anything else down', async () => {
    expect(await sh('exit 0')).toEqual({ ok: true, reason: 'exit 0' });
    expect(await sh('exit 1')).toMatchObject({ ok: false });
    expect(await sh('exit 5')).toEqual({ ok: false, reason: 'exited with status 5' });
  });

  it('misc_dynamic: 0 up at configured weight, 1 down, 2..255 up with weight code-2', async () => {
    expect(await sh('exit 0', { dynamic: true })).toEqual({ ok: true, reason: 'exit 0', weight: null });
    expect((await sh('exit 1', { dynamic: true })).ok).toBe(false);
    expect(await sh('exit 2', { dynamic: true })).toMatchObject({ ok: true, weight: 0 });
    expect(await sh('exit 255', { dynamic: true })).toMatchObject({ ok: true, weight: 253 });
    expect(interpretExit(null, 'SIGSEGV', false, true)).toEqual({ ok: false, reason: 'killed by SIGSEGV' });
  });

  it('a program that cannot run is a failure', async () => {
    const r = await runMisc({ args: [join(dir, 'missing')], timeoutUs: 1_000_000, dynamic: false }, sig());
    expect(r.ok).toBe(false);
  });

  it('timeout: the program and what it started are killed; nothing is left behind', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const t0 = Date.now();
    const r = await sh(`trap '' TERM; sleep 30 & echo $! > ${pidFile}; while :; do sleep 0.05; done`, { timeoutUs: 300_000 });
    const dt = Date.now() - t0;
    expect(r).toEqual({ ok: false, reason: 'timed out' });
    // SIGTERM is ignored by the shell and its child, so SIGKILL after the grace ends both
    expect(dt).toBeGreaterThanOrEqual(550);
    expect(dt).toBeLessThan(3000);
    const gc = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((res) => setTimeout(res, 100));
    expect(alive(gc)).toBe(false);
    // the program itself was reaped by Node: no zombie child of ours
    const kids = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim();
    expect(kids).toBe('');
  });

  it('runs as the configured user and group', async () => {
    const ids = resolveIds('nobody', 'nogroup');
    expect(ids).toBeDefined();
    const out = join(dir, 'ids');
    const r = await runMisc({ args: ['/bin/sh', '-c', `id -u > ${out}; id -g >> ${out}`], timeoutUs: 5_000_000, dynamic: false, ids }, sig());
    expect(r.ok).toBe(true);
    expect(existsSync(out)).toBe(true);
    expect(readFileSync(out, 'utf8').trim().split('\n').map(Number)).toEqual([ids!.uid, ids!.gid]);
  });

  it('resolves users and groups from the system files', () => {
    expect(resolveIds('root')).toEqual({ uid: 0, gid: 0 });
    expect(resolveIds('no-such-user-lvsd')).toBeUndefined();
    expect(resolveIds('root', 'no-such-group-lvsd')).toBeUndefined();
  });
});
