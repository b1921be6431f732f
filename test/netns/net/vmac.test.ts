// use_vmac: a private-mode macvlan with the VRRP MAC over rtnetlink, and a GARP sent from it
// reaching the observer through the parent veth. (The host kernel has macvlan; checked first.)
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Lab, Agent, Observer, sh, startLabAgent } from './harness.js';
import { gratuitousArp } from '../../../src/net/announce/frames.js';
import { ipToBytes, macToBytes } from '../../../src/net/ip.js';

const lab = new Lab('m');
let agent: Agent;
let parent: number;

beforeAll(async () => {
  agent = await startLabAgent(lab, () => {
    // Fail loudly if this kernel cannot make a macvlan at all, before blaming our message.
    lab.ip('link', 'add', 'link', lab.dev, 'name', 'probe0', 'type', 'macvlan', 'mode', 'private');
    lab.ip('link', 'del', 'probe0');
  });
  parent = await agent.call<number>('ifindex', { name: lab.dev });
});
afterAll(() => lab.cleanup());

describe('vmac (macvlan) over rtnetlink', () => {
  it('creates vrrp.51: macvlan private over the parent, 00:00:5e:00:01:33, up; a second create finds it', async () => {
    const r = await agent.call<{ ifindex: number; created: boolean }>('vmacCreate', { spec: { parentIfindex: parent, vrid: 51 } });
    expect(r.created).toBe(true);
    const d = lab.ip('-d', 'link', 'show', 'vrrp.51');
    expect(d).toMatch(new RegExp(`^${r.ifindex}: vrrp\\.51@${lab.dev}: <[^>]*\\bUP\\b`));
    expect(d).toContain('link/ether 00:00:5e:00:01:33');
    expect(d).toMatch(/macvlan mode private/);
    const again = await agent.call<{ ifindex: number; created: boolean }>('vmacCreate', { spec: { parentIfindex: parent, vrid: 51 } });
    expect(again).toEqual({ ifindex: r.ifindex, created: false });
  });

  it('IPv6 instances get 00:00:5e:00:02:VRID and a custom name', async () => {
    expect(sh('ip', ['netns', 'exec', lab.ns, 'cat', `/proc/sys/net/ipv4/conf/${lab.dev}/arp_filter`]).trim()).toBe('1');
    await agent.call('vmacCreate', { spec: { parentIfindex: parent, vrid: 7, family: 6, name: 'vm6' } });
    const d = lab.ip('-d', 'link', 'show', 'vm6');
    expect(d).toContain('link/ether 00:00:5e:00:02:07');
    expect(d).toContain('addrgenmode none');
    // Its only link-local is the parent's EUI-64 one (02:00:00:00:01:01), never one from the shared VRRP MAC.
    const v6 = lab.ip('-o', '-6', 'addr', 'show', 'dev', 'vm6');
    expect(v6.match(/inet6 \S+/g)).toEqual(['inet6 fe80::ff:fe00:101/64']);
    expect(v6).toMatch(/scope link nodad/);
    expect(await agent.call('vmacRemove', { name: 'vm6' })).toBe('removed');
  });

  it('a VIP on the vmac and its GARP from the virtual MAC reach the observer', async () => {
    const obs = await Observer.start(lab, 'arp');
    const vmacIndex = await agent.call<number>('ifindex', { name: 'vrrp.51' });
    await agent.call('add', { vip: { address: '10.1.2.151', prefixLength: 24, ifindex: vmacIndex } });
    expect(lab.ip('-o', 'addr', 'show', 'dev', 'vrrp.51')).toMatch(/inet 10\.1\.2\.151\/24/);
    const want = gratuitousArp(macToBytes('00:00:5e:00:01:33'), ipToBytes('10.1.2.151')).toString('hex');
    await agent.call('sendFrame', { ifindex: vmacIndex, mac: '00:00:5e:00:01:33', address: '10.1.2.151' });
    await obs.waitFrames((h) => h === want, 1, 5000);
  });

  it('ARP sysctls as keepalived sets them; the observer learns the VIP at the virtual MAC', async () => {
    const conf = (dev: string, key: string): string => sh('ip', ['netns', 'exec', lab.ns, 'cat', `/proc/sys/net/ipv4/conf/${dev}/${key}`]).trim();
    expect([conf('vrrp.51', 'arp_ignore'), conf('vrrp.51', 'accept_local'), conf('vrrp.51', 'rp_filter')]).toEqual(['1', '1', '0']);
    expect([conf(lab.dev, 'arp_ignore'), conf(lab.dev, 'arp_filter')]).toEqual(['1', '1']);
    lab.ipObs('addr', 'add', '10.1.2.2/24', 'dev', lab.obsDev);
    // Any datagram to the VIP makes the observer ARP for it; only the vmac may answer.
    sh('ip', ['netns', 'exec', lab.obs, 'bash', '-c', 'echo x > /dev/udp/10.1.2.151/9']);
    let neigh = '';
    for (let i = 0; i < 100 && !/lladdr/.test(neigh); i++) {
      await new Promise((r) => setTimeout(r, 20));
      neigh = lab.ipObs('neigh', 'show', '10.1.2.151');
    }
    expect(neigh).toContain('lladdr 00:00:5e:00:01:33');
  });

  it('a second vmac on the same parent: the parent is restored only when the last one goes', async () => {
    const conf = (dev: string, key: string): string => sh('ip', ['netns', 'exec', lab.ns, 'cat', `/proc/sys/net/ipv4/conf/${dev}/${key}`]).trim();
    await agent.call('vmacCreate', { spec: { parentIfindex: parent, vrid: 52 } });
    expect(await agent.call('vmacRemove', { name: 'vrrp.52' })).toBe('removed');
    expect([conf(lab.dev, 'arp_ignore'), conf(lab.dev, 'arp_filter')]).toEqual(['1', '1']);
    expect(await agent.call('vmacRemove', { name: 'vrrp.51' })).toBe('removed');
    expect([conf(lab.dev, 'arp_ignore'), conf(lab.dev, 'arp_filter')]).toEqual(['0', '0']);
  });

  it('delete again is "absent"', async () => {
    expect(sh('ip', ['-n', lab.ns, '-o', 'link', 'show'])).not.toMatch(/vrrp\.51/);
    expect(await agent.call('vmacRemove', { name: 'vrrp.51' })).toBe('absent');
  });
});
