// The running lvsd daemon against keepalived 2.2.7, same config, each in its own namespace:
// SIGUSR1/SIGUSR2/the JSON signal make both write their dumps; lvsd's must be keepalived's
// lines in keepalived's order, its stats file the same and its JSON the same fields and values
// (times aside). `lvsd status --json` and the metrics endpoint report the same states.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twoInstanceConf } from './two-instances-conf.js';
import { missingInOrder } from '../../unit/daemon/lines-in-order.js';
import { queryStatus } from '../../../src/cli/status.js';
import { JSON_DUMP_SIGNAL } from '../../../src/daemon/dumps.js';
import type { DaemonStatus } from '../../../src/daemon/state.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'dist/src/cli/lvsd.js');
const id = process.pid % 100000;
const nsK = `lvsdek-${id}`;
const nsL = `lvsdel-${id}`;
const dir = mkdtempSync(join(tmpdir(), 'lvsd-dumps-e2e-'));
const dirK = join(dir, 'ka');
const dirL = join(dir, 'lvsd');
const procs: ChildProcess[] = [];
const logs = { ka: '', lvsd: '' };
const files = { ka: { data: '', stats: '', json: '' }, lvsd: { data: '', stats: '', json: '' } };
let status: DaemonStatus | undefined;
let metrics = '';


const CONF = twoInstanceConf('lvsd-e2e');

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 15_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || String(r.error)}`);
  return r.stdout;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n--- keepalived:\n${logs.ka}\n--- lvsd:\n${logs.lvsd}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function pidOf(path: string): number {
  return existsSync(path) ? Number(readFileSync(path, 'utf8').trim()) : 0;
}

function start(who: 'ka' | 'lvsd', ns: string, args: string[], tmp: string): void {
  const p = spawn('ip', ['netns', 'exec', ns, ...args], { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
  p.stdout?.on('data', (d: Buffer) => { logs[who] += d.toString(); });
  p.stderr?.on('data', (d: Buffer) => { logs[who] += d.toString(); });
  procs.push(p);
}

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('netns tests need root');
  if (!existsSync('/usr/sbin/keepalived')) throw new Error('/usr/sbin/keepalived missing');
  if (!existsSync(CLI)) throw new Error(`no built CLI at ${CLI}`);
  sh('mkdir', ['-p', dirK, dirL]);
  writeFileSync(join(dir, 'k.conf'), CONF);
  for (const ns of [nsK, nsL]) {
    spawnSync('ip', ['netns', 'del', ns]);
    sh('ip', ['netns', 'add', ns]);
    sh('ip', ['-n', ns, 'link', 'add', 'dd0', 'type', 'veth', 'peer', 'name', 'dd1']);
    for (const l of ['lo', 'dd0', 'dd1']) sh('ip', ['-n', ns, 'link', 'set', l, 'up']);
    sh('ip', ['-n', ns, 'addr', 'add', '10.88.0.1/24', 'dev', 'dd0']);
  }
  start('ka', nsK, ['keepalived', '-P', '-n', '-l', '-f', join(dir, 'k.conf'), '-p', join(dirK, 'ka.pid'), '-r', join(dirK, 'vrrp.pid')], dirK);
  start('lvsd', nsL, [process.execPath, CLI, '-n', '-l', '-f', join(dir, 'k.conf'), '-p', join(dirL, 'lvsd.pid'),
    `--status-socket=${join(dirL, 'lvsd.sock')}`, '--metrics-listen=127.0.0.1:9650'], dirL);
  await until('keepalived VI_2 MASTER', () => logs.ka.includes('(VI_2) Entering MASTER STATE') && pidOf(join(dirK, 'ka.pid')) > 0);
  await until('lvsd VI_2 MASTER, VI_1 BACKUP', async () => {
    try {
      status = await queryStatus(join(dirL, 'lvsd.sock'), 2000);
      return status.vrrp.map((v) => v.state).join() === 'BACKUP,MASTER';
    } catch { return false; }
  });
  for (const [who, pid, tmp] of [['ka', pidOf(join(dirK, 'ka.pid')), dirK], ['lvsd', pidOf(join(dirL, 'lvsd.pid')), dirL]] as const) {
    // keepalived's JSON signal is SIGRTMIN+2 (36); lvsd's is JSON_DUMP_SIGNAL
    for (const [sig, name] of [['SIGUSR1', 'data'], ['SIGUSR2', 'stats'], [who === 'ka' ? 36 : JSON_DUMP_SIGNAL, 'json']] as const) {
      const path = join(tmp, `keepalived.${name}`);
      process.kill(pid, sig);
      await until(`${who} keepalived.${name}`, () => existsSync(path) && readFileSync(path, 'utf8').length > 0);
      await new Promise((r) => setTimeout(r, 200));
      files[who][name] = readFileSync(path, 'utf8');
    }
  }
  const f = spawnSync('ip', ['netns', 'exec', nsL, process.execPath, '-e', "fetch('http://127.0.0.1:9650/metrics').then(r => r.text()).then(t => process.stdout.write(t), e => { console.error(e); process.exit(1); })"], { encoding: 'utf8', timeout: 15_000 });
  metrics = f.stdout;
}, 60_000);

afterAll(() => {
  for (const p of [pidOf(join(dirK, 'ka.pid')), pidOf(join(dirK, 'vrrp.pid')), pidOf(join(dirL, 'lvsd.pid'))]) {
    if (p > 0) try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
  }
  for (const p of procs) if (p.pid && p.exitCode === null) try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
  for (const ns of [nsK, nsL]) spawnSync('ip', ['netns', 'del', ns]);
  rmSync(dir, { recursive: true, force: true });
});

// times differ between the two daemons by nature
const isTime = (line: string): boolean => line.startsWith('   Last transition = ');

describe('lvsd daemon dumps vs keepalived 2.2.7, same config', () => {
  it('keepalived.data: lvsd writes keepalived lines, in keepalived order', () => {
    const theirs = files.ka.data.trimEnd().split('\n');
    const ours = files.lvsd.data.trimEnd().split('\n').filter((l) => !isTime(l));
    expect(missingInOrder(ours, theirs)).toEqual([]);
    expect(ours.length).toBeGreaterThan(40);
  });

  it('keepalived.stats: identical', () => {
    expect(files.lvsd.stats).toBe(files.ka.stats);
  });

  it('keepalived.json: same fields, same values (times aside)', () => {
    type J = Array<{ data: Record<string, unknown>; stats: Record<string, unknown> }>;
    const ours = JSON.parse(files.lvsd.json) as J;
    const theirs = JSON.parse(files.ka.json) as J;
    expect(ours.map((x) => x.data.iname)).toEqual(theirs.map((x) => x.data.iname));
    theirs.forEach((t, i) => {
      const o = ours[i];
      if (!o) throw new Error('missing instance');
      expect(Object.keys(o.data)).toEqual(Object.keys(t.data).filter((k) => k !== 'auth_data'));
      for (const k of Object.keys(o.data)) {
        if (k === 'last_transition') continue;
        expect([k, o.data[k]]).toEqual([k, t.data[k]]);
      }
      expect(o.stats).toEqual(t.stats);
    });
  });

  it('lvsd status and the metrics endpoint report the same states', () => {
    expect(status?.vrrp.map((v) => [v.name, v.state, v.vipsInstalled])).toEqual([['VI_1', 'BACKUP', false], ['VI_2', 'MASTER', true]]);
    expect(metrics).toMatch(/^lvsd_vrrp_state\{instance="VI_2",interface="dd0",vrid="52",state="MASTER"\} 1$/m);
    expect(metrics).toMatch(/^lvsd_vrrp_state\{instance="VI_1",interface="dd0",vrid="51",state="BACKUP"\} 1$/m);
    expect(metrics).toMatch(/^lvsd_vrrp_adverts_total\{instance="VI_2",direction="sent"\} [1-9]\d*$/m);
  });
});
