// Property: a model generated at random, printed as keepalived.conf and parsed back, gives
// the same model (with the schema's defaults filled in where the generator left a keyword out).
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../grammar/parser.js';
import { rootSchema } from '../../../grammar/schema/index.js';

type Obj = Record<string, unknown>;
const dir = mkdtempSync(join(tmpdir(), 'lvsd-roundtrip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function parse(text: string) {
  const f = join(dir, `r${n++}.conf`);
  writeFileSync(f, text);
  return parseConfig(f, rootSchema, { configId: 'x' });
}

// ---- generators of model fragments (values in model units: timers in µs) ----
const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,11}$/);
const ipv4 = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 })).map((p) => p.join('.'));
const centis = (min: number, max: number) => fc.integer({ min, max }).map((c) => c * 10_000); // seconds with 2 decimals, in µs
const seconds = (min: number, max: number) => fc.integer({ min, max }).map((s) => s * 1_000_000);

const vip = fc.record({ addr: ipv4, family: fc.constant(4), prefix: fc.integer({ min: 8, max: 32 }) }, { requiredKeys: ['addr', 'family', 'prefix'] });
const instance = fc.record(
  {
    state: fc.constantFrom('MASTER', 'BACKUP'),
    interface: fc.constantFrom('eth0', 'eth1', 'bond0'),
    virtual_router_id: fc.integer({ min: 1, max: 255 }),
    priority: fc.integer({ min: 1, max: 255 }),
    advert_int: centis(1, 25500),
    nopreempt: fc.constant(true),
    preempt_delay: seconds(0, 1000),
    virtual_ipaddress: fc.array(vip, { minLength: 1, maxLength: 4 }),
  },
  { requiredKeys: ['interface', 'virtual_router_id'] },
);
const tcpCheck = fc.record({ connect_timeout: seconds(1, 60), connect_port: fc.integer({ min: 1, max: 65535 }) }, { requiredKeys: [] });
const url = fc.record({ path: fc.stringMatching(/^\/[a-z0-9/._-]{0,20}$/), status_code: fc.array(fc.integer({ min: 100, max: 599 }).map((c) => [c, c]), { minLength: 1, maxLength: 3 }) }, { requiredKeys: ['path'] });
const httpGet = fc.record({ url: fc.array(url, { minLength: 1, maxLength: 2 }), connect_timeout: seconds(1, 60) }, { requiredKeys: ['url'] });
const realServer = fc.record(
  {
    addr: ipv4.map((a) => ({ addr: a, family: 4 })),
    port: fc.integer({ min: 1, max: 65535 }),
    weight: fc.integer({ min: 0, max: 65535 }),
    TCP_CHECK: fc.array(tcpCheck, { minLength: 1, maxLength: 1 }),
    HTTP_GET: fc.array(httpGet, { minLength: 1, maxLength: 1 }),
  },
  { requiredKeys: ['addr', 'port'] },
);
const virtualServer = fc.record(
  {
    addr: ipv4,
    port: fc.integer({ min: 1, max: 65535 }),
    lvs_sched: fc.constantFrom('rr', 'wrr', 'lc', 'wlc', 'sh', 'dh', 'sed', 'nq'),
    lvs_method: fc.oneof(
      fc.constantFrom('NAT', 'DR').map((method) => ({ method })),
      fc.record({
        method: fc.constant('TUN'),
        tunnel: fc.oneof(
          fc.constant({ type: 'ipip' }),
          fc.record({ type: fc.constant('gre'), csum: fc.constantFrom('csum', 'nocsum') }),
          fc.record({ type: fc.constant('gue'), port: fc.integer({ min: 1, max: 65535 }), csum: fc.constantFrom('csum', 'nocsum', 'remcsum') }, { requiredKeys: ['type', 'port', 'csum'] }),
        ),
      }),
    ),
    protocol: fc.constantFrom('TCP', 'UDP'),
    delay_loop: seconds(1, 3600),
    real_server: fc.uniqueArray(realServer, { minLength: 1, maxLength: 4, selector: (r) => `${r.addr.addr}:${r.port}` }),
  },
  { requiredKeys: ['addr', 'port', 'real_server'] },
);
const model = fc.record({
  global_defs: fc.record({ router_id: word }, { requiredKeys: ['router_id'] }),
  vrrp_instance: fc.uniqueArray(fc.tuple(word, instance).map(([name, i]) => ({ name, ...i })), { maxLength: 3, selector: (i) => i.name }),
  virtual_server: fc.array(virtualServer, { maxLength: 3 }),
});

// ---- the printer: model -> keepalived.conf text ----
const sec = (us: number) => (us % 1_000_000 === 0 ? String(us / 1_000_000) : (us / 1_000_000).toFixed(6).replace(/0+$/, ''));
function lines(o: Obj, order: string[], ind: string, special: Record<string, (v: never, ind: string) => string> = {}): string {
  let s = '';
  for (const k of order) {
    const v = o[k];
    if (v === undefined) continue;
    if (special[k]) s += special[k](v as never, ind);
    else if (v === true) s += `${ind}${k}\n`;
    else if (['advert_int', 'preempt_delay', 'delay_loop', 'connect_timeout'].includes(k)) s += `${ind}${k} ${sec(v as number)}\n`;
    else s += `${ind}${k} ${String(v)}\n`;
  }
  return s;
}
function printModel(m: { global_defs: Obj; vrrp_instance: Obj[]; virtual_server: Obj[] }): string {
  let s = `global_defs {\n${lines(m.global_defs, ['router_id'], '  ')}}\n`;
  for (const i of m.vrrp_instance) {
    s += `vrrp_instance ${String(i.name)} {\n` + lines(i, ['state', 'interface', 'virtual_router_id', 'priority', 'advert_int', 'nopreempt', 'preempt_delay', 'virtual_ipaddress'], '  ', {
      virtual_ipaddress: (v: Obj[], ind) => `${ind}virtual_ipaddress {\n${v.map((a) => `${ind}  ${String(a.addr)}/${String(a.prefix)}\n`).join('')}${ind}}\n`,
    }) + '}\n';
  }
  for (const v of m.virtual_server) {
    s += `virtual_server ${String(v.addr)} ${String(v.port)} {\n` + lines(v, ['lvs_sched', 'lvs_method', 'protocol', 'delay_loop', 'real_server'], '  ', {
      lvs_method: (x: Obj, ind) => {
        const t = x.tunnel as Obj | undefined;
        const tun = t ? ` type ${String(t.type)}${t.port !== undefined ? ` port ${String(t.port)}` : ''}${t.csum !== undefined ? ` ${String(t.csum)}` : ''}` : '';
        return `${ind}lvs_method ${String(x.method)}${tun}\n`;
      },
      real_server: (rs: Obj[], ind) => rs.map((r) => `${ind}real_server ${String((r.addr as Obj).addr)} ${String(r.port)} {\n` + lines(r, ['weight', 'TCP_CHECK', 'HTTP_GET'], ind + '  ', {
        TCP_CHECK: (c: Obj[], i2) => c.map((x) => `${i2}TCP_CHECK {\n${lines(x, ['connect_timeout', 'connect_port'], i2 + '  ')}${i2}}\n`).join(''),
        HTTP_GET: (c: Obj[], i2) => c.map((x) => `${i2}HTTP_GET {\n` + lines(x, ['url', 'connect_timeout'], i2 + '  ', {
          url: (us: Obj[], i3) => us.map((u) => `${i3}url {\n${i3}  path ${String(u.path)}\n` + (u.status_code ? `${i3}  status_code ${(u.status_code as number[][]).map((c) => c[0]).join(' ')}\n` : '') + `${i3}}\n`).join(''),
        }) + `${i2}}\n`).join(''),
      }) + `${ind}}\n`).join(''),
    }) + '}\n';
  }
  return s;
}

// Defaults of each block, read from the parser itself on empty blocks.
const empty = parse('vrrp_instance X {\n}\nvirtual_server 1.1.1.1 1 {\n real_server 2.2.2.2 2 {\n  TCP_CHECK {\n  }\n  HTTP_GET {\n   url {\n   }\n  }\n }\n}\n').root as Obj;
const vsDefaults = (empty.virtual_server as Obj[])[0];
const rsDefaults = (vsDefaults.real_server as Obj[])[0];
const pick = (o: Obj, drop: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !drop.includes(k)));
const D = {
  vi: pick((empty.vrrp_instance as Obj[])[0], ['name']),
  vs: pick(vsDefaults, ['kind', 'addr', 'family', 'port', 'real_server']),
  rs: pick(rsDefaults, ['addr', 'port', 'TCP_CHECK', 'HTTP_GET']),
  tcp: (rsDefaults.TCP_CHECK as Obj[])[0],
  http: pick((rsDefaults.HTTP_GET as Obj[])[0], ['url']),
  url: ((rsDefaults.HTTP_GET as Obj[])[0].url as Obj[])[0],
};

function expected(m: { global_defs: Obj; vrrp_instance: Obj[]; virtual_server: Obj[] }): Obj {
  return {
    global_defs: m.global_defs,
    vrrp_instance: m.vrrp_instance.map((i) => ({ ...D.vi, ...i })),
    virtual_server: m.virtual_server.map((v) => ({
      ...D.vs, kind: 'ip', family: 4, ...v,
      real_server: (v.real_server as Obj[]).map((r) => ({
        ...D.rs, ...r,
        ...(r.TCP_CHECK ? { TCP_CHECK: (r.TCP_CHECK as Obj[]).map((c) => ({ ...D.tcp, ...c })) } : {}),
        ...(r.HTTP_GET ? { HTTP_GET: (r.HTTP_GET as Obj[]).map((c) => ({ ...D.http, ...c, url: (c.url as Obj[]).map((u) => ({ ...D.url, ...u })) })) } : {}),
      })),
    })),
  };
}

describe('print -> parse round trip', () => {
  it('gives back every generated model', () => {
    fc.assert(
      fc.property(model, (m) => {
        const text = printModel(m as never);
        const r = parse(text);
        expect(r.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
        const got = r.root as Obj;
        const want = expected(m as never);
        expect(got.global_defs).toMatchObject(want.global_defs as Obj);
        expect(got.vrrp_instance ?? []).toEqual(want.vrrp_instance);
        expect(got.virtual_server ?? []).toEqual(want.virtual_server);
      }),
      { numRuns: 300 },
    );
  });

  it('notices a printer that loses a field (the property can fail)', () => {
    const m = { global_defs: { router_id: 'a' }, vrrp_instance: [{ name: 'V', interface: 'eth0', virtual_router_id: 7, priority: 200 }], virtual_server: [] };
    const lossy = printModel(m).replace(/ *priority 200\n/, '');
    const got = parse(lossy).root as Obj;
    expect(got.vrrp_instance).not.toEqual(expected(m).vrrp_instance);
  });
});
