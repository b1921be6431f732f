// More interop with keepalived 2.2.7: VRRPv3 over IPv6, and v3 unicast (standard and
// keepalived's old unicast checksum). keepalived is master first, lvsd joins with a higher
// priority and preempts (so keepalived accepted lvsd's packets), then lvsd stops with a
// priority-0 advert and keepalived takes over at once.
import { describe, expect, it } from 'vitest';
import { startDriver, startKeepalived, type Proc, useDriverLab } from './harness.js';
import type { DriverConfig } from './driver.js';
import { defaultMachineParams } from '../../../src/vrrp/types.js';

interface Variant { name: string; family: 4 | 6; unicast: boolean; oldChecksum: boolean }
const variants: Variant[] = [
  { name: 'v3 IPv6 multicast', family: 6, unicast: false, oldChecksum: false },
  { name: 'v3 IPv4 unicast', family: 4, unicast: true, oldChecksum: false },
  { name: 'v3 IPv4 unicast, keepalived old_unicast_checksum', family: 4, unicast: true, oldChecksum: true },
];

function kaConf(v: Variant): string {
  const vip = v.family === 6 ? 'fd00:77::1/128' : '10.77.1.1/32';
  const uc = v.unicast ? ` unicast_src_ip 10.77.0.2\n unicast_peer {\n  10.77.0.1\n }\n${v.oldChecksum ? ' old_unicast_checksum\n' : ''}` : '';
  return `global_defs {\n router_id ka_interop\n vrrp_garp_master_delay 0\n max_auto_priority -1\n}
vrrp_instance VI_1 {
 version 3
 state BACKUP
 interface vrk0
 virtual_router_id 43
 priority 100
 advert_int 1
${uc} virtual_ipaddress {\n  ${vip}\n }
}
`;
}

function lvsdConf(v: Variant): DriverConfig {
  const v6 = v.family === 6;
  return {
    machine: defaultMachineParams({ name: 'VI_1', vrid: 43, version: 3, family: v.family, priority: 150, primaryAddress: v6 ? 'fe80::1' : '10.77.0.1' }),
    wire: {
      family: v.family, version: 3, vrid: 43, authType: 'none', authPass: '', addresses: [v6 ? 'fd00:77::1' : '10.77.1.1'],
      interfaceName: 'vrl0', sourceAddress: v6 ? 'fe80::1' : '10.77.0.1', unicastPeers: v.unicast ? ['10.77.0.2'] : [], checkUnicastSrc: v.unicast,
      unicastChecksum: 'auto', skipCheckAdvAddr: false,
    },
  };
}

describe('VRRPv3 IPv6 and unicast interop with keepalived 2.2.7 (netns)', () => {
  const env = useDriverLab({ up: false });

  for (const v of variants) {
    it(`${v.name}: lvsd preempts keepalived, then hands back with priority 0`, async () => {
      env.lab.up();
      const kaName = `ka-${v.family}-${v.unicast}-${v.oldChecksum}`;
      const ka = startKeepalived(env.lab, kaName, kaConf(v));
      let lv: Proc | null = null;
      try {
        await ka.waitFor(/\(VI_1\) Entering MASTER STATE/, 6000);
        const mark = ka.lines.length;
        lv = startDriver(env.lab, env.driverJs, lvsdConf(v));
        await lv.waitFor(/"state":"BACKUP"/, 2000);
        // lvsd ignores the lower-priority master and takes over after its down interval.
        await lv.waitFor(/"state":"MASTER"/, 6000);
        await ka.waitFor(/\(VI_1\) Entering BACKUP STATE/, 3000, mark);
        await new Promise((r) => setTimeout(r, 2500));
        expect(ka.matching(/\(VI_1\) Entering MASTER STATE/, mark)).toEqual([]);
        expect(lv.matching(/"ev":"drop"/)).toEqual([]);
        expect(ka.matching(/checksum|Invalid|invalid/, mark)).toEqual([]);
        const stopAt = Date.now();
        if (lv.child.pid) process.kill(lv.child.pid, 'SIGTERM');
        await lv.exited(5000);
        expect(lv.matching(/"ev":"exit".*"received":[1-9]/)).toHaveLength(1);
        const m = await ka.waitFor(/\(VI_1\) Entering MASTER STATE/, 3000, mark);
        expect(m.at - stopAt).toBeLessThan(1500);
      } finally {
        env.lab.killKeepalived(kaName, 'SIGKILL');
        env.lab.down();
      }
    }, 40_000);
  }
});
