import { afterAll, describe, expect, it } from 'vitest';
import { ErrClass } from '../../../../grammar/diagnostics.js';
import { cleanup, errors, errorsAt, load, vrrp } from './load-text.js';

afterAll(cleanup);

const vip = 'virtual_router_id 1\nvirtual_ipaddress {\n10.0.0.1\n}';

describe('interface checks', () => {
  it('accepts an instance on an existing interface', () => {
    const r = load(vrrp(`interface eth0\n${vip}`));
    expect(errors(r)).toEqual([]);
    expect(r.exitCode).toBe(0);
  });

  it('reports a missing instance interface at its keyword, with keepalived\'s BAD_IF class too', () => {
    const r = load(vrrp(`interface eth9\n${vip}`));
    expect(errorsAt(r)[0]).toBe('2:1 interface eth9 for vrrp_instance VI_1 doesn\'t exist');
    expect(errors(r).some((d) => d.cls === ErrClass.BadInterface)).toBe(true);
    expect(r.exitCode).toBe(5);
  });

  it('skips the instance completion checks once an interface is missing (as keepalived stops VRRP)', () => {
    const r = load(vrrp('interface eth9\nvirtual_ipaddress {\n10.0.0.1\n}'));
    expect(errorsAt(r).some((e) => e.includes('virtual router id'))).toBe(false);
  });

  it('accepts missing interfaces with dynamic_interfaces', () => {
    const r = load(`global_defs {\ndynamic_interfaces\n}\n${vrrp(`interface eth9\n${vip}\ntrack_interface {\neth8\n}`)}`);
    expect(errors(r)).toEqual([]);
  });

  it('reports tracked interfaces, VIP devices and static route devices that do not exist', () => {
    const r = load(`static_routes {\n10.1.0.0/16 dev eth7\n}\n${vrrp(`interface eth0\n${vip.replace('10.0.0.1', '10.0.0.1/24 dev eth6')}\ntrack_interface {\neth5 weight 10\n}`)}`);
    const msgs = errorsAt(r).join('\n');
    expect(msgs).toContain("1:1 interface eth7 for static routes doesn't exist");
    expect(msgs).toContain("(VI_1) tracked interface eth5 doesn't exist");
    expect(msgs).toContain('interface eth6 for ip address in virtual_ipaddress');
  });

  it('refuses the loopback interface for VRRP and drops it from the model', () => {
    const r = load(vrrp(`interface lo\n${vip}`), ['lo', 'eth0']);
    expect(errorsAt(r)[0]).toMatch(/^2:1 \(VI_1\) cannot use a loopback interface/);
    const vi = (r.model.vrrp_instance ?? [])[0];
    expect(vi?.interface).toBeUndefined();
  });
});

describe('empty value blocks', () => {
  it('reports an empty notification_email block, as keepalived does', () => {
    const r = load('global_defs {\nnotification_email {\n}\n}\n');
    expect(errorsAt(r)).toEqual(['2:1 Warning - empty notification_email block']);
    expect(load('global_defs {\nnotification_email {\na@b.c\n}\n}\n').exitCode).toBe(0);
  });
});
