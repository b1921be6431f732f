// Instance wiring with recording stand-ins for the kernel edges (the real ones run in
// test/netns/vrrp/director*.test.ts): what goes to the socket, the address table and the
// frame sender, in which order, for each state change.
import { afterEach, describe, expect, it } from 'vitest';
import { Instance } from '../../../src/vrrp/instance.js';
import { AdvertIo } from '../../../src/vrrp/advert-io.js';
import { NO_AUTH } from '../../../src/vrrp/packet.js';
import { env, peerAdvert, sleep, spec, startInstance, stopInstance, until } from './support/instance-env.js';

describe('Instance', () => {
  let inst: Instance | undefined;
  afterEach(async () => {
    await stopInstance(inst);
    inst = undefined;
  });

  it('BACKUP -> MASTER after Master_Down_Interval: advert, then VIPs (excluded too), then GARP for each', async () => {
    const { env: e, rec } = env();
    inst = new Instance(spec(), e);
    await inst.prepare();
    expect(inst.machine.p.primaryAddress).toBe('10.0.0.1');
    inst.event({ type: 'start' });
    expect(inst.state).toBe('BACKUP');
    await until(() => rec.log.filter((l) => l.startsWith('garp')).length === 4, 1000);
    expect(inst.state).toBe('MASTER');
    expect(rec.log.slice(0, 7)).toEqual([
      'advert 224.0.0.18 prio 100', 'add 10.0.0.100/24@2', 'add 10.0.0.200/32@2',
      'garp 10.0.0.100', 'garp 10.0.0.200', 'garp 10.0.0.100', 'garp 10.0.0.200',
    ]);
    const tr = rec.events.filter((x) => x.event === 'vrrp.transition').map((x) => `${String(x.from)}>${String(x.to)}`);
    expect(tr).toEqual(['INIT>BACKUP', 'BACKUP>MASTER']);
    expect(rec.events.filter((x) => x.event === 'vip.add')).toHaveLength(2);
  });

  it('a higher-priority advert sends it back to BACKUP and the VIPs go; a lower one is answered', async () => {
    const { env: e, rec } = env();
    inst = await startInstance(spec(), e);
    await until(() => inst?.state === 'MASTER', 1000);
    await sleep(20);
    const mark = rec.log.length;
    rec.rx?.(peerAdvert(50));
    // Answered with an advert, and garp_lower_prio_repeat (default: garp_master_repeat, 2) rounds of GARP.
    expect(rec.log.slice(mark)).toEqual(['advert 224.0.0.18 prio 100', 'garp 10.0.0.100', 'garp 10.0.0.200', 'garp 10.0.0.100', 'garp 10.0.0.200']);
    rec.rx?.(peerAdvert(200));
    expect(inst.state).toBe('BACKUP');
    await until(() => rec.log.includes('del 10.0.0.200'), 500);
    expect(rec.log.slice(mark + 5).filter((l) => !l.startsWith('advert'))).toEqual(['del 10.0.0.100', 'del 10.0.0.200']);
    expect(rec.events.some((x) => x.event === 'vip.del')).toBe(true);
  });

  it('shutdown as MASTER: priority 0 advert, VIPs released, socket released', async () => {
    const { env: e, rec } = env();
    inst = await startInstance(spec(), e);
    await until(() => rec.log.includes('add 10.0.0.200/32@2'), 1000);
    const mark = rec.log.length;
    inst.event({ type: 'shutdown' });
    await inst.close();
    expect(rec.log.slice(mark).filter((l) => !l.startsWith('garp') && l !== 'advert 224.0.0.18 prio 100')).toEqual(['advert 224.0.0.18 prio 0', 'del 10.0.0.100', 'del 10.0.0.200']);
    expect(rec.released).toBe(1);
    expect(rec.events.filter((x) => x.event === 'vrrp.transition').pop()).toMatchObject({ from: 'MASTER', to: 'INIT' });
  });

  it('the advert source is the interface\'s first address that is not one of our VIPs (a kill -9 leaves them behind)', async () => {
    const { env: e } = env(['10.0.0.100', '10.0.0.200', '10.0.0.7']);
    inst = new Instance(spec(), e);
    await inst.prepare();
    expect(inst.machine.p.primaryAddress).toBe('10.0.0.7');
    expect(inst.io.w.sourceAddress).toBe('10.0.0.7');
  });

  it('adverts from others are validated: a wrong VIP list is dropped and logged with its reason', async () => {
    const { env: e, rec } = env();
    inst = await startInstance(spec('nopreempt'), e);
    const io = new AdvertIo({
      family: 4, version: 3, vrid: 7, auth: NO_AUTH, addresses: ['10.0.0.111'], interfaceName: 'eth0', sourceAddress: '10.0.0.9',
      unicastPeers: [], checkUnicastSrc: false, unicastChecksum: 'auto', skipCheckAdvAddr: false,
    }, 50);
    rec.rx?.({ family: 4, packet: io.build(200)[0].pkt });
    expect(rec.events.filter((x) => x.event === 'vrrp.drop').map((x) => x.reason)).toEqual(['address-list']);
    expect(inst.io.drops['address-list']).toBe(1);
  });

  it('virtual_routes and virtual_rules go in after the VIPs and out before them; a line it cannot install is logged and left out', async () => {
    const { env: e, rec } = env();
    const sp = spec();
    sp.routes = [{ dst: '10.9.0.0/24', options: { via: '10.0.0.254', dev: 'eth0' } }, { dst: '10.1.0.0/16', options: { mtu: '1400' } }];
    sp.rules = [{ options: { from: '10.0.0.100', table: '100', preference: '100' } }];
    inst = new Instance(sp, e);
    await inst.prepare();
    expect(rec.events.filter((x) => x.event === 'vrrp.route-config').map((x) => x.err)).toEqual(['virtual_route "10.1.0.0/16 mtu 1400": option mtu is not supported']);
    inst.event({ type: 'start' });
    await until(() => rec.log.includes('rule add 10.0.0.100 100'), 1000);
    const net = (): string[] => rec.log.filter((l) => /^(add|del|route|rule)/.test(l));
    expect(net()).toEqual(['add 10.0.0.100/24@2', 'add 10.0.0.200/32@2', 'route add 10.9.0.0/24', 'rule add 10.0.0.100 100']);
    inst.event({ type: 'shutdown' });
    await inst.close();
    expect(net().slice(4)).toEqual(['rule del 10.0.0.100 100', 'route del 10.9.0.0/24', 'del 10.0.0.100', 'del 10.0.0.200']);
    inst = undefined;
  });

  it('updateSpec: a new priority is taken in place (next advert carries it); a VRID or owner change is refused', async () => {
    const { env: e, rec } = env();
    inst = await startInstance(spec(), e);
    await until(() => inst?.state === 'MASTER', 1000);
    const changedVrid = spec();
    changedVrid.wire = { ...changedVrid.wire, vrid: 8 };
    expect(await inst.updateSpec(changedVrid)).toBe(false);
    const owner = spec();
    owner.machine = { ...owner.machine, priority: 255 };
    expect(await inst.updateSpec(owner)).toBe(false);
    const next = spec();
    next.machine = { ...next.machine, priority: 90 };
    next.notify = { any: { cmd: '/bin/true' } };
    const mark = rec.log.length;
    expect(await inst.updateSpec(next)).toBe(true);
    expect(inst.machine.effectivePriority).toBe(90);
    expect(inst.state).toBe('MASTER');
    await until(() => rec.log.slice(mark).some((l) => l === 'advert 224.0.0.18 prio 90'), 500);
    expect(rec.log.slice(mark).filter((l) => l.startsWith('del'))).toEqual([]);
    expect(inst.spec.notify).toEqual({ any: { cmd: '/bin/true' } });
  });

  it('updateSpec as MASTER with a changed VIP list: the dropped VIP goes, the new one comes and is announced, the kept one stays', async () => {
    const { env: e, rec } = env();
    inst = await startInstance(spec(), e);
    await until(() => inst?.vipsInstalled === true, 1000);
    const next = spec();
    next.vips = [...next.vips, { address: '10.0.0.101', family: 4, prefixLength: 24, dev: null }];
    next.wire = { ...next.wire, addresses: ['10.0.0.100', '10.0.0.101'] };
    next.excludedVips = [];
    const mark = rec.log.length;
    expect(await inst.updateSpec(next)).toBe(true);
    await until(() => rec.log.slice(mark).includes('garp 10.0.0.101'), 1000);
    const net = rec.log.slice(mark).filter((l) => /^(add|del)/.test(l));
    expect(net).toEqual(['del 10.0.0.200', 'add 10.0.0.100/24@2', 'add 10.0.0.101/24@2']);
    expect(inst.state).toBe('MASTER');
    expect(inst.io.w.addresses).toEqual(['10.0.0.100', '10.0.0.101']);
    await until(() => rec.log.slice(mark).some((l) => l.startsWith('advert')), 500);
  });
});
