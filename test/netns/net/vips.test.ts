// VIPs through rtnetlink in a namespace, checked with `ip -o addr show`.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Lab, Agent, AgentError, startLabAgent } from './harness.js';
import type { InterfaceAddress } from '../../../src/net/vips.js';

const lab = new Lab('v');
let agent: Agent;
let ifindex: number;

beforeAll(async () => {
  agent = await startLabAgent(lab);
  ifindex = await agent.call<number>('ifindex', { name: lab.dev });
});
afterAll(() => lab.cleanup());

const addrs = (): string => lab.ip('-o', 'addr', 'show', 'dev', lab.dev);

describe('AddressTable over rtnetlink', () => {
  it('ifindex by name matches ip link; unknown name is ENODEV', async () => {
    expect(lab.ip('-o', 'link', 'show', lab.dev)).toMatch(new RegExp(`^${ifindex}: ${lab.dev}@`));
    const e = await agent.call('ifindex', { name: 'nosuch0' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AgentError);
    expect((e as AgentError).errno).toBe(19);
    expect((e as AgentError).code).toBe('ENODEV');
  });

  it('IPv4 VIP with brd +, label and scope: visible as ip prints it, then removed', async () => {
    const vip = { address: '10.1.2.3', prefixLength: 24, ifindex, broadcast: '+', label: `${lab.dev}:vip`, scope: 0 };
    expect(await agent.call('add', { vip })).toBe('added');
    expect(addrs()).toMatch(new RegExp(`inet 10\\.1\\.2\\.3/24 brd 10\\.1\\.2\\.255 scope global ${lab.dev}:vip`));
    const listed = await agent.call<InterfaceAddress[]>('list', { ifindex });
    expect(listed).toContainEqual({ ifindex, family: 4, address: '10.1.2.3', prefixLength: 24, scope: 0, label: `${lab.dev}:vip`, broadcast: '10.1.2.255', nodad: false });
    expect(await agent.call('remove', { vip })).toBe('removed');
    expect(addrs()).not.toMatch(/10\.1\.2\.3/);
  });

  it('scope link and an explicit brd', async () => {
    const vip = { address: '10.9.9.5', prefixLength: 24, ifindex, broadcast: '10.9.9.200', scope: 253 };
    await agent.call('add', { vip });
    expect(addrs()).toMatch(/inet 10\.9\.9\.5\/24 brd 10\.9\.9\.200 scope link/);
    await agent.call('remove', { vip });
    expect(addrs()).not.toMatch(/10\.9\.9\.5/);
  });

  it('/32 default and idempotence: adding twice is "present", removing twice is "absent"', async () => {
    const vip = { address: '10.1.2.40', ifindex };
    expect(await agent.call('add', { vip })).toBe('added');
    expect(await agent.call('add', { vip })).toBe('present');
    expect(addrs().match(/inet 10\.1\.2\.40\/32 /g)?.length).toBe(1);
    expect(await agent.call('remove', { vip })).toBe('removed');
    expect(await agent.call('remove', { vip })).toBe('absent');
  });

  it('IPv6 VIP is added with nodad (usable at once, never tentative)', async () => {
    const vip = { address: '2001:db8::10', prefixLength: 64, ifindex };
    await agent.call('add', { vip });
    const line = addrs().split('\n').find((l) => l.includes('2001:db8::10/64')) ?? '';
    expect(line).toMatch(/scope global nodad/);
    expect(line).not.toMatch(/tentative/);
    expect(await agent.call<InterfaceAddress[]>('list', { ifindex })).toContainEqual(expect.objectContaining({ family: 6, address: '2001:db8::10', prefixLength: 64, nodad: true }));
    expect(await agent.call('remove', { vip })).toBe('removed');
    expect(addrs()).not.toMatch(/2001:db8::10/);
    expect(await agent.call('remove', { vip })).toBe('absent');
  });

  it('kernel refusals keep errno: unknown ifindex ENODEV, over-long label ERANGE, conflicting scope EINVAL', async () => {
    const e1 = await agent.call('add', { vip: { address: '10.1.2.50', ifindex: 9999 } }).catch((x: unknown) => x);
    expect((e1 as AgentError).code).toBe('ENODEV');
    const e2 = await agent.call('add', { vip: { address: '10.1.5.1', prefixLength: 24, ifindex, label: `${lab.dev}:abcdefghijklmnop` } }).catch((x: unknown) => x);
    expect((e2 as AgentError).code).toBe('ERANGE');
    expect((e2 as AgentError).errno).toBe(34);
    // Linux 6.x: a second address in a subnet whose prefix route is global cannot be scope host.
    await agent.call('add', { vip: { address: '10.1.6.1', prefixLength: 24, ifindex } });
    const e3 = await agent.call('add', { vip: { address: '10.1.6.2', prefixLength: 24, ifindex, scope: 254 } }).catch((x: unknown) => x);
    expect((e3 as AgentError).code).toBe('EINVAL');
    await agent.call('remove', { vip: { address: '10.1.6.1', prefixLength: 24, ifindex } });
  });

  it('latency of 200 adds and 200 removes (printed for the report)', async () => {
    const vips = Array.from({ length: 200 }, (_, i) => ({ address: `10.3.${i >> 8}.${i & 255}`, ifindex }));
    const r = await agent.call<{ addUs: number; removeUs: number }>('timeAdds', { vips });
    console.log(`VIP add ${r.addUs.toFixed(0)} µs, remove ${r.removeUs.toFixed(0)} µs (mean of 200, round trip with ACK)`);
    expect(r.addUs).toBeLessThan(5000);
    expect(r.removeUs).toBeLessThan(5000);
    expect(addrs()).not.toMatch(/10\.3\./);
  });
});
