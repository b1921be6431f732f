// virtual_routes / virtual_rules lines as the grammar hands them -> net/routes.ts shapes.
import { describe, expect, it } from 'vitest';
import { routeSpec, ruleSpec } from '../../../src/vrrp/route-plan.js';
import { parseRtTables } from '../../../src/net/rt-tables.js';

const tables = parseRtTables('# comment\n255 local\n254\tmain\n100 vip # ours\n0x20 hex\n');

describe('routeSpec', () => {
  it('maps via, dev, src, metric, table (names too), protocol and scope', () => {
    expect(routeSpec({ dst: '10.9.0.0/24', options: { via: '10.0.0.254', dev: 'eth0', metric: '5', table: 'vip', protocol: 'static', scope: 'link' } }, tables))
      .toEqual({ ok: true, value: { to: '10.9.0.0', prefixLength: 24, via: '10.0.0.254', dev: 'eth0', metric: 5, table: 100, protocol: 4, scope: 253, text: '10.9.0.0/24 via 10.0.0.254 dev eth0 metric 5 table vip protocol static scope link' } });
    expect(routeSpec({ dst: '10.8.0.1', options: { src: '10.0.0.100', oif: 'eth1', preference: '7', table: 'hex' } }, tables))
      .toMatchObject({ ok: true, value: { to: '10.8.0.1', src: '10.0.0.100', dev: 'eth1', metric: 7, table: 32 } });
  });

  it('types and default destinations', () => {
    expect(routeSpec({ dst: '10.7.0.0/16', type: 'blackhole', options: {} })).toMatchObject({ ok: true, value: { to: '10.7.0.0', prefixLength: 16, type: 'blackhole', text: 'blackhole 10.7.0.0/16' } });
    expect(routeSpec({ dst: 'default', options: { via: '10.0.0.1' } })).toMatchObject({ ok: true, value: { to: '0.0.0.0', prefixLength: 0 } });
    expect(routeSpec({ dst: 'default', family: 6, options: { via: 'fe80::1', dev: 'eth0' } })).toMatchObject({ ok: true, value: { to: '::', prefixLength: 0 } });
  });

  it('refuses what it cannot install as configured, naming the line', () => {
    expect(routeSpec({ dst: '10.1.0.0/16', options: { mtu: '1400' } })).toEqual({ ok: false, error: 'virtual_route "10.1.0.0/16 mtu 1400": option mtu is not supported' });
    expect(routeSpec({ dst: '10.1.0.0/16', options: {}, nexthops: [{ via: '10.0.0.1' }] }).ok).toBe(false);
    expect(routeSpec({ dst: '10.1.0.0/16', options: { table: 'nosuch' } })).toMatchObject({ ok: false, error: expect.stringMatching(/unknown table nosuch/) });
  });
});

describe('ruleSpec', () => {
  it('from/to, fwmark/mask, iif (dev), oif, preference, not, table', () => {
    expect(ruleSpec({ options: { from: '10.0.0.100', table: '100', preference: '100' } }, 4)).toEqual({ ok: true, value: { from: '10.0.0.100', table: 100, priority: 100, text: 'from 10.0.0.100 table 100 preference 100' } });
    expect(ruleSpec({ options: { to: '10.9.0.0/24', fwmark: '0x10/0xff', dev: 'eth0', oif: 'eth1', table: 'main', preference: '5', not: true } }, 4))
      .toMatchObject({ ok: true, value: { to: '10.9.0.0/24', fwmark: 16, fwmask: 255, iif: 'eth0', oif: 'eth1', table: 254, priority: 5, not: true } });
  });

  it('no address: the instance family (or the line\'s); other actions', () => {
    expect(ruleSpec({ options: { from: 'all', iif: 'eth0', type: 'blackhole', preference: '300' } }, 6)).toMatchObject({ ok: true, value: { family: 6, action: 'blackhole', iif: 'eth0' } });
    expect(ruleSpec({ family: 4, options: { fwmark: '7', goto: '500', preference: '400' } }, 6)).toMatchObject({ ok: true, value: { family: 4, action: 'goto', goto: 500 } });
    expect(ruleSpec({ options: { from: '10.0.0.1', preference: '1' } }, 4)).toMatchObject({ ok: false, error: expect.stringMatching(/no action/) });
    expect(ruleSpec({ options: { from: '10.0.0.1', l3mdev: true } }, 4).ok).toBe(false);
  });
});
