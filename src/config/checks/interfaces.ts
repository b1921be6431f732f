// Interfaces the config names must exist (keepalived looks each one up while parsing and,
// unless `dynamic_interfaces` is set, reports the missing ones and stops its VRRP side before
// completing the instances). Also: VRRP cannot run on the loopback interface.
import { ErrClass } from '../../../grammar/diagnostics.js';
import type { RawObject } from '../../../grammar/parser.js';
import type { CheckContext } from '../validate.js';
import { globalDefs, isObj, itemObjs, label, names, objs, root, str, vrrpInstances } from './model-access.js';

interface Missing { ifname: string; message: string; obj: RawObject; field: string; block?: string }

const LOOPBACK = 'lo';

/** Interface names inside an address/route/rule line (dev, oif, iif, also in nexthops). */
function devsOf(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) devsOf(x, out);
  else if (isObj(v)) {
    for (const [k, x] of Object.entries(v)) {
      if ((k === 'dev' || k === 'oif' || k === 'iif') && typeof x === 'string') out.push(x);
      else if (typeof x === 'object') devsOf(x, out);
    }
  }
  return out;
}

const missingCache = new WeakMap<object, Missing[]>();

/** Every reference to an interface the machine lacks, in file order of the keywords. */
export function missingInterfaces(ctx: CheckContext): Missing[] {
  const cached = missingCache.get(ctx.model);
  if (cached) return cached;
  const out: Missing[] = [];
  if (globalDefs(ctx)?.dynamic_interfaces === undefined) {
    const has = (n: string) => ctx.system.hasInterface(n);
    const r = root(ctx);
    const lineDevs = (o: RawObject, field: string, what: (dev: string) => string, block?: string) => {
      for (const dev of devsOf(o[field])) if (!has(dev)) out.push({ ifname: dev, message: what(dev), obj: o, field, block });
    };
    for (const field of ['static_ipaddress', 'static_routes', 'static_rules']) {
      lineDevs(r, field, (d) => `interface ${d} for ${field.replace('static_', 'static ')} doesn't exist`);
    }
    for (const g of objs(r, 'garp_group')) {
      const one = str(g, 'interface');
      if (one !== undefined && !has(one)) out.push({ ifname: one, message: `interface ${one} specified for garp_group doesn't exist`, obj: g, field: 'interface', block: 'garp_group' });
      for (const n of names(g, 'interfaces')) {
        if (!has(n)) out.push({ ifname: n, message: `interface ${n} specified for garp_group doesn't exist`, obj: g, field: 'interfaces', block: 'garp_group' });
      }
    }
    for (const sg of objs(r, 'vrrp_sync_group')) {
      for (const t of itemObjs(sg, 'track_interface')) {
        const n = String(t.name);
        if (!has(n)) out.push({ ifname: n, message: `(${String(sg.name)}) tracked interface ${n} doesn't exist`, obj: sg, field: 'track_interface', block: label('vrrp_sync_group', sg) });
      }
    }
    for (const vi of vrrpInstances(ctx)) {
      const block = label('vrrp_instance', vi);
      const ifname = str(vi, 'interface');
      if (ifname !== undefined && !has(ifname)) {
        out.push({ ifname, message: `interface ${ifname} for vrrp_instance ${String(vi.name)} doesn't exist`, obj: vi, field: 'interface', block });
      }
      for (const t of itemObjs(vi, 'track_interface')) {
        const n = String(t.name);
        if (!has(n)) out.push({ ifname: n, message: `(${String(vi.name)}) tracked interface ${n} doesn't exist`, obj: vi, field: 'track_interface', block });
      }
      for (const field of ['virtual_ipaddress', 'virtual_ipaddress_excluded']) {
        lineDevs(vi, field, (d) => `interface ${d} for ip address in ${field} doesn't exist`, block);
      }
      for (const field of ['virtual_routes', 'virtual_rules']) {
        lineDevs(vi, field, (d) => `interface ${d} for ${field.replace('virtual_', '')} doesn't exist`, block);
      }
    }
  }
  missingCache.set(ctx.model, out);
  return out;
}

/** keepalived stops its VRRP side before completing instances when an interface is missing. */
export const vrrpStoppedByMissingInterface = (ctx: CheckContext): boolean => missingInterfaces(ctx).length > 0;

export function checkInterfaces(ctx: CheckContext): void {
  const missing = missingInterfaces(ctx);
  for (const m of missing) {
    ctx.report({ cls: ErrClass.General, level: 'error', keyword: m.field, block: m.block, message: m.message }, m.obj, m.field);
  }
  if (missing.length > 0) {
    const first = missing[0];
    ctx.report({ cls: ErrClass.BadInterface, level: 'error', keyword: first.field, block: first.block, message: 'Non-existent interface specified in configuration (set dynamic_interfaces to allow it)' }, first.obj, first.field);
  }
  // up/down debounce delays for an unknown interface are fatal to keepalived's VRRP parser
  // (CONFIG_FATAL: `keepalived -t` exits 4), but do not stop it like the lookups above
  if (globalDefs(ctx)?.dynamic_interfaces === undefined) {
    const r = root(ctx);
    for (const d of itemObjs(r, 'interface_up_down_delays')) {
      const n = String(d.ifname);
      if (!ctx.system.hasInterface(n)) {
        ctx.report({ cls: ErrClass.Fatal, level: 'error', keyword: 'interface_up_down_delays', message: `unknown interface ${n} specified for up/down delay` }, r, 'interface_up_down_delays');
      }
    }
  }
  for (const vi of vrrpInstances(ctx)) {
    if (str(vi, 'interface') === LOOPBACK) {
      ctx.report({ cls: ErrClass.General, level: 'error', keyword: 'interface', block: label('vrrp_instance', vi), message: `(${String(vi.name)}) cannot use a loopback interface (${LOOPBACK}) for vrrp - ignoring` }, vi, 'interface');
      delete vi.interface;
    }
  }
}
