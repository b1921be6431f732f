import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { splitCommand, resolveCredentials } from '../../../src/vrrp/trackers/command.js';
import { Limiter } from '../../../src/vrrp/trackers/limiter.js';
import { runCommand } from '../../../src/vrrp/trackers/run-command.js';
import { ScriptStatus } from '../../../src/vrrp/trackers/script-status.js';
import { ScriptTracker } from '../../../src/vrrp/trackers/script.js';
import { TrackFile, parseTrackValue, trackFileOffset } from '../../../src/vrrp/trackers/file.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-trk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Running (not gone, not a zombie waiting for init to reap it). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('splitCommand', () => {
  it('splits on blanks with quotes grouping, as keepalived reads script lines', () => {
    expect(splitCommand('/bin/check  a "b c" \'d e\' ""')).toEqual(['/bin/check', 'a', 'b c', 'd e', '']);
    expect(splitCommand('x\ty')).toEqual(['x', 'y']);
    expect(splitCommand('   ')).toEqual([]);
  });
});

describe('resolveCredentials', () => {
  it('reads users and groups by name or number', () => {
    writeFileSync(join(dir, 'passwd'), 'root:x:0:0::/root:/bin/sh\nsvc:x:1001:1002::/:/bin/false\n');
    writeFileSync(join(dir, 'group'), 'root:x:0:\nops:x:2000:\n');
    expect(resolveCredentials('svc', undefined, dir)).toEqual({ uid: 1001, gid: 1002 });
    expect(resolveCredentials('svc', 'ops', dir)).toEqual({ uid: 1001, gid: 2000 });
    expect(resolveCredentials('55', '66', dir)).toEqual({ uid: 55, gid: 66 });
    expect(() => resolveCredentials('nobody-here', undefined, dir)).toThrow(/unknown user/);
    expect(() => resolveCredentials('svc', 'nogroup-here', dir)).toThrow(/unknown group/);
  });
});

describe('ScriptStatus (rise/fall)', () => {
  it('needs `fall` failures in a row to go down and `rise` successes to come back', () => {
    const s = new ScriptStatus(2, 3, false);
    expect([s.result(false), s.result(false), s.result(true), s.result(false), s.result(false)]).toEqual([false, false, false, false, false]);
    expect(s.up).toBe(true);
    expect(s.result(false)).toBe(true);
    expect(s.up).toBe(false);
    expect([s.result(true), s.result(false), s.result(true)]).toEqual([false, false, false]);
    expect(s.result(true)).toBe(true);
    expect(s.up).toBe(true);
  });

  it('init_fail starts down', () => {
    const s = new ScriptStatus(1, 1, true);
    expect(s.up).toBe(false);
    expect(s.result(true)).toBe(true);
  });

  it('property: status only changes after a full streak of the opposite result', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.array(fc.boolean(), { maxLength: 60 }), (rise, fall, runs) => {
      const s = new ScriptStatus(rise, fall, false);
      let streak = 0;
      let last: boolean | null = null;
      for (const r of runs) {
        streak = r === last ? streak + 1 : 1;
        last = r;
        const before = s.up;
        const changed = s.result(r);
        if (changed) {
          expect(s.up).toBe(r);
          expect(streak).toBeGreaterThanOrEqual(r ? rise : fall);
        } else {
          expect(s.up).toBe(before);
        }
      }
    }));
  });
});

describe('Limiter', () => {
  it('never runs more than max jobs at once and runs them all', async () => {
    const l = new Limiter(2);
    let peak = 0;
    let now = 0;
    const jobs = Array.from({ length: 7 }, (_, i) => l.run(async () => {
      now++;
      peak = Math.max(peak, now);
      await sleep(10);
      now--;
      return i;
    }));
    expect(await Promise.all(jobs)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(peak).toBe(2);
    expect(l.active).toBe(0);
  });
});

describe('runCommand', () => {
  it('reports the exit code, passes extra arguments, runs without a shell', async () => {
    const out = join(dir, 'args');
    const script = join(dir, 'args.sh');
    writeFileSync(script, `#!/bin/sh\necho "$@" > ${out}\nexit 3\n`, { mode: 0o755 });
    expect(await runCommand(`${script} "a b"`, { args: ['INSTANCE', 'VI_1', 'MASTER', '100'] })).toEqual({ kind: 'exit', code: 3 });
    expect(readFileSync(out, 'utf8')).toBe('a b INSTANCE VI_1 MASTER 100\n');
    expect(await runCommand('/bin/true $(reboot)')).toEqual({ kind: 'exit', code: 0 });
  });

  it('runs as the configured user (vrrp_script `user`)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'lvsd-user-'));
    try {
      chmodSync(d, 0o777);
      const script = join(d, 'whoami.sh');
      writeFileSync(script, `#!/bin/sh\nid -u > ${d}/uid\nid -g > ${d}/gid\n`, { mode: 0o755 });
      const nobody = resolveCredentials('nobody');
      expect(await runCommand(script, { credentials: nobody })).toEqual({ kind: 'exit', code: 0 });
      expect(Number(readFileSync(join(d, 'uid'), 'utf8'))).toBe(nobody.uid);
      expect(Number(readFileSync(join(d, 'gid'), 'utf8'))).toBe(nobody.gid);
      expect(nobody.uid).not.toBe(0);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('a missing program is an error result, not a throw', async () => {
    expect((await runCommand(join(dir, 'no-such-program'))).kind).toBe('error');
  });

  it('timeout kills the whole process group (grandchildren too) and reaps it', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const script = join(dir, 'hang.sh');
    writeFileSync(script, `#!/bin/sh\nsleep 30 &\necho $! > ${pidFile}\nwait\n`, { mode: 0o755 });
    const t0 = Date.now();
    const r = await runCommand(script, { timeoutMs: 300, killGraceMs: 200 });
    expect(r).toEqual({ kind: 'timeout' });
    expect(Date.now() - t0).toBeLessThan(2000);
    const gc = Number(readFileSync(pidFile, 'utf8'));
    for (let i = 0; i < 20 && alive(gc); i++) await sleep(50);
    expect(alive(gc)).toBe(false);
  });

  it('a script ignoring SIGTERM is killed after the grace period', async () => {
    const script = join(dir, 'stubborn.sh');
    writeFileSync(script, `#!/bin/sh\ntrap '' TERM\nwhile :; do sleep 0.05; done\n`, { mode: 0o755 });
    const t0 = Date.now();
    expect(await runCommand(script, { timeoutMs: 100, killGraceMs: 200 })).toEqual({ kind: 'timeout' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});

describe('ScriptTracker', () => {
  it('runs every interval and reports a change after `fall` failures', async () => {
    const flag = join(dir, 'ok-flag');
    writeFileSync(flag, '');
    const script = join(dir, 'chk.sh');
    writeFileSync(script, `#!/bin/sh\ntest -e ${flag}\n`, { mode: 0o755 });
    const t = new ScriptTracker({ name: 'chk', cmd: script, intervalMs: 40, timeoutMs: 1000, rise: 1, fall: 2, initFail: false }, new Limiter(2));
    const changes: boolean[] = [];
    t.on('change', (up: boolean) => changes.push(up));
    t.start();
    try {
      await sleep(200);
      expect(t.runs).toBeGreaterThanOrEqual(2);
      expect(changes).toEqual([]);
      rmSync(flag);
      for (let i = 0; i < 40 && changes.length === 0; i++) await sleep(25);
      expect(changes).toEqual([false]);
      writeFileSync(flag, '');
      for (let i = 0; i < 40 && changes.length === 1; i++) await sleep(25);
      expect(changes).toEqual([false, true]);
    } finally {
      t.stop();
    }
  });
});

describe('track file', () => {
  it('reads numbers as strtol(.., 0) does', () => {
    expect(parseTrackValue('42\n')).toBe(42);
    expect(parseTrackValue(' -7 junk')).toBe(-7);
    expect(parseTrackValue('0x10')).toBe(16);
    expect(parseTrackValue('010')).toBe(8);
    expect(parseTrackValue('abc')).toBe(0);
    expect(parseTrackValue('')).toBe(0);
  });

  it('offset = value x weight (reverse negates), clamped; -254 or weight 0 with a non-zero value is FAULT', () => {
    expect(trackFileOffset(3, 5, false)).toBe(15);
    expect(trackFileOffset(3, 5, true)).toBe(-15);
    expect(trackFileOffset(100, 5, false)).toBe(253);
    expect(trackFileOffset(-100, 5, false)).toBe('fault');
    expect(trackFileOffset(1, 0, false)).toBe('fault');
    expect(trackFileOffset(0, 0, false)).toBe(0);
    expect(trackFileOffset(0, 0, true)).toBe('fault');
    expect(trackFileOffset(1, 0, true)).toBe(0);
  });

  it('watches the file (inotify) and reports new values; init_file creates it', async () => {
    const path = join(dir, 'track-value');
    const tf = new TrackFile({ name: 'tf', path, init: { value: 5, overwrite: false } });
    tf.start();
    try {
      expect(existsSync(path)).toBe(true);
      expect(tf.value).toBe(5);
      const seen: number[] = [];
      tf.on('change', (v: number) => seen.push(v));
      writeFileSync(path, '9\n');
      for (let i = 0; i < 40 && seen.length === 0; i++) await sleep(25);
      expect(seen).toEqual([9]);
      expect(tf.value).toBe(9);
    } finally {
      tf.stop();
    }
  });
});

describe('track_file offsets in the state machine', () => {
  it('an offset moves the effective priority; "fault" forces FAULT and clearing it lets the instance come back', async () => {
    const { VrrpMachine } = await import('../../../src/vrrp/machine.js');
    const { defaultMachineParams } = await import('../../../src/vrrp/types.js');
    const m = new VrrpMachine(defaultMachineParams({ vrid: 1, primaryAddress: '10.0.0.1', priority: 100, tracked: [{ id: 'file:tf', weight: 0, mode: 'offset' }] }));
    expect(m.effectivePriority).toBe(100);
    m.handle({ type: 'track-offset', id: 'file:tf', offset: 15 }, 0);
    expect(m.effectivePriority).toBe(115);
    m.handle({ type: 'start' }, 0);
    expect(m.state).toBe('BACKUP');
    const a = m.handle({ type: 'track-offset', id: 'file:tf', offset: -30 }, 10);
    expect(a).toContainEqual({ type: 'priority', priority: 70 });
    m.handle({ type: 'track-offset', id: 'file:tf', offset: 'fault' }, 20);
    expect(m.state).toBe('FAULT');
    m.handle({ type: 'track-offset', id: 'file:tf', offset: 0 }, 30);
    expect(m.state).toBe('BACKUP');
    expect(m.effectivePriority).toBe(100);
    // Unknown ids are ignored; an owner (255) is not moved by offsets.
    m.handle({ type: 'track-offset', id: 'file:other', offset: 'fault' }, 40);
    expect(m.state).toBe('BACKUP');
    const owner = new VrrpMachine(defaultMachineParams({ vrid: 2, primaryAddress: '10.0.0.1', priority: 255, tracked: [{ id: 'f', weight: 0, mode: 'offset' }] }));
    owner.handle({ type: 'track-offset', id: 'f', offset: -50 }, 0);
    expect(owner.effectivePriority).toBe(255);
  });
});
