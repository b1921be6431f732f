// VRRPD configuration of keepalived.conf(5): vrrp_script, track_file, vrrp_track_process,
// vrrp_sync_group, garp_group and vrrp_instance with all its sub-blocks.
// Ranges and messages follow keepalived 2.2.7 vrrp/vrrp_parser.c, vrrp_track.c, trackers/track_file.c.
import { ErrClass } from '../diagnostics.js';
import type { ConvertCtx, KeywordSpec, Word } from './types.js';
import { INT_MAX, INT_MIN, UINT_MAX, int, ip, ifname, multicast, oneOf, string, timerUs, uint, wholeSeconds } from './values.js';
import {
  addressLine, conv, example, flag, flagBool, ignored, later, lines, nameLine, optionalScript, parseWord, routeLine, ruleLine, scriptLine, scriptLineOrWarn,
  supported, trackBfdLine, trackFileLine, trackInterfaceLine, trackProcessLine, trackScriptLine, unicastPeerLine, userLine, val,
  weightReverse,
} from './shared.js';
import { garpExtraIfInstance } from './global.js';

const BFD = supported; // track_bfd: src/vrrp/trackers/bfd.ts
const PROC = later('process tracking (vrrp_track_process)');
const SMTP = later('SMTP alerts');
const FIFO = later('notify FIFOs');
const ROUTES = later('virtual/static routes and rules');
const IPVLAN = later('ipvlan interfaces (use_ipvlan)');
const VRF = later('VRF support');

// ---- vrrp_script ------------------------------------------------------------------------------

export const vrrpScript: KeywordSpec = {
  name: 'vrrp_script',
  args: [{ name: 'name', type: string }],
  repeatable: true,
  support: supported,
  doc: 'A script run periodically; its exit status is tracked by VRRP instances and sync groups.',
  block: {
    keywords: [
      conv('script', scriptLineOrWarn, supported, 'Command to run (quoted when it has parameters).'),
      val('interval', wholeSeconds(1, Math.floor(UINT_MAX / 1e6)), supported, 'Time between runs.', { default: 1_000_000 }),
      val('timeout', wholeSeconds(1, Math.floor(UINT_MAX / 1e6)), supported, 'Time after which a run counts as failed (default: interval).'),
      conv('weight', weightReverse(-253, 253), supported, 'Priority adjustment -253..253 [reverse].', { default: { weight: 0, reverse: false } }),
      val('rise', uint(1, INT_MAX), supported, 'Successes needed for OK.', { default: 1 }),
      val('fall', uint(1, INT_MAX), supported, 'Failures needed for KO.', { default: 1 }),
      conv('user', userLine, supported, 'User [group] to run the script as.'),
      flag('init_fail', supported, 'Assume the script starts in the failed state.'),
    ],
  },
};

// ---- track_file -------------------------------------------------------------------------------

// init_file [VALUE] [overwrite]
function initFile(words: Word[], ctx: ConvertCtx): { value: number; overwrite: boolean } | undefined {
  const out = { value: 0, overwrite: false };
  for (const w of words) {
    if (w.text === 'overwrite') out.overwrite = true;
    else {
      const v = parseWord(int(INT_MIN, INT_MAX), w, ctx);
      if (v === undefined) return undefined;
      out.value = v;
    }
  }
  return out;
}

export const trackFileBlock: KeywordSpec = {
  name: 'track_file',
  aliases: ['vrrp_track_file'],
  deprecated: { vrrp_track_file: { level: 'log', message: '"vrrp_track_file" is deprecated, please use "track_file"' } },
  field: 'track_file',
  args: [{ name: 'name', type: string }],
  repeatable: true,
  support: supported,
  doc: 'A file whose numeric content is tracked by VRRP instances, sync groups and FILE_CHECKs.',
  block: {
    keywords: [
      val('file', string, supported, 'Path of the tracked file.', { onceMessage: 'File already set for track file - ignoring' }),
      // the man page says -2147483647..2147483647; keepalived 2.2.7 reads -254..254
      conv('weight', weightReverse(-254, 254), supported, 'Weight multiplied with the value [reverse].', { default: { weight: 1, reverse: false } , onceMessage: 'Weight already set for track file - ignoring' }),
      conv('init_file', initFile, supported, 'Create the file with VALUE (default 0) [overwrite].'),
    ],
  },
};

// ---- vrrp_track_process -----------------------------------------------------------------------

function paramMatch(words: Word[], ctx: ConvertCtx): 'exact' | 'initial' | 'partial' | undefined {
  if (words.length === 0) return 'exact';
  if (words[0].text === 'initial' || words[0].text === 'partial') return words[0].text;
  ctx.report(ErrClass.General, `Invalid param_match type ${words[0].text} - ignoring`, words[0]);
  return undefined;
}

function processLine(words: Word[], ctx: ConvertCtx): { name: string; params: string[] } | undefined {
  if (words.length === 0) {
    ctx.report(ErrClass.General, 'process name missing');
    return undefined;
  }
  return { name: words[0].text, params: words.slice(1).map((w) => w.text) };
}

const procDelay = timerUs(1, 3600 * 1e6);

export const vrrpTrackProcess: KeywordSpec = {
  name: 'vrrp_track_process',
  args: [{ name: 'name', type: string }],
  repeatable: true,
  support: supported,
  doc: 'Tracks whether a process is running (lvsd reads /proc every 500 ms).',
  block: {
    keywords: [
      conv('process', processLine, supported, 'Process name [parameters...].', { onceMessage: 'Process already set for track process - ignoring' }),
      conv('param_match', paramMatch, supported, 'initial|partial matching of parameters.'),
      conv('weight', weightReverse(-254, 254), supported, 'Priority adjustment [reverse].', { default: { weight: 1, reverse: false } , onceMessage: 'Weight already set for track process - ignoring' }),
      val('quorum', uint(1, 65535), supported, 'Minimum number of processes.', { default: 1 }),
      val('quorum_max', uint(0, 65535), supported, 'Maximum number of processes.'),
      val('fork_delay', procDelay, supported, 'Delay after a fork before counting the process up (s).'),
      val('terminate_delay', procDelay, supported, 'Delay after termination before counting the process down (s).'),
      val('delay', procDelay, supported, 'Sets fork_delay and terminate_delay (s).'),
      flag('full_command', supported, 'Match the full command line.'),
    ],
  },
};

// ---- vrrp_sync_group --------------------------------------------------------------------------

export const vrrpSyncGroup: KeywordSpec = {
  name: 'vrrp_sync_group',
  args: [{ name: 'name', type: string }],
  repeatable: true,
  support: supported,
  doc: 'VRRP instances that change state together.',
  block: {
    keywords: [
      lines('group', nameLine('vrrp_instance name', 'Warning - sync group has empty group block', 'VI_1'), supported, 'Member VRRP instances.', {
        repeatable: false,
        onceMessage: 'Group list already specified',
      }),
      lines('track_interface', trackInterfaceLine, supported, 'Interfaces tracked by all members.'),
      lines('track_script', trackScriptLine, supported, 'vrrp_scripts tracked by all members.'),
      lines('track_file', trackFileLine, supported, 'track_files tracked by all members.'),
      lines('track_process', trackProcessLine, supported, 'vrrp_track_processes tracked by all members.'),
      lines('track_bfd', trackBfdLine, BFD, 'bfd_instances tracked by all members.'),
      conv('notify_master', scriptLine, supported, 'Script run on transition to MASTER.', { onceMessage: 'notify_master script already specified - ignoring' }),
      conv('notify_backup', scriptLine, supported, 'Script run on transition to BACKUP.', { onceMessage: 'notify_backup script already specified - ignoring' }),
      conv('notify_fault', scriptLine, supported, 'Script run on transition to FAULT.', { onceMessage: 'notify_fault script already specified - ignoring' }),
      conv('notify_stop', scriptLine, supported, 'Script run when VRRP stops.', { onceMessage: 'notify_stop script already specified - ignoring' }),
      conv('notify_deleted', optionalScript, supported, 'Report DELETED (and run the script) when a member is removed by a reload.', {
        unknownToKeepalived: 'documented for vrrp_sync_group in keepalived.conf(5) but keepalived 2.2.7 installs it for vrrp_instance only',
      }),
      conv('notify', scriptLine, supported, 'Script run on every transition with GROUP NAME STATE PRIORITY.', { onceMessage: 'notify script already specified - ignoring' }),
      flagBool('notify_priority_changes', supported, 'Send priority changes on notify FIFOs.'),
      flagBool('smtp_alert', SMTP, 'Send SMTP alerts on transitions.'),
      flag('global_tracking', ignored('deprecated in keepalived; use the sync group track_* blocks'), 'Deprecated: all members share tracking.', {
        deprecated: { global_tracking: { level: 'error', message: 'global_tracking is deprecated. Use track_interface/script/file on the sync group' } },
      }),
      flag('sync_group_tracking_weight', supported, 'Allow members to use differing tracking weights.'),
    ],
  },
};

// ---- garp_group -------------------------------------------------------------------------------

export const garpGroup: KeywordSpec = {
  name: 'garp_group',
  repeatable: true,
  support: supported,
  doc: 'Gratuitous ARP / unsolicited NA rate limits for an interface or a set of interfaces.',
  block: {
    keywords: [
      val('garp_interval', timerUs(0, INT_MAX), supported, 'Interval between gratuitous ARPs (s).'),
      val('gna_interval', timerUs(0, INT_MAX), supported, 'Interval between unsolicited NAs (s).'),
      val('interface', ifname, supported, 'The interface the limits apply to.', { onceMessage: 'garp_group already specified for the interface - ignoring' }),
      lines('interfaces', nameLine('interface', 'Warning - empty garp_group interfaces block', 'eth0'), supported, 'Interfaces across which the limits are aggregated.', {
        repeatable: false,
        onceMessage: 'garp_group interfaces specified again - keepalived reads its lines as keywords',
      }),
    ],
  },
};

// ---- vrrp_instance ----------------------------------------------------------------------------

// state MASTER|BACKUP (keepalived reports an unknown state and defaults to BACKUP)
const stateType = oneOf(['MASTER', 'BACKUP'] as const, {}, 'state');

interface Vmac { ifname?: string; mac?: string; macUsesVrid?: boolean }

// use_vmac [<VMAC_INTERFACE_NAME>] [MAC_ADDRESS] (a word with ':' is the MAC; 5 octets -> VRID is the 6th)
function useVmac(words: Word[], ctx: ConvertCtx): Vmac {
  const out: Vmac = {};
  for (const w of words.slice(0, 2)) {
    if (w.text.includes(':')) {
      if (out.mac !== undefined) {
        ctx.report(ErrClass.General, 'VMAC interface address already specified', w);
        continue;
      }
      // keepalived reads 5 octets (the VRID completes the MAC) or 6; it ignores anything after the 6th
      const parts = w.text.replace(/:$/, '').split(':').slice(0, 6);
      const good = parts.length >= 5 && parts.every((p) => /^[0-9a-f]{1,2}$/i.test(p));
      if (!good) {
        ctx.report(ErrClass.General, `VMAC invalid MAC address ${w.text} - ignored`, w);
        continue;
      }
      const bytes = parts.map((p) => parseInt(p, 16));
      if (bytes[0] & 1) {
        ctx.report(ErrClass.General, `VMAC MAC address is multicast ${w.text} - ignoring`, w);
        continue;
      }
      if (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0x5e && bytes[3] === 0 && (bytes[4] === 1 || bytes[4] === 2)) {
        ctx.report(ErrClass.General, `VMAC MAC address not allowed to be RFC5798 address (${w.text}) - ignoring`, w);
        continue;
      }
      out.mac = bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
      if (parts.length === 5) out.macUsesVrid = true;
    } else {
      const n = ifname.parse(w.text);
      if (!n.ok) ctx.report(ErrClass.General, `VMAC interface name '${w.text}' too long or invalid - ignoring`, w);
      else if (w.text === '.' || w.text === '..') ctx.report(ErrClass.General, `VMAC interface name '${w.text}' is not valid - ignoring`, w);
      else out.ifname = n.value;
    }
  }
  return out;
}

// use_ipvlan [<INTERFACE_NAME>] [IP_ADDRESS[/PREFIX]] [bridge|private|vepa]
function useIpvlan(words: Word[], ctx: ConvertCtx): { ifname?: string; addr?: string; mode: string } {
  const out: { ifname?: string; addr?: string; mode: string } = { mode: 'bridge' };
  let modeSet = false;
  for (const w of words) {
    if (w.text === 'bridge' || w.text === 'private' || w.text === 'vepa') {
      if (modeSet) ctx.report(ErrClass.General, `ipvlan type already specified - ignoring '${w.text}'`, w);
      else {
        out.mode = w.text;
        modeSet = true;
      }
    } else if (/^[0-9.]+(\/\d+)?$/.test(w.text) || w.text.includes(':')) {
      if (out.addr !== undefined) ctx.report(ErrClass.General, `ipvlan address already specified - ignoring '${w.text}'`, w);
      else if (!ip.parse(w.text.replace(/\/\d+$/, '')).ok) ctx.report(ErrClass.General, `ipvlan address ${w.text} invalid`, w);
      else out.addr = w.text;
    } else if (out.ifname !== undefined) ctx.report(ErrClass.General, `IPVLAN interface already specified - ignoring '${w.text}'`, w);
    else if (!ifname.parse(w.text).ok) ctx.report(ErrClass.General, `IPVLAN interface name '${w.text}' too long - ignoring`, w);
    else out.ifname = w.text;
  }
  return out;
}

// old_unicast_checksum [never]
function oldChecksum(words: Word[], ctx: ConvertCtx): 'always' | 'never' | undefined {
  if (words.length === 0) return 'always';
  if (words[0].text === 'never') return 'never';
  ctx.report(ErrClass.General, `Unknown old_unicast_checksum parameter ${words[0].text} - ignoring`, words[0]);
  return undefined;
}

// auth_pass: keepalived keeps the first 8 characters and reports the truncation
function authPass(words: Word[], ctx: ConvertCtx): string | undefined {
  if (words.length === 0) {
    ctx.report(ErrClass.MissingParameter, 'auth_pass missing');
    return undefined;
  }
  const t = words[0].text;
  if (Buffer.byteLength(t) > 8) {
    ctx.report(ErrClass.General, 'Truncating auth_pass to 8 characters', words[0]);
    return Buffer.from(t).subarray(0, 8).toString('latin1');
  }
  return t;
}

const authentication: KeywordSpec = {
  name: 'authentication',
  merge: true, // a second block sets its keywords on the same instance, as keepalived does
  support: supported,
  doc: 'VRRPv2 authentication (removed from the RFC; use only where the peer needs it).',
  block: {
    keywords: [
      val('auth_type', oneOf(['PASS', 'AH'] as const, {}, 'authentication type'), supported, 'PASS (simple password) or AH (IPSEC AH).'),
      conv('auth_pass', authPass, supported, 'Password; only the first 8 characters are used.'),
    ],
  },
};

const garpDelay = wholeSeconds(0, Math.floor(UINT_MAX / 1e6));

export const vrrpInstance: KeywordSpec = {
  name: 'vrrp_instance',
  args: [{ name: 'name', type: string }],
  repeatable: true,
  support: supported,
  doc: 'A VRRP instance: one virtual router on one interface.',
  block: {
    keywords: [
      // state, priority, unicast_ttl: no schema default; whether they were written decides what
      // keepalived derives (priority from state and back), and the instance check fills them in.
      val('state', stateType, supported, 'Initial state MASTER|BACKUP.'),
      val('interface', ifname, supported, 'Interface the instance runs on.'),
      val('vrf', ifname, VRF, 'VRF to operate in when unicasting without an interface.', { onceMessage: 'VRF interface already specified - ignoring' }),
      conv('use_vmac', useVmac, supported, 'Use a macvlan with the VRRP virtual MAC [name] [MAC].', { onceMessage: 'VMAC interface name already specified' }),
      flag('use_vmac_addr', supported, 'Create VMACs on the other interfaces VIPs use.'),
      flag('vmac_xmit_base', supported, 'Send and receive adverts on the base interface, not the VMAC.'),
      conv('use_ipvlan', useIpvlan, IPVLAN, 'Use an ipvlan interface [name] [address] [bridge|private|vepa].', { onceMessage: 'use_ipvlan already specified' }),
      flag('native_ipv6', ignored('deprecated: the address family of the VIPs decides'), 'Force IPv6 (deprecated).'),
      flag('dont_track_primary', supported, 'Ignore faults of the instance interface.'),
      lines('track_interface', trackInterfaceLine, supported, 'Interfaces to track [weight W [reverse]].'),
      lines('track_script', trackScriptLine, supported, 'vrrp_scripts to track [weight W [reverse|noreverse]].'),
      lines('track_file', trackFileLine, supported, 'track_files to track [weight W [reverse|noreverse]].'),
      lines('track_process', trackProcessLine, supported, 'vrrp_track_processes to track.'),
      lines('track_bfd', trackBfdLine, BFD, 'bfd_instances to track.'),
      val('mcast_src_ip', ip, supported, 'Source address of adverts.'),
      val('unicast_src_ip', ip, supported, 'Source address of unicast adverts.'),
      val('mcast_dst_ip', multicast(), supported, 'Multicast group of adverts (default by family).'),
      flag('track_src_ip', supported, 'FAULT when the source address disappears.'),
      val('version', int(2, 3), supported, 'VRRP version (default: global vrrp_version; IPv6 always 3).'),
      flag('check_unicast_src', supported, 'Check that unicast adverts come from a configured peer.'),
      lines('unicast_peer', unicastPeerLine, supported, 'Unicast peers <IP> [min_ttl N] [max_ttl N].'),
      flag('unicast_fault_no_peer', supported, 'FAULT instead of multicast when no peer is configured.'),
      val('unicast_ttl', uint(0, 255), supported, 'TTL / hop limit of unicast adverts (255).'),
      conv('old_unicast_checksum', oldChecksum, supported, 'Use the pre-1.3.6 VRRPv3 unicast checksum [never].'),
      val('garp_master_delay', garpDelay, supported, 'Delay of the second GARP burst after becoming MASTER (default: global).'),
      val('garp_master_repeat', uint(1, UINT_MAX), supported, 'GARPs per burst (default: global).'),
      val('garp_lower_prio_delay', garpDelay, supported, 'Delay of GARPs after a lower priority advert (default: global).'),
      val('garp_lower_prio_repeat', uint(0, INT_MAX), supported, 'GARPs after a lower priority advert (default: global).'),
      val('garp_master_refresh', wholeSeconds(0, UINT_MAX), supported, 'GARP refresh interval while MASTER (default: global).'),
      val('garp_master_refresh_repeat', uint(1, UINT_MAX), supported, 'GARPs per refresh (default: global).'),
      conv('garp_extra_if', garpExtraIfInstance, supported, 'Periodic GARP/NA on other VIP interfaces [all] SECS (0 disables).', {
        aliases: ['vmac_garp_intvl'],
        deprecated: { vmac_garp_intvl: { level: 'error', message: 'Keyword "vmac_garp_intvl" is deprecated - please use "garp_extra_if"' } },
      }),
      val('down_timer_adverts', uint(1, 100), supported, 'Adverts in the master down timer (default: global vrrp_down_timer_adverts, 3).'),
      flagBool('lower_prio_no_advert', supported, 'Do not answer a lower priority advert (default: global).'),
      flagBool('higher_prio_send_advert', supported, 'Send an advert before yielding to a higher priority master (default: global).'),
      val('virtual_router_id', uint(1, 255), supported, 'VRID 1..255.'),
      val('priority', uint(1, 255), supported, 'Election priority; 255 = address owner (100).'),
      val('advert_int', timerUs(10_000, 255 * 1e6), supported, 'Advert interval (s, resolution µs).', { default: 1_000_000 }),
      authentication,
      lines('virtual_ipaddress', addressLine(false), supported, 'Addresses the master holds (sent in adverts).'),
      lines('virtual_ipaddress_excluded', addressLine(false), supported, 'Addresses the master holds (not sent in adverts).'),
      flag('promote_secondaries', supported, 'Set promote_secondaries on the interface.'),
      lines('virtual_routes', routeLine(false), supported, 'Routes added while MASTER.'),
      lines('virtual_rules', ruleLine(false), supported, 'Rules added while MASTER.'),
      flag('accept', supported, 'Accept packets to the VIPs when not address owner.'),
      flag('no_accept', later('no_accept firewall rules (nftables)'), 'Drop packets to the VIPs when not address owner.'),
      flag('nopreempt', supported, 'Do not preempt a lower priority master.'),
      flag('preempt', supported, 'Preempt (the default; kept for backward compatibility).'),
      val('preempt_delay', timerUs(0, 1000 * 1e6), supported, 'Delay before preempting (s, 0..1000).', { default: 0 }),
      flagBool('skip_check_adv_addr', supported, 'Skip the address check of adverts from the current master (default: global).'),
      flagBool('strict_mode', supported, 'Strict RFC compliance (default: global vrrp_strict).'),
      val('debug', uint(0, 4), ignored('keepalived does not implement instance debug levels'), 'Debug level 0..4 (not implemented by keepalived).'),
      conv('notify_master', scriptLine, supported, 'Script run on transition to MASTER.', { onceMessage: 'notify_master script already specified - ignoring' }),
      conv('notify_backup', scriptLine, supported, 'Script run on transition to BACKUP.', { onceMessage: 'notify_backup script already specified - ignoring' }),
      conv('notify_fault', scriptLine, supported, 'Script run on transition to FAULT.', { onceMessage: 'notify_fault script already specified - ignoring' }),
      conv('notify_stop', scriptLine, supported, 'Script run when the instance stops.', { onceMessage: 'notify_stop script already specified - ignoring' }),
      conv('notify_deleted', optionalScript, supported, 'Report DELETED (and run the script) when removed by a reload.', { onceMessage: 'notify_deleted already specified - ignoring' }),
      conv('notify', scriptLine, supported, 'Script run on every transition with INSTANCE NAME STATE PRIORITY.', { onceMessage: 'notify script already specified - ignoring' }),
      conv('notify_master_rx_lower_pri', scriptLine, supported, 'Script run when a master receives a lower priority advert.', { onceMessage: 'notify_master_rx_lower_pri script already specified - ignoring' }),
      flagBool('notify_priority_changes', supported, 'Send priority changes on notify FIFOs.'),
      flagBool('smtp_alert', SMTP, 'Send SMTP alerts on transitions.'),
      val('kernel_rx_buf_size', uint(0, UINT_MAX), later('VRRP socket receive buffer sizing'), 'Receive buffer size of the VRRP socket.'),
      flag('linkbeat_use_polling', later('link polling with MII/ETHTOOL/ioctl'), 'Poll link state of the instance interface (deprecated).', {
        deprecated: { linkbeat_use_polling: { level: 'error', message: "'linkbeat_use_polling' in vrrp instance deprecated - use linkbeat_interfaces block" } },
      }),
      conv('lvs_sync_daemon_interface', example((w: Word[]) => w.map((x) => x.text), 'eth0'), ignored('deprecated since keepalived 1.2.19; use global lvs_sync_daemon'), 'Deprecated IPVS sync daemon interface.', {
        deprecated: { lvs_sync_daemon_interface: { level: 'error', message: 'Specifying lvs_sync_daemon_interface against a vrrp is deprecated.' } },
      }),
    ],
  },
};


example(initFile, '5 overwrite');
example(paramMatch, 'initial');
example(processLine, 'sshd');
example(useVmac, 'vrrp.51');
example(useIpvlan, 'ipvl0 10.99.3.9/24 private');
example(oldChecksum, 'never');
example(authPass, 'secret');
