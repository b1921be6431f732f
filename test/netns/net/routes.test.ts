// virtual_routes and virtual_rules over rtnetlink in a namespace, checked with `ip route` / `ip rule`.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Lab, Agent, AgentError, startLabAgent } from './harness.js';

const lab = new Lab('t');
let agent: Agent;
let ifindex: number;

beforeAll(async () => {
  agent = await startLabAgent(lab, () => {
    lab.ip('addr', 'add', '10.7.0.1/24', 'dev', lab.dev);
    lab.ip('addr', 'add', '2001:db8:9::1/64', 'dev', lab.dev, 'nodad');
  });
  ifindex = await agent.call<number>('ifindex', { name: lab.dev });
});
afterAll(() => lab.cleanup());

describe('RouteTable over rtnetlink', () => {
  it('route via a gateway: proto keepalived, idempotent both ways', async () => {
    const route = { to: '10.20.0.0', prefixLength: 24, via: '10.7.0.254', ifindex };
    expect(await agent.call('addRoute', { route })).toBe('added');
    expect(await agent.call('addRoute', { route })).toBe('present');
    expect(lab.ip('route', 'show', '10.20.0.0/24')).toMatch(new RegExp(`^10\\.20\\.0\\.0/24 via 10\\.7\\.0\\.254 dev ${lab.dev} proto keepalived`));
    expect(await agent.call('removeRoute', { route })).toBe('removed');
    expect(lab.ip('route', 'show', '10.20.0.0/24')).toBe('');
    expect(await agent.call('removeRoute', { route })).toBe('absent');
  });

  it('src, metric, table, scope; blackhole; IPv6', async () => {
    await agent.call('addRoute', { route: { to: '10.21.0.0', prefixLength: 16, ifindex, src: '10.7.0.1', metric: 50, table: 100, scope: 253 } });
    expect(lab.ip('route', 'show', 'table', '100')).toMatch(new RegExp(`10\\.21\\.0\\.0/16 dev ${lab.dev} proto keepalived scope link src 10\\.7\\.0\\.1 metric 50`));
    await agent.call('addRoute', { route: { to: '10.22.0.0', prefixLength: 24, type: 'blackhole', table: 1000 } });
    expect(lab.ip('route', 'show', 'table', '1000')).toMatch(/blackhole 10\.22\.0\.0\/24 proto keepalived/);
    await agent.call('addRoute', { route: { to: '2001:db8:1::', prefixLength: 64, via: '2001:db8:9::fe', ifindex } });
    expect(lab.ip('-6', 'route', 'show', '2001:db8:1::/64')).toMatch(new RegExp(`via 2001:db8:9::fe dev ${lab.dev} proto keepalived`));
    for (const route of [
      { to: '10.21.0.0', prefixLength: 16, ifindex, src: '10.7.0.1', metric: 50, table: 100, scope: 253 },
      { to: '10.22.0.0', prefixLength: 24, type: 'blackhole', table: 1000 },
      { to: '2001:db8:1::', prefixLength: 64, via: '2001:db8:9::fe', ifindex },
    ]) expect(await agent.call('removeRoute', { route })).toBe('removed');
    expect(lab.ip('route', 'show', 'table', 'all')).not.toMatch(/proto keepalived/);
    expect(lab.ip('-6', 'route', 'show', 'table', 'all')).not.toMatch(/proto keepalived/);
  });

  it('an unreachable gateway is refused with errno (ENETUNREACH)', async () => {
    const e = await agent.call('addRoute', { route: { to: '10.30.0.0', prefixLength: 24, via: '10.99.0.1' } }).catch((x: unknown) => x);
    expect((e as AgentError).code).toBe('ENETUNREACH');
  });

  it('rules: from/to/fwmark/iif/oif/not, big table, IPv6; idempotent', async () => {
    const rules = [
      { from: '10.7.0.0/24', table: 100, priority: 100 },
      { to: '10.8.0.0/16', fwmark: 5, table: 1000, priority: 101 },
      { family: 4 as const, not: true, iif: lab.dev, oif: lab.dev, table: 100, priority: 102 },
      { from: '2001:db8::/32', table: 100, priority: 103 },
    ];
    for (const rule of rules) expect(await agent.call('addRule', { rule })).toBe('added');
    expect(await agent.call('addRule', { rule: rules[0] })).toBe('present');
    const v4 = lab.ip('rule', 'show');
    expect(v4).toMatch(/^100:\s+from 10\.7\.0\.0\/24 lookup 100/m);
    expect(v4).toMatch(/^101:\s+from all to 10\.8\.0\.0\/16 fwmark 0x5 lookup 1000/m);
    expect(v4).toMatch(new RegExp(`^102:\\s+not from all iif ${lab.dev} oif ${lab.dev} lookup 100`, 'm'));
    expect(lab.ip('-6', 'rule', 'show')).toMatch(/^103:\s+from 2001:db8::\/32 lookup 100/m);
    for (const rule of rules) expect(await agent.call('removeRule', { rule })).toBe('removed');
    expect(await agent.call('removeRule', { rule: rules[0] })).toBe('absent');
    expect(lab.ip('rule', 'show')).not.toMatch(/^10[0-3]:/m);
  });
});
