// Malformed adverts from a raw test sender reach lvsd over a real veth: each is counted under
// its drop reason and none changes the state, although each claims priority 254.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDriver, useDriverLab } from './harness.js';
import { defaultMachineParams } from '../../../src/vrrp/types.js';
import { authKey, encodeIpv4, VRRP_MCAST4, type Advert, type Ipv4SendOptions } from '../../../src/vrrp/packet.js';

const here = dirname(fileURLToPath(import.meta.url));
const VIP = '10.77.1.1';
const pass = { type: 'pass' as const, key: authKey('s3cret') };
const good: Advert = { version: 2, vrid: 42, priority: 254, advertIntervalMs: 1000, addresses: [VIP] };
const opts: Ipv4SendOptions = { src: '10.77.0.2', dst: VRRP_MCAST4, id: 1, auth: pass };

describe('malformed adverts over the wire (netns)', () => {
  const env = useDriverLab({ up: true });

  function send(...pkts: Buffer[]): void {
    const r = spawnSync('ip', ['netns', 'exec', env.lab.nsKa, process.execPath, join(here, 'sender.mjs'), env.lab.ifKa, VRRP_MCAST4,
      ...pkts.map((p) => p.toString('hex'))], { env: { ...process.env, NODE_PATH: join(here, '../../../node_modules') }, encoding: 'utf8', timeout: 10_000 });
    if (r.status !== 0 || r.stderr) throw new Error(`sender failed: ${r.stderr}`);
  }

  it('counts each by reason and stays MASTER; a valid higher advert then takes over', async () => {
    const lv = startDriver(env.lab, env.driverJs, {
      machine: defaultMachineParams({ name: 'VI_1', vrid: 42, priority: 150, primaryAddress: '10.77.0.1' }),
      wire: { family: 4, version: 2, vrid: 42, authType: 'pass', authPass: 's3cret', addresses: [VIP], interfaceName: env.lab.ifLvsd,
        sourceAddress: '10.77.0.1', unicastPeers: [], checkUnicastSrc: false, unicastChecksum: 'auto', skipCheckAdvAddr: false },
    });
    await lv.waitFor(/"state":"MASTER"/, 6000);
    const badChecksum = encodeIpv4(good, opts); badChecksum[26] ^= 0xff;
    const badType = encodeIpv4(good, opts); badType[20] = 0x22;
    const cases: Array<[string, Buffer]> = [
      ['ttl', encodeIpv4(good, { ...opts, ttl: 64 })],
      ['checksum', badChecksum],
      ['length', encodeIpv4(good, opts).subarray(0, 36)],
      ['auth', encodeIpv4(good, { ...opts, auth: { type: 'pass', key: authKey('wrong') } })],
      ['auth', encodeIpv4(good, { ...opts, auth: { type: 'none', key: Buffer.alloc(8) } })],
      // (An AH packet is IP protocol 51: a protocol-112 socket never sees it, as with keepalived.)
      ['version', encodeIpv4({ ...good, version: 3 }, opts)],
      ['type', badType],
      ['vrid', encodeIpv4({ ...good, vrid: 43 }, opts)],
      ['interval', encodeIpv4({ ...good, advertIntervalMs: 2000 }, opts)],
      ['address-list', encodeIpv4({ ...good, addresses: ['10.77.1.2'] }, opts)],
    ];
    send(...cases.map(([, p]) => p));
    await lv.waitFor(/"reason":"address-list"/, 3000);
    await new Promise((r) => setTimeout(r, 300));
    const reasons = lv.matching(/"ev":"drop"/).map((l) => (JSON.parse(l) as { reason: string }).reason);
    expect(reasons.sort()).toEqual(cases.map(([r]) => r).sort());
    expect(lv.matching(/"state":"BACKUP","from":"MASTER"/)).toEqual([]);

    // Positive control: the same advert, well formed, makes lvsd step down.
    send(encodeIpv4(good, opts));
    await lv.waitFor(/"state":"BACKUP","from":"MASTER"/, 2000);
  }, 30_000);
});
