import { afterAll, describe, expect, it } from 'vitest';
import type { RawObject } from '../../../../grammar/parser.js';
import { cleanup, errors, errorsAt, load, vrrp } from './load-text.js';

afterAll(cleanup);

const vips = 'virtual_ipaddress {\n10.0.0.1\n}';
const instance = (r: { model: { vrrp_instance?: RawObject[] } }): RawObject => {
  const vi = r.model.vrrp_instance?.[0];
  if (!vi) throw new Error('no vrrp_instance in the model');
  return vi;
};

describe('vrrp_instance completion', () => {
  it('needs virtual_router_id, reported at the block', () => {
    const r = load(vrrp(`interface eth0\n${vips}`));
    expect(errorsAt(r)).toEqual(['1:1 (VI_1) the virtual router id must be set']);
  });

  it('needs an interface, even when unicasting (keepalived 2.2.7 checks before it knows)', () => {
    expect(errorsAt(load(vrrp(`virtual_router_id 1\n${vips}`)))).toEqual(['1:1 (VI_1) Unknown interface!']);
    const uni = load(vrrp(`virtual_router_id 1\nunicast_src_ip 10.0.0.2\nunicast_peer {\n10.0.0.3\n}\n${vips}`));
    expect(errorsAt(uni)).toEqual(['1:1 (VI_1) Unknown interface!']);
  });

  it('drops addresses of the other family than the first address keyword, in file order', () => {
    const r = load(vrrp(`interface eth0\nvirtual_router_id 1\nunicast_peer {\n192.168.1.2\n}\nunicast_src_ip 2001:db8::1\n${vips}`));
    expect(errorsAt(r)).toEqual(['7:1 Configuration error: VRRP instance[VI_1] and src address[2001:db8::1] MUST be of the same family !!! Skipping...']);
    expect(instance(r).unicast_src_ip).toBeUndefined();
  });

  it('skips a second instance of the same name, and ignores tracking its own interface', () => {
    const r = load(vrrp(`interface eth0\nvirtual_router_id 1\n${vips}`) + vrrp(`interface eth1\nvirtual_router_id 2\n${vips}`));
    expect(errorsAt(r)).toEqual(['8:1 vrrp instance VI_1 already defined']);
    expect(r.model.vrrp_instance).toHaveLength(1);
    const own = load(vrrp(`interface eth0\nvirtual_router_id 1\ntrack_interface {\neth0\n}\n${vips}`));
    expect(errorsAt(own)).toEqual(['4:1 (VI_1) Ignoring track_interface eth0 since own interface']);
  });

  it('complains about an instance without VIPs (an error for keepalived -t)', () => {
    const r = load(vrrp('interface eth0\nvirtual_router_id 1'));
    expect(errorsAt(r)).toEqual(['1:1 (VI_1) No VIP specified; at least one is sensible']);
    expect(r.exitCode).toBe(5);
  });

  it('derives priority 255 from state MASTER, and MASTER from priority 255', () => {
    expect(instance(load(vrrp(`state MASTER\ninterface eth0\nvirtual_router_id 1\n${vips}`))).priority).toBe(255);
    expect(instance(load(vrrp(`priority 255\ninterface eth0\nvirtual_router_id 1\n${vips}`))).state).toBe('MASTER');
    const backup = instance(load(vrrp(`interface eth0\nvirtual_router_id 1\n${vips}`)));
    expect([backup.state, backup.priority]).toEqual(['BACKUP', 100]);
  });

  it('clears initial MASTER with AH below priority 255, also when priority 100 is written (positioned pass)', () => {
    const body = `state MASTER\ninterface eth0\nvirtual_router_id 1\npriority 100\nauthentication {\nauth_type AH\nauth_pass x\n}\n${vips}`;
    const r = load(vrrp(body));
    expect(errorsAt(r)).toEqual(['2:1 (VI_1) Initial state master is incompatible with AH authentication - clearing']);
    expect(instance(r).state).toBe('BACKUP');
    expect(errors(load(vrrp(body.replace('priority 100\n', ''))))).toEqual([]);
  });

  it('refuses authentication with VRRPv3', () => {
    const r = load(vrrp(`interface eth0\nvirtual_router_id 1\nversion 3\nauthentication {\nauth_type PASS\nauth_pass x\n}\n${vips}`));
    expect(errorsAt(r)).toEqual(['5:1 (VI_1) VRRP version 3 does not support authentication. Ignoring.']);
  });

  it('rounds VRRPv2 advert_int to whole seconds and VRRPv3 to centiseconds', () => {
    const v2 = load(vrrp(`interface eth0\nvirtual_router_id 1\nadvert_int 1.5\n${vips}`));
    expect(errorsAt(v2)[0]).toMatch(/^4:1 .*must be an integer/);
    expect(instance(v2).advert_int).toBe(2_000_000);
    const v3 = load(vrrp(`interface eth0\nvirtual_router_id 1\nversion 3\nadvert_int 0.015\n${vips}`));
    expect(errorsAt(v3)[0]).toMatch(/units of 10ms/);
    expect(instance(v3).advert_int).toBe(20_000);
    expect(errors(load(vrrp(`interface eth0\nvirtual_router_id 1\nversion 3\nadvert_int 0.05\n${vips}`)))).toEqual([]);
  });

  it('clears nopreempt with initial state MASTER and with priority 255', () => {
    const r = load(vrrp(`state MASTER\npriority 200\nnopreempt\ninterface eth0\nvirtual_router_id 1\n${vips}`));
    expect(errorsAt(r)).toEqual(['4:1 (VI_1) Warning - nopreempt will not work with initial state MASTER - clearing']);
    expect(instance(r).nopreempt).toBeUndefined();
  });

  it('uses VRRPv3 for IPv6 and the family of the first VIP for the rest', () => {
    const r = load(vrrp('interface eth0\nvirtual_router_id 1\nvirtual_ipaddress {\nfe80::1\n10.0.0.1\n}'));
    expect(errorsAt(r)).toEqual(['4:1 (VI_1) address family must match VRRP instance [10.0.0.1] - ignoring']);
    expect(instance(r).version).toBe(3);
  });

  it('in strict mode requires MASTER to be the address owner', () => {
    const r = load(`global_defs {\nvrrp_strict\n}\n${vrrp(`state MASTER\npriority 100\ninterface eth0\nvirtual_router_id 1\n${vips}`)}`);
    expect(errorsAt(r)[0]).toMatch(/^5:1 \(VI_1\) State MASTER must match being address owner/);
  });

  it('calls a unicast keyword without peers deprecated', () => {
    const r = load(vrrp(`interface eth0\nvirtual_router_id 1\nunicast_src_ip 10.0.0.2\n${vips}`));
    expect(errorsAt(r)[0]).toMatch(/A unicast keyword has been specified without any unicast peers/);
  });
});
