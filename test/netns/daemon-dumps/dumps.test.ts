// lvsd's SIGUSR1/SIGUSR2/JSON dump renderers against real keepalived 2.2.7: keepalived runs
// (VRRP only) in a network namespace with two instances, dumps its files on the signals, and
// our renderers, fed an equivalent DaemonStatus, must produce lines keepalived wrote, in
// keepalived's order (lvsd writes the keys it has facts for), the same stats file and the
// same JSON field names and values.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingInOrder } from '../../unit/daemon/lines-in-order.js';
import { twoInstanceConf } from './two-instances-conf.js';
import { renderDataDump, renderJsonDump, renderStatsDump, signumFor } from '../../../src/daemon/dumps.js';
import type { DaemonStatus, VrrpInstanceStatus } from '../../../src/daemon/state.js';
import { newDropCounts } from '../../../src/vrrp/drop-reasons.js';

const ns = `lvsdd-${process.pid % 100000}`;
const dir = mkdtempSync(join(tmpdir(), 'lvsd-dumps-'));
let ka: ChildProcess | undefined;
let log = '';
const files: Record<'data' | 'stats' | 'json', string> = { data: '', stats: '', json: '' };

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || String(r.error)}`);
}

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; keepalived log:\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const CONF = twoInstanceConf('lvsd-dumps');

function kaPids(): number[] {
  return ['ka.pid', 'vrrp.pid'].map((f) => join(dir, f)).filter(existsSync).map((f) => Number(readFileSync(f, 'utf8').trim())).filter((p) => p > 0);
}

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('netns dump tests need root');
  if (!existsSync('/usr/sbin/keepalived')) throw new Error('/usr/sbin/keepalived missing (apt-get install keepalived)');
  spawnSync('ip', ['netns', 'del', ns]);
  sh('ip', ['netns', 'add', ns]);
  sh('ip', ['-n', ns, 'link', 'add', 'dd0', 'type', 'veth', 'peer', 'name', 'dd1']);
  for (const l of ['lo', 'dd0', 'dd1']) sh('ip', ['-n', ns, 'link', 'set', l, 'up']);
  sh('ip', ['-n', ns, 'addr', 'add', '10.88.0.1/24', 'dev', 'dd0']);
  writeFileSync(join(dir, 'keepalived.conf'), CONF);
  // keepalived writes its dumps under $TMPDIR: keep them out of the shared /tmp
  ka = spawn('ip', ['netns', 'exec', ns, 'keepalived', '-P', '-n', '-l', '-f', join(dir, 'keepalived.conf'),
    '-p', join(dir, 'ka.pid'), '-r', join(dir, 'vrrp.pid')], { env: { ...process.env, TMPDIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  ka.stdout?.on('data', (d: Buffer) => { log += d.toString(); });
  ka.stderr?.on('data', (d: Buffer) => { log += d.toString(); });
  await until('VI_2 MASTER and VI_1 BACKUP', () => log.includes('(VI_2) Entering MASTER STATE') && log.includes('(VI_1) Entering BACKUP STATE'));
  await until('pid file', () => kaPids().length === 2);
  const main = kaPids()[0] ?? 0;
  for (const [sig, name] of [[signumFor('DATA'), 'data'], [signumFor('STATS'), 'stats'], [36, 'json']] as const) {
    const path = join(dir, `keepalived.${name}`);
    process.kill(main, sig);
    await until(`keepalived.${name}`, () => existsSync(path) && readFileSync(path, 'utf8').length > 0);
    await new Promise((r) => setTimeout(r, 200)); // let keepalived finish the file
    files[name] = readFileSync(path, 'utf8');
  }
}, 30_000);

afterAll(() => {
  for (const p of kaPids()) {
    try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
  }
  if (ka?.pid && ka.exitCode === null) {
    try { process.kill(ka.pid, 'SIGKILL'); } catch { /* gone */ }
  }
  spawnSync('ip', ['netns', 'del', ns]);
  rmSync(dir, { recursive: true, force: true });
});

interface KaJson { data: Record<string, unknown>; stats: Record<string, number> }

/** The DaemonStatus lvsd would hold for the same config, with keepalived's observed times and counters. */
function equivalentStatus(): DaemonStatus {
  const kaj = JSON.parse(files.json) as KaJson[];
  const at = (name: string): number => {
    const m = new RegExp(`VRRP Instance = ${name}[\\s\\S]*?Last transition = (\\d+)\\.(\\d{6})`).exec(files.data);
    if (!m?.[1] || !m[2]) throw new Error(`no Last transition for ${name} in keepalived.data`);
    return Number(m[1]) * 1000 + Number(m[2]) / 1000;
  };
  const inst = (i: number, v: Omit<VrrpInstanceStatus, 'advertsSent' | 'advertsReceived' | 'becameMaster' | 'priorityZeroSent' | 'priorityZeroReceived' | 'drops' | 'transitions' | 'lastTransitionAt'>): VrrpInstanceStatus => {
    const st = kaj[i]?.stats;
    if (!st) throw new Error('keepalived.json has fewer instances');
    return {
      ...v,
      transitions: 1,
      lastTransitionAt: at(v.name),
      advertsSent: st.advert_sent ?? -1,
      advertsReceived: st.advert_rcvd ?? -1,
      becameMaster: st.become_master ?? -1,
      releasedMaster: st.release_master ?? -1,
      priorityZeroSent: st.pri_zero_sent ?? -1,
      priorityZeroReceived: st.pri_zero_rcvd ?? -1,
      drops: newDropCounts(),
    };
  };
  return {
    pid: 1, version: '0.1.0', configFile: '/etc/keepalived/keepalived.conf', startedAt: 0, reloads: 0, lastReload: null,
    vrrpEnabled: true, checkersEnabled: false, routerId: 'lvsd-dumps', virtualServers: [],
    vrrp: [
      inst(0, {
        name: 'VI_1', interface: 'dd0', vrid: 51, family: 4, version: 2, state: 'BACKUP', basePriority: 100, priority: 100,
        masterAddress: null, masterPriority: 0, vips: ['10.88.0.100/24'], vipsInstalled: false, advertIntervalMs: 255_000,
        accept: true, preempt: true, authType: 'none', sourceAddress: '10.88.0.1',
      }),
      inst(1, {
        name: 'VI_2', interface: 'dd0', vrid: 52, family: 4, version: 2, state: 'MASTER', basePriority: 255, priority: 255,
        masterAddress: '10.88.0.1', vips: ['10.88.0.101/24', '10.88.0.102/32 dev dd1'], vipsInstalled: true,
        advertIntervalMs: 255_000, accept: true, preempt: true, authType: 'PASS', sourceAddress: '10.88.0.1',
      }),
    ],
  };
}

describe('dumps match keepalived 2.2.7', () => {
  it('keepalived.data: every lvsd line is a keepalived line, in keepalived order', () => {
    const ours = renderDataDump(equivalentStatus()).trimEnd().split('\n');
    const theirs = files.data.trimEnd().split('\n');
    expect(missingInOrder(ours, theirs), `missing or out of order; keepalived wrote:\n${files.data}`).toEqual([]);
    // and the lines that carry the state are really there, not just headers
    for (const l of ['------< VRRP Topology >------', ' VRRP Instance = VI_2', '   State = MASTER', '   State = BACKUP', '     10.88.0.102 dev dd1 scope global set']) {
      expect(ours).toContain(l);
    }
    expect(ours.length).toBeGreaterThan(50);
  });

  it('keepalived.stats: byte-identical', () => {
    expect(renderStatsDump(equivalentStatus())).toBe(files.stats);
  });

  it('keepalived.json: same field names in the same order and the same values', () => {
    const ours = JSON.parse(renderJsonDump(equivalentStatus())) as KaJson[];
    const theirs = JSON.parse(files.json) as KaJson[];
    expect(ours).toHaveLength(theirs.length);
    for (let i = 0; i < theirs.length; i++) {
      const o = ours[i];
      const t = theirs[i];
      if (!o || !t) throw new Error('instance missing');
      // lvsd never writes the password into a world-readable dump
      const theirKeys = Object.keys(t.data).filter((k) => k !== 'auth_data');
      expect(Object.keys(o.data)).toEqual(theirKeys);
      for (const k of theirKeys) expect([k, o.data[k]]).toEqual([k, t.data[k]]);
      expect(o.stats).toEqual(t.stats);
    }
    // "/" escaped as keepalived's JSON writer does
    expect(renderJsonDump(equivalentStatus())).toContain('10.88.0.100\\/24 dev dd0 scope global');
  });

  it('signal numbers agree with keepalived --signum for the functions Node can catch', () => {
    for (const name of ['STOP', 'RELOAD', 'DATA', 'STATS'] as const) {
      const r = spawnSync('keepalived', [`--signum=${name}`], { encoding: 'utf8', timeout: 10_000 });
      expect([name, signumFor(name)]).toEqual([name, Number(r.stdout.trim())]);
    }
  });
});
