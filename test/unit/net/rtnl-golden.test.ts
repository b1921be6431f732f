// Our rtnetlink request bodies against what iproute2 sends for the same operation
// (test/fixtures/net/rtnl-iproute2.json, recorded by capture-rtnl.sh with strace).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newAddressRequest, delAddressRequest } from '../../../src/net/rtnl/address-msg.js';
import type { RtnlRequest } from '../../../src/net/rtnl/request.js';
import { newMacvlanRequest, delLinkRequest, addrGenModeNoneRequest } from '../../../src/net/rtnl/link-msg.js';
import { splitAttrs } from '../../../src/net/rtnl/attrs.js';
import { resolveVip, parseScope, type Vip } from '../../../src/net/vip.js';
import { vrrpMac } from '../../../src/net/vmac.js';
import { newRouteRequest, delRouteRequest } from '../../../src/net/rtnl/route-msg.js';
import { newRuleRequest, delRuleRequest } from '../../../src/net/rtnl/rule-msg.js';
import { resolveRoute, resolveRule } from '../../../src/net/routes.js';

interface Golden { ifindex: number; cases: Array<{ name: string; cmd: string; hex: string }> }
const golden = JSON.parse(readFileSync(join(__dirname, '../../fixtures/net/rtnl-iproute2.json'), 'utf8')) as Golden;
const ifindex = golden.ifindex;

function captured(name: string): { type: number; flags: number; body: Buffer } {
  const c = golden.cases.find((x) => x.name === name);
  if (!c) throw new Error(`no golden case ${name}`);
  const b = Buffer.from(c.hex, 'hex');
  expect(b.readUInt32LE(0)).toBe(b.length);
  return { type: b.readUInt16LE(4), flags: b.readUInt16LE(6), body: b.subarray(16) };
}

const REQUEST_ACK = 0x05; // added to every request by the netlink socket

function expectSame(req: RtnlRequest, name: string, headerLen: number, exact: boolean): void {
  const g = captured(name);
  expect(req.type).toBe(g.type);
  expect(req.flags | REQUEST_ACK).toBe(g.flags);
  expect(req.body.subarray(0, headerLen).toString('hex')).toBe(g.body.subarray(0, headerLen).toString('hex'));
  if (exact) expect(req.body.toString('hex')).toBe(g.body.toString('hex'));
  // Attribute order carries no meaning to the kernel; compare as sorted sets as well.
  const canon = (b: Buffer): string[] => splitAttrs(b, headerLen).map(([t, p]) => `${t}:${p.toString('hex')}`).sort();
  expect(canon(req.body)).toEqual(canon(g.body));
  expect(req.body.length).toBe(g.body.length);
}

const add = (v: Vip): RtnlRequest => newAddressRequest(resolveVip(v));
const del = (v: Vip): RtnlRequest => delAddressRequest(resolveVip(v));

describe('rtnetlink requests match iproute2 byte for byte', () => {
  it('IPv4 VIP with brd +, label and scope global', () => {
    expectSame(add({ address: '10.1.2.3', prefixLength: 24, ifindex, broadcast: '+', label: 'v0:vip', scope: parseScope('global') }), 'addr4-full', 8, true);
  });
  it('IPv4 /32 VIP without options', () => {
    expectSame(add({ address: '10.1.2.4', ifindex }), 'addr4-plain', 8, true);
  });
  it('IPv4 VIP with an explicit brd and scope link (iproute2 orders attributes differently)', () => {
    expectSame(add({ address: '10.9.9.5', prefixLength: 24, ifindex, broadcast: '10.9.9.200', scope: parseScope('link') }), 'addr4-link-brd', 8, false);
  });
  it('IPv4 delete', () => {
    expectSame(del({ address: '10.1.2.3', prefixLength: 24, ifindex, label: 'v0:vip', broadcast: '+' }), 'del4', 8, true);
  });
  it('IPv6 VIP carries IFA_F_NODAD', () => {
    expectSame(add({ address: '2001:db8::10', prefixLength: 64, ifindex }), 'addr6-nodad', 8, true);
    expectSame(add({ address: 'fe80::5', prefixLength: 64, ifindex, scope: 253 }), 'addr6-link-nodad', 8, true);
  });
  it('IPv6 delete', () => {
    expectSame(del({ address: '2001:db8::10', prefixLength: 64, ifindex }), 'del6', 8, true);
  });
  it('macvlan for use_vmac: private mode, VRRP MAC, parent link', () => {
    expectSame(newMacvlanRequest({ parentIfindex: ifindex, name: 'vrrp.51', mac: vrrpMac(51) }), 'macvlan-add', 16, true);
  });
  it('addrgenmode none (IPv6 vmac)', () => {
    const g = captured('addrgenmode-none');
    expectSame(addrGenModeNoneRequest(g.body.readInt32LE(4)), 'addrgenmode-none', 16, true);
  });
  it('link delete by index', () => {
    const g = captured('link-del');
    expectSame(delLinkRequest(g.body.readInt32LE(4)), 'link-del', 16, true);
  });
});

describe('virtual_routes and virtual_rules requests match iproute2', () => {
  const route = (name: string, r: Parameters<typeof resolveRoute>[0], del = false): void =>
    expectSame((del ? delRouteRequest : newRouteRequest)(resolveRoute(r)), name, 12, true);
  const rule = (name: string, r: Parameters<typeof resolveRule>[0], del = false): void =>
    expectSame((del ? delRuleRequest : newRuleRequest)(resolveRule(r)), name, 12, true);

  it('route via a gateway on a device (proto keepalived)', () => {
    route('route4-via', { to: '10.20.0.0', prefixLength: 24, via: '10.7.0.254', ifindex });
  });
  it('device route with src, metric, table 100 and scope link', () => {
    route('route4-dev-src-metric-table', { to: '10.21.0.0', prefixLength: 16, ifindex, src: '10.7.0.1', metric: 50, table: 100, scope: 253 });
  });
  it('blackhole', () => {
    route('route4-blackhole', { to: '10.22.0.0', prefixLength: 24, type: 'blackhole' });
  });
  it('table above 255 goes in RTA_TABLE', () => {
    route('route4-table-big', { to: '10.23.0.0', prefixLength: 24, via: '10.7.0.254', table: 1000 });
  });
  it('IPv6 route', () => {
    route('route6-via', { to: '2001:db8:1::', prefixLength: 64, via: '2001:db8:9::fe', ifindex });
  });
  it('route delete', () => {
    route('route4-del', { to: '10.20.0.0', prefixLength: 24, via: '10.7.0.254', ifindex }, true);
  });
  it('rule from a prefix to table 100', () => {
    rule('rule4-from', { from: '10.7.0.0/24', table: 100, priority: 100 });
  });
  it('rule to a prefix with fwmark, table 1000', () => {
    rule('rule4-to-fwmark', { to: '10.8.0.0/16', fwmark: 5, table: 1000, priority: 101 });
  });
  it('rule not iif/oif', () => {
    rule('rule4-iif-oif-not', { family: 4, not: true, iif: 'v0', oif: 'v0', table: 100, priority: 102 });
  });
  it('IPv6 rule', () => {
    rule('rule6-from', { from: '2001:db8::/32', table: 100, priority: 103 });
  });
  it('rule delete', () => {
    rule('rule4-del', { from: '10.7.0.0/24', table: 100, priority: 100 }, true);
  });
  it('refusals before the kernel: mixed families, unknown type, no family', () => {
    expect(() => resolveRoute({ to: '10.0.0.0', prefixLength: 8, via: '2001:db8::1' })).toThrow(/not IPv4/);
    expect(() => resolveRoute({ to: '10.0.0.0', type: 'teleport' })).toThrow(/unknown route type/);
    expect(() => resolveRule({ table: 5 })).toThrow(/family/);
    expect(() => resolveRule({ from: '10.0.0.0/8', to: '2001:db8::/32', table: 5 })).toThrow(/mixes/);
  });
});
