import { describe, expect, it } from 'vitest';
import { diffModels, deepEqual, virtualServerKey } from '../../../src/config/diff.js';
import type { Model } from '../../../src/config/model.js';

const rs = (ip: string, weight = 1) => ({ addr: { addr: ip, family: 4 }, port: 80, weight });
const vs = (ip: string, reals: object[], extra: object = {}) => ({ kind: 'ip', addr: ip, family: 4, port: 80, protocol: 'TCP', lvs_sched: 'wlc', real_server: reals, ...extra });
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
    expect(virtualServerKey({ kind: 'fwmark', fwmark: 7 })).toBe('fwmark:7');
    expect(virtualServerKey({ kind: 'group', group: 'G' })).toBe('group:G');
  });

  it('compares deeply and strictly', () => {
    expect(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe(false);
    expect(deepEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
  });
});

import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load.js';

describe('diffModels on parsed files (reload)', () => {
  it('sees only the edited real server and the new instance', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-diff-'));
    try {
      const base = (weight: number, extra: string) => `
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  virtual_ipaddress {
    192.0.2.1/24
  }
}
${extra}
virtual_server 192.0.2.1 80 {
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 10.0.0.1 80 {
    weight 1
    TCP_CHECK {
      connect_timeout 3
    }
  }
  real_server 10.0.0.2 80 {
    weight ${weight}
    TCP_CHECK {
      connect_timeout 3
    }
  }
}
`;
      writeFileSync(join(dir, 'a.conf'), base(1, ''));
      writeFileSync(join(dir, 'b.conf'), base(7, 'vrrp_instance VI_2 {\n  interface eth0\n  virtual_router_id 52\n  priority 100\n}\n'));
      const a = loadConfig(join(dir, 'a.conf'));
      const b = loadConfig(join(dir, 'b.conf'));
      const d = diffModels(a.model, b.model);
      expect(d.vrrpInstances.unchanged.map((i) => i.name)).toEqual(['VI_1']);
      expect(d.vrrpInstances.added.map((i) => i.name)).toEqual(['VI_2']);
      expect(d.virtualServers.changed.length).toBe(1);
      const vs = d.virtualServers.changed[0];
      expect(vs.serviceChanged).toBe(false);
      expect(vs.realServers.unchanged.length).toBe(1);
      expect(vs.realServers.changed.map((c) => c.after.weight)).toEqual([7]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
