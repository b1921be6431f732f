// A vrrp_instance as keepalived completes it after parsing (chk_min_cfg, vrrp_complete_instance):
// required keywords, defaults derived from other keywords (priority from state, state from
// priority, version from the address family), and the combinations it refuses or corrects.
// Each complaint is an error for `-t`; where keepalived then corrects the setting, so does the model.
import { ErrClass } from '../../../grammar/diagnostics.js';
import type { RawObject } from '../../../grammar/parser.js';
import type { CheckContext } from '../validate.js';
import { askForPositions, globalDefs, isObj, itemObjs, items, label, num, obj, order, str, vrrpInstances, written, VRRP_INSTANCE } from './model-access.js';
import { vrrpStoppedByMissingInterface } from './interfaces.js';

const OWNER = 255;
const US = 1_000_000;
/** Ethernet MTU keepalived assumes for the VIP count limit (veth and Ethernet default). */
const MTU = 1500;

type Report = (message: string, field?: string, cls?: ErrClass) => void;

function familyOfVips(vi: RawObject): 4 | 6 | undefined {
  const first = itemObjs(vi, 'virtual_ipaddress')[0];
  return first && (first.family === 6 ? 6 : first.family === 4 ? 4 : undefined);
}

/**
 * Parse-time: the first address-bearing keyword (VIPs, unicast peers, unicast_src_ip /
 * mcast_src_ip, mcast_dst_ip) sets the instance's family; later ones of the other family are
 * dropped with an error (keepalived alloc_vrrp_vip, alloc_unicast_peer, the src ip handlers).
 */
function checkFamilies(ctx: CheckContext, vi: RawObject, report: Report): void {
  const fam = (o: unknown): number | undefined => (isObj(o) && typeof o.family === 'number' ? o.family : undefined);
  const fields = ['virtual_ipaddress', 'unicast_peer', 'unicast_src_ip', 'mcast_src_ip', 'mcast_dst_ip'];
  const present = fields.filter((f) => vi[f] !== undefined);
  const families = new Set<number>();
  for (const f of present) {
    const v = vi[f];
    for (const x of Array.isArray(v) ? v : [v]) {
      const n = fam(x);
      if (n !== undefined) families.add(n);
    }
  }
  if (families.size < 2) return;
  if (!ctx.parsed.at(vi)) {
    askForPositions(ctx);
    return;
  }
  present.sort((a, b) => order(ctx, vi, a) - order(ctx, vi, b));
  let family: number | undefined;
  const name = String(vi.name);
  for (const f of present) {
    const v = vi[f];
    if (Array.isArray(v)) {
      const kept = v.filter((x) => {
        const n = fam(x);
        if (family === undefined) family = n;
        if (n === undefined || n === family) return true;
        report(f === 'virtual_ipaddress'
          ? `(${name}) address family must match VRRP instance [${String(isObj(x) ? x.addr : x)}] - ignoring`
          : `Configuration error: VRRP instance[${name}] and unicast peer address[${String(isObj(x) ? x.addr : x)}] MUST be of the same family !!! Skipping...`, f);
        return false;
      });
      vi[f] = kept;
    } else {
      const n = fam(v);
      if (family === undefined) family = n;
      else if (n !== undefined && n !== family) {
        report(`Configuration error: VRRP instance[${name}] and ${f === 'mcast_dst_ip' ? 'multicast' : 'src'} address[${String(isObj(v) ? v.addr : v)}] MUST be of the same family !!! Skipping...`, f);
        delete vi[f];
      }
    }
  }
}

/** Parse-time, at the end of the vrrp_instance block (keepalived vrrp_end_handler). */
function endOfBlock(ctx: CheckContext, vi: RawObject, report: Report): void {
  const name = String(vi.name);
  const unicastConfigured = ['unicast_peer', 'unicast_fault_no_peer', 'check_unicast_src', 'old_unicast_checksum', 'unicast_src_ip'].some((f) => written(ctx, vi, f, VRRP_INSTANCE));
  if (unicastConfigured && vi.use_vmac !== undefined) {
    if (vi.interface === undefined) {
      report(`(${name}): Cannot use VMAC/ipvlan with unicast and no interface - clearing use_vmac`, 'use_vmac');
      delete vi.use_vmac;
    } else if (vi.vmac_xmit_base !== true) {
      report(`(${name}) unicast with use_vmac requires vmac_xmit_base - setting`, 'use_vmac');
      vi.vmac_xmit_base = true;
    }
  }
  if (items(vi, 'unicast_peer').length === 0 && written(ctx, vi, 'unicast_ttl', VRRP_INSTANCE)) {
    report(`(${name}): Cannot use unicast_ttl without unicast peers - resetting`, 'unicast_ttl');
    delete vi.unicast_ttl;
  }
  if (vi.unicast_ttl === undefined) vi.unicast_ttl = 255;
}

function isLinkLocal6(addr: unknown): boolean {
  return typeof addr === 'string' && /^fe[89ab][0-9a-f]?:/i.test(addr);
}

function complete(ctx: CheckContext, vi: RawObject, report: Report): void {
  const g = globalDefs(ctx);
  const name = String(vi.name);
  const strict = typeof vi.strict_mode === 'boolean' ? vi.strict_mode : g?.vrrp_strict === true;
  const family = familyOfVips(vi) ?? 4;
  const vips = itemObjs(vi, 'virtual_ipaddress');
  const unicastConfigured = ['unicast_peer', 'unicast_fault_no_peer', 'check_unicast_src', 'old_unicast_checksum', 'unicast_src_ip'].some((f) => written(ctx, vi, f, VRRP_INSTANCE));
  const unicast = unicastConfigured && items(vi, 'unicast_peer').length > 0;

  // version: explicit, IPv6 -> 3, otherwise global vrrp_version
  let version = written(ctx, vi, 'version', VRRP_INSTANCE) ? num(vi, 'version') ?? 2 : family === 6 ? 3 : num(g, 'vrrp_version') ?? 2;
  if (family === 6 && version === 2 && strict) {
    report(`(${name}) cannot use IPv6 with VRRP version 2; setting version 3`, 'version');
    version = 3;
  }
  vi.version = version;

  if (vips.length === 0) {
    if (version === 3 || strict) {
      report(`(${name}) No VIP specified; at least one is required`);
      return;
    }
    report(`(${name}) No VIP specified; at least one is sensible`);
  }

  // priority from state, state from priority
  const stateWritten = written(ctx, vi, 'state', VRRP_INSTANCE);
  if (!written(ctx, vi, 'priority', VRRP_INSTANCE)) vi.priority = stateWritten && vi.state === 'MASTER' ? OWNER : 100;
  const priority = num(vi, 'priority') ?? 100;
  if (!stateWritten) vi.state = priority === OWNER ? 'MASTER' : 'BACKUP';
  else if (strict && (vi.state === 'MASTER') !== (priority === OWNER)) {
    report(`(${name}) State MASTER must match being address owner (priority 255) in strict mode`, 'state');
    vi.state = priority === OWNER ? 'MASTER' : 'BACKUP';
  }

  // authentication (VRRPv2 only)
  const auth = obj(vi, 'authentication');
  const authType = str(auth, 'auth_type');
  if (auth && authType !== undefined) {
    const drop = (m: string) => { report(m, 'authentication'); delete auth.auth_type; };
    if (strict) drop(`(${name}) Strict mode does not support authentication. Ignoring.`);
    else if (version === 3) drop(`(${name}) VRRP version 3 does not support authentication. Ignoring.`);
    else if (auth.auth_pass === undefined) drop(`(${name}) Authentication specified but no password given. Ignoring`);
    else if (family === 6 && authType === 'AH') drop(`(${name}) Cannot use AH authentication with IPv6. ignoring`);
    else if (authType === 'AH' && vi.state === 'MASTER' && priority !== OWNER) {
      report(`(${name}) Initial state master is incompatible with AH authentication - clearing`, 'state');
      vi.state = 'BACKUP';
    }
  }

  // an instance's own interface is not tracked
  const own = str(vi, 'interface');
  const tracked = itemObjs(vi, 'track_interface');
  if (own !== undefined && tracked.some((t) => t.name === own)) {
    report(`(${name}) Ignoring track_interface ${own} since own interface`, 'track_interface');
    vi.track_interface = tracked.filter((t) => t.name !== own);
  }

  if (unicastConfigured && !unicast && vi.unicast_fault_no_peer !== true) {
    report(`(${name}) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.`, 'unicast_peer', ErrClass.Deprecated);
  }

  const vmac = obj(vi, 'use_vmac');
  if (strict && vmac && vmac.mac !== undefined) {
    report(`(${name}): cannot specify MAC address with strict mode - clearing`, 'use_vmac');
    delete vmac.mac;
  }

  if (family === 6 && !unicast && vips.length > 0 && !isLinkLocal6(vips[0].addr) && strict) {
    report(`(${name}) the first IPv6 VIP address must be link local`, 'virtual_ipaddress');
  }

  // VIPs beyond what one advert holds move to the excluded list
  const header = family === 4 ? 14 + 20 + 8 + (version === 2 ? 8 + (authType === 'AH' ? 24 : 0) : 0) : 14 + 40 + 8;
  const maxAddr = Math.min(255, Math.floor((MTU - header) / (family === 4 ? 4 : 16)));
  if (vips.length > maxAddr) {
    report(`(${name}) Number of VIPs (${vips.length}) exceeds maximum/space available in packet (max ${maxAddr} addresses) - excess moved to eVIPs`, 'virtual_ipaddress');
    vi.virtual_ipaddress = vips.slice(0, maxAddr);
    vi.virtual_ipaddress_excluded = [...items(vi, 'virtual_ipaddress_excluded'), ...vips.slice(maxAddr)];
  }

  if (priority === OWNER && vi.nopreempt === true) {
    report(`(${name}) nopreempt is incompatible with priority 255. resetting nopreempt`, 'nopreempt');
    delete vi.nopreempt;
  }
  const preemptDelay = num(vi, 'preempt_delay') ?? 0;
  if (vi.state === 'MASTER') {
    if (vi.nopreempt === true) {
      report(`(${name}) Warning - nopreempt will not work with initial state MASTER - clearing`, 'nopreempt');
      delete vi.nopreempt;
    }
    if (preemptDelay) {
      report(`(${name}) Warning - preempt delay will not work with initial state MASTER - clearing`, 'preempt_delay');
      vi.preempt_delay = 0;
    }
  }
  if (num(vi, 'preempt_delay')) {
    if (strict) {
      report(`(${name}) preempt_delay is incompatible with strict mode - resetting`, 'preempt_delay');
      vi.preempt_delay = 0;
    }
    if (vi.nopreempt === true) {
      report(`(${name}) preempt_delay is incompatible with nopreempt mode - resetting`, 'preempt_delay');
      vi.preempt_delay = 0;
    }
  }
  if (strict && written(ctx, vi, 'down_timer_adverts', VRRP_INSTANCE) && vi.down_timer_adverts !== 3) {
    report(`(${name}) down_timer_adverts is incompatible with strict mode - resetting`, 'down_timer_adverts');
    vi.down_timer_adverts = 3;
  }
  if (strict && vi.accept === true && priority !== OWNER && version === 2) {
    report(`(${name}) warning - accept mode for VRRP version 2 does not comply with RFC3768 - resetting`, 'accept');
    vi.accept = false;
  }
  if (unicast && written(ctx, vi, 'mcast_dst_ip', VRRP_INSTANCE)) {
    report(`(${name}) multicast destination specified with unicast - ignoring`, 'mcast_dst_ip');
    delete vi.mcast_dst_ip;
  }
  if (strict) {
    if (written(ctx, vi, 'garp_lower_prio_repeat', VRRP_INSTANCE) && num(vi, 'garp_lower_prio_repeat')) {
      report(`(${name}) Strict mode requires no repeat garps. resetting`, 'garp_lower_prio_repeat');
      vi.garp_lower_prio_repeat = 0;
    }
    if (written(ctx, vi, 'garp_lower_prio_delay', VRRP_INSTANCE) && num(vi, 'garp_lower_prio_delay')) {
      report(`(${name}) Strict mode requires no repeat garp delay. resetting`, 'garp_lower_prio_delay');
      vi.garp_lower_prio_delay = 0;
    }
    if (vi.lower_prio_no_advert === false) {
      report(`(${name}) Strict mode requires no lower priority advert. resetting`, 'lower_prio_no_advert');
      vi.lower_prio_no_advert = true;
    }
    if (vi.higher_prio_send_advert === true) {
      report(`(${name}) strict mode requires higher_prio_send_advert to be clear. resetting`, 'higher_prio_send_advert');
      vi.higher_prio_send_advert = false;
    }
  }

  checkAdvertInt(vi, version, name, report);
}

/** VRRPv2 adverts carry whole seconds (< 256), VRRPv3 centiseconds (< 40.96 s). */
function checkAdvertInt(vi: RawObject, version: number, name: string, report: Report): void {
  let adv = num(vi, 'advert_int') ?? US;
  if (adv === 0) adv = US;
  const unit = version === 2 ? US : US / 100;
  const limit = version === 2 ? 256 * US : 4096 * unit;
  if (adv >= limit) {
    report(`(${name}) VRRPv${version} advertisement interval ${adv / US}s is out of range. Must be less than ${limit / US}s. Setting to ${(limit - unit) / US}s`, 'advert_int');
    adv = limit - unit;
  } else if (adv % unit) {
    report(version === 2
      ? `(${name}) VRRPv2 advertisement interval ${adv / US}s must be an integer. rounding`
      : `(${name}) VRRPv3 advertisement interval ${adv / US}s must be in units of 10ms - rounding`, 'advert_int');
    adv = Math.floor((adv + unit / 2) / unit) * unit || unit;
  }
  vi.advert_int = adv;
}

export function checkVrrpInstances(ctx: CheckContext): void {
  const stopped = vrrpStoppedByMissingInterface(ctx);
  for (const vi of vrrpInstances(ctx)) {
    const block = label('vrrp_instance', vi);
    const report: Report = (message, field, cls = ErrClass.General) =>
      ctx.report({ cls, level: 'error', keyword: field, block, message }, vi, field);
    checkFamilies(ctx, vi, report);
    endOfBlock(ctx, vi, report);
    if (stopped) continue;
    if (vi.virtual_router_id === undefined) {
      report(`(${String(vi.name)}) the virtual router id must be set`);
      continue;
    }
    // keepalived 2.2.7 checks this before it knows the instance unicasts: interface is required
    if (vi.interface === undefined) {
      report(`(${String(vi.name)}) Unknown interface!`);
      continue;
    }
    complete(ctx, vi, report);
  }
}
