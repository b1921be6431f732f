// VrrpRuntime.status() and its events in real processes: two lvsd directors on one segment,
// status dumped with SIGUSR2 (runtime-main logs it as `vrrp.status`), events as `vrrp.event`.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useDirectorLab, VIP, lvsdConf, waitVip, type Director } from './director-lab.js';
import { encodeIpv4, NO_AUTH, VRRP_MCAST4 } from '../../../src/vrrp/packet.js';

const here = dirname(fileURLToPath(import.meta.url));

interface St {
  name: string; state: string; basePriority: number; priority: number; masterAddress: string | null; vips: string[];
  vipsInstalled: boolean; transitions: number; becameMaster: number; lastTransitionAt: number | null;
  advertsSent: number; advertsReceived: number; priorityZeroSent: number; priorityZeroReceived: number; drops: Record<string, number>;
}

type Emitted = Record<'transition' | 'advert' | 'drop' | 'vips', number>;

async function dump(d: Director): Promise<{ st: St; emitted: Emitted; unknownVrid: number }> {
  const mark = d.mark();
  process.kill(d.pid, 'SIGUSR2');
  const l = await d.proc.waitFor(/"event":"vrrp.status"/, 6000, mark);
  const rec = JSON.parse(l.text) as { instances: St[]; emitted: Emitted; unknownVrid: number };
  expect(rec.instances).toHaveLength(1);
  return { st: rec.instances[0], emitted: rec.emitted, unknownVrid: rec.unknownVrid };
}

async function status(d: Director): Promise<St> {
  return (await dump(d)).st;
}

describe('VrrpRuntime.status() (netns)', () => {
  const env = useDirectorLab();

  it('master and backup report state, master address, VIPs, counters; SIGTERM shows as priority 0 on both sides', async () => {
    env.lab.up();
    const t0 = Date.now();
    const a = env.lab.startLvsd(env.rt.file, env.lab.d1, lvsdConf({ priority: 150, extra: 'track_interface {\n lo weight 10\n }' }));
    let b: Director | undefined;
    try {
      await a.became('MASTER', 10_000);
      b = env.lab.startLvsd(env.rt.file, env.lab.d2, lvsdConf({ priority: 100 }));
      await b.became('BACKUP', 10_000);
      await waitVip(env.lab, env.lab.d1, true, 2000);
      await b.proc.waitFor(/"event":"daemon.start"/, 5000);
      // Two adverts heard by the backup.
      for (let i = 0; i < 40 && (await status(b)).advertsReceived < 2; i++) await new Promise((r) => setTimeout(r, 250));

      const { st: sa, emitted: ea } = await dump(a);
      // Listeners added after start() see what came after it: BACKUP>MASTER, the VIPs, every advert sent.
      expect(ea).toEqual({ transition: 1, vips: 1, drop: 0, advert: sa.advertsSent });
      expect(sa).toMatchObject({
        name: 'VI_1', state: 'MASTER', basePriority: 150, priority: 160, masterAddress: env.lab.address(env.lab.d1),
        vips: [`${VIP}/24`], vipsInstalled: true, transitions: 2, becameMaster: 1, priorityZeroSent: 0,
      });
      expect(sa.advertsSent).toBeGreaterThanOrEqual(2);
      expect(sa.lastTransitionAt).toBeGreaterThanOrEqual(t0);
      const { st: sb, emitted: eb } = await dump(b);
      expect(eb).toEqual({ transition: 0, vips: 0, drop: 0, advert: sb.advertsReceived });
      expect(sb).toMatchObject({
        state: 'BACKUP', basePriority: 100, priority: 100, masterAddress: env.lab.address(env.lab.d1),
        vipsInstalled: false, transitions: 1, becameMaster: 0, advertsSent: 0, priorityZeroReceived: 0,
      });
      expect(sb.advertsReceived).toBeGreaterThanOrEqual(2);
      expect(Object.values(sb.drops).every((n) => n === 0)).toBe(true);

      // Adverts from the observer: a bad TTL for VRID 51 (counted on the instance) and one for VRID 99 (nobody's).
      const adv = (vrid: number, ttl: number): string => encodeIpv4({ version: 2, vrid, priority: 200, advertIntervalMs: 1000, addresses: [VIP] },
        { src: env.lab.address(env.lab.obs), dst: VRRP_MCAST4, id: 3, auth: NO_AUTH, ttl }).toString('hex');
      const r = spawnSync('ip', ['netns', 'exec', env.lab.obs, process.execPath, join(here, 'sender.mjs'), 'eth0', VRRP_MCAST4, adv(51, 64), adv(99, 255)],
        { env: { ...process.env, NODE_PATH: join(here, '../../../node_modules') }, encoding: 'utf8', timeout: 10_000 });
      if (r.status !== 0 || r.stderr) throw new Error(`sender failed: ${r.stderr}`);
      await b.proc.waitFor(/"event":"vrrp.event","name":"drop"/, 3000);
      const withDrops = await dump(b);
      expect(withDrops.st.drops.ttl).toBe(1);
      expect(withDrops.emitted.drop).toBe(1);
      expect(withDrops.unknownVrid).toBe(1);
      expect(withDrops.st.state).toBe('BACKUP');

      env.lab.kill(a.proc, 'SIGTERM');
      await a.proc.exited(5000);
      await b.became('MASTER', 3000);
      await waitVip(env.lab, env.lab.d2, true, 2000);
      const sb2 = await status(b);
      expect(sb2).toMatchObject({ state: 'MASTER', masterAddress: env.lab.address(env.lab.d2), priorityZeroReceived: 1, becameMaster: 1, vipsInstalled: true });
      expect(sb2.advertsSent).toBeGreaterThanOrEqual(1);

      // The events mirror the transitions and VIP changes.
      const evA = a.events('vrrp.event');
      expect(evA.filter((e) => e.name === 'transition').map((e) => `${String(e.from)}>${String(e.to)}`)).toEqual(['INIT>BACKUP', 'BACKUP>MASTER', 'MASTER>INIT']);
      expect(evA.filter((e) => e.name === 'vips').map((e) => e.installed)).toEqual([true, false]);
      const evB = b.events('vrrp.event').filter((e) => e.name === 'transition').map((e) => e.to);
      expect(evB).toEqual(['BACKUP', 'MASTER']);
    } finally {
      env.lab.kill(a.proc, 'SIGKILL');
      if (b) env.lab.kill(b.proc, 'SIGKILL');
    }
  }, 40_000);
});
