// lvsd's VRRP codec + state machine + raw-socket transport against real keepalived 2.2.7,
// between two network namespaces this test creates. Both orders, v2 PASS, v2 AH, v3.
import { describe, expect, it } from 'vitest';
import { startDriver, startKeepalived, type Proc, useDriverLab } from './harness.js';
import type { DriverConfig } from './driver.js';
import { defaultMachineParams } from '../../../src/vrrp/types.js';
import type { AuthType, VrrpVersion } from '../../../src/vrrp/packet.js';

const VIP = '10.77.1.1';

function kaConf(o: { version: VrrpVersion; priority: number; auth: AuthType; nopreempt?: boolean; advertInt?: string }): string {
  const auth = o.auth === 'none' ? '' : `authentication {\n auth_type ${o.auth === 'pass' ? 'PASS' : 'AH'}\n auth_pass s3cret\n }`;
  return `global_defs {\n router_id ka_interop\n vrrp_garp_master_delay 0\n max_auto_priority -1\n}
vrrp_instance VI_1 {
 version ${o.version}
 state BACKUP
 interface vrk0
 virtual_router_id 42
 priority ${o.priority}
 advert_int ${o.advertInt ?? '1'}
 ${o.nopreempt ? 'nopreempt' : ''}
 ${auth}
 virtual_ipaddress {\n  ${VIP}/32\n }
}
`;
}

function lvsdConf(o: { version: VrrpVersion; priority: number; auth: AuthType }): DriverConfig {
  return {
    machine: defaultMachineParams({ name: 'VI_1', vrid: 42, version: o.version, priority: o.priority, primaryAddress: '10.77.0.1' }),
    wire: {
      family: 4, version: o.version, vrid: 42, authType: o.auth, authPass: 's3cret', addresses: [VIP], interfaceName: 'vrl0',
      sourceAddress: '10.77.0.1', unicastPeers: [], checkUnicastSrc: false, unicastChecksum: 'auto', skipCheckAdvAddr: false,
    },
  };
}

const BECOME = (state: string): RegExp => new RegExp(`"ev":"become","state":"${state}"`);
const KA_MASTER = /\(VI_1\) Entering MASTER STATE/;
const KA_BACKUP = /\(VI_1\) Entering BACKUP STATE/;

describe('VRRP interop with keepalived 2.2.7 (netns)', () => {
  const env = useDriverLab({ up: false });

  async function stopDriver(p: Proc): Promise<void> {
    if (p.child.pid) process.kill(p.child.pid, 'SIGTERM');
    await p.exited(5000);
  }

  for (const auth of ['pass', 'ah'] as const) {
    it(`v2 ${auth.toUpperCase()}: lvsd (150) wins, SIGTERM hands over fast, lvsd preempts on return`, async () => {
      env.lab.up();
      // lvsd first: started together, keepalived's timer may run out before lvsd (a slower
      // starter) is heard, and a brief keepalived MASTER would be correct but not this test.
      let lv = startDriver(env.lab, env.driverJs, lvsdConf({ version: 2, priority: 150, auth }));
      await lv.waitFor(BECOME('MASTER'), 6000);
      const ka = startKeepalived(env.lab, `ka-${auth}`, kaConf({ version: 2, priority: 100, auth }));
      try {
        await ka.waitFor(KA_BACKUP, 6000);
        // Longer than keepalived's Master_Down_Interval (3.6 s): it stays BACKUP only if it accepts our adverts, lvsd drops nothing.
        await new Promise((r) => setTimeout(r, 5000));
        expect(ka.matching(KA_MASTER)).toEqual([]);
        expect(lv.matching(/"ev":"drop"/)).toEqual([]);
        expect(ka.matching(/IPSEC-AH : invalid|invalid passwd|checksum|received a \d auth/i)).toEqual([]);

        // Graceful stop: priority 0 advert, keepalived takes over after its skew (~609 ms).
        const stopAt = Date.now();
        await stopDriver(lv);
        expect(lv.matching(/"ev":"exit"/)).toHaveLength(1);
        const m = await ka.waitFor(KA_MASTER, 3000);
        expect(m.at - stopAt).toBeLessThan(1500);

        // lvsd returns with the higher priority and preempts.
        const mark = ka.lines.length;
        lv = startDriver(env.lab, env.driverJs, lvsdConf({ version: 2, priority: 150, auth }));
        await lv.waitFor(BECOME('MASTER'), 6000);
        await ka.waitFor(KA_BACKUP, 3000, mark);
        expect(lv.matching(BECOME('MASTER'))).toHaveLength(1);
        if (auth === 'ah') {
          // keepalived's shared AH counter: lvsd continued above keepalived's sequence numbers.
          expect(ka.matching(/IPSEC-AH : invalid/)).toEqual([]);
        }
        await stopDriver(lv);
      } finally {
        env.lab.killKeepalived(`ka-${auth}`, 'SIGKILL');
        env.lab.down();
      }
    }, 40_000);
  }

  // lvsd is configured with 1 s; as a v3 backup it adopts the master's interval (RFC 5798).
  for (const { advertInt, intervalMs, mdi } of [
    { advertInt: '1', intervalMs: 1000, mdi: 3609.375 },
    { advertInt: '0.1', intervalMs: 100, mdi: 360.937 },
  ]) {
    it(`v3 advert_int ${advertInt}: keepalived (200) master, lvsd (100) stays BACKUP, kill -9 -> lvsd takes over after ${mdi} ms`, async () => {
      env.lab.up();
      const kaName = `ka-v3-${intervalMs}`;
      const ka = startKeepalived(env.lab, kaName, kaConf({ version: 3, priority: 200, auth: 'none', advertInt }));
      let lv: Proc | null = null;
      try {
        // keepalived first: started together, lvsd's timer could run out before keepalived is up.
        await ka.waitFor(KA_MASTER, 6000);
        lv = startDriver(env.lab, env.driverJs, lvsdConf({ version: 3, priority: 100, auth: 'none' }));
        await lv.waitFor(BECOME('BACKUP'), 3000);
        await new Promise((r) => setTimeout(r, 5000));
        expect(lv.matching(BECOME('MASTER'))).toEqual([]);
        expect(lv.matching(/"ev":"drop"/)).toEqual([]);
        const killedAt = Date.now();
        env.lab.killKeepalived(kaName, 'SIGKILL');
        const m = await lv.waitFor(BECOME('MASTER'), 6000);
        // Master_Down_Interval for priority 100: 3 x interval + (256 - 100)/256 x interval.
        expect(m.at - killedAt).toBeGreaterThan(mdi - intervalMs - 50);
        expect(m.at - killedAt).toBeLessThan(mdi + 300);
        const t = (line: string): number => (JSON.parse(line) as { t: number }).t;
        const lastRx = t(lv.matching(/"ev":"rx"/).pop() ?? '{}');
        const takeover = t(m.text) - lastRx;
        console.log(`advert_int ${advertInt}: lvsd takeover ${takeover} ms after keepalived's last advert (Master_Down_Interval ${mdi} ms)`);
        // Typically within 1-5 ms; the margin absorbs scheduling on a loaded 2-core test box.
        expect(Math.abs(takeover - mdi)).toBeLessThan(60);
        expect(lv.matching(/"received":[1-9]/)).toEqual([]); // not exited yet
        await stopDriver(lv);
        expect(lv.matching(/"ev":"exit".*"received":([3-9]|[1-9]\d+)[,}]/)).toHaveLength(1);
      } finally {
        env.lab.killKeepalived(kaName, 'SIGKILL');
        env.lab.down();
      }
    }, 40_000);
  }
});
