import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { expandRange } from '../../../src/lvs/addr-range.js';
import { policyConfig, realServerPolicy } from '../../../src/lvs/from-model.js';
import { VirtualServerPolicy } from '../../../src/lvs/policy.js';
import { groupEntries, servicesOf } from '../../../src/lvs/service.js';
import { destPort, serverSpec } from '../../../src/lvs/dest.js';
import { makeService } from '../../../src/ipvs/model.js';

const dir = mkdtempSync(join(tmpdir(), 'lvs-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(text: string) {
  const f = join(dir, `c${Math.random().toString(36).slice(2)}.conf`);
  writeFileSync(f, text);
  const r = loadConfig(f);
  return r.model;
}

describe('addr ranges', () => {
  it('expands IPv4 and IPv6 ranges', () => {
    expect(expandRange('10.0.0.254', '10.0.1.1')).toEqual(['10.0.0.254', '10.0.0.255', '10.0.1.0', '10.0.1.1']);
    expect(expandRange('fd00::fe', 'fd00::101')).toEqual(['fd00::fe', 'fd00::ff', 'fd00::100', 'fd00::101']);
    expect(() => expandRange('10.0.0.5', '10.0.0.1')).toThrow();
    expect(() => expandRange('10.0.0.0', '10.255.0.0', 1000)).toThrow();
  });
});

describe('virtual_server -> IPVS services and policy', () => {
  it('address service: protocol, scheduler, persistence, flags, TUN type, sorry method', () => {
    const m = load(`virtual_server 192.0.2.1 443 {
  lb_algo sh
  sh-port
  sh-fallback
  lvs_method TUN type gue port 6080 remcsum
  protocol TCP
  persistence_timeout 600
  persistence_granularity 255.255.255.0
  sorry_server 192.0.2.99 443
  sorry_server_lvs_method NAT
  real_server 192.0.2.10 443 {
    weight 4
    uthreshold 100
    lthreshold 10
    TCP_CHECK {
      connect_timeout 1
    }
  }
  real_server 192.0.2.11 443 {
    lvs_method DR
  }
}
`);
    const vs = m.virtual_server![0];
    const [svc] = servicesOf(vs, m);
    expect(svc).toMatchObject({ af: 2, protocol: 6, addr: '192.0.2.1', port: 443, fwmark: 0, sched: 'sh', flags: 0x1 | 0x8 | 0x10, timeout: 600, netmask: 0xffffff00 });
    const p = new VirtualServerPolicy(policyConfig(vs, m, () => []));
    const rows = p.desired();
    expect(rows[0].dests).toEqual([
      { af: 2, addr: '192.0.2.10', port: 443, fwd: 'tunnel', weight: 4, uThreshold: 100, lThreshold: 10, tunType: 'gue', tunPort: 6080, tunFlags: 'remcsum' },
      { af: 2, addr: '192.0.2.11', port: 443, fwd: 'route', weight: 1, uThreshold: 0, lThreshold: 0, tunType: 'ipip', tunPort: 0, tunFlags: 'nocsum' },
    ]);
    expect(p.cfg.sorry?.server).toMatchObject({ addr: '192.0.2.99', fwd: 'masq', port: 443 });
  });

  it('fwmark and IPv6 services', () => {
    const m = load(`virtual_server fwmark 7 {
  lvs_method DR
  ip_family inet6
  real_server 2001:db8::10 {
    weight 2
  }
}
virtual_server 2001:db8::1 80 {
  protocol UDP
  lvs_sched rr
  persistence_timeout
  persistence_granularity 64
  real_server 2001:db8::11 8080 {
  }
}
`);
    const [fw, v6] = m.virtual_server!;
    expect(servicesOf(fw, m)).toEqual([expect.objectContaining({ af: 10, fwmark: 7, protocol: 0, addr: '::', port: 0 })]);
    const fwp = new VirtualServerPolicy(policyConfig(fw, m, () => []));
    expect(fwp.desired()[0].dests[0]).toMatchObject({ af: 10, addr: '2001:db8::10', port: 0, fwd: 'route', weight: 2 });
    const [s6] = servicesOf(v6, m);
    expect(s6).toMatchObject({ af: 10, protocol: 17, addr: '2001:db8::1', port: 80, sched: 'rr', flags: 1, timeout: 360, netmask: 64 });
    const p6 = new VirtualServerPolicy(policyConfig(v6, m, () => []));
    expect(p6.desired()[0].dests[0]).toMatchObject({ addr: '2001:db8::11', port: 8080, fwd: 'masq' });
  });

  it('virtual_server_group: ranges and fwmarks become one service each, sharing the real servers', () => {
    const m = load(`virtual_server_group web {
  10.10.0.1-3 80
  fwmark 9
}
virtual_server_group other {
  10.30.0.1 80
}
virtual_server group web {
  protocol TCP
  lvs_method DR
  real_server 10.20.0.1 80 {
  }
}
virtual_server group other {
  protocol TCP
  lvs_method DR
  real_server 10.20.0.2 80 {
  }
}
`);
    expect(servicesOf(m.virtual_server![1], m).map((s) => s.addr)).toEqual(['10.30.0.1']);
    const vs = m.virtual_server![0];
    const svcs = servicesOf(vs, m);
    expect(svcs.map((s) => (s.fwmark ? `fwm${s.fwmark}` : `${s.addr}:${s.port}`))).toEqual(['10.10.0.1:80', '10.10.0.2:80', '10.10.0.3:80', 'fwm9']);
    const p = new VirtualServerPolicy(policyConfig(vs, m, () => []));
    const rows = p.desired();
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => r.dests.map((d) => `${d.addr}:${d.port}`))).toEqual([['10.20.0.1:80'], ['10.20.0.1:80'], ['10.20.0.1:80'], ['10.20.0.1:0']]);
  });

  it('groups given as {name, items} are looked up by name', () => {
    const model = { virtual_server_group: [{ name: 'a', items: [{ kind: 'fwmark', fwmark: 1 }] }, { name: 'b', items: [{ kind: 'fwmark', fwmark: 2 }] }] };
    expect(groupEntries(model, 'b')).toEqual([{ kind: 'fwmark', fwmark: 2 }]);
    expect(groupEntries(model, 'c')).toEqual([]);
  });

  it('destination ports: NAT keeps its own, DR/TUN take the service port, 0 under fwmark', () => {
    const svc = makeService({ addr: '10.0.0.1', port: 443 });
    const fw = makeService({ fwmark: 3 });
    const nat = serverSpec({ addr: '10.0.0.2', family: 4 }, 8443, { method: 'NAT' });
    const natNoPort = serverSpec({ addr: '10.0.0.2', family: 4 }, undefined, { method: 'NAT' });
    const dr = serverSpec({ addr: '10.0.0.2', family: 4 }, 8443, { method: 'DR' });
    expect([destPort(nat, svc), destPort(natNoPort, svc), destPort(dr, svc), destPort(dr, fw), destPort(nat, fw)]).toEqual([8443, 443, 443, 0, 8443]);
  });

  it('server addresses in inet_ntop form: plain dotted quads kept, IPv6 lower-cased and shortened, bad ones refused', () => {
    const at = (addr: string) => serverSpec({ addr, family: addr.includes(':') ? 6 : 4 }, 80, { method: 'NAT' }).addr;
    expect([at('10.0.0.1'), at('255.255.255.255'), at('2001:DB8:0:0::1')]).toEqual(['10.0.0.1', '255.255.255.255', '2001:db8::1']);
    for (const bad of ['1.2.3.04', '256.1.1.1', '1.2.3', '1.2.3.4.5', '1..2.3']) expect(() => at(bad), bad).toThrow();
  });
});

describe('realServerPolicy', () => {
  const two = (a: string, b: string) => {
    const m = load(`virtual_server 10.0.0.9 80 {
  protocol TCP
  lvs_method NAT
${a}${b}}
`);
    return { vs: m.virtual_server![0], rs: m.virtual_server![0].real_server! };
  };
  const server = (w: number, extra = '') => `  real_server 10.0.1.2 8080 {
    weight ${w}
${extra}  }
`;

  it('from the running entry (an update in place): its name and, with the same method and thresholds, its spec', () => {
    const { vs, rs } = two(server(3), server(4).replace('10.0.1.2', '10.0.1.3'));
    const running = { ...realServerPolicy(vs, rs[0], []), name: 'running-name' };
    const next = realServerPolicy(vs, rs[1], [], { entry: running, rs: rs[0] });
    expect(next.name).toBe('running-name');
    expect(next.weight).toBe(4);
    expect(next.server).toBe(running.server);
    expect(realServerPolicy(vs, rs[0], []).name).toBe('10.0.1.2:8080');
  });

  it('another method or thresholds: a new spec from the new settings', () => {
    for (const extra of ['    lvs_method DR\n', '    uthreshold 100\n', '    lthreshold 5\n']) {
      const a = two(server(3), '');
      const b = two(server(3, extra), '');
      const running = realServerPolicy(a.vs, a.rs[0], []);
      const next = realServerPolicy(b.vs, b.rs[0], [], { entry: running, rs: a.rs[0] });
      expect(next.server).not.toBe(running.server);
      expect(next.server).toEqual(realServerPolicy(b.vs, b.rs[0], []).server);
      expect(next.server).not.toEqual(running.server);
    }
  });
});
