import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, errors, errorsAt, load, vrrp } from './load-text.js';

afterAll(cleanup);

const inst = (name: string, ifname: string, vrid: number, extra = '') =>
  vrrp(`interface ${ifname}\nvirtual_router_id ${vrid}\n${extra}virtual_ipaddress {\n10.0.${vrid}.1\n}`, name);

describe('VRID conflicts', () => {
  it('reports two instances with one VRID on one interface, at the second VRID', () => {
    const r = load(inst('A', 'eth0', 7) + inst('B', 'eth0', 7));
    expect(errorsAt(r)).toEqual(['10:1 A and B both use VRID 7 with IPv4 on interface eth0']);
  });
  it('allows the same VRID on other interfaces or multicast groups', () => {
    expect(errors(load(inst('A', 'eth0', 7) + inst('B', 'eth1', 7)))).toEqual([]);
    expect(errors(load(inst('A', 'eth0', 7) + inst('B', 'eth0', 7, 'mcast_dst_ip 224.0.0.19\n')))).toEqual([]);
  });
});

describe('sync groups', () => {
  const group = (members: string) => `vrrp_sync_group G {\ngroup {\n${members}\n}\n}\n`;
  it('accepts two existing members', () => {
    expect(errors(load(group('A\nB') + inst('A', 'eth0', 1) + inst('B', 'eth1', 2)))).toEqual([]);
  });
  it('reports unknown members and a group left with one member, at `group`', () => {
    const r = load(group('A\nGHOST') + inst('A', 'eth0', 1));
    expect(errorsAt(r)).toEqual([
      "2:1 Virtual router GHOST specified in sync group G doesn't exist - ignoring",
      "2:1 Sync group G has only 1 virtual router(s) - this probably isn't what you want",
    ]);
    expect((r.model.vrrp_sync_group as Array<{ group: string[] }>)[0].group).toEqual(['A']);
  });
  it('reports a member of two groups', () => {
    const r = load(group('A\nB') + group('A\nB').replace('G {', 'H {') + inst('A', 'eth0', 1) + inst('B', 'eth1', 2));
    expect(errorsAt(r).filter((e) => e.includes('more than one sync group'))).toHaveLength(2);
  });
});

describe('tracked objects', () => {
  const script = 'vrrp_script chk {\nscript "</dev/tcp/127.0.0.1/80"\n}\n';
  const tracking = (name: string) => inst('A', 'eth0', 1, `track_script {\n${name}\n}\n`);
  it('resolves a vrrp_script declared before the instance', () => {
    expect(errors(load(script + tracking('chk')))).toEqual([]);
  });
  it('reports a script declared after its first use, or never', () => {
    expect(errorsAt(load(tracking('chk') + script))[0]).toMatch(/^4:1 \(A\) track script chk not found, ignoring\.\.\. \(vrrp_script chk must come before/);
    const r = load(tracking('nope'));
    expect(errorsAt(r)).toEqual(['4:1 (A) track script nope not found, ignoring...']);
    expect((r.model.vrrp_instance as Array<{ track_script: unknown[] }>)[0].track_script).toEqual([]);
  });
  it('reports a vrrp_script without a script, and duplicate tracking lines', () => {
    expect(errorsAt(load('vrrp_script empty {\ninterval 2\n}\n'))).toEqual(['1:1 No script set for vrrp_script empty - removing']);
    expect(errorsAt(load(script + tracking('chk\nchk')))).toEqual(['7:1 (A) duplicate track_script chk - ignoring']);
    expect(errorsAt(load(inst('A', 'eth0', 1, 'track_interface {\neth1\neth1\n}\n')))).toEqual(['4:1 (A) duplicate track_interface eth1 - ignoring']);
  });
});
