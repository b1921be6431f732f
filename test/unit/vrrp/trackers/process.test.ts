// vrrp_track_process: matching rules (keepalived.conf(5)), the quorum/delay machine, and the
// /proc scanner against a fake /proc tree.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { matches, parseStat, processMatch, type ProcInfo } from '../../../../src/vrrp/trackers/process-match.js';
import { ProcessQuorum } from '../../../../src/vrrp/trackers/process-quorum.js';
import { ProcessScanner } from '../../../../src/vrrp/trackers/process.js';

const proc = (comm: string, argv: string[] = [comm], zombie = false): ProcInfo => ({
  comm, zombie, cmdline: Buffer.from(argv.map((a) => `${a}\0`).join('')),
});

describe('process matching', () => {
  it('parses comm with spaces and parentheses from /proc/PID/stat', () => {
    expect(parseStat('123 (Web (Content)) S 1 2 3')).toEqual({ comm: 'Web (Content)', state: 'S' });
    expect(parseStat('garbage')).toBeNull();
  });

  it('by name: comm exactly (not a prefix, unlike pgrep), zombies excluded', () => {
    const m = processMatch({ name: 'ssh' });
    expect(m).toEqual({ name: 'ssh', params: [], paramMatch: 'none', fullCommand: false });
    expect(matches(m, proc('ssh'))).toBe(true);
    expect(matches(m, proc('sshd'))).toBe(false);
    expect(matches(m, proc('ssh', ['ssh'], true))).toBe(false);
  });

  it('full_command: argv[0] exactly, any parameters', () => {
    const m = processMatch({ name: '/usr/sbin/haproxy', fullCommand: true });
    expect(matches(m, proc('haproxy', ['/usr/sbin/haproxy', '-f', 'x']))).toBe(true);
    expect(matches(m, proc('haproxy', ['haproxy', '-f', 'x']))).toBe(false);
    expect(matches(m, { comm: 'kworker', zombie: false, cmdline: Buffer.alloc(0) })).toBe(false);
  });

  it('parameters: exact by default; partial = first n exactly; initial = last one a prefix', () => {
    const exact = processMatch({ name: 'sleep', params: ['100'] });
    expect(exact.fullCommand).toBe(true);
    expect(matches(exact, proc('sleep', ['sleep', '100']))).toBe(true);
    expect(matches(exact, proc('sleep', ['sleep', '1000']))).toBe(false);
    expect(matches(exact, proc('sleep', ['sleep', '100', 'x']))).toBe(false);
    const partial = processMatch({ name: 'sleep', params: ['100'], paramMatch: 'partial' });
    expect(matches(partial, proc('sleep', ['sleep', '100', 'x']))).toBe(true);
    expect(matches(partial, proc('sleep', ['sleep', '1000']))).toBe(false);
    const initial = processMatch({ name: 'sleep', params: ['10'], paramMatch: 'initial' });
    expect(matches(initial, proc('sleep', ['sleep', '1000']))).toBe(true);
    expect(matches(initial, proc('sleep', ['sleep', '2']))).toBe(false);
  });

  it('param_match with no parameters: the process must have none', () => {
    const m = processMatch({ name: 'sleep', paramMatch: 'exact' });
    expect(matches(m, proc('sleep', ['sleep']))).toBe(true);
    expect(matches(m, proc('sleep', ['sleep', '1']))).toBe(false);
  });
});

describe('ProcessQuorum', () => {
  const p = { quorum: 2, quorumMax: 3, forkDelayMs: 0, terminateDelayMs: 0 };

  it('up while quorum <= count <= quorum_max, at once without delays', () => {
    const q = new ProcessQuorum(p, 0);
    expect(q.up).toBe(false);
    expect(q.observe(1, 0)).toBe(false);
    expect(q.observe(2, 0)).toBe(true);
    expect(q.up).toBe(true);
    expect(q.observe(4, 0)).toBe(true);
    expect(q.up).toBe(false);
    expect(new ProcessQuorum(p, 3).up).toBe(true);
  });

  it('quorum_max 0 (quorum 0): up only while none runs', () => {
    const q = new ProcessQuorum({ quorum: 0, quorumMax: 0, forkDelayMs: 0, terminateDelayMs: 0 }, 0);
    expect(q.up).toBe(true);
    expect(q.observe(1, 0)).toBe(true);
    expect(q.up).toBe(false);
  });

  it('terminate_delay: down only if still short when it runs out; a restart within it changes nothing', () => {
    const q = new ProcessQuorum({ quorum: 1, quorumMax: 10, forkDelayMs: 500, terminateDelayMs: 1000 }, 1);
    expect(q.observe(0, 0)).toBe(false);
    expect(q.pendingAt).toBe(1000);
    expect(q.observe(1, 400)).toBe(false); // back: the pending change is cancelled
    expect(q.pendingAt).toBeNull();
    expect(q.due(2000)).toBe(false);
    expect(q.up).toBe(true);
    q.observe(0, 3000);
    expect(q.due(3999)).toBe(false);
    expect(q.due(4000)).toBe(true);
    expect(q.up).toBe(false);
    // fork_delay on the way up
    expect(q.observe(1, 5000)).toBe(false);
    expect(q.pendingAt).toBe(5500);
    expect(q.due(5500)).toBe(true);
    expect(q.up).toBe(true);
  });
});

describe('ProcessScanner over a fake /proc', () => {
  let root = '';
  let sc: ProcessScanner | undefined;
  afterEach(() => {
    sc?.stop();
    rmSync(root, { recursive: true, force: true });
  });
  const add = (pid: number, comm: string, argv: string[], state = 'S'): void => {
    mkdirSync(join(root, String(pid)), { recursive: true });
    writeFileSync(join(root, String(pid), 'stat'), `${pid} (${comm}) ${state} 1 1 1`);
    writeFileSync(join(root, String(pid), 'cmdline'), argv.map((a) => `${a}\0`).join(''));
  };

  it('counts per tracked name, reports quorum changes, sees zombies and exec renames', async () => {
    root = mkdtempSync(join(tmpdir(), 'lvsd-proc-'));
    mkdirSync(join(root, 'self'));
    add(1, 'init', ['/sbin/init']);
    add(10, 'nginx', ['nginx', '-g', 'x']);
    sc = new ProcessScanner([
      { name: 'web', match: processMatch({ name: 'nginx' }), quorum: { quorum: 2, quorumMax: 0xffffffff, forkDelayMs: 0, terminateDelayMs: 0 } },
      { name: 'exact', match: processMatch({ name: 'nginx', params: ['-g', 'x'] }), quorum: { quorum: 1, quorumMax: 1, forkDelayMs: 0, terminateDelayMs: 0 } },
    ], { intervalMs: 20, procRoot: root });
    const changes: string[] = [];
    sc.on('change', (n: string, up: boolean) => changes.push(`${n}:${up}`));
    sc.start();
    expect([sc.up('web'), sc.up('exact')]).toEqual([false, true]);
    add(11, 'sh', ['sh', '-c', 'exec nginx']); // forked, not yet exec'd
    await new Promise((r) => setTimeout(r, 30));
    add(11, 'nginx', ['nginx', '-g', 'x']); // the exec: a young PID is read again
    for (let i = 0; i < 50 && changes.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(changes.sort()).toEqual(['exact:false', 'web:true']); // two exact matches exceed quorum_max 1
    add(10, 'nginx', ['nginx', '-g', 'x'], 'Z');
    for (let i = 0; i < 50 && changes.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(changes[2]).toBe('web:false');
    expect(sc.count('web')).toBe(1);
  });
});
