// instanceStatus() and the instance's reports (env.observe) over a life cycle driven with
// recording edges: BACKUP -> MASTER -> BACKUP (higher peer) -> drops -> priority 0 -> stop.
import { afterEach, describe, expect, it } from 'vitest';
import { Instance } from '../../../src/vrrp/instance.js';
import { instanceStatus } from '../../../src/vrrp/status.js';
import { env, peerAdvert, sleep, spec, startInstance, stopInstance, until } from './support/instance-env.js';

describe('instanceStatus', () => {
  let inst: Instance | undefined;
  afterEach(async () => {
    await stopInstance(inst);
    inst = undefined;
  });

  it('before start: INIT, configured priorities, VIPs listed but not installed, zero counters', async () => {
    const { env: e } = env();
    inst = new Instance(spec(), e);
    const early = instanceStatus(inst); // prepare() not run yet: no machine
    expect(early).toMatchObject({ state: 'INIT', basePriority: 100, priority: 100, masterAddress: null });
    await inst.prepare();
    expect(instanceStatus(inst)).toMatchObject({
      name: 'VI_1', interface: 'eth0', vrid: 7, family: 4, version: 3, state: 'INIT', basePriority: 100, priority: 100,
      masterAddress: null, vips: ['10.0.0.100/24'], vipsInstalled: false,
      transitions: 0, becameMaster: 0, lastTransitionAt: null, advertsSent: 0, advertsReceived: 0, priorityZeroSent: 0, priorityZeroReceived: 0,
      drops: { length: 0, ttl: 0, version: 0, type: 0, checksum: 0, auth: 0, vrid: 0, interval: 0, 'address-list': 0 },
    });
    // Detail for the keepalived-format dumps.
    expect(instanceStatus(inst)).toMatchObject({
      advertIntervalMs: 50, masterAdvertIntervalMs: 50, masterPriority: 0, wantState: 'INIT', releasedMaster: 0, preempt: true,
      preemptDelayMs: 0, authType: 'none', sourceAddress: '10.0.0.1', unicastPeers: [], excludedVips: ['10.0.0.200/32'],
      trackInterfaces: [], trackScripts: [], promoteSecondaries: false,
      garp: { delayS: 0, repeat: 2, refreshS: 0, refreshRepeat: 1, lowerPrioDelayS: 0, lowerPrioRepeat: 2 },
    });
    expect(instanceStatus(inst).accept).toBeUndefined();
  });

  it('follows a whole life cycle, and every change is reported as an event', async () => {
    const { env: e, rec } = env();
    inst = new Instance(spec(), e);
    await inst.prepare();
    const t0 = Date.now();
    inst.event({ type: 'start' });
    expect(instanceStatus(inst)).toMatchObject({ state: 'BACKUP', masterAddress: null, transitions: 1, becameMaster: 0 });

    await until(() => inst?.vipsInstalled === true, 1000);
    let st = instanceStatus(inst);
    expect(st).toMatchObject({ state: 'MASTER', masterAddress: '10.0.0.1', vipsInstalled: true, transitions: 2, becameMaster: 1 });
    expect(st.advertsSent).toBeGreaterThanOrEqual(1);
    expect(st.lastTransitionAt).toBeGreaterThanOrEqual(t0);
    expect(st.lastTransitionAt).toBeLessThanOrEqual(Date.now());

    rec.rx?.(peerAdvert(200));
    await until(() => inst?.vipsInstalled === false, 500);
    st = instanceStatus(inst);
    expect(st).toMatchObject({ state: 'BACKUP', masterAddress: '10.0.0.9', transitions: 3, becameMaster: 1, advertsReceived: 1, masterPriority: 200, releasedMaster: 1 });

    // A bad TTL and a truncated packet: counted by reason, nothing else moves.
    const bad = peerAdvert(200).packet;
    const ttl = Buffer.from(bad);
    ttl[8] = 64;
    rec.rx?.({ family: 4, packet: ttl });
    rec.rx?.({ family: 4, packet: bad.subarray(0, 26) });
    st = instanceStatus(inst);
    expect(st.drops.ttl).toBe(1);
    expect(st.drops.length).toBe(1);
    expect(st).toMatchObject({ state: 'BACKUP', advertsReceived: 1 });

    // The master leaves with priority 0: counted; we take over after Skew_Time.
    rec.rx?.(peerAdvert(0));
    expect(instanceStatus(inst).priorityZeroReceived).toBe(1);
    await until(() => inst?.state === 'MASTER' && inst.vipsInstalled, 500);
    expect(instanceStatus(inst)).toMatchObject({ becameMaster: 2, masterAddress: '10.0.0.1', advertsReceived: 2 });

    inst.event({ type: 'shutdown' });
    await inst.close();
    st = instanceStatus(inst);
    expect(st).toMatchObject({ state: 'INIT', priorityZeroSent: 1, vipsInstalled: false, transitions: 4, masterAddress: null });
    const sent = rec.log.filter((l) => l.startsWith('advert')).length;
    expect(st.advertsSent).toBe(sent);

    const ev = rec.observed;
    expect(ev.filter((x) => x.name === 'transition').map((x) => x.name === 'transition' && `${x.data.from}>${x.data.to}`))
      .toEqual(['INIT>BACKUP', 'BACKUP>MASTER', 'MASTER>BACKUP', 'BACKUP>MASTER', 'MASTER>INIT']);
    expect(ev.filter((x) => x.name === 'drop').map((x) => x.data)).toEqual([
      { instance: 'VI_1', reason: 'ttl' }, { instance: 'VI_1', reason: 'length' },
    ]);
    expect(ev.filter((x) => x.name === 'vips').map((x) => x.data)).toEqual([
      { instance: 'VI_1', installed: true, addresses: ['10.0.0.100/24', '10.0.0.200/32'] },
      { instance: 'VI_1', installed: false, addresses: ['10.0.0.100/24', '10.0.0.200/32'] },
      { instance: 'VI_1', installed: true, addresses: ['10.0.0.100/24', '10.0.0.200/32'] },
      { instance: 'VI_1', installed: false, addresses: ['10.0.0.100/24', '10.0.0.200/32'] },
    ]);
    const adverts = ev.filter((x) => x.name === 'advert').map((x) => x.name === 'advert' && x.data.dir);
    expect(adverts.filter((d) => d === 'received')).toHaveLength(2);
    expect(adverts.filter((d) => d === 'sent')).toHaveLength(sent);
  });

  it('the status is a copy: changing it changes nothing in the instance', async () => {
    const { env: e, rec } = env();
    inst = await startInstance(spec(), e);
    const ttl = Buffer.from(peerAdvert(200).packet);
    ttl[8] = 1;
    rec.rx?.({ family: 4, packet: ttl });
    const st = instanceStatus(inst);
    st.drops.ttl = 99;
    st.advertsSent = 99;
    await sleep(1);
    expect(instanceStatus(inst).drops.ttl).toBe(1);
    expect(instanceStatus(inst).advertsSent).toBe(0);
  });
});
