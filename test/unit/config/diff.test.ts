import { describe, expect, it } from 'vitest';
import { diffModels, deepEqual, virtualServerKey } from '../../../src/config/diff.js';
import type { Model } from '../../../src/config/model.js';

const rs = (ip: string, weight = 1) => ({ ip: { addr: ip, family: 4 }, port: 80, weight });
const vs = (ip: string, reals: object[], extra: object = {}) => ({ ip: { addr: ip, family: 4 }, port: 80, protocol: 'TCP', lvs_sched: 'wlc', real_server: reals, ...extra });
const vi = (name: string, priority = 100) => ({ name, interface: 'eth0', virtual_router_id: 51, priority });

describe('diffModels', () => {
  it('finds nothing between equal models', () => {
    const m: Model = { global_defs: { router_id: 'a' }, vrrp_instance: [vi('A')], virtual_server: [vs('10.0.0.1', [rs('10.1.0.1')])] };
    const d = diffModels(m, structuredClone(m));
    expect(d.empty).toBe(true);
    expect(d.vrrpInstances.unchanged.length).toBe(1);
  });

  it('keeps unchanged instances apart from added, removed and changed ones', () => {
    const a: Model = { vrrp_instance: [vi('A'), vi('B'), vi('C')] };
    const b: Model = { vrrp_instance: [vi('A'), vi('B', 150), vi('D')] };
    const d = diffModels(a, b);
    expect(d.vrrpInstances.unchanged.map((i) => i.name)).toEqual(['A']);
    expect(d.vrrpInstances.changed.map((c) => c.after.name)).toEqual(['B']);
    expect(d.vrrpInstances.added.map((i) => i.name)).toEqual(['D']);
    expect(d.vrrpInstances.removed.map((i) => i.name)).toEqual(['C']);
    expect(d.empty).toBe(false);
  });

  it('tells a real-server-only change from a service change', () => {
    const a: Model = { virtual_server: [vs('10.0.0.1', [rs('10.1.0.1'), rs('10.1.0.2')]), vs('10.0.0.2', [rs('10.1.0.3')])] };
    const b: Model = { virtual_server: [vs('10.0.0.1', [rs('10.1.0.1'), rs('10.1.0.2', 5), rs('10.1.0.9')]), vs('10.0.0.2', [rs('10.1.0.3')], { lvs_sched: 'rr' })] };
    const d = diffModels(a, b);
    const [first, second] = d.virtualServers.changed;
    expect(first.serviceChanged).toBe(false);
    expect(first.realServers.unchanged.length).toBe(1);
    expect(first.realServers.changed.map((c) => c.after.weight)).toEqual([5]);
    expect(first.realServers.added.length).toBe(1);
    expect(second.serviceChanged).toBe(true);
    expect(second.realServers.unchanged.length).toBe(1);
  });

  it('reports other top-level changes by keyword', () => {
    const d = diffModels({ global_defs: { router_id: 'a' } }, { global_defs: { router_id: 'b' }, vrrp_script: [{ name: 's' }] });
    expect(d.otherChanged.sort()).toEqual(['global_defs', 'vrrp_script']);
  });

  it('keys virtual servers by address, port and protocol, or fwmark, or group', () => {
    expect(virtualServerKey(vs('10.0.0.1', []))).toBe('10.0.0.1:80:TCP');
    expect(virtualServerKey({ fwmark: 7 })).toBe('fwmark:7:');
    expect(virtualServerKey({ group: 'G' })).toBe('group:G');
  });

  it('compares deeply and strictly', () => {
    expect(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe(false);
    expect(deepEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
  });
});
